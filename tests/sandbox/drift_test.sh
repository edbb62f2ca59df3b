#!/usr/bin/env bash
# End-to-end: `harc drift` through the real binary on the sandbox fleet.
# A converged fleet is in sync (exit 0) and drift sends nothing that changes
# it; members changed behind harc's back (a version, a setting, a drained
# member) are reported with the right class in text, JSON and Markdown (exit
# 2); an unreachable member makes the report exit 7 with the drift still in
# it; `harc apply` corrects the drift, and `--since` tells when each cluster
# drifted and when it was corrected, from the journal.
#
#   drift_test.sh HARC_SIM REPO_ROOT HARC
set -euo pipefail
SIM=$1
ROOT=$2
HARC=$3
TMP=$(mktemp -d /tmp/harc-drift-test.XXXXXX)
STATE=$TMP/state
FLEET=$STATE/fleet
export HARC_SIM=$SIM NO_COLOR=1
cleanup() {
  "$ROOT/tests/sandbox/stop" "$STATE" >/dev/null 2>&1 || true
  rm -rf "$TMP"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

# drift WANT_EXIT NAME [args...]: runs harc drift into $TMP/NAME(.err).
drift() {
  local want=$1 name=$2
  shift 2
  set +e
  "$HARC" drift --repo "$FLEET" "$@" >"$TMP/$name" 2>"$TMP/$name.err"
  local rc=$?
  set -e
  [[ $rc -eq $want ]] ||
    fail "harc drift $* exited $rc, expected $want:"$'\n'"$(cat "$TMP/$name" "$TMP/$name.err")"
}

has() { grep -qF -- "$2" "$TMP/$1" || fail "$1 lacks '$2':"$'\n'"$(cat "$TMP/$1")"; }

# py FILE EXPR: asserts a Python expression over the JSON document d in FILE.
py() {
  /usr/bin/python3 - "$TMP/$1" "$2" "$ROOT/schemas/drift.schema.json" <<'EOF' ||
import json, sys
import jsonschema
d = json.load(open(sys.argv[1]))
jsonschema.validate(d, json.load(open(sys.argv[3])))
assert eval("(" + sys.argv[2] + ")"), json.dumps(d, indent=1)
EOF
    fail "$1: $2"
}

# Polls `harc-sim show` until a line matches the regex (the simulator takes
# its configured time for an install or a drain).
wait_show() {
  local deadline=$((SECONDS + 60))
  until "$SIM" show --state "$STATE" | grep -Eq -- "$1"; do
    ((SECONDS < deadline)) || fail "never saw /$1/ in: $("$SIM" show --state "$STATE")"
    sleep 0.2
  done
}

member() {  # member CLUSTER/MEMBER COMMAND: behind harc's back
  "$SIM" exec --state "$STATE" --member "$1" "$2" >/dev/null
}

"$ROOT/tests/sandbox/start" "$ROOT/examples/fleet" "$STATE" --action-time 300ms \
  --transition-time 100ms --wait-scale 0.02 >"$TMP/start.out"

# ---- converged: in sync, and drift changes nothing
since=$(date +%s.%N)
drift 0 converged.txt
has converged.txt "Drift: 0 clusters drifted, 7 in sync, 0 unobservable."
drift 0 converged.json --format json
py converged.json "d['status'] == 'in-sync' and len(d['clusters']) == 7"
"$SIM" audit --state "$STATE" --since "$since" --no-mutations >"$TMP/audit.out" ||
  fail "drift sent mutating commands: $(cat "$TMP/audit.out")"

# ---- behind harc's back: a version, a setting, a drained member
member gw-lab/lab-1 "clish -c 'installer install R81.20_T88 not-interactive'"
member pcmk-db/db-1 "crm_attribute --type rsc_defaults --name resource-stickiness --update 0"
member gw-east/east-1b "clusterXL_admin down"
wait_show '^  lab-1 \S+ active hotfix=R81\.20_T88 '
wait_show '^  east-1b \S+ down drained '

drift 2 drifted.txt
has drifted.txt "fw-dc (dual-chassis, wave default): in sync"
has drifted.txt "gw-east (maestro, wave default): DRIFTED"
has drifted.txt "  role        down: east-1b out of service"
has drifted.txt "  version     hotfix: R81.20_T88 on lab-1 (declared R81.20_T89)"
has drifted.txt "  setting     resource_stickiness: 0 on db-1, db-2, db-3 (declared 100)"
has drifted.txt "Drift: 3 clusters drifted, 4 in sync, 0 unobservable."

# On a terminal (script(1) makes one) the text is coloured; NO_COLOR says not to.
for no_color in "" 1; do
  set +e
  NO_COLOR=$no_color script -qec "'$HARC' drift --repo '$FLEET' --cluster gw-east" /dev/null \
    >"$TMP/tty.txt" 2>&1
  rc=$?
  set -e
  [[ $rc -eq 2 ]] || fail "drift on a terminal exited $rc: $(cat "$TMP/tty.txt")"
  coloured=$(grep -c $'\033\\[1;33mDRIFTED\033\\[0m' "$TMP/tty.txt" || true)
  [[ $coloured -eq $((no_color ? 0 : 1)) ]] || fail "NO_COLOR=$no_color: $(cat -v "$TMP/tty.txt")"
done

drift 2 drifted.json --format json
py drifted.json "d['status'] == 'drifted' and
                 d['summary'] == {'drifted': 3, 'in_sync': 4, 'unobservable': 0}"
py drifted.json "{c['cluster']: c['drift'] for c in d['clusters'] if c['drift']} == {
  'gw-east': [{'class': 'role', 'subject': 'down',
               'members': [{'member': 'east-1b', 'desired': '', 'observed': 'down'}]}],
  'gw-lab': [{'class': 'version', 'subject': 'hotfix',
              'members': [{'member': 'lab-1', 'desired': 'R81.20_T89', 'observed': 'R81.20_T88'}]}],
  'pcmk-db': [{'class': 'setting', 'subject': 'resource_stickiness',
               'members': [{'member': m, 'desired': '100', 'observed': '0'}
                           for m in ('db-1', 'db-2', 'db-3')]}]}"

