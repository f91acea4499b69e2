#!/usr/bin/env bash
# Every test: engine and core C++ suites (GoogleTest via ctest), then the Python suites.
set -euo pipefail
cd "$(dirname "$0")/.."
# The tests need the CUDA kernels only for the GPU they run on: compile for that one ("native"), or,
# on a machine without a GPU (CI), for the GPU machine's sm_90 alone, which proves they compile. A
# quarter of the CUDA compile work of the package's default (sm_80, sm_89, sm_90 + PTX).
if [ -z "${TORCHTRT_CUDA_ARCHS:-}" ]; then
  if nvidia-smi -L >/dev/null 2>&1; then export TORCHTRT_CUDA_ARCHS=native; else export TORCHTRT_CUDA_ARCHS=90; fi
fi
# Without a GPU the CUTLASS sm_90a kernels are left out: nothing here runs them, and they are 45% of the build's
# compile work (~15 CPU minutes, ~8 minutes of a 2-core CI machine); the GPU machine's check (scripts/gpu-check.sh)
# and the package build compile them. TORCHTRT_CUTLASS=ON compiles them here too.
if [ -z "${TORCHTRT_CUTLASS:-}" ] && ! nvidia-smi -L >/dev/null 2>&1; then export TORCHTRT_CUTLASS=OFF; fi
# Each step's start, in seconds since this script began: where CI's time goes.
started=$(date +%s)
step() { echo "== $* (at $(($(date +%s) - started)) s)"; }
./scripts/setup.sh
step "building C++ tests"
cmake --build build --parallel "$(nproc)"
step "C++ tests"
# Each suite's binary runs all its tests in one process, the suites side by side: ctest would start one process a
# test (about 850, two minutes of CI's two cores, most of it loading libtorch), ~15 s this way. ctest still runs the
# entries labelled "rerun" (a suite again under another environment, tests/engine/CMakeLists.txt); `cd build &&
# ctest` runs everything one test a process, as the GPU machine's check does.
suites=(tests/engine/engine_tests tests/core/core_tests tests/cli/cli_tests)
pids=()
for suite in "${suites[@]}"; do
  (cd build && "./$suite" --gtest_brief=1 > "$suite.log" 2>&1) &
  pids+=($!)
done
failed=0
for i in "${!suites[@]}"; do
  if wait "${pids[$i]}"; then tail -2 "build/${suites[$i]}.log"; else cat "build/${suites[$i]}.log"; failed=1; fi
done
[ "$failed" -eq 0 ] || { echo "a C++ suite failed (its log above)"; exit 1; }
(cd build && ctest --output-on-failure -j "$(nproc)" -L rerun)
step "engine tests under AddressSanitizer + UndefinedBehaviorSanitizer (engine only: fast, no libtorch)"
# Built in the plan fuzzers' folder (clang, ASan + UBSan, libFuzzer's coverage): one sanitized build
# of the engine serves both steps. -O1 with line tables only (enough for the sanitizers' stack traces): a quarter
# less compile time than RelWithDebInfo's -O2 -g (builder_plan_test.cpp 14 s instead of 19).
cmake -S . -B build-fuzz -G Ninja -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DTORCHTRT_WITH_TORCH=OFF \
  -DTORCHTRT_CUDA=OFF -DTORCHTRT_SANITIZE=ON -DTORCHTRT_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only -DNDEBUG" -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only -DNDEBUG" >/dev/null
cmake --build build-fuzz --parallel "$(nproc)" --target engine_tests
# The reference CPU kernels with LeakSanitizer on; the oneDNN kernels' own tests with it off: libdnnl
# (not instrumented) starts OpenMP threads that crash LeakSanitizer's thread tracer at exit ("Tracer
# caught signal 11"), whatever leaked or not.
TORCHTRT_CPU_KERNELS=reference ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ./build-fuzz/tests/engine/engine_tests --gtest_brief=1 --gtest_filter='-CpuFastKernels*'
ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=print_stacktrace=1 \
  ./build-fuzz/tests/engine/engine_tests --gtest_brief=1 --gtest_filter='CpuFastKernels*'
step "plan reader under libFuzzer (coverage-guided, ASan + UBSan: byte and structure-aware, ${TORCHTRT_FUZZ_SECONDS:-30} s each)"
./scripts/fuzz.sh "${TORCHTRT_FUZZ_SECONDS:-30}"
step "Python tests"
# On TORCHTRT_PYTEST_WORKERS processes (pytest-xdist, default 2: a third less wall time on CI's 2 cores,
# each test still on the machine's threads); the slowest tests are listed at the end (--durations): what
# to trim when CI grows.
# The oneDNN plugin is part of this set-up: a build without it fails its tests instead of skipping them.
TORCHTRT_REQUIRE_ONEDNN=1 .venv/bin/python -m pytest -q -n "${TORCHTRT_PYTEST_WORKERS:-2}" --durations=15
step "every test passed"
