#!/usr/bin/env bash
# End-to-end: `harc apply` on the sandbox of examples/fleet, one cluster per
# built-in strategy (maestro groups, dual-chassis standby-first, tms-zl
# leave-update-join, serviceguard and pacemaker rolling, linux), every member
# one version behind. Through the real binary: confirmation (refused without
# a terminal; on a terminal "yes" applies, anything else cancels), a plan
# refused as unsafe, a saved plan applied exactly and refused once stale,
# progress as timestamped lines, live terminal lines and JSON events; then
# every member at the desired version, no outage in the simulator's audit
# (the TMS zl master's update only because the cluster allows disruption),
# and a second apply that sends nothing mutating.
#
#   apply_test.sh HARC_SIM REPO_ROOT HARC
set -euo pipefail
SIM=$1
ROOT=$2
HARC=$3
source "$ROOT/tests/sandbox/apply_lib.sh"
PTY=$ROOT/tests/sandbox/pty_run.py
T0=$(now)
start_sandbox

# ---- confirmation: without a terminal and without --auto-approve, refused
since=$(now)
expect 1 "$TMP/notty.out" "$HARC" apply --repo "$FLEET" </dev/null
has "$TMP/notty.out" 'not applying without confirmation: standard input is not a terminal' \
  "apply without a terminal"
no_mutations_since "$since" "apply without a terminal"

# ---- on a terminal: only "yes" applies; "no" and "y" cancel
for answer in no y; do
  since=$(now)
  expect 1 "$TMP/pty-$answer.out" "$PTY" --answer "$answer" --after "is accepted: " -- \
    "$HARC" apply --repo "$FLEET" --cluster gw-lab
  has "$TMP/pty-$answer.out" "Apply these 11 steps to 1 cluster\\? Only 'yes' is accepted" \
    "the question"
  has "$TMP/pty-$answer.out" 'apply cancelled: nothing was changed' "answer '$answer'"
  no_mutations_since "$since" "answer '$answer'"
done
expect 0 "$TMP/pty-yes.out" "$PTY" --answer yes --after "is accepted: " -- \
  "$HARC" apply --repo "$FLEET" --cluster gw-lab
# The live line of the running cluster: wave, step k/n, action, member, elapsed.
has "$TMP/pty-yes.out" 'gw-lab \[canary\] step [0-9]+/11 install hotfix R81\.20_T89 on lab-[12]: .* [0-9]+s' \
  "a live line on the terminal"
has "$TMP/pty-yes.out" '^  gw-lab +converged +11 steps' "the summary on the terminal"
converged gw-lab

# ---- tms-zl with allow_disruption = false: unsafe, exit 3, nothing sent
sed -i 's/^allow_disruption = true/allow_disruption = false/' "$FLEET/clusters/tms-core.toml"
since=$(now)
expect 3 "$TMP/unsafe.out" "$HARC" apply --repo "$FLEET" --cluster tms-core --auto-approve
has "$TMP/unsafe.out" 'refused at step 4: rule disruption: drain tms-a interrupts service' \
  "the refusal"
has "$TMP/unsafe.out" '^  tms-core +skipped +unsafe: ' "the summary of an unsafe plan"
no_mutations_since "$since" "an unsafe plan"
sed -i 's/^allow_disruption = false/allow_disruption = true/' "$FLEET/clusters/tms-core.toml"

# ---- a saved plan is applied exactly, reported as timestamped log lines
expect 0 "$TMP/plan-sg.out" "$HARC" plan --repo "$FLEET" --cluster sg-billing -o "$TMP/sg.json"
since=$(now)
expect 0 "$TMP/apply-sg.out" "$HARC" apply "$TMP/sg.json" --repo "$FLEET"
stamp='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z'
has "$TMP/apply-sg.out" "$stamp sg-billing: started \\(wave default, 10 steps\\)$" "plain log"
has "$TMP/apply-sg.out" "$stamp sg-billing: step 1/10 backup bill-1: running$" "plain log"
has "$TMP/apply-sg.out" "$stamp sg-billing: step 3/10 install serviceguard A\\.12\\.80\\.00 on bill-1: done in [0-9]+s$" \
  "plain log"
