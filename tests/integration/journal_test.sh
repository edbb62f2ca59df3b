#!/bin/sh
# End-to-end: harc history, locks and unlock through the real binary, on a
# journal that journal_seed writes with SqliteJournal (see journal_seed.cc for
# its runs and leases).
# Usage: journal_test.sh <harc binary> <journal_seed binary>
set -eu

HARC=$(realpath "$1")
SEED=$(realpath "$2")

TMP=$(mktemp -d "${TMPDIR:-/tmp}/harc-journal-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT INT TERM
OUT=$TMP/stdout
ERR=$TMP/stderr
FLEET=$TMP/fleet
JOURNAL=$FLEET/.harc/journal.db
FAILED=0
mkdir "$FLEET"

fail() {
  echo "FAIL: $*" >&2
  echo "  --- stdout:" >&2; sed 's/^/  /' "$OUT" >&2
  echo "  --- stderr:" >&2; sed 's/^/  /' "$ERR" >&2
  FAILED=$((FAILED + 1))
}

# run EXPECTED_EXIT harc-args...: runs harc, keeps stdout/stderr in $OUT/$ERR.
run() {
  want=$1; shift
  LAST="harc $*"
  rc=0
  "$HARC" "$@" >"$OUT" 2>"$ERR" || rc=$?
  [ "$rc" -eq "$want" ] || fail "$LAST: exit $rc, want $want"
}

# expect_out|expect_err EXTENDED-REGEX: the last run's stdout/stderr matches.
expect_out() { grep -Eq -- "$1" "$OUT" || fail "$LAST: stdout does not match /$1/"; }
expect_err() { grep -Eq -- "$1" "$ERR" || fail "$LAST: stderr does not match /$1/"; }
no_err() { [ ! -s "$ERR" ] || fail "$LAST: unexpected stderr"; }
# line_of EXTENDED-REGEX: the number of the first stdout line that matches.
line_of() { grep -En -- "$1" "$OUT" | head -n 1 | cut -d: -f1; }
# json_check PYTHON-EXPRESSION: true of the last run's stdout parsed as `d`.
# ($JOURNAL is `journal` in the expression.)
json_check() {
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); journal=sys.argv[3]
sys.exit(0 if eval(sys.argv[2]) else 1)' "$OUT" "$1" "$JOURNAL" || fail "$LAST: JSON is not such that $1"
}

echo "== no journal yet"
for cmd in history locks; do
  run 1 "$cmd" --repo "$FLEET"
  expect_err "^harc: error: no journal at $FLEET/.harc/journal.db \(nothing was applied"
done
run 1 unlock fw-ber --id 1 --repo "$FLEET"
expect_err '^harc: error: no journal at '
[ ! -e "$FLEET/.harc" ] || fail "reading a missing journal created $FLEET/.harc"

echo "== seeding"
"$SEED" "$JOURNAL" || fail "journal_seed failed"
[ "$(stat -c %a "$JOURNAL")" = 600 ] || fail "journal mode $(stat -c %a "$JOURNAL"), want 600"
[ "$(stat -c %a "$FLEET/.harc")" = 700 ] || fail ".harc mode $(stat -c %a "$FLEET/.harc"), want 700"

echo "== history"
run 0 history --repo "$FLEET"
no_err
expect_out '^run 3  unfinished  started [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z  by alice@admin pid 4242  commit 3f2a1b9c0d1e  plan 9a8b7c6d5e4f$'
expect_out '^run 2  held  started [0-9T:-]+Z  took 4m10s  by bob@ops pid 77  commit 3f2a1b9c0d1e  plan 001122334455$'
expect_out '^run 1  converged  started [0-9T:-]+Z  took 1m35s  by alice@admin pid 4100 '
expect_out '^  CLUSTER  STEP  ACTION  MEMBER    STATE    EXIT  TOOK  REASON$'
expect_out '^  fw-ber   1     drain   fw-ber-b  started  -     -$'
expect_out '^  fw-zrh   1     upgrade  fw-zrh-b  failed  3     4m00s  install exited 3$'
expect_out '^  fw-ams   1     upgrade   fw-ams-a  skipped  -     0ms    already at 7.4.2$'
expect_out '^  fw-ber   3     failover  fw-ber-a  done     0     850ms$'
expect_out '^    output of fw-zrh step 1:$'
expect_out '^      \| error: no space left on device$'
grep -q 'fetching image' "$OUT" && fail "$LAST: printed more than the last 5 output lines"
[ "$(line_of '^run 3')" -lt "$(line_of '^run 2')" ] && [ "$(line_of '^run 2')" -lt "$(line_of '^run 1')" ] ||
  fail "$LAST: runs are not newest first"

