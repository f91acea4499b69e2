#!/usr/bin/env bash
# The four-channel stem kernel on the GPU (after scripts/gpu-round.sh built and installed): the stems' layers of
# MobileNetV3-Large FP16 and ResNet-50 BF16 at batch 64 with their chosen tactics (profiles.txt), then issue 21's
# vision zoo in DTYPE for MODELS with the remaining time (scripts/round-vision-zoo.sh).
# Usage: TORCHTRT_ROUND_S=400 scripts/round-stem-kernel.sh bf16 "mobilenet_v3_large,resnet50"   (results in $OUT)
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-gpu-out}
mkdir -p "$OUT"
deadline=$(($(date +%s) + ${TORCHTRT_ROUND_S:-400}))
left() { echo $((deadline - $(date +%s))); }
# Variants 2-3 (the staged kernel) are timed by the builder only once the test has passed them on this GPU.
if build-gpu/tests/engine/engine_tests --gtest_brief=1 \
  --gtest_filter='CudaTactics.TheOwnFourChannelKernelMatchesTheCpuAndCudnn' > "$OUT/stem-test.txt" 2>&1; then
  export TORCHTRT_FEW_CHANNEL_VARIANTS=${TORCHTRT_FEW_CHANNEL_VARIANTS:-4}
  echo "four-channel test passed: timing ${TORCHTRT_FEW_CHANNEL_VARIANTS} variants"
else
  echo "four-channel test FAILED:"; tail -30 "$OUT/stem-test.txt"
fi
for spec in ${TORCHTRT_STEM_PROFILES:-mobilenet_v3_large:fp16 resnet50:bf16 mobilenet_v3_large:bf16}; do
  [ "$(left)" -gt 150 ] || break
  model=${spec%:*}
  dtype=${spec#*:}
  { echo "== $model b64 $dtype"
    timeout 60 python3 bench/profile_engine.py --model "$model" --batch 64 --precision "$dtype" --rows 6 --layers 4 2>&1 |
      grep -v -i warn | cut -c1-220; } >> "$OUT/profiles.txt"
done
grep -E "^==|GPU span|ms/call|^ +[0-9.]+ +[0-9.]+ +Convolution" "$OUT/profiles.txt" | head -30
# Nsight Compute's counters of the stem kernel's launch in one ResNet-50 BF16 batch-64 call (TORCHTRT_STEM_NCU=1):
# where its time goes (the first GPU run measured 418 us where its FLOPs and bytes bound it near 50 us).
if [ -n "${TORCHTRT_STEM_NCU:-}" ] && command -v ncu > /dev/null && [ "$(left)" -gt 100 ]; then
  timeout $(($(left) - 30)) ncu --clock-control none --nvtx --nvtx-include "engine-calls/" -k regex:fewChannelNhwc \
    -c 1 --section SpeedOfLight --section Occupancy --section LaunchStats --section WarpStateStats \
    --section MemoryWorkloadAnalysis --section ComputeWorkloadAnalysis --section SourceCounters \
    python3 bench/profile_engine.py --model resnet50 --batch 64 --precision bf16 --rows 1 2>&1 | grep -v -i warn |
    sed -n '/fewChannelNhwc/,$p' | cut -c1-170 | head -150
fi
[ "$(left)" -gt 120 ] && TORCHTRT_ROUND_S=$(($(left) - 5)) scripts/round-vision-zoo.sh "${1:-bf16}" "${2:-mobilenet_v3_large}"
