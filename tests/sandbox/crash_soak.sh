#!/usr/bin/env bash
# Crash soak, by hand (not in ctest: it takes about half an hour): SIGKILLs
# `harc apply` at KILLS random moments and checks, after every one, that a
# re-run converges the fleet with no outage, no completed action sent twice,
# every setting restored, and that it names what the killed run was doing
# on each cluster it goes on with (crash_lib.sh).
#
# Each iteration starts a fresh sandbox one version behind, applies one
# cluster (each built-in strategy) or the whole fleet, and kills harc after a
# random delay within that target's clean apply time (measured first). One
# re-run in four is itself killed at a random moment before the last one.
#
#   tests/sandbox/crash_soak.sh [--kills N] [--seed S] HARC_SIM REPO_ROOT HARC
#
# Prints a summary; exits 1 if any iteration failed (its files are kept and
# named).
set -uo pipefail
KILLS=100
SEED=$$
while [[ $# -gt 3 ]]; do
  case $1 in
    --kills) KILLS=$2; shift 2 ;;
    --seed) SEED=$2; shift 2 ;;
    *) echo "usage: crash_soak.sh [--kills N] [--seed S] HARC_SIM REPO_ROOT HARC" >&2; exit 1 ;;
  esac
done
SIM=$(realpath "$1")
ROOT=$(realpath "$2")
HARC=$(realpath "$3")
WORK=$(mktemp -d /tmp/harc-crash-soak.XXXXXX)
source "$ROOT/tests/sandbox/crash_lib.sh"
trap 'crash_cleanup' EXIT
RANDOM=$SEED

TARGETS=(fleet fw-dc gw-east gw-lab lb-edge pcmk-db sg-billing tms-core)
declare -A CLEAN_MS KILLED_IN
kills=0 iterations=0 converged=0 outages=0 repeated=0 unrestored=0 unreported=0 missed=0
failed=()
t_start=$SECONDS

now_ms() { date +%s%3N; }
# A random integer in [0, n).
random_below() { echo $(((RANDOM * 32768 + RANDOM) % $1)); }
cluster_args() { [[ $1 == fleet ]] || echo "--cluster $1"; }

# sleep_or_end MS: sleeps MS while harc runs; false when harc ended first.
sleep_or_end() {
  local until=$(($(now_ms) + $1))
  while (($(now_ms) < until)); do
    kill -0 "$APPLY_PID" 2>/dev/null || return 1
    sleep 0.01
  done
  kill -0 "$APPLY_PID" 2>/dev/null
}

# The clean apply time of each target, on its own sandbox.
calibrate() {
  local t t0
  for t in "${TARGETS[@]}"; do
    SCENARIO=calibrate-$t
    sandbox_up "$SCENARIO"
    t0=$(now_ms)
    "$HARC" apply --repo "$STATE/fleet" --auto-approve $(cluster_args "$t") >"$WORK/$SCENARIO.out" 2>&1 ||
      fail "a clean apply of $t failed: $(tail -n 20 "$WORK/$SCENARIO.out")"
    CLEAN_MS[$t]=$(($(now_ms) - t0))
    sandbox_down
    rm -rf "$STATE" "$STATE.start"
    echo "calibrated $t: ${CLEAN_MS[$t]}ms"
  done
}

# Clusters the re-run in file $1 worked on, and those it reported as
# interrupted by a killed run.
worked() { sed -n 's/^[0-9TZ:-]* \([a-z0-9-]*\): step [0-9].*/\1/p' "$1" | sort -u; }
reported() {
  sed -n -E 's/^[0-9TZ:-]* ([a-z0-9-]*): (run [0-9]+ .* was interrupted at step|took over the lease).*/\1/p' "$1" |
    sort -u
}

# One iteration: a kill (or two), the re-run, the checks.
iterate() {
  local target=${TARGETS[$(random_below ${#TARGETS[@]})]}
  iterations=$((iterations + 1))
  SCENARIO=$(printf 'i%03d-%s' "$iterations" "$target")
  sandbox_up "$SCENARIO"
  local args
  args=$(cluster_args "$target")
  local attempt=0 delay
  while :; do
    start_apply $args
    delay=$(random_below "${CLEAN_MS[$target]}")
    if sleep_or_end "$delay"; then
      kill_apply
      kills=$((kills + 1))
      KILLED_IN[$target]=$((${KILLED_IN[$target]:-0} + 1))
      ((attempt == 0 && RANDOM % 4 == 0 && kills < KILLS)) || break
      attempt=1  # kill the re-run too
    else
      wait "$APPLY_PID" 2>/dev/null
      APPLY_PID=""
      missed=$((missed + 1))
      [[ $attempt -eq 1 ]] && break  # the re-run finished: the final one below finds nothing
      sandbox_down  # it converged before the kill: start over
      rm -rf "$STATE" "$STATE.start"
      sandbox_up "$SCENARIO"
    fi
  done
  local out=$WORK/$SCENARIO.rerun.out rc=0 problems=""
  "$HARC" apply --repo "$STATE/fleet" --auto-approve $args >"$out" 2>&1 || rc=$?
  [[ $rc -eq 0 ]] && converged=$((converged + 1)) || problems+="the re-run exited $rc; "
  local why
  why=$(check_converged $args) || problems+="$why; "
  "$SIM" audit --state "$STATE" >/dev/null 2>&1 || outages=$((outages + 1))
  [[ -z $(repeated_actions) ]] || repeated=$((repeated + 1))
  diff -q <(echo "$SETTINGS_BEFORE") <(settings) >/dev/null || unrestored=$((unrestored + 1))
  # Clusters a killed run had begun that the re-run went on with without
  # saying what the killed run was doing there.
  local touched silent
  touched=$(jsql "SELECT DISTINCT cluster FROM steps WHERE run_id < (SELECT max(id) FROM runs)
                  ORDER BY cluster")
  silent=$(comm -23 <(comm -12 <(worked "$out") <(echo "$touched")) <(reported "$out") |
           tr '\n' ' ')
  if [[ -n $silent ]]; then
    unreported=$((unreported + 1))
    problems+="not reported: $silent; "
  fi
  sandbox_down
  if [[ -n $problems ]]; then
    failed+=("$SCENARIO: $problems(files: $STATE, $out)")
    echo "FAIL $SCENARIO: $problems" >&2
  else
    rm -rf "$STATE" "$STATE.start" "$WORK/$SCENARIO".*
  fi
  printf '%s: %d kills so far, %ds\n' "$SCENARIO" "$kills" $((SECONDS - t_start))
}

calibrate
while ((kills < KILLS)); do iterate; done

elapsed=$((SECONDS - t_start))
echo
echo "crash soak: $kills kills in $iterations iterations (seed $SEED), $((elapsed / 60))m$((elapsed % 60))s"
echo "  converged:          $converged/$iterations"
echo "  outages:            $outages"
echo "  repeated actions:   $repeated"
echo "  settings lost:      $unrestored"
echo "  unreported resumes: $unreported"
echo "  runs that finished before their kill (retried): $missed"
printf '  kills by target:   '
for t in "${TARGETS[@]}"; do printf ' %s %d' "$t" "${KILLED_IN[$t]:-0}"; done
echo
if [[ ${#failed[@]} -gt 0 ]]; then
  printf '  failed: %s\n' "${failed[@]}"
  exit 1
fi
rm -rf "$WORK"
