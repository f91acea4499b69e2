#!/usr/bin/env bash
# Run on the GPU machine (through the device tool): builds and installs with CUDA when needed, then
# runs the benchmark (bench/bench_models.py) and profiles the FP16 batch-64 engines; results in $OUT.
# Usage: scripts/gpu-bench.sh [extra bench_models.py arguments]
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-gpu-out}
mkdir -p "$OUT"
PY=${TORCHTRT_PYTHON:-python3}
compilers=()
[ -x /usr/bin/g++ ] && compilers=(-DCMAKE_CXX_COMPILER=/usr/bin/g++ -DCMAKE_C_COMPILER=/usr/bin/gcc -DCMAKE_CUDA_HOST_COMPILER=/usr/bin/g++)
if ! { cmake -S . -B build-gpu -G Ninja -DPython3_EXECUTABLE="$(command -v $PY)" -DTORCHTRT_CUDA=ON "${compilers[@]}" &&
       cmake --build build-gpu --parallel "$(nproc)" &&
       TORCHTRT_BUILD_DIR=build-gpu $PY -m pip install --no-build-isolation --no-deps --no-index -q .; } > "$OUT/build.log" 2>&1; then
  tail -30 "$OUT/build.log"
  exit 1
fi
$PY bench/bench_models.py --out "$OUT/bench.md" "$@" 2>&1 | grep -v -i warn > "$OUT/bench.log"
grep "^|" "$OUT/bench.md"
for model in resnet50 bert; do
  (cd bench && timeout 120 $PY profile_engine.py --model $model --batch 64 --precision fp16 --rows 14 2>&1 |
     grep -v -i warn | cut -c1-100,170-200 > "$OUT/prof-$model-64-fp16.txt")
done
