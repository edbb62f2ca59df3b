#!/usr/bin/env bash
# End-to-end: harc watch on the sandbox fleet, as a GitOps loop would run it.
# A git repository made with the git CLI, commits signed with SSH keys made
# here, two watchers sharing one journal, the real binary and the simulator
# behind real sshd:
#
#  - a signed commit bumping lb-edge's version is applied, once;
#  - a commit with a TOML error is recorded failed, nothing changes, and the
#    next good commit is applied;
#  - an unsigned commit and one signed by an unknown key are refused; a
#    correctly signed one is accepted;
#  - a member changed behind harc's back is found by the scheduled drift
#    check and put back (auto_correct);
#  - a cluster whose policy does not auto-apply is only planned;
#  - SIGTERM during a rollout: the step finishes, the cluster waits as
#    pending, no lease is left, and the next watcher finishes the commit;
#  - harc reconcile --once applies a commit and refuses an unsigned one;
#  - harc status, the metrics file, and the audit log (no outage).
#
#   watch_test.sh HARC_SIM REPO_ROOT HARC
set -euo pipefail
SIM=$1
ROOT=$2
HARC=$3
TMP=$(mktemp -d /tmp/harc-watch-test.XXXXXX)
STATE=$TMP/state
ORIGIN=$TMP/origin
JOURNAL=$TMP/journal.db
export HARC_SIM=$SIM
WATCHERS=()
cleanup() {
  for pid in "${WATCHERS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  "$ROOT/tests/sandbox/stop" "$STATE" >/dev/null 2>&1 || true
  rm -rf "$TMP"
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*" >&2
  for log in "$TMP"/watch-*.log; do
    [[ -f $log ]] && { echo "---- $log (tail)" >&2; tail -n 40 "$log" >&2; }
  done
  exit 1
}
json_get() { /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
status_json() { "$HARC" status --journal "$JOURNAL" --json; }
# The state of commit $1 ("" until it is recorded).
commit_state() {
  status_json | json_get "next((c['state'] for c in d['commits'] if c['commit'] == '$1'), '')"
}
commit_reason() {
  status_json | json_get "next((c['reason'] for c in d['commits'] if c['commit'] == '$1'), '')"
}
# The newest state and reason of cluster $1.
cluster_field() {
  status_json | json_get "next((c['$2'] for c in d['clusters'] if c['cluster'] == '$1'), '')"
}
# Waits (generously: the machine may be loaded) until commit $1 is no longer
# pending, then checks it is in state $2.
expect_commit() {
  local state=""
  for _ in $(seq 600); do
    state=$(commit_state "$1")
    [[ -n $state && $state != pending ]] && break
    sleep 0.3
  done
  [[ $state == "$2" ]] || fail "commit ${1:0:12} is '$state', expected $2: $(commit_reason "$1")"
}
# Waits until $1 (a command) succeeds.
wait_for() {
  for _ in $(seq 600); do
    eval "$1" && return 0
    sleep 0.3
  done
  fail "timed out waiting for: $1"
}
lb_version() {
  "$SIM" exec --state "$STATE" --member "lb-edge/$1" 'dpkg-query -W keepalived' | awk '{ print $2 }'
}
set_version() {
  sed -i "s/^keepalived = .*/keepalived = '$1'/" "$ORIGIN/clusters/lb-edge.toml"
}
git_o() { git -C "$ORIGIN" "$@"; }
# Commits everything with message $1 (further args go to git commit); prints the hash.
commit() {
  git_o add -A
  git_o commit -q --allow-empty -m "$@"
  git_o rev-parse HEAD
}
watcher() {
  "$HARC" watch --repo "$ORIGIN" --branch main --journal "$JOURNAL" --cache "$TMP/cache-$1" \
    --ssh-config none --interval 1s --drift-every 5s --allowed-signers "$TMP/allowed_signers" \
    --metrics "$TMP/metrics-$1.prom" >>"$TMP/watch-$1.log" 2>&1 &
  WATCHERS+=($!)
}
stop_watchers() {
  for pid in "${WATCHERS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${WATCHERS[@]}"; do
    # A watcher finishes its current step, then exits: bounded, so a hang
    # fails here with the logs rather than at ctest's timeout without them.
    for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && fail "watcher $pid still running 60 s after SIGTERM"
    local rc=0
    wait "$pid" || rc=$?
    [[ $rc -eq 0 ]] || fail "a watcher exited $rc after SIGTERM"
  done
  WATCHERS=()
}

# ---- the sandbox, the signing keys, the fleet repository
"$ROOT/tests/sandbox/start" "$ROOT/examples/fleet" "$STATE" --action-time 300ms \
  --transition-time 100ms --wait-scale 0.02 >"$TMP/start.out"
for key in alice mallory; do ssh-keygen -q -t ed25519 -N '' -C "$key" -f "$TMP/$key"; done
echo "alice@example.net namespaces=\"git\" $(cat "$TMP/alice.pub")" >"$TMP/allowed_signers"
cp -r "$STATE/fleet" "$ORIGIN"
cat >>"$ORIGIN/harc.toml" <<'EOF'

[gitops.cluster.lb-edge]
auto_apply = true
auto_correct = true
EOF
git init -q -b main "$ORIGIN"
git_o config user.name Alice
git_o config user.email alice@example.net
git_o config gpg.format ssh
git_o config user.signingkey "$TMP/alice"
git_o config commit.gpgsign true
c0=$(commit "initial fleet")
initial=$(lb_version lb-1)

# ---- two watchers on one journal; the initial commit: everything in sync
watcher a
watcher b
wait_for '[[ -s $JOURNAL ]]'
expect_commit "$c0" applied

# ---- a version bump is applied, by exactly one run
since=$(date +%s.%N)
set_version "1:2.2.8-1"
c1=$(commit "lb-edge: keepalived 2.2.8")
expect_commit "$c1" applied
[[ $(lb_version lb-1) == 1:2.2.8-1 && $(lb_version lb-2) == 1:2.2.8-1 ]] ||
  fail "lb-edge not upgraded: $(lb_version lb-1) $(lb_version lb-2)"
[[ $(cluster_field lb-edge reason) == "applied: 11 steps (11 run, 0 skipped)" ]] ||
  fail "lb-edge: $(cluster_field lb-edge reason)"
runs=$("$HARC" history --journal "$JOURNAL" --limit 0 --json |
  json_get "len([r for r in d['runs'] if r['commit'] == '$c1'])")
[[ $runs -eq 1 ]] || fail "commit c1 was applied by $runs runs"
installs=$(grep 'apt-get install' "$STATE/audit.jsonl" | grep -c '1:2\.2\.8-1' || true)
[[ $installs -eq 2 ]] || fail "$installs installs for c1, expected one per member"

# ---- a TOML error: failed, nothing changes; the next good commit is applied
echo 'bogus =' >>"$ORIGIN/clusters/lb-edge.toml"
c2=$(commit "broken")
expect_commit "$c2" failed
[[ $(commit_reason "$c2") == "invalid fleet (1 error): ${c2:0:12}:clusters/lb-edge.toml:"* ]] ||
  fail "c2 reason: $(commit_reason "$c2")"
sed -i '/^bogus =/d' "$ORIGIN/clusters/lb-edge.toml"
set_version "1:2.2.9-1"
c3=$(commit "lb-edge: keepalived 2.2.9")
expect_commit "$c3" applied
[[ $(lb_version lb-1) == 1:2.2.9-1 ]] || fail "c3 not applied: $(lb_version lb-1)"

# ---- signatures: unsigned and unknown signers are refused, alice is accepted
set_version "1:2.3.0-1"
c4=$(commit "unsigned" --no-gpg-sign)
expect_commit "$c4" failed
[[ $(commit_reason "$c4") == "signature refused: the commit is not signed" ]] ||
  fail "c4 reason: $(commit_reason "$c4")"
git_o -c "user.signingkey=$TMP/mallory" commit -q --allow-empty -m "signed by mallory"
c5=$(git_o rev-parse HEAD)
expect_commit "$c5" failed
[[ $(commit_reason "$c5") == "signature refused: signed by a key that is not in $TMP/allowed_signers"* ]] ||
  fail "c5 reason: $(commit_reason "$c5")"
[[ $(lb_version lb-1) == 1:2.2.9-1 ]] || fail "a refused commit changed lb-1: $(lb_version lb-1)"
c6=$(commit "signed by alice")
expect_commit "$c6" applied
status_json | json_get "[c for c in d['commits'] if c['commit'] == '$c6'][0]['signer']" |
  grep -q '^alice@example.net (ED25519 key SHA256:' || fail "c6 has no signer"
[[ $(lb_version lb-2) == 1:2.3.0-1 ]] || fail "c6 not applied: $(lb_version lb-2)"

# ---- drift behind harc's back: found by the drift check and corrected
# (as an operator would: out of service, install, back)
lb2() { "$SIM" exec --state "$STATE" --member lb-edge/lb-2 "$1" >/dev/null; }
lb2 'systemctl stop keepalived'
lb2 "DEBIAN_FRONTEND=noninteractive apt-get install -y --allow-downgrades keepalived=$initial"
lb2 'systemctl start keepalived'
wait_for '[[ $(cluster_field lb-edge reason) == "drift corrected: "* ]]'
[[ $(lb_version lb-2) == 1:2.3.0-1 ]] || fail "drift not corrected: $(lb_version lb-2)"
grep -q 'lb-edge (linux, wave default): DRIFTED' "$TMP"/watch-*.log ||
  fail "no drift report named lb-edge"
grep -hq "version     keepalived: $initial on lb-2" "$TMP"/watch-*.log ||
  fail "the drift report does not name lb-2's version"

# ---- a cluster without auto_apply is planned, not applied
sed -i "s/^hotfix = .*/hotfix = 'R81.20_T99'/" "$ORIGIN/clusters/gw-lab.toml"
c7=$(commit "gw-lab: hotfix T99")
expect_commit "$c7" planned
[[ $(cluster_field gw-lab state) == planned &&
  $(cluster_field gw-lab reason) == *"auto_apply is off for it"* ]] ||
  fail "gw-lab: $(cluster_field gw-lab state): $(cluster_field gw-lab reason)"
! grep -q 'R81.20_T99' "$STATE/audit.jsonl" || fail "gw-lab was changed"

# ---- SIGTERM during a rollout: the cluster waits, the next watcher finishes it
# Both members answer a second late, so the rollout is still under way when
# the watchers are stopped, however fast the machine.
for m in lb-1 lb-2; do "$SIM" fault --state "$STATE" --member "lb-edge/$m" slow=1s >/dev/null; done
set_version "1:2.3.1-1"
c8=$(commit "lb-edge: keepalived 2.3.1")
# grep -c, not -q: under pipefail a reader that stops early fails the pipe.
# shellcheck disable=SC2016  # expanded by wait_for
wait_for '(( $(grep -h -A40 "applying ${c8:0:12}" "$TMP"/watch-*.log |
  grep -c "lb-edge: step 3/11") > 0 ))'
