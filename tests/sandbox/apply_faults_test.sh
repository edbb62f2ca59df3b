#!/usr/bin/env bash
# End-to-end: `harc apply` meets faults on the sandbox of examples/fleet.
# Each stops the cluster it hits (held, exit 4, the reason printed and in
# `harc history`); other clusters go on within the failure budget; and after
# the fault is cleared a re-run converges the cluster with no outage.
#   - an install that hangs past its deadline (lb-edge);
#   - an install that fails (gw-lab), with failure budgets 1 and 2;
#   - a guard that no longer holds: someone else fails fw-dc over mid-run;
#   - a member unreachable before the run (sg-billing): skipped, exit 7,
#     apart from the failure budget;
#   - a member that becomes unreachable during the run (gw-east).
# A run is paused (SIGSTOP) at a known event of its --json output where the
# test must change the world at a known point.
#
#   apply_faults_test.sh HARC_SIM REPO_ROOT HARC
set -euo pipefail
SIM=$1
ROOT=$2
HARC=$3
source "$ROOT/tests/sandbox/apply_lib.sh"
start_sandbox

apply() { "$HARC" apply --repo "$FLEET" --auto-approve "$@"; }
fault() { "$SIM" fault --state "$STATE" --member "$@" >/dev/null; }

# step_of RUN_JSON CLUSTER INDEX: that step's journal record, as JSON.
step_of() {
  json_get "json.dumps([s for s in d['steps'] if s['cluster'] == '$2' and s['index'] == $3][0])" <<<"$1"
}

# ---- an install that hangs: held at its deadline (in the background, on
# its own cluster, while the install and guard faults run: the journal is
# shared; not while a member is made unreachable, see sandbox.h)
fault lb-edge/lb-2 install-hangs
apply_bg "$TMP/hang.out" --cluster lb-edge
hang=$BG

# ---- an install that fails, failure budget 1: the cluster is held at that
# step; the canary beside it holds after its current step; the next wave
# does not start
fault gw-lab/lab-1 install-fails
expect 4 "$TMP/fails.out" apply --cluster gw-lab --cluster pcmk-db --cluster fw-dc
has "$TMP/fails.out" '^  gw-lab +held +step 5 \(install hotfix R81\.20_T89 on lab-1\): command exited 1: .*installation of R81\.20_T89 failed' \
  "the failed install"
has "$TMP/fails.out" 'gw-lab: step 5/11 install hotfix R81\.20_T89 on lab-1: FAILED: command exited 1' \
  "the failed step"
has "$TMP/fails.out" '^  pcmk-db +held +step [0-9]+ .* not started: failure budget spent$' \
  "the canary beside it"
has "$TMP/fails.out" '^  fw-dc +skipped +not started: failure budget spent$' "the next wave"
run=$(last_run gw-lab)
[[ $(json_get "d['result']" <<<"$run") == held ]] || fail "run not journaled held: $run"
rec=$(step_of "$run" gw-lab 5)
[[ $(json_get "d['state'], d['exit_status']" <<<"$rec") == "failed 1" ]] || fail "step 5: $rec"
json_get "d['reason']" <<<"$rec" | grep -q 'installation of R81.20_T89 failed' ||
  fail "no reason in the journal: $rec"
"$HARC" history --repo "$FLEET" --limit 3 >"$TMP/history.out"
has "$TMP/history.out" '^  gw-lab +5 +install +lab-1 +failed +1 .*installation of R81\.20_T89 failed' \
  "harc history"

# ---- failure budget 2: gw-lab is held again, the canary beside it converges
sed -i 's/^max_failed_clusters = 1/max_failed_clusters = 2/' "$FLEET/harc.toml"
expect 4 "$TMP/budget.out" apply --cluster gw-lab --cluster pcmk-db
has "$TMP/budget.out" '^Summary: 1 converged, 1 held, 0 locked, 0 skipped\.$' "budget 2"
has "$TMP/budget.out" '^  gw-lab +held +.*installation of R81\.20_T89 failed' "budget 2"
converged pcmk-db
fault gw-lab/lab-1 clear
expect 0 "$TMP/fails-rerun.out" apply --cluster gw-lab
converged gw-lab

