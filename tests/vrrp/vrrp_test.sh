#!/usr/bin/env bash
# End to end on a real VRRP cluster (tests/vrrp/cluster: keepalived, sshd and
# an HTTP service in three network namespaces, the package `app` installed
# with dpkg in each host's own root). While a client in the root namespace
# sends HTTP requests to the virtual address one after another, `harc apply`
#  1. upgrades app 1.0 -> 2.0 on every host,
#  2. downgrades it back to 1.0,
#  3. upgrades it again while a standby host is killed mid-run: harc holds
#     (exit 4) naming the host; once the host is back a second run converges.
# After each: every host runs the declared version (its own dpkg database),
# `harc drift` reports the fleet in sync, the service answers the new
# version, and no request failed: a request may be retried once when its
# connection was refused during a VRRP move, and those retries are counted. Prints each run's figures: wall time, requests sent,
# failed, retried, and the longest gap between two successful responses.
#
#   vrrp_test.sh HARC REPO_ROOT
#
# Exits 77 (skipped, saying why) where network namespaces, a bridge,
# keepalived or sshd are not available. Gives up after BUDGET seconds (default
# 580, under ctest's TIMEOUT of 600) so that it always removes the cluster itself.
set -euo pipefail
HARC=$1
ROOT=$2
CLUSTER=$ROOT/tests/vrrp/cluster
BUDGET=${BUDGET:-580}
"$CLUSTER" check

TMP=$(mktemp -d /tmp/harc-vrrp-test.XXXXXX)
STATE=$TMP/cluster
FLEET=$STATE/fleet
CLIENT_PID=
HARC_PID=
cleanup() {
  local rc=$?
  [[ -z $HARC_PID ]] || kill "$HARC_PID" 2>/dev/null || true
  if [[ -n $CLIENT_PID ]]; then
    touch "$TMP/stop"
    wait "$CLIENT_PID" 2>/dev/null || true
  fi
  "$CLUSTER" stop "$STATE" || true
  if [[ $rc -eq 0 ]]; then rm -rf "$TMP"; else echo "vrrp_test: logs kept in $TMP" >&2; fi
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*" >&2
  exit 1
}
# harc, stopped (SIGTERM, then it holds) when the test's budget runs out.
harc() {
  local left=$((BUDGET - SECONDS))
  ((left > 0)) || fail "out of time (${BUDGET}s)"
  timeout "$left" "$HARC" "$@" --repo "$FLEET" --ssh-config none
}
json() { /usr/bin/python3 -c "import json,sys; d=json.load(open('$1')); print($2)"; }
now_ms() { date +%s%3N; }
since() { awk -v a="$1" -v b="$(now_ms)" 'BEGIN { printf "%.1f", (b - a) / 1000 }'; }

# Polls CMD every 0.2s for up to SECONDS.
wait_for() {
  local seconds=$1
  shift
  local end=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < end)) || return 1
    sleep 0.2
  done
}

declare_version() { sed -i "s/^app = .*/app = \"$1\"/" "$FLEET/clusters/vrrp.toml"; }
host_version() {
  dpkg-query --admindir="$STATE/$1/root/var/lib/dpkg" -W -f='${Version}' app
}
master_is() { ip -n "harc-vrrp-$TAG-$1" -o addr show dev eth0 to "$VIP" | grep -q .; }
answers() { curl -fsS --max-time 2 --interface "$BRIDGE" "http://$VIP/" | grep -qx "$1"; }

# ---------------------------------------------------------------- the client

start_client() {
  rm -f "$TMP/stop"
  /usr/bin/python3 "$ROOT/tests/vrrp/client.py" --address "$VIP" --device "$BRIDGE" \
    --stop-file "$TMP/stop" --out "$TMP/$1.client.json" --max-seconds "$BUDGET" \
    >"$TMP/$1.client.out" 2>&1 &
  CLIENT_PID=$!
  wait_for 30 grep -q ready "$TMP/$1.client.out" ||
    fail "$1: the client had no response in 30s: $(cat "$TMP/$1.client.out")"
}

