#!/usr/bin/env bash
# Benchmark: gather N sandbox members (default 200: 50 linux clusters x 4) with
# harc, and run the same fact commands on the same members with
# `ansible all -m raw -f N` and `parallel-ssh -p N`, in one run. Prints the
# median wall time of each over R runs (default 3), the ratios, and harc's peak
# RSS. Targets: harc >= 5x faster than Ansible, >= 4x faster than
# parallel-ssh, peak RSS < 100 MiB.
#
# Usage: tests/bench/bench_gather.sh [N] [R]   (HARC_BUILD_DIR: default build/)
# Needs ansible and pssh (Debian packages; installed for this benchmark only:
# apt-get install ansible pssh).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${HARC_BUILD_DIR:-$ROOT/build}
HARC=$BUILD/reconciler/harc
N=${1:-200}
RUNS=${2:-3}
for tool in ansible parallel-ssh /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "bench_gather: $tool not found (apt-get install ansible pssh time)" >&2; exit 1; }
done

TMP=$(mktemp -d "${TMPDIR:-/tmp}/harc-bench-gather.XXXXXX")
STATE=$TMP/state
cleanup() { "$ROOT/tests/sandbox/stop" "$STATE" >/dev/null 2>&1 || true; rm -rf "$TMP"; }
trap cleanup EXIT INT TERM

# The fleet: N/4 linux clusters of 4 members.
FLEET=$TMP/fleet
mkdir -p "$FLEET/clusters"
printf '[rollout]\nwaves = ["default"]\n' >"$FLEET/harc.toml"
version="1:2.2.7-1+deb12u1"
for ((c = 0; c < N / 4; c++)); do
  f=$FLEET/clusters/lb$c.toml
  printf 'name = "lb%d"\nplatform = "linux"\n\n[software]\nkeepalived = "%s"\n\n[ha]\nmin_serving = 2\nmax_unavailable = 1\n' \
    "$c" "$version" >"$f"
  for ((m = 1; m <= 4; m++)); do
    printf '\n[[member]]\nname = "n%d"\nhost = "10.9.%d.%d"\n' "$m" "$c" "$m" >>"$f"
  done
done

echo "starting the sandbox: $N members" >&2
"$ROOT/tests/sandbox/start" "$FLEET" "$STATE" --no-ipv6 >/dev/null

# The same commands harc runs for each member: the linux platform's facts.
COMMANDS=$(python3 - "$ROOT/schemas/platforms/linux.toml" <<'PY'
import sys, tomllib
p = tomllib.load(open(sys.argv[1], "rb"))
print("; ".join(f["run"].replace("{component}", "keepalived") for f in p["facts"].values()))
PY
)
HOSTS=$TMP/hosts
awk '/^Host / && $2 != "*" { print $2 }' "$STATE/ssh_config" >"$HOSTS"
[ "$(wc -l <"$HOSTS")" -eq "$N" ] || { echo "bench_gather: expected $N hosts in ssh_config" >&2; exit 1; }
printf '[all]\n' >"$TMP/inventory"
cat "$HOSTS" >>"$TMP/inventory"

export ANSIBLE_HOST_KEY_CHECKING=False ANSIBLE_SSH_ARGS="-F $STATE/ssh_config" \
  ANSIBLE_FORKS=$N ANSIBLE_STDOUT_CALLBACK=minimal ANSIBLE_PYTHON_INTERPRETER=/usr/bin/python3

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
# time_of CMD...: wall seconds of one run (the command must succeed).
time_of() {
  /usr/bin/time -f '%e %M' -o "$TMP/time" "$@" >"$TMP/out" 2>"$TMP/err" ||
    { echo "bench_gather: failed: $*" >&2; tail -5 "$TMP/err" >&2; exit 1; }
  cat "$TMP/time"
}

harc_t=() ; harc_rss=() ; ans_t=() ; pssh_t=()
for ((r = 0; r < RUNS; r++)); do
  read -r t rss < <(time_of "$HARC" snapshot --repo "$STATE/fleet" --ssh-config "$STATE/ssh_config" \
                      --parallel 64 -o "$TMP/observed.json")
  harc_t+=("$t"); harc_rss+=("$rss")
  read -r t _ < <(time_of ansible all -i "$TMP/inventory" -m raw -a "$COMMANDS" -f "$N")
  ans_t+=("$t")
  read -r t _ < <(time_of parallel-ssh -h "$HOSTS" -p "$N" -t 60 -x "-F $STATE/ssh_config" "$COMMANDS")
  pssh_t+=("$t")
done
grep -q '"reachable": false' "$TMP/observed.json" && { echo "bench_gather: harc missed members" >&2; exit 1; }

h=$(printf '%s\n' "${harc_t[@]}" | median)
a=$(printf '%s\n' "${ans_t[@]}" | median)
p=$(printf '%s\n' "${pssh_t[@]}" | median)
rss=$(printf '%s\n' "${harc_rss[@]}" | sort -n | tail -1)
echo "gather $N members, median of $RUNS runs:"
printf '  harc snapshot         %6.2f s   peak RSS %.1f MiB (target < 100)\n' "$h" "$(echo "$rss / 1024" | bc -l)"
printf '  ansible -m raw -f %d %6.2f s   ratio %.1fx (target >= 5)\n' "$N" "$a" "$(echo "$a / $h" | bc -l)"
printf '  parallel-ssh -p %d   %6.2f s   ratio %.1fx (target >= 4)\n' "$N" "$p" "$(echo "$p / $h" | bc -l)"
