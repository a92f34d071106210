#!/usr/bin/env bash
# A one-node Slurm cluster on localhost for the Slurm executor's tests and for trying it out:
# munged, slurmctld and slurmd from Debian's munge and slurm-wlm packages, run in the foreground
# of background jobs (no systemd), with a configuration, key and state of their own under one
# folder. Jobs run as the calling user; proctrack/linuxproc and no cgroup task plugin, so it works
# in containers.
#
#   tests/slurm/one_node_cluster.sh start [DIR]   # prints the SLURM_CONF line to export
#   tests/slurm/one_node_cluster.sh stop  [DIR]
#   tests/slurm/one_node_cluster.sh status [DIR]
#
# DIR defaults to $QUANTSCOPE_SLURM_DIR or /tmp/quantscope-slurm. `start` waits until the node is
# idle and exits non-zero, saying why, when it cannot start the cluster (CTest then skips the
# Slurm tests with that reason).
set -euo pipefail

action=${1:-}
dir=${2:-${QUANTSCOPE_SLURM_DIR:-/tmp/quantscope-slurm}}
conf=$dir/slurm.conf

die() { echo "one_node_cluster: $*" >&2; exit 1; }

need() {
  for program in "$@"; do
    command -v "$program" >/dev/null 2>&1 || [ -x "/usr/sbin/$program" ] \
      || die "$program is missing (install Debian's slurm-wlm and munge: installer/install-deps.sh)"
  done
}

daemon() { command -v "$1" 2>/dev/null || echo "/usr/sbin/$1"; }

write_config() {
  local cpus memory user
  # Two CPUs whatever the machine has (config_overrides), so that three one-CPU jobs always leave
  # one queued behind two running, as the tests need; QUANTSCOPE_SLURM_CPUS for more.
  cpus=${QUANTSCOPE_SLURM_CPUS:-2}
  memory=$(awk '/MemTotal/ { print int($2 / 1024 / 2) }' /proc/meminfo)
  user=$(id -un)
  cat >"$conf" <<CONF
ClusterName=quantscope-test
SlurmctldHost=localhost
SlurmUser=$user
SlurmdUser=$user
SlurmctldPort=${QUANTSCOPE_SLURMCTLD_PORT:-6917}
SlurmdPort=${QUANTSCOPE_SLURMD_PORT:-6918}
AuthType=auth/munge
AuthInfo=socket=$dir/munge.socket
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SwitchType=switch/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MinJobAge=300
KillWait=5
SchedulerParameters=sched_interval=1
MessageTimeout=20
SlurmdParameters=config_overrides
NodeName=localhost CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
}

start() {
  need munged slurmctld slurmd sinfo
  if [ -f "$dir/slurmctld.pid" ] && kill -0 "$(cat "$dir/slurmctld.pid")" 2>/dev/null; then
    echo "export SLURM_CONF=$conf"
    return 0
  fi
  mkdir -p "$dir/state" "$dir/spool"
  chmod 700 "$dir"
  [ -f "$dir/munge.key" ] || { dd if=/dev/urandom of="$dir/munge.key" bs=1024 count=1 status=none; chmod 400 "$dir/munge.key"; }
  write_config
  "$(daemon munged)" --force --key-file="$dir/munge.key" --socket="$dir/munge.socket" \
    --pid-file="$dir/munged.pid" --log-file="$dir/munged.log" --seed-file="$dir/munge.seed" \
    || die "munged did not start: $(tail -n 3 "$dir/munged.log" 2>/dev/null)"
  SLURM_CONF=$conf nohup "$(daemon slurmctld)" -D -i -f "$conf" >"$dir/slurmctld.out" 2>&1 &
  SLURM_CONF=$conf nohup "$(daemon slurmd)" -D -f "$conf" >"$dir/slurmd.out" 2>&1 &
  for _ in $(seq 1 60); do
    state=$(SLURM_CONF=$conf sinfo -h -N -o '%t' 2>/dev/null | head -n 1 || true)
    if [ "$state" = "idle" ]; then
      echo "export SLURM_CONF=$conf"
      return 0
    fi
    sleep 1
  done
  tail -n 5 "$dir/slurmctld.log" "$dir/slurmd.log" "$dir/slurmctld.out" "$dir/slurmd.out" >&2 2>/dev/null || true
  stop
  die "the node did not become idle within 60 s (last state: ${state:-none})"
}

stop() {
  for pidfile in slurmd.pid slurmctld.pid munged.pid; do
    if [ -f "$dir/$pidfile" ]; then
      kill "$(cat "$dir/$pidfile")" 2>/dev/null || true
      rm -f "$dir/$pidfile"
    fi
  done
  sleep 1
}

case "$action" in
  start) start ;;
  stop) stop ;;
  status) SLURM_CONF=$conf sinfo ;;
  *) die "usage: one_node_cluster.sh start|stop|status [DIR]" ;;
esac
