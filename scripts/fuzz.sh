#!/usr/bin/env bash
# Builds the plan reader's libFuzzer targets with clang, AddressSanitizer and UndefinedBehaviorSanitizer
# (engine only, no libtorch, CPU backend) and runs each for a bounded time, seeded with the checked-in
# plan corpus: plan_fuzzer mutates bytes, plan_struct_fuzzer mutates decoded plans (fields, counts,
# layer parameters, graph edges) and re-encodes them with valid CRCs. A crash leaves its input in
# build-fuzz/crashes/ and fails the script.
# Usage: scripts/fuzz.sh [seconds per fuzzer, default 30] [fuzzer ..., default both]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
shift || true
fuzzers=("$@")
[ ${#fuzzers[@]} -gt 0 ] || fuzzers=(plan_fuzzer plan_struct_fuzzer)
if ! command -v clang++ >/dev/null; then
  echo "fuzz.sh: clang++ not found (apt-get install clang); the plan fuzzers need libFuzzer" >&2
  exit 1
fi
# The same configuration as scripts/test.sh's sanitized build (one build-fuzz/ serves both).
cmake -S . -B build-fuzz -G Ninja -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DTORCHTRT_WITH_TORCH=OFF \
  -DTORCHTRT_CUDA=OFF -DTORCHTRT_SANITIZE=ON -DTORCHTRT_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only -DNDEBUG" -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only -DNDEBUG" >/dev/null
cmake --build build-fuzz --parallel "$(nproc)" --target "${fuzzers[@]}"
rm -rf build-fuzz/crashes && mkdir -p build-fuzz/crashes
for fuzzer in "${fuzzers[@]}"; do
  # libFuzzer writes new inputs into the first corpus directory: a scratch copy keeps the checked-in one clean.
  corpus=build-fuzz/corpus-$fuzzer
  rm -rf "$corpus" && mkdir -p "$corpus"
  cp tests/engine/plan_corpus/*.plan "$corpus/"
  echo "fuzz.sh: $fuzzer for ${seconds} s"
  # Reference CPU kernels: the oneDNN plugin's uninstrumented threads crash LeakSanitizer's tracer.
  TORCHTRT_CPU_KERNELS=reference ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 "./build-fuzz/tests/fuzz/$fuzzer" \
    -max_total_time="$seconds" -rss_limit_mb=4096 -malloc_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="build-fuzz/crashes/$fuzzer-" "$corpus" 2>&1 |
    grep -E "^#[0-9]+ *DONE|stat::number_of_executed_units|ERROR|SUMMARY|crash-|Done" || true
done
if ls build-fuzz/crashes/* >/dev/null 2>&1; then
  echo "fuzz.sh: a plan fuzzer found a failing input: $(ls build-fuzz/crashes/)" >&2
  exit 1
fi
echo "fuzz.sh: no crash in ${seconds} s per fuzzer (${fuzzers[*]})"
