#!/bin/sh
# End-to-end: the real harc binary on the example fleet (examples/fleet).
# Usage: cli_test.sh <harc binary> <source dir>
set -eu

HARC=$1
SRC=$2
FLEET=$SRC/examples/fleet
OBSERVED=$FLEET/observed.json

TMP=$(mktemp -d "${TMPDIR:-/tmp}/harc-cli-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT INT TERM
OUT=$TMP/stdout
ERR=$TMP/stderr
FAILED=0

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

json_field() {  # json_field FILE KEY: prints the top-level string KEY of a JSON file
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"
}

git_q() { git -c user.name=harc -c user.email=harc@example.invalid -c init.defaultBranch=main \
  -c commit.gpgsign=false "$@"; }

echo "== usage"
run 0 --help
expect_out 'validate'
expect_out 'plan'
run 0 --version
expect_out '^harc [0-9]+\.[0-9]+\.[0-9]+'
run 1
expect_err '^harc: error: '
run 1 valdate --repo "$FLEET"
expect_err "^harc: error: unknown command 'valdate' \(did you mean 'validate'\?\)"
run 1 validate --repo "$FLEET" --no-such-option
expect_err '^harc: error: .*--no-such-option'

echo "== validate"
run 0 validate --repo "$FLEET"
expect_out '^fleet OK: [0-9]+ clusters, [0-9]+ members, [0-9]+ platforms$'
[ -s "$ERR" ] && fail "$LAST: unexpected stderr"
(cd "$FLEET" && "$HARC" validate >"$OUT" 2>"$ERR") || fail "validate with the default --repo ."
run 1 validate --repo "$TMP/no-such-dir"
expect_err "^harc: error: fleet repository '.*no-such-dir' is not a directory"

echo "== validate: a broken fleet reports every error at file:line:col"
BROKEN=$TMP/broken
cp -R "$FLEET" "$BROKEN"
first=$(ls "$BROKEN"/clusters/*.toml | head -n 1)
second=$(ls "$BROKEN"/clusters/*.toml | sed -n 2p)
sed -i '1i colour = "blue"' "$first"
sed -i 's/^platform = "\([a-z-]*\)"/platform = "\1-nope"/' "$second"
pline=$(grep -n '^platform = ' "$second" | cut -d: -f1)
run 1 validate --repo "$BROKEN"
expect_err "^$BROKEN/clusters/$(basename "$first"):1:[0-9]+: error: .*colour"
expect_err "^$BROKEN/clusters/$(basename "$second"):$pline:[0-9]+: error: .*-nope"
expect_err '^ *\^'
expect_err "^harc: error: fleet repository '$BROKEN' is invalid: [0-9]+ errors$"

echo "== plan"
# Without --observed, plan gathers over SSH. Here every member points at a
# closed port on loopback: each is reported unobservable, and the exit is 7.
CLOSED=$TMP/closed-fleet
cp -r "$FLEET" "$CLOSED"
n=0
for c in "$CLOSED"/clusters/*.toml; do
  n=$((n + 1))
  awk -v n="$n" '/^host = /{ $0 = "host = \"127.0." n "." (++i) "\"" } { print }' "$c" >"$c.new"
  mv "$c.new" "$c"
done
sed -i 's/^port = .*/port = 1/; s|^known_hosts = .*|known_hosts = "known_hosts"|' "$CLOSED/harc.toml"
: >"$CLOSED/known_hosts"
run 7 plan --repo "$CLOSED" --ssh-config none
expect_err '^harc: warning: gw-east/east-1a \(127\.0\.[0-9]+\.1\) was not observed: unreachable: '
expect_out 'gw-east \(maestro, wave default\): UNOBSERVABLE'
run 7 snapshot --repo "$CLOSED" --ssh-config none --cluster tms-core -o "$TMP/snap.json"
expect_err '^observed 0 members of 1 cluster; 2 not observed$'
[ "$(json_field "$TMP/snap.json" format)" = harc.observed/v1 ] || fail "snapshot: wrong format"
run 1 plan --repo "$CLOSED" --parallel 0
run 0 plan --repo "$FLEET" --observed "$OBSERVED"
[ -s "$OUT" ] || fail "$LAST: printed no plan"
for c in "$FLEET"/clusters/*.toml; do
  expect_out "$(sed -n 's/^name = "\(.*\)"/\1/p' "$c" | head -n 1)"
done
run 2 plan --repo "$FLEET" --observed "$OBSERVED" --detailed-exitcode
run 1 plan --repo "$FLEET" --observed "$TMP/missing.json"
expect_err "^harc: error: cannot read $TMP/missing.json: No such file or directory"
echo '{"format": "harc.observed/v0"}' >"$TMP/bad.json"
run 1 plan --repo "$FLEET" --observed "$TMP/bad.json"
expect_err "^$TMP/bad.json"

echo "== plan: an in-sync fleet has no changes"
# The example's observed state with every member brought to the desired state.
python3 - "$FLEET" "$OBSERVED" "$SRC/schemas/platforms" >"$TMP/in-sync.json" <<'EOF'
import json, pathlib, sys, tomllib
fleet, observed, builtins = pathlib.Path(sys.argv[1]), json.load(open(sys.argv[2])), sys.argv[3]
def text(v): return str(v).lower() if isinstance(v, bool) else str(v)
def platform(name):
    own = fleet / "platforms" / (name + ".toml")
    return tomllib.loads((own if own.exists() else pathlib.Path(builtins, name + ".toml")).read_text())
for f in sorted((fleet / "clusters").glob("*.toml")):
    c = tomllib.loads(f.read_text())
    all_active = platform(c["platform"]).get("roles") == "active-active"
    seen = observed["clusters"].get(c["name"], {}).get("members", {})
    members = {}
    for i, m in enumerate(c["member"]):
        facts = dict(seen.get(m["name"], {}).get("facts", {}))
        facts.update({"role": "active" if all_active or i == 0 else "standby",
                      "in_cluster": "true", "sync": "true"})
        facts.update({"version." + k: text(v) for k, v in c.get("software", {}).items()})
        settings = {**c.get("settings", {}), **m.get("settings", {})}
        facts.update({"setting." + k: text(v) for k, v in settings.items()})
        members[m["name"]] = {"host": m["host"], "reachable": True, "facts": facts}
    observed["clusters"][c["name"]] = {"members": members}
json.dump(observed, sys.stdout, indent=2)
EOF
run 0 plan --repo "$FLEET" --observed "$TMP/in-sync.json" --detailed-exitcode

echo "== plan: unsafe (3) beats unreachable (7) beats changes (2)"
UNSAFE=$TMP/unsafe
cp -R "$FLEET" "$UNSAFE"
sed -i 's/^min_serving = 1$/min_serving = 2/' "$UNSAFE/clusters/gw-lab.toml"   # 2 members
python3 - "$OBSERVED" >"$TMP/unreachable.json" <<'EOF'
import json, sys
observed = json.load(open(sys.argv[1]))
member = observed["clusters"]["pcmk-db"]["members"]["db-2"]
member.update({"reachable": False, "error": "connect: timed out after 10s"})
member.pop("facts")
json.dump(observed, sys.stdout)
EOF
run 3 plan --repo "$UNSAFE" --observed "$OBSERVED" --cluster gw-lab
expect_out 'min.serving'
run 7 plan --repo "$FLEET" --observed "$TMP/unreachable.json" --detailed-exitcode
expect_out 'db-2.*timed out'
run 3 plan --repo "$UNSAFE" --observed "$TMP/unreachable.json" --detailed-exitcode

echo "== plan -o and --json"
run 0 plan --repo "$FLEET" --observed "$OBSERVED" -o "$TMP/plan.json"
[ "$(json_field "$TMP/plan.json" format)" = "harc.plan/v1" ] || fail "$LAST: plan.json format"
[ "$(json_field "$TMP/plan.json" commit)" = "" ] || fail "$LAST: working-tree plan has a commit"
run 0 plan --repo "$FLEET" --observed "$OBSERVED" --json
cmp -s "$OUT" "$TMP/plan.json" || fail "$LAST: --json differs from the saved plan"
run 1 plan --repo "$FLEET" --observed "$OBSERVED" -o "$TMP/no-such-dir/plan.json"
expect_err "^harc: error: cannot write $TMP/no-such-dir/plan.json"

echo "== --cluster"
name=$(sed -n 's/^name = "\(.*\)"/\1/p' "$first" | head -n 1)
run 0 validate --repo "$FLEET" --cluster "$name"
expect_out '^fleet OK: 1 cluster, '
typo=$(echo "$name" | sed 's/.$//')
run 1 plan --repo "$FLEET" --observed "$OBSERVED" --cluster "$typo"
expect_err "^harc: error: unknown cluster '$typo' \(did you mean '$name'\?\)"
run 1 validate --repo "$FLEET" --cluster zzzzzzzzzzzz
expect_err "^harc: error: unknown cluster 'zzzzzzzzzzzz'$"

echo "== --ref reads a commit, not the working tree"
REPO=$TMP/repo
cp -R "$FLEET" "$REPO"
git_q -C "$REPO" init -q
git_q -C "$REPO" add -A
git_q -C "$REPO" commit -q -m "example fleet"
head=$(git -C "$REPO" rev-parse HEAD)
sed -i '1i colour = "blue"' "$REPO/clusters/$(basename "$first")"   # uncommitted breakage
run 1 validate --repo "$REPO"
run 0 validate --repo "$REPO" --ref main
expect_out "^fleet OK at $(echo "$head" | cut -c1-12): "
run 0 plan --repo "$REPO" --ref HEAD --observed "$OBSERVED" -o "$TMP/plan-ref.json"
[ "$(json_field "$TMP/plan-ref.json" commit)" = "$head" ] || fail "$LAST: plan commit != $head"
git_q clone -q --bare "$REPO" "$TMP/bare.git"
run 0 validate --repo "$TMP/bare.git" --ref main
run 1 validate --repo "$REPO" --ref no-such-branch
expect_err "^harc: error: ref 'no-such-branch' not found in git repository '$REPO'$"
run 1 validate --repo "$TMP/no-such-dir" --ref main
expect_err "^harc: error: cannot open git repository '$TMP/no-such-dir'"
sed -i 's/^platform = "\([a-z-]*\)"/platform = "\1-nope"/' "$REPO/clusters/$(basename "$second")"
git_q -C "$REPO" commit -q -a -m "broken"
run 1 validate --repo "$REPO" --ref HEAD
expect_err "^HEAD:clusters/$(basename "$second"):$pline:[0-9]+: error: "

# Golden plan: every built-in strategy's procedure on the example fleet,
# including its half-way clusters. Regenerate deliberately with
#   harc plan --repo examples/fleet --observed examples/fleet/observed.json \
#     > tests/golden/example-plan.txt
# and review the diff: it is a change to what harc does to production clusters.
run 0 plan --repo "$FLEET" --observed "$OBSERVED"
diff -u "$SRC/tests/golden/example-plan.txt" "$OUT" >"$TMP/golden.diff" ||
  { cat "$TMP/golden.diff" >&2; fail "plan output differs from tests/golden/example-plan.txt"; }

if [ "$FAILED" -ne 0 ]; then
  echo "cli_test: $FAILED check(s) failed" >&2
  exit 1
fi
echo "cli_test: all checks passed"
