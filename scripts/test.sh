#!/usr/bin/env bash
# Every test: engine and core C++ suites (GoogleTest via ctest), then the Python suites.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
echo "== building C++ tests"
cmake --build build --parallel "$(nproc)"
echo "== C++ tests"
(cd build && ctest --output-on-failure -j "$(nproc)")
echo "== engine tests under AddressSanitizer + UndefinedBehaviorSanitizer (engine only: fast, no libtorch)"
cmake -S . -B build-asan -G Ninja -DTORCHTRT_WITH_TORCH=OFF -DTORCHTRT_CUDA=OFF -DTORCHTRT_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-asan --parallel "$(nproc)" --target engine_tests
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ./build-asan/tests/engine/engine_tests --gtest_brief=1
echo "== plan reader under libFuzzer (coverage-guided, ASan + UBSan, ${TORCHTRT_FUZZ_SECONDS:-60} s)"
./scripts/fuzz.sh "${TORCHTRT_FUZZ_SECONDS:-60}"
echo "== Python tests"
.venv/bin/python -m pytest -q
