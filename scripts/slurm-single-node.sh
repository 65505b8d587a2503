#!/usr/bin/env bash
# A single-node Slurm cluster for tests, as root and without systemd (Debian's
# slurm-wlm and munge): `start DIR` writes a minimal slurm.conf into DIR, starts
# munged, slurmctld and slurmd with their state, spool, logs and pid files in DIR, and
# waits until the node is idle; `stop DIR` stops the daemons by their pid files.
# Accounting is off, so `sacct` does not work: track jobs with squeue.
# The environment of the cluster's commands: `export SLURM_CONF=DIR/slurm.conf`.
set -euo pipefail

usage() { echo "usage: $0 start|stop DIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
action=$1
dir=$(mkdir -p "$2" && cd "$2" && pwd)

start() {
    local host cpus memory
    host=$(hostname -s)
    cpus=$(nproc)
    memory=$(awk '/MemTotal/ { print int($2 / 1024 / 2) }' /proc/meminfo)
    mkdir -p "$dir"/{state,spool,log,munge/run,munge/lib}
    # The munge user must reach its folder (mktemp -d makes 700 folders).
    chmod 755 "$dir"
    # munge: a key of our own, run as the munge user, its socket in DIR.
    chown -R munge:munge "$dir/munge"
    chmod 700 "$dir/munge/lib"
    if [ ! -f "$dir/munge/munge.key" ]; then
        dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
        chown munge:munge "$dir/munge/munge.key"
        chmod 400 "$dir/munge/munge.key"
    fi
    local socket="$dir/munge/run/munge.socket.2"
    # In the foreground, backgrounded here: a daemonising munged opens /dev/null,
    # which some containers lack.
    su -s /bin/sh munge -c "setsid munged --foreground --key-file='$dir/munge/munge.key' \
        --socket='$socket' --pid-file='$dir/munge/run/munged.pid' \
        --log-file='$dir/munge/munged.log' --seed-file='$dir/munge/lib/munged.seed' \
        </dev/zero >>'$dir/munge/munged.out' 2>&1 &"
    for _ in $(seq 50); do
        [ -S "$socket" ] && break
        sleep 0.1
    done
    cat > "$dir/slurm.conf" <<CONF
ClusterName=genloop
SlurmctldHost=$host
AuthType=auth/munge
AuthInfo=socket=$socket
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MailProg=/bin/true
ReturnToService=2
SchedulerType=sched/backfill
NodeName=$host CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
    export SLURM_CONF="$dir/slurm.conf"
    slurmctld -f "$SLURM_CONF"
    slurmd -f "$SLURM_CONF"
    for _ in $(seq 60); do
        if sinfo -h -o '%t' 2>/dev/null | grep -qx 'idle'; then
            echo "slurm: node $host idle; export SLURM_CONF=$SLURM_CONF"
            return 0
        fi
        sleep 0.5
    done
    echo "slurm: the node did not become idle in 30 s; logs in $dir/log" >&2
    sinfo >&2 || true
    return 1
}

stop() {
    local pidfile
    for pidfile in "$dir/slurmd.pid" "$dir/slurmctld.pid" "$dir/munge/run/munged.pid"; do
        if [ -f "$pidfile" ]; then
            kill "$(cat "$pidfile")" 2>/dev/null || true
            rm -f "$pidfile"
        fi
    done
}

case "$action" in
    start) start ;;
    stop) stop ;;
    *) usage ;;
esac
