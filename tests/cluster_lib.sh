# Shell functions shared by the test clusters' scripts (tests/slurm/cluster.sh,
# tests/gridengine/cluster.sh), which source this file; it sets no variables.

say() { echo "cluster.sh: $*" >&2; }
die() { say "$*"; exit 1; }

# running PID: true while PID is a process that has not exited (zombies count as exited)
running() {
    local state
    state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
    [ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]
}

# apt_install WHAT PACKAGE...: install the Debian packages of WHAT (root), starting none
# of their services (a policy-rc.d refuses them while apt-get runs)
apt_install() {
    local what=$1
    shift
    [ "$(id -u)" = 0 ] || die "$what is not installed and installing it needs root"
    command -v apt-get >/dev/null || die "$what is not installed and apt-get is missing"
    local made_policy=""
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
        chmod +x /usr/sbin/policy-rc.d
        made_policy=yes
    fi
    local rc=0
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        --no-install-recommends "$@" >/dev/null; } || rc=$?
    [ -n "$made_policy" ] && rm -f /usr/sbin/policy-rc.d
    [ "$rc" = 0 ] || die "apt-get could not install $what ($*; rc $rc)"
}

# port_holders USERS: the processes in an `ss -p` users: field, as "name (pid N),..."
port_holders() {
    grep -o '"[^"]*",pid=[0-9]*' <<<"$1" \
        | sed -E 's/"([^"]*)",pid=([0-9]+)/\1 (pid \2)/' | sort -u | paste -sd, -
}
