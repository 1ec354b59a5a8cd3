#!/usr/bin/env bash
# A one-node Slurm on 127.0.0.1 for tests and single lab machines (Debian: apt-get install -y slurm-wlm munge).
#
#   scripts/slurm-local.sh start   # prints: export SLURM_CONF=…   (eval "$(scripts/slurm-local.sh start)")
#   scripts/slurm-local.sh stop
#   scripts/slurm-local.sh status
#
# Everything lives under $IUNET_SLURM_DIR (default /tmp/iunet-slurm): a munge key made here, munged on a private
# socket, slurm.conf, state, spool, logs. Runs as the current user (root in CI containers); no cgroups needed
# (ProctrackType=proctrack/linuxproc, TaskPlugin=task/none); private ports (IUNET_SLURM_PORT, default 16817/16818).
set -euo pipefail

DIR="${IUNET_SLURM_DIR:-/tmp/iunet-slurm}"
PORT="${IUNET_SLURM_PORT:-16817}"
SBIN=/usr/sbin
CONF="$DIR/slurm.conf"

need() { command -v "$1" >/dev/null 2>&1 || [ -x "$SBIN/$1" ] || { echo "slurm-local: $1 not found; install it: apt-get install -y slurm-wlm munge" >&2; exit 3; }; }
pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

start() {
  need munged; need slurmctld; need slurmd; need sbatch
  mkdir -p "$DIR"/{munge,state,spool,log}
  chmod 700 "$DIR/munge"
  if ! pid_alive "$DIR/munge/munged.pid"; then
    [ -f "$DIR/munge/munge.key" ] || { dd if=/dev/urandom of="$DIR/munge/munge.key" bs=1024 count=1 status=none; chmod 400 "$DIR/munge/munge.key"; }
    "$SBIN/munged" --force --key-file="$DIR/munge/munge.key" --socket="$DIR/munge/munge.sock" \
      --pid-file="$DIR/munge/munged.pid" --log-file="$DIR/log/munged.log" --seed-file="$DIR/munge/munge.seed"
  fi
  local cpus mem user
  cpus=$(nproc)
  mem=$(awk '/MemTotal/ {print int($2 / 1024 * 0.8)}' /proc/meminfo)
  user=$(id -un)
  cat >"$CONF" <<CONF
ClusterName=iunetlocal
SlurmctldHost=localhost(127.0.0.1)
SlurmUser=$user
SlurmdUser=$user
SlurmctldPort=$PORT
SlurmdPort=$((PORT + 1))
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$DIR/munge/munge.sock
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SlurmdTimeout=30
InactiveLimit=0
MinJobAge=300
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=local Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
  export SLURM_CONF="$CONF"
  pid_alive "$DIR/slurmctld.pid" || "$SBIN/slurmctld" -f "$CONF" -i
  pid_alive "$DIR/slurmd.pid" || "$SBIN/slurmd" -f "$CONF" -N localhost
  # Ready when the node is idle (or mixed/allocated by someone's jobs).
  for _ in $(seq 1 60); do
    if sinfo -h -N -o '%T' 2>/dev/null | grep -Eq '^(idle|mixed|allocated)'; then
      echo "export SLURM_CONF=$CONF"
      return 0
    fi
    sleep 0.5
  done
  echo "slurm-local: the node did not come up; see $DIR/log/" >&2
  sinfo -N >&2 || true
  exit 1
}

stop() {
  for p in slurmd slurmctld munge/munged; do
    if pid_alive "$DIR/$p.pid"; then
      kill "$(cat "$DIR/$p.pid")" 2>/dev/null || true
    fi
  done
  for p in slurmd slurmctld munge/munged; do
    for _ in $(seq 1 20); do pid_alive "$DIR/$p.pid" || break; sleep 0.25; done
  done
  rm -rf "$DIR/state" "$DIR/spool"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) SLURM_CONF="$CONF" sinfo -N ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
