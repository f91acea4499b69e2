#!/usr/bin/env bash
# Builds the plan reader's libFuzzer target with clang, AddressSanitizer and UndefinedBehaviorSanitizer
# (engine only, no libtorch, CPU backend) and runs it for a bounded time, seeded with the checked-in
# plan corpus. A crash leaves its input in build-fuzz/crashes/ and fails the script.
# Usage: scripts/fuzz.sh [seconds, default 60]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
if ! command -v clang++ >/dev/null; then
  echo "fuzz.sh: clang++ not found (apt-get install clang); the plan fuzzer needs libFuzzer" >&2
  exit 1
fi
cmake -S . -B build-fuzz -G Ninja -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DTORCHTRT_WITH_TORCH=OFF \
  -DTORCHTRT_CUDA=OFF -DTORCHTRT_SANITIZE=ON -DTORCHTRT_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-fuzz --parallel "$(nproc)" --target plan_fuzzer
# libFuzzer writes new inputs into the first corpus directory: a scratch copy keeps the checked-in one clean.
rm -rf build-fuzz/corpus build-fuzz/crashes && mkdir -p build-fuzz/corpus build-fuzz/crashes
cp tests/engine/plan_corpus/*.plan build-fuzz/corpus/
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ./build-fuzz/tests/fuzz/plan_fuzzer \
  -max_total_time="$seconds" -rss_limit_mb=4096 -malloc_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix=build-fuzz/crashes/ build-fuzz/corpus 2>&1 | grep -E "^#[0-9]+ *DONE|stat::number_of_executed_units|ERROR|SUMMARY|crash-|Done" || true
if ls build-fuzz/crashes/* >/dev/null 2>&1; then
  echo "fuzz.sh: the plan fuzzer found a failing input: $(ls build-fuzz/crashes/)" >&2
  exit 1
fi
echo "fuzz.sh: no crash in ${seconds} s"
