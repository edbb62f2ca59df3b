#!/usr/bin/env bash
# Benchmark (issue 3): gather N sandbox members (default 200: 50 linux
# clusters x 4) with `harc snapshot`, and send the very same fact script to
# the same members with `ansible all -m raw -f N` and `parallel-ssh -p N`.
# Prints, over R rounds (default 3), the median wall time of each, the ratios,
# the client CPU of each (user+sys, the tool and its children: ssh, ansible
# workers), the members' CPU (the sandbox's sshd and the simulator behind it:
# the sshd daemons' reaped children) and harc's peak RSS. Targets: harc >= 5x
# faster than Ansible and >= 4x faster than parallel-ssh; harc's peak RSS
# < 100 MiB. Exit 1 when a target is missed.
#
# The members run on this machine's cores too, so no tool can finish before
# (its client CPU + the members' CPU) / cores: that floor is printed, as on a
# real fleet the members' share lands on the members.
#
# Fair by construction:
# - one script per member for every tool: the fact script harc itself sends
#   (reconciler/gather.cc BuildFactScript, every fact of the linux platform in
#   one round trip), rebuilt here from schemas/platforms/linux.toml;
# - the same sshd, user, key, port and known_hosts (the sandbox's ssh_config,
#   StrictHostKeyChecking yes), fresh connections every round (no
#   ControlPersist), each tool's own defaults otherwise (OpenSSH 9.2 picks
#   sntrup761x25519 where libssh 0.10 picks curve25519; ansible's raw asks
#   for a pty);
# - each round runs the three tools in a rotated order, so a load change on
#   the machine does not always hit the same tool;
# - every run must succeed on every member: each member's reply must carry
#   all of its facts' delimiters with exit status 0 (ansible: its JSON
#   result; parallel-ssh: its per-host output files; harc: exit 0 and all N
#   members observed in the snapshot).
#
# Usage: tests/bench/bench_gather.sh [N] [R]   (HARC_BUILD_DIR: default build/)
# Needs ansible and pssh (Debian packages, installed for this benchmark only:
# apt-get install ansible pssh time).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export HARC_BUILD_DIR=${HARC_BUILD_DIR:-$ROOT/build}
HARC=$HARC_BUILD_DIR/reconciler/harc
N=${1:-200}
RUNS=${2:-3}
if ! [[ $N =~ ^[0-9]+$ && $RUNS =~ ^[0-9]+$ ]] || ((N < 4 || N % 4 != 0 || RUNS < 1)); then
  echo "usage: bench_gather.sh [N (a multiple of 4)] [ROUNDS]" >&2
  exit 1
fi
for tool in ansible parallel-ssh /usr/bin/python3 /usr/bin/time "$HARC"; do
  command -v "$tool" >/dev/null ||
    { echo "bench_gather: $tool not found (apt-get install ansible pssh time; build harc)" >&2; exit 1; }
done

