#!/usr/bin/env bash
# Benchmark (issue 4): `harc apply --auto-approve` of C linux clusters x 4
# members (default 50) on the sandbox, every member one keepalived version
# behind, with near-zero action times, at max_parallel_clusters = C; and the
# same cluster applied alone. R rounds (default 3), each on fresh sandboxes;
# medians are printed. Exit 1 when a target is missed.
#
# Figures:
# - the unavoidable waits of one cluster: its critical path, from the plan and
#   the simulator's timings: each step's action time (install: --action-time;
#   drain, undrain: --transition-time; set, backup: none) plus its stable
#   time, and "with polling": each condition seen at the first poll at or
#   after it comes true (harc polls at once, then every interval_ms);
# - wall time of the whole apply (gather, plan, rollout) and of the rollout
#   alone (first cluster started to last cluster ended, from --json events);
# - harc's CPU (user+sys of the harc process) per step run;
#   target < 20 ms;
# - the C-cluster apply vs the cluster alone; target within 1.5x;
# - the members' CPU: sshd and the simulator behind it (the sshd daemons'
#   reaped children), which share this machine's cores with harc; the
#   machine cannot finish the run faster than (harc + members' CPU) / cores.
# Each run must converge every cluster (exit 0) with no outage in the
# simulator's audit.
#
# Usage: tests/bench/bench_apply.sh [C] [R]   (HARC_BUILD_DIR: default build/;
# ACTION_TIME=100ms TRANSITION_TIME=50ms WAIT_SCALE=0.05 to change the timings)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export HARC_BUILD_DIR=${HARC_BUILD_DIR:-$ROOT/build}
HARC=$HARC_BUILD_DIR/reconciler/harc
SIM=$HARC_BUILD_DIR/tests/sandbox/harc-sim
C=${1:-50}
ROUNDS=${2:-3}
ACTION_TIME=${ACTION_TIME:-100ms}
TRANSITION_TIME=${TRANSITION_TIME:-50ms}
WAIT_SCALE=${WAIT_SCALE:-0.05}
if ! [[ $C =~ ^[0-9]+$ && $ROUNDS =~ ^[0-9]+$ ]] || ((C < 1 || ROUNDS < 1)); then
  echo "usage: bench_apply.sh [CLUSTERS] [ROUNDS]" >&2
  exit 1
fi
for tool in /usr/bin/python3 /usr/bin/time "$HARC" "$SIM"; do
  command -v "$tool" >/dev/null || { echo "bench_apply: $tool not found" >&2; exit 1; }
done

