# Shared by crash_test.sh (ctest) and crash_soak.sh (by hand): a sandbox per
# scenario, `harc apply` started in the background and SIGKILLed at a moment
# read from the journal or the audit log, and what must hold after the
# re-run:
#   - the re-run exits 0 and `harc plan --detailed-exitcode` finds nothing left;
#   - `harc-sim audit` finds no outage;
#   - no mutating command that completed was sent twice to one member
#     (a drain or failover already done is not repeated; see
#     repeated_actions for backups);
#   - every setting is back at what it was before the first run (the
#     settings held for a run are restored even after a crash).
#
# The caller sets HARC, SIM, ROOT and WORK (a scratch directory it removes),
# and calls crash_cleanup from its EXIT trap.

CRASH_STATES=()
APPLY_PID=""

fail() {
  echo "FAIL: ${SCENARIO:-crash}: $*" >&2
  exit 1
}

crash_cleanup() {
  [[ -n $APPLY_PID ]] && kill -KILL "$APPLY_PID" 2>/dev/null
  local s
  for s in "${CRASH_STATES[@]}"; do "$ROOT/tests/sandbox/stop" "$s" >/dev/null 2>&1; done
  return 0
}

# ---------------------------------------------------------------- the sandbox

# sandbox_up NAME [start options]: a fresh sandbox of the example fleet, one
# version behind, in $WORK/NAME; sets STATE, JOURNAL and SETTINGS_BEFORE.
# Installs take 300ms, transitions 100ms and platform waits 2% of their
# time unless the options say otherwise.
sandbox_up() {
  local name=$1
  shift
  STATE=$WORK/$name
  JOURNAL=$STATE/fleet/.harc/journal.db
  CRASH_STATES+=("$STATE")
  local -A given=()
  local a defaults=()
  for a in "$@"; do given[$a]=1; done
  [[ -n ${given[--action-time]:-} ]] || defaults+=(--action-time 300ms)
  [[ -n ${given[--transition-time]:-} ]] || defaults+=(--transition-time 100ms)
  [[ -n ${given[--wait-scale]:-} ]] || defaults+=(--wait-scale 0.02)
  HARC_SIM=$SIM "$ROOT/tests/sandbox/start" "$ROOT/examples/fleet" "$STATE" --older \
    "${defaults[@]}" "$@" >"$STATE.start" 2>&1 || fail "sandbox start: $(cat "$STATE.start")"
  SETTINGS_BEFORE=$(settings)
}

sandbox_down() {
  "$ROOT/tests/sandbox/stop" "$STATE" >/dev/null 2>&1 || true
}

# Every cluster's and member's settings, as the simulator holds them: one
# line per cluster.
settings() {
  "$SIM" show --state "$STATE" --json |
    jq -cS 'to_entries[] | {cluster: .key, settings: .value.settings,
            members: [.value.members[] | {name, settings}]}'
}

# ---------------------------------------------------------------- observing

# jsql SQL: the journal, read-only ("" while it does not exist yet).
jsql() {
  [[ -e $JOURNAL ]] || return 0
  sqlite3 -readonly -batch -noheader "$JOURNAL" "$1" 2>/dev/null || true
}

# step_is CLUSTER ACTION MEMBER STATE: the newest run journaled that step so.
step_is() {
  [[ $(jsql "SELECT count(*) FROM steps WHERE run_id = (SELECT max(id) FROM runs)
             AND cluster = '$1' AND action = '$2' AND member = '$3' AND state = '$4'") -gt 0 ]]
}

# landed CLUSTER MEMBER COMMAND: the member received COMMAND and it succeeded.
landed() {
  [[ -n $(jq -c --arg c "$1" --arg m "$2" --arg cmd "$3" \
    'select(.type == "command" and .cluster == $c and .member == $m and
            .command == $cmd and .exit == 0)' "$STATE/audit.jsonl" 2>/dev/null) ]]
}

# role_is CLUSTER MEMBER ROLE: as the simulator sees it now.
role_is() {
  [[ $("$SIM" show --state "$STATE" --json |
       jq -r --arg c "$1" --arg m "$2" '.[$c].members[] | select(.name == $m) | .role') == "$3" ]]
}

# ---------------------------------------------------------------- killing

# start_apply [apply options]: harc apply --auto-approve in the background.
start_apply() {
  APPLY_OUT=$WORK/$SCENARIO.apply.out
  "$HARC" apply --repo "$STATE/fleet" --auto-approve "$@" >"$APPLY_OUT" 2>&1 &
  APPLY_PID=$!
}

# wait_until WHAT CONDITION...: polls CONDITION every 20ms while harc runs.
wait_until() {
  local what=$1
  shift
  local deadline=$((SECONDS + 120))
  until "$@"; do
    kill -0 "$APPLY_PID" 2>/dev/null ||
      fail "harc ended before $what: $(tail -n 20 "$APPLY_OUT")"
    ((SECONDS < deadline)) || fail "no $what within 120s"
    sleep 0.02
  done
}

# kill_when WHAT CONDITION...: SIGKILLs harc as soon as CONDITION holds.
kill_when() {
  wait_until "$@"
  kill_apply
}

kill_apply() {
  kill -KILL "$APPLY_PID" 2>/dev/null || true
  wait "$APPLY_PID" 2>/dev/null || true
  APPLY_PID=""
}

# ---------------------------------------------------------------- after a kill

# Mutating commands that succeeded more than once on one member. Backups
# are left out: one a killed run had sent is taken again, since nothing on
# the member says it was (it has no condition to check), and no change
# comes before it.
repeated_actions() {
  jq -r 'select(.type == "command" and .mutating == true and .exit == 0 and
                (.parts | any(.action == "backup") | not)) |
         "\(.cluster)/\(.member): \(.command)"' "$STATE/audit.jsonl" | sort | uniq -d
}

# check_converged [--cluster C]...: nothing left to do, no outage, nothing
# repeated, the settings back. Prints what is wrong; false when anything is.
check_converged() {
  local bad=0 out
  out=$("$HARC" plan --repo "$STATE/fleet" --detailed-exitcode "$@" 2>&1) ||
    { echo "not converged: $(grep -v '^ *\$\|until' <<<"$out" | head -n 30)"; bad=1; }
  out=$("$SIM" audit --state "$STATE" 2>&1) || { echo "$out"; bad=1; }
  out=$(repeated_actions)
  [[ -z $out ]] || { echo "repeated after completing: $out"; bad=1; }
  out=$(diff <(echo "$SETTINGS_BEFORE") <(settings)) ||
    { echo "settings not restored (< before, > after): $out"; bad=1; }
  return $bad
}

# recover NOTE [apply options]: re-runs apply after the kill; it must exit 0,
# print NOTE (an extended regex: what the interrupted run was doing) and
# leave the fleet converged.
recover() {
  local note=$1
  shift
  local out=$WORK/$SCENARIO.rerun.out rc=0
  "$HARC" apply --repo "$STATE/fleet" --auto-approve "$@" >"$out" 2>&1 || rc=$?
  [[ $rc -eq 0 ]] || fail "the re-run exited $rc: $(tail -n 30 "$out")"
  grep -Eq -- "$note" "$out" || fail "the re-run did not report /$note/: $(head -n 40 "$out")"
  local problems
  problems=$(check_converged "$@") || fail "$problems"
}