if grep -q $'\x1b' "$TMP/apply-sg.out"; then fail "escape sequences in the plain log"; fi
# The commands the simulator received as mutating are the plan's, in order.
json_get "'\\n'.join(s['command'] for s in d['clusters'][0]['steps'])" <"$TMP/sg.json" >"$TMP/sg.want"
"$SIM" audit --state "$STATE" --since "$since" --json |
  json_get "'\\n'.join(c['command'] for c in d['mutating'])" >"$TMP/sg.sent"
diff "$TMP/sg.want" "$TMP/sg.sent" >&2 || fail "the saved plan's commands were not the ones sent"
converged sg-billing

# ---- a saved plan whose facts changed: exit 6 naming member, fact, values
expect 0 "$TMP/plan-db.out" "$HARC" plan --repo "$FLEET" --cluster pcmk-db -o "$TMP/db.json"
"$SIM" exec --state "$STATE" --member pcmk-db/db-2 'pcs node standby db-2 --wait=300' >/dev/null
since=$(now)
expect 6 "$TMP/stale.out" "$HARC" apply "$TMP/db.json" --repo "$FLEET"
has "$TMP/stale.out" "^harc: stale: pcmk-db/db-2 role: was 'active', now 'down'$" "stale fact"
has "$TMP/stale.out" 'the live state changed since the plan was made .*nothing was applied' \
  "stale plan"
no_mutations_since "$since" "a stale plan"

# ---- the rest of the fleet (db-2 still drained by hand), as JSON events
since=$(now)
expect 0 "$TMP/apply.jsonl" "$HARC" apply --repo "$FLEET" --auto-approve --json
/usr/bin/python3 - "$TMP/apply.jsonl" <<'EOF' || fail "JSON events: $(head -c 2000 "$TMP/apply.jsonl")"
import json, sys
events = [json.loads(line) for line in open(sys.argv[1])]
assert all("event" in e and "time" in e for e in events), "an event without event/time"
assert events[0]["event"] == "plan" and events[0]["plan"]["format"] == "harc.plan/v1", events[0]
summary = events[-1]
assert summary["event"] == "summary" and summary["exit_code"] == 0, summary
assert summary["converged"] == 7, summary
started = {e["cluster"] for e in events if e["event"] == "cluster_started"}
assert started == {"pcmk-db", "fw-dc", "gw-east", "lb-edge", "tms-core"}, started
steps = [e for e in events if e["event"] == "step"]
assert {"running", "waiting", "done"} <= {e["phase"] for e in steps}, "step phases"
assert not [e for e in steps if e["phase"] == "failed"], "a failed step"
EOF
converged fw-dc gw-east gw-lab lb-edge pcmk-db sg-billing tms-core

# ---- no outage since the start; the TMS zl master's update is the only
# interruption, allowed; standby-first failed fw-dc over exactly once
"$SIM" audit --state "$STATE" --since "$T0" --json >"$TMP/audit.json" ||
  fail "outage: $("$SIM" audit --state "$STATE" --since "$T0")"
/usr/bin/python3 - "$TMP/audit.json" <<'EOF' || fail "audit: $(cat "$TMP/audit.json" | head -c 3000)"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["no_outage"], d["outages"]
kinds = [(o["cluster"], o["kind"], o["allowed"]) for o in d["outages"]]
assert kinds == [("tms-core", "disruptive-update", True)], kinds
assert d["active_moves"].get("fw-dc") == 1, d["active_moves"]
EOF

# ---- a second apply: in sync, nothing mutating, exit 0, no lease left
since=$(now)
expect 0 "$TMP/again.out" "$HARC" apply --repo "$FLEET" --auto-approve
has "$TMP/again.out" '^Plan: 0 clusters to change \(0 steps\), 7 in sync' "second apply"
has "$TMP/again.out" '^Summary: 7 converged, 0 held, 0 locked, 0 skipped\.$' "second apply"
no_mutations_since "$since" "a second apply"
no_locks "after the applies"
[[ $(last_run | json_get "d['result']") == converged ]] || fail "the last run: $(last_run)"
echo "apply e2e: ok"