TMP=$(mktemp -d /tmp/harc-bench-gather.XXXXXX)
STATE=$TMP/state
cleanup() { "$ROOT/tests/sandbox/stop" "$STATE" >/dev/null 2>&1 || true; rm -rf "$TMP"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- the fleet: N/4 linux clusters of 4 members, at the desired version
FLEET=$TMP/fleet
mkdir -p "$FLEET/clusters"
printf '[rollout]\nwaves = ["default"]\n' >"$FLEET/harc.toml"
for ((c = 0; c < N / 4; c++)); do
  f=$FLEET/clusters/lb$c.toml
  printf 'name = "lb%d"\nplatform = "linux"\n\n[software]\nkeepalived = "1:2.2.7-1+deb12u1"\n\n[ha]\nmin_serving = 2\nmax_unavailable = 1\n' \
    "$c" >"$f"
  for ((m = 1; m <= 4; m++)); do
    printf '\n[[member]]\nname = "n%d"\nhost = "10.9.%d.%d"\n' "$m" "$c" "$m" >>"$f"
  done
done
echo "bench_gather: starting the sandbox ($N members)" >&2
"$ROOT/tests/sandbox/start" "$FLEET" "$STATE" --no-ipv6 >/dev/null
HOSTS=$TMP/hosts
awk '/^Host / && $2 ~ /^lb[0-9]+\.n[0-9]$/ { print $2 }' "$STATE/ssh_config" >"$HOSTS"
[[ $(wc -l <"$HOSTS") -eq $N ]] || { echo "bench_gather: expected $N hosts in ssh_config" >&2; exit 1; }

# ---- the fact script harc sends each member, with a fixed nonce
NONCE=0123456789abcdef0123456789abcdef
FACTS=$(/usr/bin/python3 -c 'import sys, tomllib; print(len(tomllib.load(open(sys.argv[1], "rb"))["facts"]))' \
  "$ROOT/schemas/platforms/linux.toml")
SCRIPT=$(/usr/bin/python3 - "$ROOT/schemas/platforms/linux.toml" "$NONCE" <<'PY'
import sys, tomllib
facts, nonce = tomllib.load(open(sys.argv[1], "rb"))["facts"], sys.argv[2]
for name in sorted(facts):  # std::map order, as harc renders them
    run = facts[name]["run"]
    assert "{" not in run, "placeholders are not rendered here: " + name
    print(f"( {run}\n) </dev/null; printf '\\n%s %s %s\\n' harc-{nonce} '{name}' \"$?\"; "
          f"printf '\\n%s %s\\n' harc-{nonce} '{name}' >&2")
PY
)

# replies_ok FILE...: each file is one member's stdout, with every fact's
# delimiter and status 0 (a pty, as ansible's raw uses, adds \r).
replies_ok() {
  local f
  for f in "$@"; do
    [[ $(grep -cE "^harc-$NONCE [a-z_.]+ 0"$'\r'"?\$" "$f") -eq $FACTS ]] || return 1
  done
}
check_harc() {
  /usr/bin/python3 - "$TMP/observed.json" "$N" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
ms = [m for c in d["clusters"].values() for m in c["members"].values()]
assert len(ms) == int(sys.argv[2]) and all(m["reachable"] for m in ms), "members missing"
PY
}
check_ansible() {
  /usr/bin/python3 - "$TMP/out" "$N" "$TMP/ansible" <<'PY'
import json, os, sys
hosts = json.load(open(sys.argv[1]))["plays"][0]["tasks"][0]["hosts"]
assert len(hosts) == int(sys.argv[2]), f"{len(hosts)} hosts answered"
os.makedirs(sys.argv[3], exist_ok=True)
for h, r in hosts.items():
    assert r.get("rc") == 0 and not r.get("failed") and not r.get("unreachable"), h
    open(os.path.join(sys.argv[3], h), "w").write(r["stdout"])
PY
  replies_ok "$TMP"/ansible/*
}
check_pssh() { [[ $(ls "$TMP/pssh" | wc -l) -eq $N ]] && replies_ok "$TMP"/pssh/*; }

# CPU ticks of the sandbox's sshd daemons and every session they reaped.
sshd_pids() { cat "$STATE"/sshd/sshd-*.pid; }
member_ticks() {
  local p total=0
  for p in $(sshd_pids); do total=$((total + $(awk '{ print $14 + $15 + $16 + $17 }' "/proc/$p/stat"))); done
  echo "$total"
}
# Waits until the daemons have reaped every session of the last run.
sessions_reaped() {
  local p i busy
  for ((i = 0; i < 200; i++)); do
    busy=0
    for p in $(sshd_pids); do pgrep -P "$p" >/dev/null && busy=1; done
    ((busy)) || return 0
    sleep 0.1
  done
  echo "bench_gather: sshd sessions still running 20s after the run" >&2
  exit 1
}

# ---- the tools
run_harc() {
  "$HARC" snapshot --repo "$STATE/fleet" --ssh-config "$STATE/ssh_config" -o "$TMP/observed.json"
}
run_ansible() {
  ANSIBLE_SSH_ARGS="-F $STATE/ssh_config" ANSIBLE_LOAD_CALLBACK_PLUGINS=1 \
    ANSIBLE_STDOUT_CALLBACK=json ANSIBLE_LOCAL_TEMP=$TMP/ansible-tmp ANSIBLE_HOME=$TMP/ansible-home \
    ansible all -i "$TMP/inventory" -m raw -a "$SCRIPT" -f "$N"
}
run_pssh() {
  parallel-ssh -h "$HOSTS" -p "$N" -t 60 -x "-F $STATE/ssh_config" -o "$TMP/pssh" -e "$TMP/pssh-err" \
    "$SCRIPT"
}
{ printf '[all]\n'; cat "$HOSTS"; } >"$TMP/inventory"

# measure NAME: one timed run of run_NAME, checked; appends
# "wall client-cpu rss members-cpu".
measure() {
  rm -rf "$TMP/ansible" "$TMP/pssh" "$TMP/pssh-err" "$TMP/observed.json"
  local ticks0
  ticks0=$(member_ticks)
  if ! /usr/bin/time -f '%e %U %S %M' -o "$TMP/time" bash -c "run_$1" >"$TMP/out" 2>"$TMP/err"; then
    echo "bench_gather: $1 failed:" >&2
    tail -5 "$TMP/err" "$TMP/out" >&2
    exit 1
  fi
  sessions_reaped
  local ticks=$(($(member_ticks) - ticks0))
  "check_$1" || { echo "bench_gather: $1: a member's reply is missing or failed" >&2; exit 1; }
  awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" '{ printf "%s %.3f %d %.2f\n", $1, $2 + $3, $4, t / hz }' \
    "$TMP/time" >>"$TMP/$1.times"
}
export -f run_harc run_ansible run_pssh
export HARC STATE TMP SCRIPT HOSTS N

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
tools=(harc ansible pssh)
for ((r = 0; r < RUNS; r++)); do
  for ((k = 0; k < 3; k++)); do measure "${tools[(r + k) % 3]}"; done
  echo "bench_gather: round $((r + 1))/$RUNS done" >&2
done

LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- the figures
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
col() { awk -v c="$2" '{ print $c }' "$TMP/$1.times" | median; }
h=$(col harc 1) a=$(col ansible 1) p=$(col pssh 1)
rss_kib=$(awk '{ print $3 }' "$TMP/harc.times" | sort -n | tail -1)
ra=$(awk -v a="$a" -v h="$h" 'BEGIN { printf "%.2f", a / h }')
rp=$(awk -v p="$p" -v h="$h" 'BEGIN { printf "%.2f", p / h }')
rss=$(awk -v k="$rss_kib" 'BEGIN { printf "%.1f", k / 1024 }')
verdict() { awk -v x="$1" -v op="$2" -v t="$3" 'BEGIN { ok = op == ">=" ? x >= t : x < t; print ok ? "PASS" : "FAIL" }'; }
CORES=$(nproc)
echo "gather $N members ($((N / 4)) linux clusters x 4), $FACTS facts each in one script; median of $RUNS rounds"
echo "$CORES cores; load average $LOAD_START at start, $LOAD_END at end"
echo "client CPU: user+sys of the tool and its children; members CPU: the sandbox's sshd + simulator;"
echo "floor: (client + members CPU) / $CORES cores, the least wall time this machine allows"
printf '  %-26s %8s %12s %12s %8s\n' tool wall "client CPU" "members CPU" floor
row() {
  printf '  %-26s %7.2fs %11.2fs %11.2fs %7.2fs\n' "$1" "$(col "$2" 1)" "$(col "$2" 2)" "$(col "$2" 4)" \
    "$(awk -v c="$(col "$2" 2)" -v m="$(col "$2" 4)" -v n="$CORES" 'BEGIN { print (c + m) / n }')"
}
row "harc snapshot" harc
row "ansible all -m raw -f $N" ansible
row "parallel-ssh -p $N" pssh
per_member() { awk -v x="$(col "$1" "$2")" -v n="$N" 'BEGIN { printf "%.1f", x / n * 1000 }'; }
echo "  per member: client CPU harc $(per_member harc 2) ms, ansible $(per_member ansible 2) ms," \
  "parallel-ssh $(per_member pssh 2) ms; members CPU $(per_member harc 4) ms (harc's run)"
v1=$(verdict "$ra" ">=" 5) v2=$(verdict "$rp" ">=" 4) v3=$(verdict "$rss" "<" 100)
echo "  harc vs ansible:      ${ra}x faster (target >= 5x)    $v1"
echo "  harc vs parallel-ssh: ${rp}x faster (target >= 4x)    $v2"
echo "  harc peak RSS:        ${rss} MiB (target < 100 MiB)   $v3"
[[ "$v1$v2$v3" == PASSPASSPASS ]]
