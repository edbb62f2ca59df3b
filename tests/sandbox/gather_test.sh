#!/usr/bin/env bash
# End-to-end: harc gathers the live state of the sandbox fleet for
# examples/fleet (every built-in platform; fw-dc/1 on ::1) over real sshd,
# through the real binary, as a user would run it:
# - snapshot and plan of the whole fleet, one round trip per member;
# - each way a member can fail to be observed, reported for that member
#   alone while the rest is gathered and planned, exit 7: unreachable, a
#   stalled connect, a key the member refuses, an unknown host key (then
#   recorded with --accept-new-host-keys), output that does not parse;
# - a changed host key refused with its fingerprint, nothing run on the host;
# - ProxyJump through the sandbox's bastion, from a user's ssh config.
#
#   gather_test.sh HARC_SIM REPO_ROOT HARC
set -euo pipefail
SIM=$1
ROOT=$2
HARC=$3
TMP=$(mktemp -d /tmp/harc-gather-test.XXXXXX)
STATE=$TMP/state
FLEET=$STATE/fleet
export HARC_SIM=$SIM
cleanup() {
  "$ROOT/tests/sandbox/stop" "$STATE" >/dev/null 2>&1 || true
  rm -rf "$TMP"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
check() { /usr/bin/python3 "$ROOT/tests/sandbox/gather_check.py" "$@" || fail "check $1"; }
json_get() { /usr/bin/python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
addr_of() { awk -F'\t' -v c="${1%/*}" -v m="${1#*/}" '$1 == c && $2 == m { print $4 }' \
  "$STATE/members.tsv"; }
# A fixed string as an extended regular expression (grep -E and Python re).
ere() { sed 's/[][\.*^$+?(){}|/]/\\&/g' <<<"$1"; }
# summary CHANGED UNOBSERVABLE: the last plan's summary line says so.
summary() {
  grep -Eq "^Plan: $1 clusters? to change \([0-9]+ steps\), 0 in sync, 0 unsafe, $2 unobservable\.$" \
    "$TMP/out"
}
log_offsets() { for l in "$STATE"/sshd/sshd-*.log; do echo "$l $(stat -c %s "$l")"; done >"$1"; }

# harc_run WANT ARGS...: runs harc ARGS, expecting exit WANT; its standard
# output and error are in $TMP/out and $TMP/err. Unless ARGS name one, no
# ssh config is read: the user's own must not change what the test sees.
harc_run() {
  local want=$1 rc=0
  shift
  local ssh=(--ssh-config none)
  [[ " $* " == *" --ssh-config "* ]] && ssh=()
  "$HARC" "$@" --repo "$FLEET" "${ssh[@]}" >"$TMP/out" 2>"$TMP/err" || rc=$?
  [[ $rc -eq $want ]] ||
    fail "harc $* exited $rc, expected $want: $(cat "$TMP/err") $(tail -n 3 "$TMP/out")"
}

# expect_only CLUSTER/MEMBER REGEX [HARC_ARGS...]: snapshot and plan with that
# member alone unobserved, for a reason matching REGEX, and exit 7; the rest
# of the fleet is observed whole, its cluster is UNOBSERVABLE with the reason,
# and every other cluster is planned.
expect_only() {
  local key=$1 regex=$2 cluster=${1%/*} member=${1#*/}
  shift 2
  harc_run 7 snapshot -o "$TMP/snap.json" "$@"
  [[ $(grep -c 'was not observed' "$TMP/err") -eq 1 ]] ||
    fail "$key: expected one member not observed: $(cat "$TMP/err")"
  grep -Eq "^harc: warning: $key \(.*\) was not observed: $regex" "$TMP/err" ||
    fail "$key: not reported as /$regex/: $(cat "$TMP/err")"
  grep -qx "observed $((MEMBERS - 1)) members of $CLUSTERS clusters; 1 not observed" "$TMP/err" ||
    fail "$key: snapshot summary: $(tail -n 1 "$TMP/err")"
  check snapshot "$TMP/snap.json" "$STATE" "$PLATFORMS" "$key" "$regex"

  harc_run 7 plan -o "$TMP/plan.json" "$@"
  grep -A1 -E "^$cluster \(.*\): UNOBSERVABLE$" "$TMP/out" | tail -n 1 |
    grep -Eq "^  $member: $regex" || fail "$key: plan does not say why: $(cat "$TMP/out")"
  summary "$((CLUSTERS - 1))" 1 || fail "$key: plan summary: $(tail -n 1 "$TMP/out")"
  check plan "$TMP/plan.json" "$CLUSTERS" "$cluster"
}

# ---- the sandbox: every member one version below the fleet's, fw-dc/1 on ::1
"$ROOT/tests/sandbox/start" "$ROOT/examples/fleet" "$STATE" --older --ipv6-member fw-dc/1 \
  >"$TMP/start.out"
PLATFORMS=$ROOT/schemas/platforms
MEMBERS=$(grep -c . "$STATE/members.tsv")
CLUSTERS=$(cut -f1 "$STATE/members.tsv" | sort -u | wc -l)
PLATFORM_COUNT=$(cut -f3 "$STATE/members.tsv" | sort -u | wc -l)
[[ $PLATFORM_COUNT -ge 6 ]] || fail "the example fleet covers $PLATFORM_COUNT platforms"
PORT=$(json_get "['port']" <"$STATE/sandbox.json")
BASTION=$(json_get "['bastion']" <"$STATE/sandbox.json")
USER_NAME=$(json_get "['user']" <"$STATE/sandbox.json")
[[ $(addr_of fw-dc/1) == ::1 ]] || fail "fw-dc/1 is not on ::1: $(cat "$TMP/start.out")"
FP=$(ssh-keygen -lf "$STATE/sshd/host_key.pub" | awk '{ print $2 }')
[[ $FP == SHA256:* ]] || fail "no fingerprint for the sandbox host key: $FP"
cp "$STATE/known_hosts" "$TMP/known_hosts.orig"

# ---- the whole fleet: every member observed with every fact, ::1 included,
# each in one session and one command; the plan changes every cluster and is
# the plan of the snapshot
since=$(date +%s.%N)
harc_run 0 snapshot -o "$TMP/snap.json"
grep -qx "observed $MEMBERS members of $CLUSTERS clusters" "$TMP/err" ||
  fail "snapshot: $(cat "$TMP/err")"
check snapshot "$TMP/snap.json" "$STATE" "$PLATFORMS"
check commands "$STATE" "$since" 1
harc_run 2 plan -o "$TMP/plan.json" --detailed-exitcode
summary "$CLUSTERS" 0 || fail "plan: $(tail -n 1 "$TMP/out")"
[[ ! -s $TMP/err ]] || fail "plan warned: $(cat "$TMP/err")"
check plan "$TMP/plan.json" "$CLUSTERS"
cp "$TMP/out" "$TMP/live.txt"
harc_run 0 plan --observed "$TMP/snap.json"
diff "$TMP/live.txt" "$TMP/out" >&2 || fail "the live plan is not the snapshot's plan"

# ---- unreachable: nothing listens on the member's address
"$SIM" fault --state "$STATE" --member gw-east/east-2a unreachable >/dev/null
expect_only gw-east/east-2a \
  "unreachable: gw-east/east-2a \(.*\): cannot connect: Connection refused"
"$SIM" fault --state "$STATE" --member gw-east/east-2a clear >/dev/null

# ---- a stalled member: TCP accepted, no SSH banner, ever; the connect
# deadline (harc.toml [ssh] connect_timeout) ends the wait
sed -i "s/^connect_timeout = .*/connect_timeout = '5s'/" "$FLEET/harc.toml"
grep -q "^connect_timeout = '5s'$" "$FLEET/harc.toml" || fail "no connect_timeout in harc.toml"
"$SIM" fault --state "$STATE" --member lb-edge/lb-1 stall >/dev/null
expect_only lb-edge/lb-1 "timeout: lb-edge/lb-1 \(.*\): connect timed out"
"$SIM" fault --state "$STATE" --member lb-edge/lb-1 clear >/dev/null

# ---- a slow member (answers after 20 s): the command deadline (harc.toml
# [ssh] command_timeout), then the whole gather's (gather_timeout), end the
# wait long before it answers
"$SIM" fault --state "$STATE" --member lb-edge/lb-2 slow=20s >/dev/null
sed -i "s/^command_timeout = .*/command_timeout = '2s'/" "$FLEET/harc.toml"
grep -q "^command_timeout = '2s'$" "$FLEET/harc.toml" || fail "no command_timeout in harc.toml"
started=$SECONDS
late="command did not finish before its deadline"
expect_only lb-edge/lb-2 "timeout: lb-edge/lb-2 \(.*\): $late"
sed -i "s/^command_timeout = .*/gather_timeout = '3s'/" "$FLEET/harc.toml"
expect_only lb-edge/lb-2 "timeout: lb-edge/lb-2 \(.*\): $late"
(( SECONDS - started < 4 * 20 )) || fail "the slow member was waited for: $((SECONDS - started)) s"
sed -i "s/^gather_timeout = .*/command_timeout = '60s'/" "$FLEET/harc.toml"
"$SIM" fault --state "$STATE" --member lb-edge/lb-2 clear >/dev/null

# ---- authentication refused: the user's ssh config names a key that the
# member does not authorize
ssh-keygen -q -t ed25519 -N '' -C wrong -f "$TMP/wrong_key"
printf 'Host %s\n  IdentityFile %s\n' "$(addr_of pcmk-db/db-2)" "$TMP/wrong_key" \
  >"$TMP/wrong_key.conf"
refused="user '$USER_NAME' was refused with the key $(ere "$TMP/wrong_key")$"
expect_only pcmk-db/db-2 "auth refused: pcmk-db/db-2 \(.*\): $refused" \
  --ssh-config "$TMP/wrong_key.conf"

# ---- output that does not parse
"$SIM" fault --state "$STATE" --member tms-core/tms-b wrong-output >/dev/null
expect_only tms-core/tms-b "unparseable output: fact '[a-z_.]+': "
"$SIM" fault --state "$STATE" --member tms-core/tms-b clear >/dev/null

# ---- an unknown host key: refused with the host and the fingerprint;
# --accept-new-host-keys records it, and then it is known
addr=$(addr_of sg-billing/bill-3)
entry="[$addr]:$PORT $(cut -d' ' -f1,2 "$STATE/sshd/host_key.pub")"
grep -qxF "$entry" "$STATE/known_hosts" || fail "no known_hosts entry for bill-3: $entry"
grep -vxF "$entry" "$STATE/known_hosts" >"$TMP/known_hosts"
cp "$TMP/known_hosts" "$STATE/known_hosts"
unknown="host key for $(ere "[$addr]:$PORT") is not known \(ssh-ed25519 $(ere "$FP")\)"
expect_only sg-billing/bill-3 \
  "host key unknown: sg-billing/bill-3 \(.*\): $unknown; refusing to connect"
harc_run 0 snapshot -o "$TMP/snap.json" --accept-new-host-keys
check snapshot "$TMP/snap.json" "$STATE" "$PLATFORMS"
[[ $(grep -cxF "$entry" "$STATE/known_hosts") -eq 1 ]] ||
  fail "--accept-new-host-keys did not record bill-3's key: $(cat "$STATE/known_hosts")"
harc_run 0 snapshot -o "$TMP/snap.json"

# ---- a CHANGED host key: refused with the fingerprint even with
# --accept-new-host-keys, known_hosts left as it is, and nothing run on the
# host: no command reached it, and it was not even offered a key
addr=$(addr_of gw-lab/lab-2)
ssh-keygen -q -t ed25519 -N '' -C other -f "$TMP/other_host_key"
awk -v name="[$addr]:$PORT" -v key="$(cut -d' ' -f1,2 "$TMP/other_host_key.pub")" \
  '$1 == name { $0 = name " " key } 1' "$STATE/known_hosts" >"$TMP/known_hosts"
cp "$TMP/known_hosts" "$STATE/known_hosts"
since=$(date +%s.%N)
log_offsets "$TMP/offsets"
changed="HOST KEY CHANGED for $(ere "[$addr]:$PORT"): it offered ssh-ed25519 $(ere "$FP") but"
changed+=" .*/known_hosts:[0-9]+ records a different key; refusing to connect"
expect_only gw-lab/lab-2 "host key changed: gw-lab/lab-2 \(.*\): $changed" --accept-new-host-keys
cmp -s "$TMP/known_hosts" "$STATE/known_hosts" || fail "known_hosts changed after a changed key"
check commands "$STATE" "$since" 2 "$addr"
check unauthenticated "$TMP/offsets" "$addr"
cp "$TMP/known_hosts.orig" "$STATE/known_hosts"

# ---- ProxyJump: the user's ssh config sends every member through the
# sandbox's bastion. The bastion and the members share one host, so their
# addresses cannot be withheld from harc alone; instead sshd's logs show that
# each member's one connection is the one the bastion forwarded.
cat >"$TMP/jump.conf" <<EOF
Host jumphost
  HostName $BASTION
  Port $PORT
Host * !jumphost
  ProxyJump jumphost
EOF
log_offsets "$TMP/offsets"
harc_run 0 plan -o "$TMP/plan.json" --ssh-config "$TMP/jump.conf"
[[ ! -s $TMP/err ]] || fail "plan through the bastion warned: $(cat "$TMP/err")"
check plan "$TMP/plan.json" "$CLUSTERS"
check jumped "$STATE" "$BASTION" "$TMP/offsets"

echo "gather e2e: ok"
