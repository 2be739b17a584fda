#!/bin/bash
# A real Grid Engine (one sge_qmaster + one sge_execd on this machine), for tests.
#
#   cluster.sh install   apt-get Debian's gridengine-master/-exec/-client when missing (root)
#   cluster.sh start     check the ports, configure the cell, start qmaster and execd
#   cluster.sh stop      delete jobs, stop only the daemons this script started (by PID)
#   cluster.sh env       print the `export SGE_ROOT=... SGE_CELL=...` clients need
set -euo pipefail

export SGE_ROOT=${SGE_ROOT:-/var/lib/gridengine}
export SGE_CELL=${SGE_CELL:-default}
DIR=${CONVEYOR_SGE_DIR:-/var/tmp/conveyor-sge}
SLOTS=${CONVEYOR_SGE_SLOTS:-4}
QMASTER_PORT=${CONVEYOR_SGE_QMASTER_PORT:-6444}
EXECD_PORT=${CONVEYOR_SGE_EXECD_PORT:-6445}
COMMON="$SGE_ROOT/$SGE_CELL/common"
SPOOL=/var/spool/gridengine
HOST=$(hostname)

source "$(dirname "${BASH_SOURCE[0]}")/../cluster_lib.sh"

install() {
    if command -v sge_qmaster >/dev/null && command -v sge_execd >/dev/null \
        && command -v qsub >/dev/null; then
        return 0
    fi
    apt_install "Grid Engine" gridengine-master gridengine-exec gridengine-client
}


# ours NAME: true when $DIR/run/NAME.pid holds a running process called NAME
ours() {
    local pid
    pid=$(cat "$DIR/run/$1.pid" 2>/dev/null) || return 1
    [ -n "$pid" ] && running "$pid" && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$1" ]
}

# check_port PORT DAEMON: die when something other than our own DAEMON listens on PORT
check_port() {
    local users
    users=$(ss -Hltnp "sport = :$1" 2>/dev/null | grep -o 'users:.*' || true)
    [ -z "$users" ] && return 0
    if ours "$2"; then
        grep -q "pid=$(cat "$DIR/run/$2.pid")," <<<"$users" && return 0
    fi
    local holders
    holders=$(port_holders "$users")
    die "port $1 (needed by $2) is already in use by ${holders:-another process}"
}

wait_for() {  # wait_for TRIES DESCRIPTION COMMAND...
    local tries=$1 what=$2
    shift 2
    for _ in $(seq "$tries"); do
        "$@" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    die "timed out waiting for $what (logs: $SPOOL/qmaster/messages, $SPOOL/execd/*/messages)"
}

# wait_pidfile FILE NAME: copy the PID a daemon wrote into FILE to $DIR/run/NAME.pid
wait_pidfile() {
    for _ in $(seq 100); do
        if [ -s "$1" ] && running "$(cat "$1")"; then
            cp "$1" "$DIR/run/$2.pid"
            return 0
        fi
        sleep 0.1
    done
    die "$2 did not start (see $SPOOL)"
}

host_files() {
    # the host's own name first: clients resolving 127.0.0.1 to localhost are this host
    echo "$HOST" > "$COMMON/act_qmaster"
    echo "$HOST localhost $(awk '$1 == "127.0.0.1" {for (i = 2; i <= NF; i++) print $i}' \
        /etc/hosts | grep -vx -e "$HOST" -e localhost | sort -u | tr '\n' ' ')" \
        > "$COMMON/host_aliases"
}

# A busy test machine must not hold jobs back: no load thresholds or load adjustments,
# a 1 s scheduling interval, 1 s accounting flushes, jobs started by a plain (non-login)
# shell so that no profile of the machine runs in them.
configure() {
    qconf -as "$HOST" >/dev/null 2>&1 || true
    if ! qconf -se "$HOST" >/dev/null 2>&1; then
        printf 'hostname %s\nload_scaling NONE\ncomplex_values NONE\nuser_lists NONE\nxuser_lists NONE\nprojects NONE\nxprojects NONE\nusage_scaling NONE\nreport_variables NONE\n' \
            "$HOST" > "$DIR/conf/exechost"
        qconf -Ae "$DIR/conf/exechost" >/dev/null
    fi
    qconf -sconf global | grep -v '^#' \
        | sed -e 's/^min_uid .*/min_uid 0/' -e 's/^min_gid .*/min_gid 0/' \
            -e 's/flush_time=[0-9:]*/flush_time=00:00:01/' \
            -e 's/^login_shells .*/login_shells none/' > "$DIR/conf/global"
    qconf -Mconf "$DIR/conf/global" >/dev/null
    qconf -ssconf | sed -e 's/^schedule_interval .*/schedule_interval 0:0:1/' \
        -e 's/^flush_submit_sec .*/flush_submit_sec 1/' \
        -e 's/^flush_finish_sec .*/flush_finish_sec 1/' \
        -e 's/^job_load_adjustments .*/job_load_adjustments NONE/' > "$DIR/conf/sched"
    qconf -Msconf "$DIR/conf/sched" >/dev/null
    qconf -sq | sed -e 's/^qname .*/qname all.q/' -e "s/^hostlist .*/hostlist $HOST/" \
        -e "s/^slots .*/slots $SLOTS/" -e 's/^pe_list .*/pe_list conveyor/' \
        -e 's/^load_thresholds .*/load_thresholds NONE/' > "$DIR/conf/queue"
    parallel_environment
    if qconf -sq all.q >/dev/null 2>&1; then
        qconf -Mq "$DIR/conf/queue" >/dev/null
    else
        qconf -Aq "$DIR/conf/queue" >/dev/null
    fi
}

