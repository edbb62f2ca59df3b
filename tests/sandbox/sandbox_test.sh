#!/usr/bin/env bash
# End-to-end: the sandbox for examples/fleet behind real sshd, reached with the
# system's OpenSSH client (IPv4 and the ::1 member) and with harc itself; the
# audit log; faults; and stop leaving no process behind.
#
#   sandbox_test.sh HARC_SIM REPO_ROOT [HARC]
set -euo pipefail
SIM=$1
ROOT=$2
HARC=${3:-}
TMP=$(mktemp -d /tmp/harc-sandbox-test.XXXXXX)
STATE=$TMP/state
export HARC_SIM=$SIM
cleanup() {
  "$ROOT/tests/sandbox/stop" "$STATE" >/dev/null 2>&1 || true
  rm -rf "$TMP"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
ssh_to() { ssh -F "$STATE/ssh_config" "$@"; }
audit_json() { "$SIM" audit --state "$STATE" --json; }
json_get() { /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

# ---- start: the maestro member lab-2 on ::1, everyone at the desired versions
"$ROOT/tests/sandbox/start" "$ROOT/examples/fleet" "$STATE" --ipv6-member gw-lab/lab-2 \
  --transition-time 200ms --action-time 1s >"$TMP/start.out"
grep -q 'gw-lab/lab-2  maestro  ::1' "$TMP/start.out" || fail "lab-2 not on ::1: $(cat "$TMP/start.out")"
[[ $(grep -c . "$STATE/members.tsv") -eq 18 ]] || fail "expected 18 members"
[[ $(ls "$STATE"/sshd/sshd-*.conf | wc -l) -eq 2 ]] || fail "18 members + bastion need 2 sshd"

# ---- IPv4 and IPv6 members answer `cphaprob state` through ssh(1)
out=$(ssh_to gw-east.east-1a 'cphaprob state')
grep -Eq '^1_01 \(local\) +192\.0\.2\.1 +100% +ACTIVE +east-1a$' <<<"$out" || fail "east-1a: $out"
out=$(ssh_to gw-lab.lab-2 'cphaprob state')
grep -Eq '\(local\) .* ACTIVE +lab-2$' <<<"$out" || fail "lab-2 over ::1: $out"
out=$(ssh_to -6 ::1 'cphaprob state')
grep -q 'lab-2' <<<"$out" || fail "::1 by address: $out"
out=$(ssh_to fw-dc.1 'asg stat -v')
grep -Eq '^\| 1  \(local\)' <<<"$out" || fail "fw-dc/1: $out"

# ---- the audit log recorded both, with the address each came to
grep -q '"address":"::1".*"command":"cphaprob state"' "$STATE/audit.jsonl" ||
  fail "no ::1 command in the audit log"
addr=$(awk -F'\t' '$2 == "east-1a" { print $4 }' "$STATE/members.tsv")
grep -q "\"address\":\"$addr\".*\"member\":\"east-1a\"" "$STATE/audit.jsonl" ||
  fail "no east-1a command in the audit log"
"$SIM" audit --state "$STATE" --no-mutations >/dev/null || fail "facts counted as mutating"

# ---- an injected command runs nothing, is refused, and is recorded as received
set +e
ssh_to gw-east.east-1b "cphaprob state; touch $TMP/pwned" >/dev/null 2>&1
rc=$?
set -e
[[ $rc -eq 127 ]] || fail "injected command exited $rc"
[[ ! -e $TMP/pwned ]] || fail "the injected command ran"
grep -q "touch $TMP/pwned" "$STATE/audit.jsonl" || fail "injected command not recorded"

# ---- harc gathers the converged fleet: no changes, no mutating command
if [[ -n $HARC ]]; then
  since=$(date +%s.%N)
  "$HARC" plan --repo "$STATE/fleet" --detailed-exitcode >"$TMP/plan.out" 2>&1 ||
    fail "harc plan on the converged sandbox: $(cat "$TMP/plan.out")"
  "$SIM" audit --state "$STATE" --since "$since" --no-mutations >"$TMP/audit.out" ||
    fail "mutating commands on a converged fleet: $(cat "$TMP/audit.out")"
  n=$(audit_json | json_get "d['commands']")
  [[ $n -ge 18 ]] || fail "harc plan sent $n commands, expected one per member"
fi

# ---- a drain is mutating, takes the transition time, and shows in the timeline
ssh_to gw-east.east-1b 'clusterXL_admin down' >/dev/null
sleep 0.3
ssh_to gw-east.east-1b 'cphaprob state' | grep -q 'Active PNOTEs: admin_down' || fail "not drained"
set +e
"$SIM" audit --state "$STATE" --no-mutations >/dev/null
rc=$?
set -e
[[ $rc -eq 4 ]] || fail "audit --no-mutations exited $rc after a drain"
[[ $(audit_json | json_get "d['no_outage']") == True ]] || fail "one drained member is no outage"
ssh_to gw-east.east-1b 'clusterXL_admin up' >/dev/null

# ---- faults: refused, stalled, slow, and back
"$SIM" fault --state "$STATE" --member gw-east/east-2a unreachable >/dev/null
set +e
err=$(ssh_to gw-east.east-2a 'cphaprob state' 2>&1)
rc=$?
set -e
[[ $rc -eq 255 && $err == *refused* ]] || fail "unreachable: rc=$rc $err"
ssh_to gw-east.east-2b 'cphaprob state' >/dev/null || fail "a peer in the same sshd lost"
"$SIM" fault --state "$STATE" --member gw-east/east-2a clear stall >/dev/null
set +e
err=$(ssh_to -o ConnectTimeout=1 gw-east.east-2a 'cphaprob state' 2>&1)
rc=$?
set -e
[[ $rc -eq 255 && $err == *"timed out"* ]] || fail "stall: rc=$rc $err"
"$SIM" fault --state "$STATE" --member gw-east/east-2a clear slow=1s >/dev/null
start=$(date +%s%N)
ssh_to gw-east.east-2a 'cphaprob state' >/dev/null || fail "slow member did not answer"
(( ($(date +%s%N) - start) / 1000000 >= 1000 )) || fail "slow member answered too soon"
"$SIM" fault --state "$STATE" --member gw-east/east-2a clear >/dev/null
ssh_to gw-east.east-2a 'cphaprob state' | grep -q east-2a || fail "cleared member unreachable"

# ---- stop: nothing of this sandbox is left running
"$ROOT/tests/sandbox/stop" "$STATE" >/dev/null
sleep 0.2
if pgrep -f "$STATE" >/dev/null; then
  pgrep -af "$STATE" >&2
  fail "processes left after stop"
fi
echo "sandbox e2e: ok"