TMP=$(mktemp -d /tmp/harc-bench-apply.XXXXXX)
cleanup() {
  for s in "$TMP"/state-*; do [[ -d $s ]] && "$ROOT/tests/sandbox/stop" "$s" >/dev/null 2>&1; done
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
fail() { echo "bench_apply: $*" >&2; exit 1; }

# write_fleet DIR COUNT: COUNT linux clusters of 4, all applied at once.
write_fleet() {
  mkdir -p "$1/clusters"
  printf '[rollout]\nwaves = ["default"]\nmax_parallel_clusters = %d\n' "$2" >"$1/harc.toml"
  local c m f
  for ((c = 0; c < $2; c++)); do
    f=$1/clusters/lb$c.toml
    printf 'name = "lb%d"\nplatform = "linux"\n\n[software]\nkeepalived = "1:2.2.7-1+deb12u1"\n\n[ha]\nmin_serving = 2\nmax_unavailable = 1\n' \
      "$c" >"$f"
    for ((m = 1; m <= 4; m++)); do
      printf '\n[[member]]\nname = "n%d"\nhost = "10.9.%d.%d"\n' "$m" "$c" "$m" >>"$f"
    done
  done
}
write_fleet "$TMP/fleet-alone" 1
write_fleet "$TMP/fleet-all" "$C"

# CPU ticks of the sandbox's sshd daemons and every session they reaped.
sshd_pids() { cat "$1"/sshd/sshd-*.pid; }
member_ticks() {
  local p total=0
  for p in $(sshd_pids "$1"); do
    total=$((total + $(awk '{ print $14 + $15 + $16 + $17 }' "/proc/$p/stat")))
  done
  echo "$total"
}
# Waits until the daemons have reaped every session (harc has exited).
sessions_reaped() {
  local p i busy
  for ((i = 0; i < 200; i++)); do
    busy=0
    for p in $(sshd_pids "$1"); do pgrep -P "$p" >/dev/null && busy=1; done
    ((busy)) || return 0
    sleep 0.1
  done
  fail "sshd sessions of $1 still running 20s after harc exited"
}

# Stamps each line of harc's --json events with the seconds since the start.
STAMP='import sys, time
t0 = float(sys.argv[1])
for line in sys.stdin:
    sys.stdout.write("%.3f %s" % (time.time() - t0, line))
    sys.stdout.flush()'

# apply_once NAME: a fresh sandbox for fleet-NAME, one timed apply, checked;
# appends its figures to $TMP/NAME.runs.
apply_once() {
  local name=$1 state=$TMP/state-$1
  rm -rf "$state"
  "$ROOT/tests/sandbox/start" "$TMP/fleet-$name" "$state" --older --no-ipv6 \
    --action-time "$ACTION_TIME" --transition-time "$TRANSITION_TIME" --wait-scale "$WAIT_SCALE" \
    >/dev/null
  local t0 ticks0
  ticks0=$(member_ticks "$state")
  t0=$(date +%s.%N)
  /usr/bin/time -f '%e %U %S %M' -o "$TMP/$name.time" \
    "$HARC" apply --repo "$state/fleet" --ssh-config "$state/ssh_config" --auto-approve --json \
    2>"$TMP/$name.err" | /usr/bin/python3 -I -S -c "$STAMP" "$t0" >"$TMP/$name.events" ||
    { tail -5 "$TMP/$name.err" >&2; fail "$name: harc apply failed"; }
  sessions_reaped "$state"
  local ticks=$(($(member_ticks "$state") - ticks0))
  "$SIM" audit --state "$state" >"$TMP/$name.audit" || fail "$name: the audit found an outage"
  "$ROOT/tests/sandbox/stop" "$state" >/dev/null
  /usr/bin/python3 - "$TMP/$name.events" "$TMP/$name.time" "$ticks" "$(getconf CLK_TCK)" \
    "$ACTION_TIME" "$TRANSITION_TIME" >>"$TMP/$name.runs" <<'PY'
import json, sys
events, timefile, ticks, hz, action, transition = sys.argv[1:7]
def ms(text):
    return float(text[:-2]) if text.endswith("ms") else float(text[:-1]) * 1000
sim_ms = {"install": ms(action), "join": ms(action), "drain": ms(transition),
          "undrain": ms(transition), "failover": ms(transition), "leave": ms(transition)}
started, ended, steps, paths = {}, {}, 0, []
for line in open(events):
    t, text = line.split(" ", 1)
    e = json.loads(text)
    if e["event"] == "plan":
        for cp in e["plan"]["clusters"]:
            waits = grid = 0.0
            for s in cp["steps"]:
                if "until" not in s: continue
                a = sim_ms.get(s["action"], 0.0)
                waits += a + s["stable_ms"]
                polls = -(-a // s["interval_ms"])  # the first poll at or after `a`
                grid += polls * s["interval_ms"] + s["stable_ms"]
            paths.append((waits, grid))
    elif e["event"] == "cluster_started":
        started[e["cluster"]] = float(t)
    elif e["event"] == "cluster_ended":
        assert e["outcome"] == "converged", e
        ended[e["cluster"]] = float(t)
        steps += e["ran"] + e["skipped"]
wall, user, system, rss = open(timefile).read().split()
print(json.dumps({
    "wall": float(wall), "cpu": float(user) + float(system), "rss_kib": int(rss),
    "rollout": max(ended.values()) - min(started.values()), "clusters": len(ended),
    "steps": steps, "members_cpu": int(ticks) / int(hz),
    "waits": max(p[0] for p in paths) / 1000, "waits_polled": max(p[1] for p in paths) / 1000}))
PY
}

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
for ((r = 1; r <= ROUNDS; r++)); do
  apply_once alone
  apply_once all
  echo "bench_apply: round $r/$ROUNDS done" >&2
done
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)

/usr/bin/python3 - "$TMP/alone.runs" "$TMP/all.runs" "$C" "$(nproc)" "$ACTION_TIME" "$TRANSITION_TIME" \
  "$WAIT_SCALE" "$LOAD_START" "$LOAD_END" <<'PY'
import json, statistics, sys
alone_f, all_f, c, cores, action, transition, scale, load0, load1 = sys.argv[1:10]
def runs(path):
    rs = [json.loads(l) for l in open(path)]
    return {k: statistics.median(r[k] for r in rs) for k in rs[0]}, len(rs)
one, n = runs(alone_f)
fleet, _ = runs(all_f)
cores = int(cores)
per_cluster_steps = one["steps"]
def verdict(ok): return "PASS" if ok else "FAIL"
print(f"apply {c} linux clusters x 4 members ({per_cluster_steps:.0f} steps each), "
      f"max_parallel_clusters = {c}; median of {n} rounds, fresh sandboxes")
print(f"sandbox: install {action}, drain/undrain {transition}, platform waits x{scale}; "
      f"{cores} cores; load average {load0} at start, {load1} at end")
print(f"unavoidable waits of one cluster (its critical path; clusters run in parallel): "
      f"{one['waits']:.2f} s; {one['waits_polled']:.2f} s with poll granularity")
print(f"  {'':<24}{'apply wall':>11}{'rollout':>9}{'harc CPU':>10}{'CPU/step':>10}"
      f"{'peak RSS':>10}{'members CPU':>13}")
for label, r in (("1 cluster alone", one), (f"{c} clusters at once", fleet)):
    print(f"  {label:<24}{r['wall']:>10.2f}s{r['rollout']:>8.2f}s{r['cpu']:>9.2f}s"
          f"{r['cpu'] / r['steps'] * 1000:>8.1f}ms{r['rss_kib'] / 1024:>7.1f}MiB"
          f"{r['members_cpu']:>12.1f}s")
over = (one["rollout"] - one["waits_polled"]) / per_cluster_steps * 1000
print(f"  harc's latency over the waits, alone: {over:.0f} ms per step "
      f"(rollout {one['rollout']:.2f} s vs {one['waits_polled']:.2f} s: the probe, command and poll round trips)")
cpu_step = fleet["cpu"] / fleet["steps"] * 1000
ratio = fleet["wall"] / one["wall"]
ratio_rollout = fleet["rollout"] / one["rollout"]
floor = (fleet["cpu"] + fleet["members_cpu"]) / cores
ok1, ok2 = cpu_step < 20, ratio <= 1.5
print(f"  harc CPU per step ({c} clusters): {cpu_step:.1f} ms (target < 20 ms)   {verdict(ok1)}")
print(f"  {c} clusters vs 1 alone: apply {ratio:.2f}x, rollout {ratio_rollout:.2f}x "
      f"(target apply within 1.5x)   {verdict(ok2)}")
print(f"  CPU floor of the {c}-cluster run on this machine: (harc {fleet['cpu']:.1f} s + members "
      f"{fleet['members_cpu']:.1f} s) / {cores} cores = {floor:.1f} s = {floor / one['wall']:.2f}x "
      f"the cluster alone")
sys.exit(0 if ok1 and ok2 else 1)
PY
