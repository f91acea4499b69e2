#!/usr/bin/env bash
# The whole C++ test set under AddressSanitizer (with LeakSanitizer) and UndefinedBehaviorSanitizer:
# the engine suite (no libtorch) and the core suite (lowering, converters, partitioning, runtime;
# linked against the uninstrumented libtorch), CPU backend. CI runs the engine part on every
# submission (scripts/test.sh); this runs both (about 25 minutes on 2 cores, mostly compiling core).
# Usage: scripts/sanitize.sh
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh >/dev/null
cmake -S . -B build-asan-full -G Ninja -DPython3_EXECUTABLE="$PWD/.venv/bin/python" -DTORCHTRT_CUDA=OFF \
  -DTORCHTRT_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-asan-full --parallel "$(nproc)" --target engine_tests core_tests
export UBSAN_OPTIONS=print_stacktrace=1
# libtorch itself is not instrumented: its one-time registrations (operator tables, type
# singletons) are reported as leaks at exit; tests/sanitizer/lsan.supp lists those, by library.
export ASAN_OPTIONS=detect_leaks=1:detect_odr_violation=0
export LSAN_OPTIONS=suppressions=$PWD/tests/sanitizer/lsan.supp:print_suppressions=0
./build-asan-full/tests/engine/engine_tests --gtest_brief=1
./build-asan-full/tests/core/core_tests --gtest_brief=1
echo "sanitize.sh: engine and core suites clean under ASan + LSan + UBSan"
