#!/usr/bin/env bash
# Run on the GPU machine (through the device tool): builds with CUDA on, runs every C++ and
# Python suite and the demo, and writes logs plus a summary to ${OUT:-gpu-out}.
# Usage: scripts/gpu-check.sh
#   TORCHTRT_PYTEST_ARGS="tests/py/test_int8.py"  run only these Python tests (default: all)
#   TORCHTRT_PYTEST_K="cuda or not zoo"             a -k expression for them (spaces kept)
#   TORCHTRT_BENCH_ARGS="--models resnet50"        arguments for the benchmark step
#   TORCHTRT_SKIP_BENCH=1                          no benchmark (the full pytest run takes ~8 min)
#   TORCHTRT_SKIP_CTEST=1                          no C++ tests, not even built (test_converter_coverage skips)
#   TORCHTRT_CTEST_ARGS="-R Cuda"                  more ctest arguments (a subset when device time is short; they pass
#                                                  through bash -c: quote a regex with | inside, or use the next one)
#   TORCHTRT_CTEST_REGEX="CudaBackend|Casts"       the tests to run, as ctest -R's regex (no quoting needed)
#   TORCHTRT_SKIP_DEMO=1                           no demo
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-gpu-out}
mkdir -p "$OUT"
PY=${TORCHTRT_PYTHON:-python3}
export TORCHTRT_JOBS=$(nproc)
# This machine's GPU only (sm_90): a third of the CUDA compile time of the package's default set.
export TORCHTRT_CUDA_ARCHS=${TORCHTRT_CUDA_ARCHS:-90}
# Header-only libraries the GPU machine lacks are carried in .deps/ by the caller (run.carry); scripts/gpu-deps.sh
# makes .deps and .gpu-pydeps at once, as these lines do:
#   mkdir -p .deps/CLI11/include .deps/nlohmann/include .deps/zlib/include
#   cp -r /usr/include/CLI .deps/CLI11/include/ && cp -r /usr/include/nlohmann .deps/nlohmann/include/
#   cp /usr/include/zlib.h /usr/include/zconf.h .deps/zlib/include/
#   cudnn frontend: cp -r .venv/lib/python3.11/site-packages/include .deps/cudnn_frontend/include
#   CUTLASS: mkdir -p .deps/cutlass && cp -r .venv/lib/python3.11/site-packages/cutlass_library/source/include .deps/cutlass/
#     mkdir -p .deps/cutlass/tools/util && cp -r .venv/lib/python3.11/site-packages/cutlass_library/source/tools/util/include .deps/cutlass/tools/util/
summary="$OUT/gpu-summary.txt"
{
  echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "device: $(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null | head -1)"
  echo "python: $($PY --version 2>&1), torch: $($PY -c 'import torch; print(torch.__version__, torch.cuda.is_available())')"
} > "$summary"
status=0
step() {  # step NAME COMMAND...
  local name=$1; shift
  local start=$(date +%s)
  if "$@" > "$OUT/$name.log" 2>&1; then r=pass; else r=FAIL; status=1; fi
  echo "$name: $r ($(( $(date +%s) - start )) s) $(grep -E '^\[  PASSED|tests? passed|passed|failed' "$OUT/$name.log" | tail -1)" >> "$summary"
}
# The distribution's compiler, whose libstdc++ is the one libtorch uses (the image also has a
# gcc in /opt/gcc whose runtime got linked statically and clashed with torch's at run time).
compilers=()
[ -x /usr/bin/g++ ] && compilers=(-DCMAKE_CXX_COMPILER=/usr/bin/g++ -DCMAKE_C_COMPILER=/usr/bin/gcc -DCMAKE_CUDA_HOST_COMPILER=/usr/bin/g++)
# Without the C++ suites (TORCHTRT_SKIP_CTEST) their binaries are not built either: a minute of a fresh machine's build.
tests=(-DTORCHTRT_TESTS=ON)
[ -z "${TORCHTRT_SKIP_CTEST:-}" ] || tests=(-DTORCHTRT_TESTS=OFF)
step configure cmake -S . -B build-gpu -G Ninja -DPython3_EXECUTABLE="$(command -v $PY)" -DTORCHTRT_CUDA=ON "${tests[@]}" "${compilers[@]}"
step build cmake --build build-gpu --parallel "$(nproc)"
# The build's slowest targets (seconds each): with every core busy, the longest one bounds the build's wall time.
echo "slowest build targets: $(awk -F'\t' '!/^#/ {printf "%d %s\n", ($2 - $1) / 1000, $4}' build-gpu/.ninja_log 2>/dev/null |
  sort -rn | head -5 | sed -E 's| [^ ]*/| |; s|\.o$||' | paste -sd, -)" >> "$summary"
# CUTLASS kernels whose registers spill (engine/CMakeLists.txt asks ptxas to warn): each is a slow configuration.
echo "register spills: $(grep -c 'Registers are spilled' "$OUT/build.log" 2>/dev/null) kernels" >> "$summary"
ctest_regex=()
[ -z "${TORCHTRT_CTEST_REGEX:-}" ] || ctest_regex=(-R "$TORCHTRT_CTEST_REGEX")
[ -n "${TORCHTRT_SKIP_CTEST:-}" ] || step ctest bash -c "cd build-gpu && ctest --output-on-failure --timeout 150 -j $(nproc) ${TORCHTRT_CTEST_ARGS:-} \"\$@\"" ctest "${ctest_regex[@]}"
step install env TORCHTRT_BUILD_DIR=build-gpu $PY -m pip install --no-build-isolation --no-deps --no-index .
pytest_k=()
[ -z "${TORCHTRT_PYTEST_K:-}" ] || pytest_k=(-k "$TORCHTRT_PYTEST_K")
# TORCHTRT_PYTEST_WORKERS=N spreads the files over N pytest-xdist workers (the GPU machine lacks xdist:
# run scripts/gpu-pydeps.sh here and carry .gpu-pydeps); -rfE names every failure at the end.
workers=()
if [ -n "${TORCHTRT_PYTEST_WORKERS:-}" ]; then
  workers=(-n "$TORCHTRT_PYTEST_WORKERS")
  # Each worker's torch and OpenMP take every core by default: 15 workers x 16 threads on 16 cores made
  # CPU-heavy tests (INT8 calibration's training, torchtrtc's compiles) ten times slower. A share each.
  export OMP_NUM_THREADS=${OMP_NUM_THREADS:-$(( $(nproc) / TORCHTRT_PYTEST_WORKERS > 0 ? $(nproc) / TORCHTRT_PYTEST_WORKERS : 1 ))}
fi
[ ! -d .gpu-pydeps ] || export PYTHONPATH="$PWD/.gpu-pydeps${PYTHONPATH:+:$PYTHONPATH}"  # scripts/gpu-pydeps.sh
step pytest env TORCHTRT_BUILD_DIR=build-gpu $PY -m pytest -q -rfE -p no:cacheprovider "${workers[@]}" ${TORCHTRT_PYTEST_ARGS:-} "${pytest_k[@]}"
[ -n "${TORCHTRT_SKIP_DEMO:-}" ] || step demo $PY demo/resnet18_demo.py
[ -n "${TORCHTRT_SKIP_BENCH:-}" ] || step bench $PY bench/bench_models.py --out "$OUT/bench.md" ${TORCHTRT_BENCH_ARGS:-}
cat "$summary"
# Failures on stdout too: only a few files come back from the device machine.
grep -hE "^(FAILED|ERROR) |The following tests FAILED|\(Failed\)" "$OUT"/*.log 2>/dev/null | head -40
exit $status
