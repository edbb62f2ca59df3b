#!/usr/bin/env bash
# End-to-end: `harc apply` interrupted and contended, on the sandbox of
# examples/fleet.
#   - SIGINT, then SIGTERM, while a step's command is on its way (the member
#     answers slowly): the command is not cut off, its step completes, the
#     cluster holds before the next step, exit 4, the run is journaled
#     "interrupted", no lease is left; a re-run converges with no outage.
#   - Two applies of one cluster: the second exits 5 naming the first as the
#     holder; the first converges and leaves no lease.
#
#   apply_interrupt_test.sh HARC_SIM REPO_ROOT HARC
set -euo pipefail
SIM=$1
ROOT=$2
HARC=$3
source "$ROOT/tests/sandbox/apply_lib.sh"
start_sandbox

apply() { "$HARC" apply --repo "$FLEET" --auto-approve "$@"; }
fault() { "$SIM" fault --state "$STATE" --member "$@" >/dev/null; }

# interrupt SIGNAL MEMBER STEP_REGEX OUT: applies gw-east, sends SIGNAL while
# the command of the step matching STEP_REGEX (to MEMBER, slowed to 1 s an
# answer) is on its way, and checks that the step ran to its end and the
# cluster held before the next one.
interrupt() {
  local signal=$1 member=$2 step=$3 out=$4 pid rc=0 since
  fault "gw-east/$member" slow=1s
  since=$(now)
  apply_bg "$out" --cluster gw-east
  pid=$BG
  wait_for "$out" "gw-east: $step: running$"
  kill "-$signal" "$pid"
  wait "$pid" || rc=$?
  [[ $rc -eq 4 ]] || fail "$signal: exit $rc, expected 4 (held):"$'\n'"$(tail -n 20 "$out")"
  fault "gw-east/$member" clear
  has "$out" '^harc: stopping: each running cluster finishes its current step and holds' \
    "$signal: the notice"
  has "$out" "gw-east: $step: done in [0-9]+s$" "$signal: the step in flight"
  has "$out" "^  gw-east +held +step [0-9]+ \\(.*\\) not started: interrupted \\(SIG$signal\\)$" \
    "$signal: the hold"
  has "$out" '^Summary: 0 converged, 1 held, 0 locked, 0 skipped \(interrupted\)\.$' \
    "$signal: the summary"
  # The simulator ran the command to its end (exit 0), and it was the last
  # mutating command of the run.
  "$SIM" audit --state "$STATE" --since "$since" --json >"$TMP/audit.json"
  json_get "d['mutating'][-1]['member'], d['mutating'][-1]['exit']" <"$TMP/audit.json" |
    grep -qx "$member 0" || fail "$signal: last command: $(json_get "d['mutating'][-1]" <"$TMP/audit.json")"
  local run
  run=$(last_run gw-east)
  [[ $(json_get "d['result']" <<<"$run") == interrupted ]] || fail "$signal: run: $run"
  json_get "[s['state'] for s in d['steps']][-1]" <<<"$run" | grep -qx done ||
    fail "$signal: the last step journaled: $run"
  no_locks "$signal"
}

# ---- SIGINT during an install, SIGTERM during a drain, then a re-run
interrupt INT east-1a 'step 8/21 install hotfix R81\.20_T89 on east-1a' "$TMP/int.out"
interrupt TERM east-1b 'step [0-9]+/[0-9]+ drain east-1b' "$TMP/term.out"
expect 0 "$TMP/rerun.out" apply --cluster gw-east
converged gw-east
no_outage "interrupted runs and the re-run"

# ---- two applies of pcmk-db: the first is paused after it took the lease
apply_bg "$TMP/first.jsonl" --cluster pcmk-db --json
first=$BG
stop_at "$TMP/first.jsonl" '"event":"cluster_started","time":"[^"]*","cluster":"pcmk-db"' "$first"
expect 5 "$TMP/second.out" apply --cluster pcmk-db
has "$TMP/second.out" "^  pcmk-db +locked +by [^ ]+ pid $first run [0-9]+ \\(token [0-9]+, expires in [0-9]+s\\)$" \
  "the second apply names the holder"
kill -CONT "$first"
rc=0
wait "$first" || rc=$?
[[ $rc -eq 0 ]] || fail "the first apply: exit $rc: $(tail -n 5 "$TMP/first.jsonl")"
converged pcmk-db
no_locks "after both applies"
no_outage "two applies"
echo "apply interrupt e2e: ok"