run 0 history --repo "$FLEET" --limit 1
expect_out '^run 3 '
grep -Eq '^run [12] ' "$OUT" && fail "$LAST: shows more than 1 run"

run 0 history --journal "$JOURNAL" --json
json_check 'd["journal"] == journal'
json_check '[r["id"] for r in d["runs"]] == [3, 2, 1]'
json_check 'd["runs"][0]["ended_ms"] == 0 and d["runs"][0]["result"] == ""'
json_check 'd["runs"][1]["result"] == "held" and d["runs"][1]["steps"][0]["state"] == "failed"'
json_check 'd["runs"][1]["steps"][0]["exit_status"] == 3'
json_check 'd["runs"][1]["steps"][0]["output_tail"].endswith("no space left on device\n")'
json_check '[(s["cluster"], s["index"]) for s in d["runs"][2]["steps"]] == [("fw-ams", 1), ("fw-ber", 1), ("fw-ber", 2), ("fw-ber", 3)]'

run 1 history --repo "$FLEET" --limit -1
expect_err '^harc: error: .*--limit'

echo "== locks"
LAST="harc locks (in the fleet, default --repo .)"
(cd "$FLEET" && "$HARC" locks >"$OUT" 2>"$ERR") || fail "$LAST: exit $?"
no_err
expect_out '^CLUSTER  TOKEN  OWNER                       EXPIRES +HEARTBEAT$'
expect_out '^fw-ber   1      alice@admin pid 4242 run 3  in [45]m[0-9]{2}s  +([0-9]+ms|[0-9]+s) ago$'
expect_out '^fw-zrh   3      bob@ops pid 77 run 2        expired 10m[0-9]{2}s ago  20m[0-9]{2}s ago$'

run 0 locks --repo "$FLEET" --json
json_check '[(l["cluster"], l["token"], l["expired"]) for l in d["locks"]] == [("fw-ber", 1, False), ("fw-zrh", 3, True)]'
json_check 'd["locks"][0]["expires_ms"] > d["now_ms"] > d["locks"][1]["expires_ms"]'
json_check 'd["locks"][1]["owner"] == "bob@ops pid 77 run 2"'

echo "== unlock"
run 1 unlock fw-ber --id 2 --repo "$FLEET"
expect_err '^harc: error: cluster fw-ber is held by alice@admin pid 4242 run 3 with token 1 \(expires in [45]m[0-9]{2}s\), not token 2; nothing removed$'
run 1 unlock fw-nope --id 1 --repo "$FLEET"
expect_err "^harc: error: cluster fw-nope has no lease in $JOURNAL; nothing removed\$"
run 1 unlock fw-ber --repo "$FLEET"
expect_err '^harc: error: .*--id'
run 1 unlock --id 1 --repo "$FLEET"
expect_err '^harc: error: .*cluster'

run 0 unlock fw-zrh --id 3 --journal "$JOURNAL"
no_err
expect_out '^unlocked fw-zrh: removed the lease held by bob@ops pid 77 run 2 with token 3 \(expired 10m[0-9]{2}s ago\)$'
run 0 unlock fw-ber --id 1 --repo "$FLEET"
expect_out '^unlocked fw-ber: removed the lease held by alice@admin pid 4242 run 3 with token 1 \(expires in '
expect_err '^harc: warning: that lease had not expired; if its run is still going, it stops at its next heartbeat$'
run 1 unlock fw-ber --id 1 --repo "$FLEET"
expect_err '^harc: error: cluster fw-ber has no lease in '

run 0 locks --repo "$FLEET"
expect_out "^no locks in $JOURNAL\$"
run 0 locks --repo "$FLEET" --json
json_check 'd["locks"] == []'

echo "== a journal others could read"
chmod 644 "$JOURNAL"
run 0 history --repo "$FLEET" --limit 1
expect_err "^harc: warning: $JOURNAL was open to group or others \(mode 0644\); made it 0600\$"
[ "$(stat -c %a "$JOURNAL")" = 600 ] || fail "journal mode $(stat -c %a "$JOURNAL") after harc history, want 600"

echo "== not a journal"
printf '%4096s' x >"$TMP/not.db"
run 1 locks --journal "$TMP/not.db"
expect_err "^harc: error: journal $TMP/not.db: cannot open: file is not a database\$"

echo "== help"
run 0 --help
for cmd in history locks unlock; do expect_out "^  $cmd "; done

if [ "$FAILED" -ne 0 ]; then
  echo "$FAILED check(s) failed" >&2
  exit 1
fi
echo "all journal checks passed"