stop_client() {
  touch "$TMP/stop"
  wait "$CLIENT_PID" || fail "the client failed: $(cat "$TMP/$1.client.out")"
  CLIENT_PID=
  local f=$TMP/$1.client.json
  [[ $(json "$f" "d['stopped_by']") == "stop file" ]] ||
    fail "$1: the client stopped at its bound, before the run ended"
  printf '%-10s %6ss  sent %5s  failed %s  retried %s (refused)  longest gap %4s ms  answered %s\n' \
    "$1" "$2" "$(json "$f" "d['sent']")" "$(json "$f" "d['failed']")" \
    "$(json "$f" "d['retried']")" \
    "$(json "$f" "d['longest_gap_ms']")" \
    "$(json "$f" "' -> '.join('%s x%d' % (v, n) for v, n in d['versions'])")"
  [[ $(json "$f" "d['failed']") -eq 0 ]] ||
    fail "$1: requests failed: $(json "$f" "d['failures']")"
}

# ---------------------------------------------------------------- checks

# The run left every host at VERSION, harc's drift report is clean, h1 (the
# highest priority, failback on again) holds the address and serves VERSION.
converged_at() {
  local name=$1 version=$2 h
  for h in h1 h2 h3; do
    [[ $(host_version "$h") == "$version" ]] ||
      fail "$name: $h runs app $(host_version "$h"), declared $version"
  done
  local rc=0
  harc drift >"$TMP/$name.drift.out" 2>&1 || rc=$?
  [[ $rc -eq 0 ]] || fail "$name: drift exited $rc: $(cat "$TMP/$name.drift.out")"
  grep -q "^Drift: 0 clusters drifted, 1 in sync, 0 unobservable.$" "$TMP/$name.drift.out" ||
    fail "$name: drift: $(cat "$TMP/$name.drift.out")"
  wait_for 30 master_is h1 || fail "$name: h1 did not take the address back (failback on)"
  wait_for 30 answers "$version" || fail "$name: http://$VIP/ does not answer $version"
}

apply_ok() {
  local name=$1 rc=0
  harc apply --auto-approve >"$TMP/$name.apply.out" 2>&1 || rc=$?
  [[ $rc -eq 0 ]] || fail "$name: apply exited $rc: $(cat "$TMP/$name.apply.out")"
}

# A run to version TO under traffic, named NAME in the figures.
upgrade() {
  local name=$1 to=$2
  declare_version "$to"
  start_client "$name"
  local t0
  t0=$(now_ms)
  apply_ok "$name"
  local took
  took=$(since "$t0")
  converged_at "$name" "$to"
  stop_client "$name" "$took"
}

# ---------------------------------------------------------------- the runs

"$CLUSTER" start "$STATE" 1.0 2.0 >"$TMP/start.out" || fail "cluster start: $(cat "$TMP/start.out")"
# shellcheck source=/dev/null
source "$STATE/env"
harc plan --detailed-exitcode >"$TMP/first.plan.out" 2>&1 ||
  fail "the fresh cluster is not in sync: $(cat "$TMP/first.plan.out")"

echo "run        harc wall  requests"
upgrade upgrade 2.0
upgrade downgrade 1.0

# Killed mid-run: h3 (a standby) dies while harc upgrades h2, the first one.
declare_version 2.0
start_client killed
t0=$(now_ms)
timeout "$((BUDGET - SECONDS))" "$HARC" apply --auto-approve --repo "$FLEET" --ssh-config none \
  >"$TMP/killed.apply.out" 2>&1 &
HARC_PID=$!
wait_for "$((BUDGET - SECONDS))" grep -qx -- -253 "$STATE/h2/root/etc/keepalived/harc-drain" ||
  fail "harc never drained h2: $(cat "$TMP/killed.apply.out")"
"$CLUSTER" kill "$STATE" h3
rc=0
wait "$HARC_PID" || rc=$?
HARC_PID=
held_took=$(since "$t0")
[[ $rc -eq 4 ]] || fail "killed: apply exited $rc, expected 4 (held): $(cat "$TMP/killed.apply.out")"
grep -Eq "held.*h3" "$TMP/killed.apply.out" ||
  fail "killed: the hold does not name h3: $(cat "$TMP/killed.apply.out")"
[[ $(host_version h2) == 2.0 && $(host_version h1) == 1.0 ]] ||
  fail "killed: expected h2 upgraded and h1 untouched, got h1 $(host_version h1) h2 $(host_version h2)"
"$CLUSTER" revive "$STATE" h3
t1=$(now_ms)
apply_ok rerun
rerun_took=$(since "$t1")
converged_at rerun 2.0
stop_client killed "$(since "$t0")"
echo "killed: the held run took ${held_took}s, the re-run ${rerun_took}s; harc said:"
grep -E "held.*h3" "$TMP/killed.apply.out" | head -2