# ---- a guard that no longer holds: fw-dc is paused while it turns image
# cloning off on chassis 1 (chassis 2 answers slowly, so the pause lands
# before step 4 probes it) and someone else fails chassis 1 over to chassis
# 2; step 4, draining chassis 2 as the standby, must not run
fault fw-dc/2 slow=2s
apply_bg "$TMP/guard.jsonl" --cluster fw-dc --json
pid=$BG
stop_at "$TMP/guard.jsonl" '"index":2,.*"member":"1","phase":"running"' "$pid"
paused=$(now)
"$SIM" exec --state "$STATE" --member fw-dc/1 \
  'asg chassis_admin -c 1 down && asg chassis_admin -c 1 up' >/dev/null
fault fw-dc/2 clear
deadline=$((SECONDS + 30))
until "$SIM" show --state "$STATE" | grep -Eq '^  2 [^ ]+ active '; do
  ((SECONDS < deadline)) || fail "fw-dc did not fail over: $("$SIM" show --state "$STATE")"
  sleep 0.1
done
kill -CONT "$pid"
rc=0
wait "$pid" || rc=$?
[[ $rc -eq 4 ]] || fail "guard changed: exit $rc: $(tail -n 5 "$TMP/guard.jsonl")"
has "$TMP/guard.jsonl" "\"outcome\":\"held\",\"reason\":\"step 4 \\(drain 2\\) not run: guard failed: 2 role is 'active'; expected 2 role 'standby'\"" \
  "the changed guard"
"$SIM" audit --state "$STATE" --since "$paused" --json |
  json_get "[c['command'] for c in d['mutating'] if c['cluster'] == 'fw-dc' and c['member'] == '2']" |
  grep -qx '\[\]' || fail "a command was sent to chassis 2 after its guard changed"
expect 0 "$TMP/guard-rerun.out" apply --cluster fw-dc
converged fw-dc

# ---- the hung install: held at its deadline, then released and re-run
rc=0
wait "$hang" || rc=$?
[[ $rc -eq 4 ]] || fail "hung install: exit $rc: $(tail -n 20 "$TMP/hang.out")"
has "$TMP/hang.out" '^  lb-edge +held +step 5 \(install keepalived 1:2\.2\.7-1\+deb12u1 on lb-2\): timed out after 45s waiting for version\.keepalived = 1:2\.2\.7-1\+deb12u1' \
  "the hung install"
fault lb-edge/lb-2 clear
expect 0 "$TMP/hang-rerun.out" apply --cluster lb-edge
converged lb-edge

# ---- a member unreachable before the run: its cluster is skipped as
# unobservable (exit 7), which does not spend the failure budget of 1: the
# cluster after it (one at a time) still converges
fault sg-billing/bill-3 unreachable
sed -i 's/^max_parallel_clusters = 4/max_parallel_clusters = 1/' "$FLEET/harc.toml"
expect 7 "$TMP/unobservable.out" apply --cluster sg-billing --cluster tms-core
sed -i 's/^max_parallel_clusters = 1/max_parallel_clusters = 4/' "$FLEET/harc.toml"
has "$TMP/unobservable.out" '^  sg-billing +skipped +unobservable: .*bill-3.*Connection refused' \
  "the unobservable cluster"
has "$TMP/unobservable.out" '^  tms-core +converged ' "the cluster after it"
converged tms-core
fault sg-billing/bill-3 clear
expect 0 "$TMP/unobservable-rerun.out" apply --cluster sg-billing
converged sg-billing

# ---- a member unreachable mid-run: gw-east is paused as it drains east-1a
# (which answers slowly, so the pause lands before the drain is seen done),
# and east-1a stops answering: the session harc holds open to it is cut, new
# ones are refused, and the drain is never seen to complete
fault gw-east/east-1a slow=1s
apply_bg "$TMP/unreach.jsonl" --cluster gw-east --json
pid=$BG
stop_at "$TMP/unreach.jsonl" '"index":6,.*"member":"east-1a","phase":"running"' "$pid"
fault gw-east/east-1a unreachable
kill -CONT "$pid"
rc=0
wait "$pid" || rc=$?
[[ $rc -eq 4 ]] || fail "unreachable member: exit $rc: $(tail -n 5 "$TMP/unreach.jsonl")"
has "$TMP/unreach.jsonl" '"outcome":"held","reason":"step 6 \(drain east-1a\): timed out after 6s waiting for role = down: east-1a is unreachable \([^"]*Connection refused' \
  "the unreachable member"
fault gw-east/east-1a clear
expect 0 "$TMP/unreach-rerun.out" apply --cluster gw-east
converged gw-east

no_outage "the faults and the re-runs"
no_locks "after the faults"
echo "apply faults e2e: ok"