# the parallel environment `conveyor`: blocks of several slots (`#$ -pe conveyor N`)
parallel_environment() {
    printf '%s\n' "pe_name conveyor" "slots 999" "user_lists NONE" "xuser_lists NONE" \
        "start_proc_args NONE" "stop_proc_args NONE" 'allocation_rule $fill_up' \
        "control_slaves FALSE" "job_is_first_task TRUE" "urgency_slots min" \
        "accounting_summary FALSE" "qsort_args NONE" > "$DIR/conf/pe"
    if qconf -sp conveyor >/dev/null 2>&1; then
        qconf -Mp "$DIR/conf/pe" >/dev/null
    else
        qconf -Ap "$DIR/conf/pe" >/dev/null
    fi
}

queue_up() { qstat -f -q all.q 2>/dev/null | grep -E "^all.q@" | grep -vqE ' [a-zA-Z]*[uEdD][a-zA-Z]*$'; }

start() {
    command -v sge_qmaster >/dev/null || die "Grid Engine is not installed (run: cluster.sh install)"
    [ "$(id -u)" = 0 ] || die "starting sge_qmaster and sge_execd needs root"
    mkdir -p "$DIR/run" "$DIR/conf"
    check_port "$QMASTER_PORT" sge_qmaster
    check_port "$EXECD_PORT" sge_execd
    host_files
    if ! ours sge_qmaster; then
        rm -f "$SPOOL/qmaster/qmaster.pid"
        SGE_QMASTER_PORT=$QMASTER_PORT /usr/sbin/sge_qmaster
        wait_pidfile "$SPOOL/qmaster/qmaster.pid" sge_qmaster
    fi
    wait_for 100 "sge_qmaster to answer" qconf -sh
    configure
    if ! ours sge_execd; then
        rm -f "$SPOOL"/execd/*/execd.pid
        SGE_EXECD_PORT=$EXECD_PORT /usr/sbin/sge_execd
        local f
        for _ in $(seq 100); do
            f=$(ls "$SPOOL"/execd/*/execd.pid 2>/dev/null | head -1) && [ -n "$f" ] && break
            sleep 0.1
        done
        wait_pidfile "${f:-$SPOOL/execd/none/execd.pid}" sge_execd
    fi
    wait_for 300 "the queue all.q@$HOST to be up" queue_up
    say "up: qmaster and execd on $HOST, all.q with $SLOTS slots, SGE_ROOT=$SGE_ROOT"
}

stop_daemon() {  # stop_daemon NAME
    if ours "$1"; then
        local pid
        pid=$(cat "$DIR/run/$1.pid")
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 100); do
            running "$pid" || break
            sleep 0.1
        done
        if running "$pid"; then kill -9 "$pid" 2>/dev/null || true; fi
    fi
    rm -f "$DIR/run/$1.pid"
}

stop() {
    if ours sge_qmaster; then
        qdel -u '*' >/dev/null 2>&1 || true
        for _ in $(seq 100); do
            [ -z "$(qstat -u '*' 2>/dev/null)" ] && break
            sleep 0.1
        done
    fi
    stop_daemon sge_execd
    stop_daemon sge_qmaster
    say "stopped"
}

case "${1:-}" in
    install) install ;;
    start) start ;;
    stop) stop ;;
    env) echo "export SGE_ROOT=$SGE_ROOT SGE_CELL=$SGE_CELL SGE_QMASTER_PORT=$QMASTER_PORT SGE_EXECD_PORT=$EXECD_PORT" ;;
    *) die "usage: $0 install|start|stop|env" ;;
esac
