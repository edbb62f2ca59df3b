#!/usr/bin/env bash
# Crash and restart, end to end (issue 4, DESIGN.md §5): `harc apply` is
# SIGKILLed at fourteen distinct moments across the built-in strategies, each
# chosen from the journal (.harc/journal.db, read-only) or the simulator's
# audit log, never by a timer. After each kill `harc apply --auto-approve`
# runs again and must exit 0, name what the killed run was doing, and leave
# the cluster converged with no outage, no completed action sent twice and
# every setting restored (crash_lib.sh). Each scenario has its own sandbox.
#
#   crash_test.sh HARC_SIM REPO_ROOT HARC [SCENARIO...]
set -euo pipefail
SIM=$1
ROOT=$2
HARC=$3
WORK=$(mktemp -d /tmp/harc-crash-test.XXXXXX)
source "$ROOT/tests/sandbox/crash_lib.sh"
trap 'crash_cleanup; [[ -n ${KEEP:-} ]] || rm -rf "$WORK"' EXIT

fault() { "$SIM" fault --state "$STATE" --member "$1" "${@:2}" >/dev/null; }
run_id() { jsql "SELECT max(id) FROM runs"; }
INT='run [0-9]+ \([^)]*\) was interrupted at step'

# scenario NAME: true when NAME is to run (all, or those named after HARC).
ONLY=("${@:4}")
scenario() {
  SCENARIO=$1
  [[ ${#ONLY[@]} -eq 0 || " ${ONLY[*]} " == *" $1 "* ]] || return 1
  echo "crash: $SCENARIO (at ${SECONDS}s)"
}

# ---- right after the lease is taken: the first step (the backup, which
# reads nothing first) journaled and sent to db-1, which answers slowly.
# The lease of the killed run is taken over at once, not when it expires.
if scenario lease-taken; then
  sandbox_up lease
  fault pcmk-db/db-1 slow=1500ms
  start_apply --cluster pcmk-db
  kill_when "the backup journaled" step_is pcmk-db backup db-1 started
  fault pcmk-db/db-1 clear
  t0=$SECONDS
  recover "pcmk-db: took over the lease of .* run 1( pidns [0-9]+)? \(token 1\): that process is no longer running" \
    --cluster pcmk-db
  grep -Eq "pcmk-db: $INT 1 \(backup db-1\): started" "$WORK/$SCENARIO.rerun.out" ||
    fail "the interrupted backup was not reported"
  ((SECONDS - t0 < 60)) || fail "the re-run took $((SECONDS - t0))s: did it wait for the lease?"
  sandbox_down
fi

# ---- a step journaled 'started' whose command never reached the member:
# tms-b answers slowly, and is cut off before the drain lands. The re-run
# waits out what is left of the drain's deadline, then sends it.
if scenario started-never-sent; then
  sandbox_up never-sent
  fault tms-core/tms-b slow=1500ms
  start_apply --cluster tms-core
  kill_when "the drain of tms-b journaled" step_is tms-core drain tms-b started
  fault tms-core/tms-b unreachable
  sleep 2  # past the slow answer, which the simulator then refuses
  ! landed tms-core tms-b "no high-availability" || fail "the drain reached tms-b"
  fault tms-core/tms-b clear
  recover "tms-core: $INT 2 \(drain tms-b\): started" --cluster tms-core
  sandbox_down
fi

# ---- a command in flight: journaled and sent, landing after harc died.
if scenario in-flight; then
  sandbox_up in-flight
  fault sg-billing/bill-2 slow=1s
  start_apply --cluster sg-billing
  kill_when "the drain of bill-2 journaled" step_is sg-billing drain bill-2 started
  fault sg-billing/bill-2 clear
  recover "sg-billing: $INT 5 \(drain bill-2\): started" --cluster sg-billing
  landed sg-billing bill-2 "cmhaltnode -f 'bill-2'" || fail "the in-flight drain never landed"
  sandbox_down
fi

# ---- an install running in the background on the member.
if scenario install-running; then
  sandbox_up install --action-time 2s
  start_apply --cluster fw-dc
  kill_when "the install on 2" \
    landed fw-dc 2 "gclish -c 'installer install 'R81.20_T89' member_ids chassis'2' not-interactive'"
  recover "fw-dc: $INT 5 \(install 2\): started" --cluster fw-dc
  sandbox_down
fi

# ---- a failover in transition: sent, the peer not yet active.
if scenario failover-transition; then
  sandbox_up failover --transition-time 1s
  start_apply --cluster fw-dc
  kill_when "the failover of 1" \
    landed fw-dc 1 "asg chassis_admin -c '1' down && asg chassis_admin -c '1' up"
  recover "fw-dc: $INT 7 \(failover 1\): started" --cluster fw-dc
  sandbox_down
fi

# ---- between steps, right after a completed failover (member 1 answers
# slowly, so the next step's probe holds harc there).
if scenario after-failover; then
  sandbox_up after-failover
  fault fw-dc/1 slow=1s
  start_apply --cluster fw-dc
  kill_when "the failover of 1 done" step_is fw-dc failover 1 done
  fault fw-dc/1 clear
  recover "fw-dc: $INT 7 \(failover 1\): done" --cluster fw-dc
  sandbox_down
fi

# ---- during a wait's stable time: lab-1 is active again, not yet for 1s.
if scenario stable-time; then
  sandbox_up stable --wait-scale 0.1
  start_apply --cluster gw-lab
  kill_when "lab-1 active while its undrain waits" \
    eval 'step_is gw-lab undrain lab-1 started && role_is gw-lab lab-1 active'
  recover "gw-lab: $INT 6 \(undrain lab-1\): started" --cluster gw-lab
  sandbox_down
fi

# ---- a Maestro group half drained: east-1a down, east-2a (answering
# slowly) still serving.
if scenario group-drain; then
  sandbox_up group
  fault gw-east/east-2a slow=1s
  start_apply --cluster gw-east
  kill_when "the drain of east-1a done" step_is gw-east drain east-1a done
  fault gw-east/east-2a clear
  recover "gw-east: $INT 6 \(drain east-1a\): done" --cluster gw-east
  sandbox_down
fi

# ---- TMS zl: the participant leaving the cluster.
if scenario tms-leave; then
  sandbox_up tms --transition-time 1s
  start_apply --cluster tms-core
  kill_when "tms-b leaving" landed tms-core tms-b "no high-availability delete-cluster-data"
  recover "tms-core: $INT 3 \(leave tms-b\): started" --cluster tms-core
  sandbox_down
fi

# ---- Serviceguard: bill-1 rejoining, its packages failing back.
if scenario serviceguard-failback; then
  sandbox_up failback --transition-time 1s
  start_apply --cluster sg-billing
  kill_when "bill-1 rejoining" landed sg-billing bill-1 "cmrunnode 'bill-1'"
  recover "sg-billing: $INT 4 \(undrain bill-1\): started" --cluster sg-billing
  sandbox_down
fi

# ---- keepalived: preemption held off for the run, nothing upgraded yet
# (lb-2 answers slowly, so the next step's probe holds harc there).
if scenario held-preempt; then
  sandbox_up preempt
  fault lb-edge/lb-2 slow=1s
  start_apply --cluster lb-edge
  kill_when "preempt held off" step_is lb-edge set.preempt lb-2 done
  fault lb-edge/lb-2 clear
  recover "lb-edge: $INT 3 \(set.preempt lb-2\): done" --cluster lb-edge
  sandbox_down
fi

# ---- Pacemaker: the install on a node in standby.
if scenario pacemaker-install; then
  sandbox_up pacemaker --action-time 1s
  start_apply --cluster pcmk-db
  kill_when "the install on db-2" step_is pcmk-db install db-2 started
  recover "pcmk-db: $INT 9 \(install db-2\): started" --cluster pcmk-db
  sandbox_down
fi

# ---- two clusters at work at once (the canary wave), both killed; then the
# re-run is itself killed while it waits for the install the first run
# started on lab-1 (installs take 5s), and a third run finishes.
if scenario parallel-and-rerun; then
  sandbox_up parallel --action-time 5s
  canary=(--cluster gw-lab --cluster pcmk-db)
  start_apply "${canary[@]}"
  kill_when "the install on lab-1" step_is gw-lab install lab-1 started
  first=$(run_id)
  start_apply "${canary[@]}"
  kill_when "the re-run waiting for the install on lab-1" \
    grep -q "run $first was stopped during this step; waiting" "$APPLY_OUT"
  for c in gw-lab pcmk-db; do
    grep -Eq "$c: run $first \(.*\) was interrupted at step" "$APPLY_OUT" ||
      fail "the first re-run did not report $c: $(head -n 40 "$APPLY_OUT")"
  done
  recover "gw-lab: took over the lease of .* run $((first + 1))[ (]" "${canary[@]}"
  grep -q "pcmk-db: took over the lease of .* run $((first + 1))[ (]" "$WORK/$SCENARIO.rerun.out" ||
    fail "the last re-run did not take pcmk-db over"
  sandbox_down
fi

echo "crash e2e: ok"