stop_watchers
for m in lb-1 lb-2; do "$SIM" fault --state "$STATE" --member "lb-edge/$m" clear >/dev/null; done
[[ $(commit_state "$c8") == pending && $(cluster_field lb-edge state) == pending ]] ||
  fail "after SIGTERM: commit $(commit_state "$c8"), lb-edge $(cluster_field lb-edge state)"
[[ $(cluster_field lb-edge reason) == *"interrupted (SIGTERM); resumes when harc watch runs again" ]] ||
  fail "lb-edge: $(cluster_field lb-edge reason)"
grep -q '^no locks' <<<"$("$HARC" locks --journal "$JOURNAL")" || fail "leases left after SIGTERM"
grep -q '^run [0-9]*  interrupted' <<<"$("$HARC" history --journal "$JOURNAL" --limit 1)" ||
  fail "the stopped run is not journaled interrupted"
watcher c
wait_for '[[ $(cluster_field lb-edge state) == applied ]]'
[[ $(lb_version lb-1) == 1:2.3.1-1 ]] || fail "c8 not finished: $(lb_version lb-1)"
grep -q 'retrying commit' "$TMP/watch-c.log" || fail "the restarted watcher did not retry c8"

# ---- status, metrics, and no outage throughout
"$HARC" status --journal "$JOURNAL" --branch main >"$TMP/status.out"
grep -q "^  ${c2:0:12}  failed   " "$TMP/status.out" || fail "status: $(cat "$TMP/status.out")"
grep -Eq '^  lb-edge +applied  ' "$TMP/status.out" || fail "status: $(cat "$TMP/status.out")"
wait_for 'grep -q "^harc_cluster_state{cluster=\"lb-edge\",state=\"applied\"} 1$" "$TMP/metrics-c.prom"'
for line in 'harc_clusters_held 0' 'harc_cluster_drift{cluster="lb-edge",status="' \
  'harc_last_reconciled_commit_timestamp_seconds{branch="main"} ' \
  'harc_apply_runs_total{result="interrupted"} 1'; do
  grep -qF "$line" "$TMP/metrics-c.prom" || fail "metrics lack $line: $(cat "$TMP/metrics-c.prom")"
