#!/usr/bin/env bash
# One round of GPU work in one device call (a call may take 10 minutes): scripts/gpu-check.sh (build
# with CUDA, every C++ suite, the Python files in TORCHTRT_PYTEST_ARGS), then perf-zoo cases with their
# peers and engine profiles, each started only while the round's deadline leaves room. Results in $OUT.
# Usage: TORCHTRT_PYTEST_ARGS="tests/py/test_x.py ..." scripts/gpu-round.sh "MODEL,MODEL" "MODEL:BATCH ..."
#   TORCHTRT_ROUND_S  seconds the whole round may take (default 560)
#   TORCHTRT_ZOO_ARGS more bench/perf_zoo.py arguments (e.g. "--batches 32")
#   TORCHTRT_ROUND_CMD one more command after the suites (e.g. "python3 bench/profiler_coverage.py")
#   TORCHTRT_PROFILE_ARGS more bench/profile_engine.py arguments for the profiles (e.g. "--layers 20")
# The GPU machine lacks the header-only libraries: carry .deps (see scripts/gpu-check.sh).
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-gpu-out}
export OUT
mkdir -p "$OUT"
round=${TORCHTRT_ROUND_S:-560}
deadline=$(($(date +%s) + round))
left() { echo $((deadline - $(date +%s))); }
# The benchmarks get the last 200 s of the round, or a third of a shorter round (a build and install need ~200 s).
reserve=$((round / 3 < 200 ? round / 3 : 200))
TORCHTRT_SKIP_BENCH=1 TORCHTRT_SKIP_DEMO=1 timeout $(($(left) - reserve)) scripts/gpu-check.sh > "$OUT/check.txt" 2>&1
tail -25 "$OUT/check.txt"
# TORCHTRT_ROUND_CMD: one more command (a benchmark script) run after the suites, output in extra.txt.
# It leaves 120 s to the zoo and the profiles when the round has them, else 10 s.
after=$([ -n "${1:-}${2:-}" ] && echo 120 || echo 10)
if [ -n "${TORCHTRT_ROUND_CMD:-}" ] && [ "$(left)" -gt $((after + 30)) ]; then
  # The command's own deadline (TORCHTRT_ROUND_S) ends before this timeout: killing bash would leave its children
  # (a benchmark under a timeout of its own) running beside what follows.
  TORCHTRT_ROUND_S=$(($(left) - after - 10)) timeout $(($(left) - after)) bash -c "$TORCHTRT_ROUND_CMD" \
    > "$OUT/extra.txt" 2>&1
  grep -v -i warn "$OUT/extra.txt" | tail -20
fi
models=${1:-}
if [ -n "$models" ] && [ "$(left)" -gt 100 ]; then
  timeout $(($(left) - 40)) python3 bench/perf_zoo.py --models "$models" --budget-s $(($(left) - 60)) ${TORCHTRT_ZOO_ARGS:-} \
    --out "$OUT/zoo.md" > "$OUT/zoo.log" 2>&1
  grep "^|" "$OUT/zoo.md" 2>/dev/null || tail -5 "$OUT/zoo.log"
fi
for spec in ${2:-}; do
  [ "$(left)" -gt 45 ] || break
  model=${spec%:*}
  batch=${spec#*:}
  timeout $(($(left) - 5)) python3 bench/profile_engine.py --model "$model" --batch "$batch" --rows 12 ${TORCHTRT_PROFILE_ARGS:-} \
    > "$OUT/prof.txt" 2>&1
  { echo "== $model batch $batch"; grep -v -i warn "$OUT/prof.txt" | cut -c1-200; } >> "$OUT/profiles.txt"
  grep -v -i warn "$OUT/prof.txt" | cut -c1-160 | head -60
  rm -f "$OUT/prof.txt"
done
# At most 8 files come back from the device machine: the steps' logs that only matter on failure go
# (their tails are in check.txt), the rest stay.
for f in configure install build; do
  grep -q "^$f: pass" "$OUT/gpu-summary.txt" 2>/dev/null && rm -f "$OUT/$f.log"
done
