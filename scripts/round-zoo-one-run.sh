#!/usr/bin/env bash
# Issue 21's vision zoo in every dtype as ONE run: back-to-back device calls on one machine, each resuming where the
# last stopped. The finished cases live on the machine (build-gpu/zoo-one-run/rows.jsonl, kept while it stays warm;
# a fresh machine starts the run again), each row naming its GPU's UUID and host, and every call reports the whole
# table so far ($OUT/zoo-DTYPE.md). Repeat the same command until it prints "run complete"; the call that completes it
# (or the next) profiles the three slowest ratios beside torch.compile's kernels ($OUT/slowest-profiles.txt).
# Usage: TORCHTRT_ROUND_S=580 [TORCHTRT_ONE_RUN_SUITES=1] scripts/round-zoo-one-run.sh "fp16 bf16" vision
#   (a fresh machine builds and installs first, ~230 s; then ~15 s a case, and the peers' warming ~70 s a batch of 12)
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-gpu-out}
mkdir -p "$OUT"
dtypes=${1:-fp16 bf16}
models=${2:-vision}
deadline=$(($(date +%s) + ${TORCHTRT_ROUND_S:-580}))
left() { echo $((deadline - $(date +%s))); }
# On a fresh machine with TORCHTRT_ONE_RUN_SUITES=1: the build with every C++ suite run on the GPU (ctest, ~3 min
# more) and the Python files in TORCHTRT_PYTEST_ARGS (default tests/py/test_fp8.py), issue 21's "all suites pass
# with the CUDA backend" in the same run; else the package alone.
if [ -n "${TORCHTRT_ONE_RUN_SUITES:-}" ] && ! python3 -c "import torch_tensorrt" 2> /dev/null; then
  TORCHTRT_SKIP_BENCH=1 TORCHTRT_SKIP_DEMO=1 TORCHTRT_PYTEST_ARGS="${TORCHTRT_PYTEST_ARGS:-tests/py/test_fp8.py}" \
    timeout $(($(left) - 120)) scripts/gpu-check.sh > "$OUT/check.txt" 2>&1
  tail -12 "$OUT/check.txt"
fi
scripts/gpu-install-if-missing.sh $(($(left) - 120))
rows=build-gpu/zoo-one-run/rows.jsonl
mkdir -p "$(dirname "$rows")"
for dtype in $dtypes; do
  [ "$(left)" -gt 90 ] || break
  timeout $(($(left) - 10)) python3 bench/perf_zoo.py --models "$models" --dtype "$dtype" --warm-peers 12 \
    --rows-file "$rows" --budget-s $(($(left) - 30)) --reserve-s 40 ${TORCHTRT_ZOO_ARGS:-} \
    --out "$OUT/zoo-$dtype.md" > "$OUT/zoo-$dtype.log" 2>&1
done
# Whether every case of every dtype is in the rows file (a model of the list counts its two batches).
python3 - "$rows" "$models" $dtypes <<'PY'
import sys
sys.path.insert(0, "bench")
import perf_zoo
path, models, dtypes = sys.argv[1], sys.argv[2], sys.argv[3:]
names = perf_zoo.model_names(models)
want = {(d, n, b) for d in dtypes for n in names for b in (1, perf_zoo.MODELS[n].large_batch)}
have = set()
for d in dtypes:
    have |= {(d, r["model"], r["batch"]) for r in perf_zoo.read_rows(path, d)}
missing = sorted(want - have)
print("run complete" if not missing else f"{len(missing)} of {len(want)} cases left, first {missing[0]}")
# Once complete, the three slowest ratios (issue 21 asks their profiles), for the step below.
if not missing:
    rows = [r for d in dtypes for r in perf_zoo.read_rows(path, d) if r.get("ratio") == r.get("ratio") and "ratio" in r]
    with open(path + ".slowest", "w") as f:
        for r in sorted(rows, key=lambda r: r["ratio"])[:3]:
            f.write(f"{r['model']} {r['batch']} {r['dtype']} {r['ratio']:.2f}\n")
PY
# The slowest three cases' kernels beside torch.compile's (bench/profile_engine.py --peer), while time is left;
# written once (a later call of a complete run does not profile again).
if [ -f "$rows.slowest" ] && [ ! -f build-gpu/zoo-one-run/profiled ]; then
  while read -r model batch dtype ratio; do
    [ "$(left)" -gt 60 ] || break
    { echo "== $model batch $batch $dtype (ratio $ratio)"
      timeout $(($(left) - 10)) python3 bench/profile_engine.py --model "$model" --batch "$batch" --precision "$dtype" \
        --rows 15 --peer 2>&1 | grep -v -i warn | cut -c1-200; } >> "$OUT/slowest-profiles.txt"
  done < "$rows.slowest"
  [ "$(left)" -gt 0 ] && cp "$OUT/slowest-profiles.txt" build-gpu/zoo-one-run/profiled 2> /dev/null
fi
for dtype in $dtypes; do
  [ -f "$OUT/zoo-$dtype.md" ] && grep -E "^\| [a-z]|cases compared|machine" "$OUT/zoo-$dtype.md" | cut -c1-160
done