done
stop_watchers

# ---- harc reconcile --once: one cycle, for cron or CI
set_version "1:2.3.2-1"
c9=$(commit "lb-edge: keepalived 2.3.2")
once() {
  "$HARC" reconcile --once --repo "$ORIGIN" --journal "$JOURNAL" --cache "$TMP/cache-once" \
    --ssh-config none --allowed-signers "$TMP/allowed_signers" >>"$TMP/watch-once.log" 2>&1
}
once || fail "reconcile --once exited $?"
# gw-lab is still only planned, so the commit is too.
[[ $(commit_state "$c9") == planned && $(cluster_field lb-edge state) == applied ]] ||
  fail "c9: $(commit_state "$c9"): $(commit_reason "$c9")"
[[ $(lb_version lb-2) == 1:2.3.2-1 ]] || fail "c9 not applied: $(lb_version lb-2)"
git_o commit -q --allow-empty --no-gpg-sign -m "unsigned again"
rc=0
once || rc=$?
[[ $rc -eq 1 ]] || fail "reconcile --once of an unsigned commit exited $rc"

[[ $("$SIM" audit --state "$STATE" --since "$since" --json | json_get "d['no_outage']") == True ]] ||
  fail "an outage: $("$SIM" audit --state "$STATE" --since "$since")"
echo "watch e2e: ok"
