#!/usr/bin/env bash
# The engine's C++ tests alone on the GPU machine (no libtorch, no Python package): the shortest device call that
# builds the CUDA backend (CUTLASS kernels included) and checks it, for a call short of device time. Carry .deps
# (scripts/gpu-check.sh says why). Usage: scripts/gpu-engine-check.sh [GoogleTest filter, default every test]
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-gpu-out}
mkdir -p "$OUT"
compilers=()
[ -x /usr/bin/g++ ] && compilers=(-DCMAKE_CXX_COMPILER=/usr/bin/g++ -DCMAKE_C_COMPILER=/usr/bin/gcc -DCMAKE_CUDA_HOST_COMPILER=/usr/bin/g++)
start=$(date +%s)
if ! cmake -S . -B build-gpu-engine -G Ninja -DTORCHTRT_WITH_TORCH=OFF -DTORCHTRT_CUDA=ON -DTORCHTRT_CUDA_ARCHS=90 \
  -DPython3_EXECUTABLE="$(command -v python3)" "${compilers[@]}" > "$OUT/configure.log" 2>&1; then
  tail -20 "$OUT/configure.log"
  exit 1
fi
grep -i "cutlass\|cudnn" "$OUT/configure.log" | head -4
if ! cmake --build build-gpu-engine --parallel "$(nproc)" --target engine_tests > "$OUT/build.log" 2>&1; then
  grep -m 20 -i "error" "$OUT/build.log"
  exit 1
fi
echo "configure + build: $(($(date +%s) - start)) s"
./build-gpu-engine/tests/engine/engine_tests --gtest_brief=1 --gtest_filter="${1:-*}" 2>&1 | grep -v "^\[trt\]" | tail -40
