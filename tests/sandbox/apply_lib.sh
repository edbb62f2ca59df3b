# Shared by the end-to-end tests of `harc apply` (apply_test.sh,
# apply_faults_test.sh, apply_interrupt_test.sh), sourced after they set
#   SIM   harc-sim     ROOT  the repository     HARC  harc
# A sandbox of examples/fleet with every member one version behind, harc and
# harc-sim driven through their command lines, and checks on what the
# simulator saw. Every failure names what was expected and shows the output.

TMP=$(mktemp -d "/tmp/harc-$(basename "$0" .sh).XXXXXX")
STATE=$TMP/state
FLEET=$STATE/fleet
export HARC_SIM=$SIM
BG_PIDS=()

apply_cleanup() {
  local pid
  for pid in "${BG_PIDS[@]}"; do
    kill -CONT "$pid" 2>/dev/null || true
    kill -KILL "$pid" 2>/dev/null || true
  done
  "$ROOT/tests/sandbox/stop" "$STATE" >/dev/null 2>&1 || true
  rm -rf "$TMP"
}
trap apply_cleanup EXIT

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# The sandbox: 300 ms installs, 100 ms transitions, platform waits at 5%
# (the shortest deadline 3 s: room for a loaded machine's slow round trips).
start_sandbox() {
  "$ROOT/tests/sandbox/start" "$ROOT/examples/fleet" "$STATE" --older --action-time 300ms \
    --transition-time 100ms --wait-scale 0.05 "$@" >"$TMP/start.out" ||
    fail "sandbox did not start: $(cat "$TMP/start.out")"
}

now() { date +%s.%N; }

# expect RC OUT CMD...: runs CMD (output and errors to OUT) and requires exit RC.
expect() {
  local want=$1 out=$2 rc=0
  shift 2
  "$@" >"$out" 2>&1 || rc=$?
  [[ $rc -eq $want ]] || fail "exit $rc, expected $want: $*"$'\n'"$(tail -n 40 "$out")"
}

# has FILE REGEX WHAT: FILE has a line matching REGEX (extended).
has() {
  grep -Eq -- "$2" "$1" || fail "$3: no line matching /$2/ in:"$'\n'"$(tail -n 40 "$1")"
}

# The simulator received no mutating command at or after T.
no_mutations_since() {
  "$SIM" audit --state "$STATE" --since "$1" --no-mutations >"$TMP/audit.out" ||
    fail "$2: mutating commands were sent:"$'\n'"$(cat "$TMP/audit.out")"
}

# No cluster was ever below min_serving or without an active member, except
# the TMS zl master's update in a cluster that allows disruption.
no_outage() {
  "$SIM" audit --state "$STATE" >"$TMP/audit.out" ||
    fail "$1: outage:"$'\n'"$(cat "$TMP/audit.out")"
}

# wait_for FILE REGEX [SECONDS]: until FILE has a line matching REGEX.
wait_for() {
  local deadline=$((SECONDS + ${3:-90}))
  until grep -Eq -- "$2" "$1" 2>/dev/null; do
    ((SECONDS < deadline)) || fail "no line matching /$2/ in $1 after ${3:-90}s:"$'\n'"$(tail -n 20 "$1")"
    sleep 0.05
  done
}

# converged CLUSTER...: per harc-sim show, every member of each cluster is at
# the fleet's desired versions and settings, in the cluster, and serving.
converged() {
  "$SIM" show --state "$STATE" --json >"$TMP/show.json"
  /usr/bin/python3 - "$TMP/show.json" "$FLEET" "$@" <<'EOF' || fail "not converged: $*"
import json, sys, tomllib
show = json.load(open(sys.argv[1]))
bad = []
for name in sys.argv[3:]:
    want = tomllib.load(open(f"{sys.argv[2]}/clusters/{name}.toml", "rb"))
    sim = show[name]
    for m in sim["members"]:
        where = f"{name}/{m['name']}"
        for comp, version in want.get("software", {}).items():
            if m["versions"].get(comp) != version:
                bad.append(f"{where}: {comp} is {m['versions'].get(comp)}, want {version}")
        for key, value in want.get("settings", {}).items():
            have = m["settings"].get(key, sim["settings"].get(key))
            if have is not None and have != value:
                bad.append(f"{where}: setting {key} is {have}, want {value}")
        if not m["in_cluster"] or not m["enabled"] or m["role"] == "down" or m["install"]:
            bad.append(f"{where}: not serving: role {m['role']}, in_cluster {m['in_cluster']}, "
                       f"enabled {m['enabled']}, install {m['install']}")
for b in bad:
    print(b, file=sys.stderr)
sys.exit(1 if bad else 0)
EOF
}

# The journal holds no lease.
no_locks() {
  "$HARC" locks --repo "$FLEET" --json >"$TMP/locks.json" || fail "harc locks failed"
  [[ $(json_get "len(d['locks'])" <"$TMP/locks.json") -eq 0 ]] ||
    fail "$1: leases left:"$'\n'"$(cat "$TMP/locks.json")"
}

# json_get EXPR: evaluates EXPR on the JSON document on stdin (as d).
json_get() { /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

# last_run [CLUSTER]: the newest run of the journal (that worked CLUSTER), as JSON.
last_run() {
  "$HARC" history --repo "$FLEET" --json --limit 0 |
    json_get "json.dumps([r for r in d['runs'] if not '${1:-}' or
                          any(s['cluster'] == '${1:-}' for s in r['steps'])][0])"
}

# apply_bg OUT ARGS...: harc apply --auto-approve ARGS in the background,
# output to OUT; BG is harc's own pid (for signals), killed on exit.
apply_bg() {
  local out=$1
  shift
  "$HARC" apply --repo "$FLEET" --auto-approve "$@" >"$out" 2>&1 &
  BG=$!
  BG_PIDS+=("$BG")
}

# stop_at FILE REGEX PID: once FILE has a line matching REGEX, stops PID
# (SIGSTOP), so that the test changes the world at a known point of a run;
# kill -CONT resumes it.
stop_at() {
  wait_for "$1" "$2"
  kill -STOP "$3"
}