mkdir "$TMP/report"
drift 2 drifted.stdout --format markdown -o "$TMP/report/drift.md" --cluster gw-lab \
  --cluster gw-east --cluster pcmk-db
[[ ! -s $TMP/drifted.stdout ]] || fail "-o also wrote to stdout: $(cat "$TMP/drifted.stdout")"
has drifted.stdout.err "report written to $TMP/report/drift.md"
cp "$TMP/report/drift.md" "$TMP/drift.md"
has drift.md "## harc drift: 3 drifted, 0 in sync, 0 unobservable"
has drift.md "| version | \`hotfix\` | \`lab-1\` | \`R81.20_T88\` | \`R81.20_T89\` |"
has drift.md "| role | \`down\` | \`east-1b\` | \`down\` |  |"
has drift.md "| setting | \`resource_stickiness\` | \`db-2\` | \`0\` | \`100\` |"
[[ $(ls -A "$TMP/report") == drift.md ]] || fail "left behind: $(ls -A "$TMP/report")"

# ---- an unreachable member: exit 7, and the drift elsewhere still reported
"$SIM" fault --state "$STATE" --member fw-dc/2 unreachable >/dev/null
drift 7 unreachable.txt
has unreachable.txt "fw-dc (dual-chassis, wave default): UNOBSERVABLE"
has unreachable.txt "  not observed: 2: unreachable: "
has unreachable.txt "  role        down: east-1b out of service"
has unreachable.txt "Drift: 3 clusters drifted, 3 in sync, 1 unobservable."
has unreachable.txt.err "harc: warning: fw-dc/2 "
drift 7 unreachable.json --format json
py unreachable.json "d['status'] == 'unobservable' and d['summary']['drifted'] == 3"
py unreachable.json "[c['unobservable'][0].startswith('2: unreachable') for c in d['clusters']
                      if c['cluster'] == 'fw-dc'] == [True]"
"$SIM" fault --state "$STATE" --member fw-dc/2 clear >/dev/null

# ---- harc apply corrects it; the journal tells when each drifted and was corrected
"$HARC" apply --repo "$FLEET" --auto-approve >"$TMP/apply.out" 2>&1 ||
  fail "harc apply: $(cat "$TMP/apply.out")"
drift 0 corrected.txt
has corrected.txt "Drift: 0 clusters drifted, 7 in sync, 0 unobservable."

drift 0 since.txt --since 1h
# Reports: 2 converged; 5 drifted (2 on a terminal of gw-east alone, the
# Markdown one of 3 clusters); 2 with fw-dc/2 unreachable; 1 corrected.
has since.txt ": 10 reports."
has since.txt "gw-east: 10 reports, drifted once, in sync now"
has since.txt "gw-lab: 8 reports, drifted once, in sync now"
for c in gw-east gw-lab pcmk-db; do
  grep -A1 "^$c: .*drifted once, in sync now$" "$TMP/since.txt" |
    grep -Eq '^  drifted \S+Z, corrected \S+Z after [0-9]+' ||
    fail "no drifted-and-corrected line for $c: $(cat "$TMP/since.txt")"
done
has since.txt "  drifted "
has since.txt ": version hotfix on lab-1"
has since.txt "fw-dc: 7 reports, 2 unobservable, in sync now"
drift 0 since.json --since 1h --format json
py since.json "d['format'] == 'harc.drift-history/v1' and d['reports'] == 10"
py since.json "{c['cluster']: [(e['before_window'], e['corrected_at'] >= e['drifted_at'])
                for e in c['episodes']] for c in d['clusters'] if c['episodes']} ==
               {c: [(False, True)] for c in ('gw-east', 'gw-lab', 'pcmk-db')}"
drift 0 since.md --since 1h --format markdown --cluster pcmk-db
has since.md "| pcmk-db | 8 | 0 | in sync | "
has since.md " | setting resource\\_stickiness on db-1, db-2, db-3 |"
drift 1 bad-since.txt --since 7days
has bad-since.txt.err \
  "harc: error: invalid --since '7days': expected a whole number and s, m, h, d or w"

# ---- --ref compares with a commit, not the working tree
git -C "$FLEET" init -q
git -C "$FLEET" add -A . ":!.harc"
git -C "$FLEET" -c user.name=harc -c user.email=harc@example.net commit -qm fleet
head=$(git -C "$FLEET" rev-parse HEAD)
sed -i "s/^hotfix = .R81.20_T89.\$/hotfix = 'R81.20_T90'/" "$FLEET/clusters/gw-lab.toml"
drift 2 worktree.txt --cluster gw-lab
has worktree.txt "hotfix: R81.20_T89 on lab-1, lab-2 (declared R81.20_T90)"
drift 0 ref.json --cluster gw-lab --ref HEAD --format json
py ref.json "d['commit'] == '$head' and d['status'] == 'in-sync'"

echo "drift e2e: ok"
