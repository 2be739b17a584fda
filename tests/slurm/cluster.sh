#!/bin/bash
# A real multi-node Slurm (slurmctld + one slurmd per emulated node) on this machine, for tests.
#
#   cluster.sh install   apt-get munge + Slurm when missing (root only)
#   cluster.sh start     write the config, start munged/slurmctld/slurmd n1..nN, wait until idle
#   cluster.sh stop      cancel jobs, stop only the daemons this script started (by PID file)
#   cluster.sh env       print `export SLURM_CONF=...` for clients
#
# Everything lives under $CONVEYOR_SLURM_DIR (default /var/tmp/conveyor-slurm); clients find
# the config through SLURM_CONF, so /etc/slurm is never touched.
set -euo pipefail

DIR=${CONVEYOR_SLURM_DIR:-/var/tmp/conveyor-slurm}
NODES=${CONVEYOR_SLURM_NODES:-4}
CPUS=${CONVEYOR_SLURM_CPUS:-2}
BASE_PORT=${CONVEYOR_SLURM_PORT:-17001}
CONF="$DIR/slurm.conf"
HOST=$(hostname -s)

source "$(dirname "${BASH_SOURCE[0]}")/../cluster_lib.sh"

install() {
    if command -v slurmctld >/dev/null && command -v slurmd >/dev/null \
        && command -v sbatch >/dev/null && command -v munged >/dev/null; then
        return 0
    fi
    apt_install Slurm munge slurm-client slurmctld slurmd
}

write_config() {
    mkdir -p "$DIR/state" "$DIR/spool" "$DIR/log" "$DIR/run"
    local last=$((BASE_PORT + NODES - 1))
    cat > "$CONF" <<CONF
# conveyor test cluster (tests/slurm/cluster.sh)
ClusterName=conveyor
SlurmctldHost=$HOST(127.0.0.1)
SlurmctldPort=16817
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool/%n
SlurmctldPidFile=$DIR/run/slurmctld.pid
SlurmdPidFile=$DIR/run/slurmd-%n.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd-%n.log
SlurmdParameters=config_overrides
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0
ReturnToService=2
EnforcePartLimits=ALL
MinJobAge=60
KillWait=2
InactiveLimit=0
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
NodeName=n[1-$NODES] NodeHostname=$HOST NodeAddr=127.0.0.1 Port=[$BASE_PORT-$last] CPUs=$CPUS RealMemory=4096 State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
}

# pid_alive FILE NAME: true when FILE holds the PID of a running process named NAME
# (the name, not the exe path: Debian's slurmd is /usr/sbin/slurmd-wlm)
pid_alive() {
    local pid
    [ -f "$1" ] || return 1
    pid=$(cat "$1" 2>/dev/null) || return 1
    [ -n "$pid" ] && running "$pid" || return 1
    [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$2" ]
}

start_munge() {
    if munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
        return 0
    fi
    rm -f /run/munge/munge.socket.2 /run/munge/munge.socket.2.lock /run/munge/munged.pid
    mkdir -p /run/munge && chown munge:munge /run/munge
    runuser -u munge -- /usr/sbin/munged
    cp /run/munge/munged.pid "$DIR/run/munged.pid" 2>/dev/null || true
    for _ in $(seq 50); do
        munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    die "munged did not answer"
}

wait_for() {  # wait_for TRIES DESCRIPTION COMMAND...
    local tries=$1 what=$2
    shift 2
    for _ in $(seq "$tries"); do
        "$@" && return 0
        sleep 0.1
    done
    die "timed out waiting for $what (logs in $DIR/log)"
}

# check_port PORT PIDFILE NAME: die when a process other than our own NAME (whose PID is
# in PIDFILE) listens on PORT -- nodes must never answer to someone else's controller
check_port() {
    local users
    users=$(ss -Hltnp "sport = :$1" 2>/dev/null | grep -o 'users:.*' || true)
    [ -z "$users" ] && return 0
    if pid_alive "$2" "$3" && grep -q "pid=$(cat "$2")," <<<"$users"; then
        return 0
    fi
    local holders
    holders=$(port_holders "$users")
    die "port $1 (needed by $3) is already in use by ${holders:-another process}"
}

check_ports() {
    check_port 16817 "$DIR/run/slurmctld.pid" slurmctld
    local n
    for n in $(seq 1 "$NODES"); do
        check_port $((BASE_PORT + n - 1)) "$DIR/run/slurmd-n$n.pid" slurmd
    done
}

ctld_up() { scontrol ping 2>/dev/null | grep -q UP; }
all_idle() {
    local states
    states=$(sinfo -h -N -o %t 2>/dev/null) || return 1
    [ "$(grep -c '^idle$' <<<"$states")" = "$NODES" ]
}

start() {
    command -v slurmctld >/dev/null || die "Slurm is not installed (run: cluster.sh install)"
    [ "$(id -u)" = 0 ] || die "starting slurmd needs root"
    mkdir -p "$DIR/run"
    check_ports
    write_config
    export SLURM_CONF="$CONF"
    start_munge
    if ! pid_alive "$DIR/run/slurmctld.pid" slurmctld; then
        slurmctld -f "$CONF"
    fi
    wait_for 100 "slurmctld" ctld_up
    local n
    for n in $(seq 1 "$NODES"); do
        if ! pid_alive "$DIR/run/slurmd-n$n.pid" slurmd; then
            slurmd -f "$CONF" -N "n$n"
        fi
    done
    for n in $(seq 1 "$NODES"); do
        scontrol update NodeName="n$n" State=RESUME >/dev/null 2>&1 || true
    done
    wait_for 300 "all $NODES nodes idle" all_idle
    say "up: $NODES nodes, SLURM_CONF=$CONF"
}

stop_pidfile() {  # stop_pidfile FILE EXE
    if pid_alive "$1" "$2"; then
        local pid
        pid=$(cat "$1")
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 50); do
            running "$pid" || break
            sleep 0.1
        done
        if running "$pid"; then kill -9 "$pid" 2>/dev/null || true; fi
    fi
    rm -f "$1"
}

stop() {
    export SLURM_CONF="$CONF"
    if [ -f "$CONF" ] && ctld_up; then
        scancel --full --quiet --user=root 2>/dev/null || true
        for _ in $(seq 50); do
            [ -z "$(squeue -h -o %i 2>/dev/null)" ] && break
            sleep 0.1
        done
    fi
    local f
    for f in "$DIR"/run/slurmd-*.pid; do
        [ -e "$f" ] && stop_pidfile "$f" slurmd
    done
    stop_pidfile "$DIR/run/slurmctld.pid" slurmctld
    stop_pidfile "$DIR/run/munged.pid" munged
    say "stopped"
}

case "${1:-}" in
    install) install ;;
    start) start ;;
    stop) stop ;;
    env) echo "export SLURM_CONF=$CONF" ;;
    *) die "usage: $0 install|start|stop|env" ;;
esac
