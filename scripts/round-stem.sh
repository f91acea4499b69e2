#!/usr/bin/env bash
# The few-channel padding's round (TORCHTRT_ROUND_CMD after the suites): ResNet-50 FP16 at batch 64 and 1 beside
# torch.compile reduce-overhead, INT8 at batch 64 against its own FP16 engine, then the FP16 engine's stem kernels at
# batch 64 (cuDNN's nhwcAddPaddingKernel gone, the transpose writing 4 channels). Results in $OUT.
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-gpu-out}
python3 bench/perf_zoo.py --models resnet50 --batches 64,1 --out "$OUT/r50.md" > /dev/null 2>&1
grep "^| resnet" "$OUT/r50.md" | cut -c1-200
echo "== INT8 batch 64"
python3 bench/perf_zoo.py --models resnet50 --batches 64 --dtype int8 --no-peer --out "$OUT/r50-int8.md" > /dev/null 2>&1
grep "^| resnet" "$OUT/r50-int8.md" | cut -c1-220
echo "== FP16 batch 64 kernels"
python3 bench/profile_engine.py --model resnet50 --batch 64 --rows 30 2>&1 | grep -v -i warn > "$OUT/r50-profile.txt"
grep -E "GPU span|first_layer|Padding|fewChannels|maxPool" "$OUT/r50-profile.txt" | sed -E 's/ {2,}/ /g' | cut -c1-230
echo "== BERT-base b64: latency beside the GPU time of its kernels (the host's share)"
python3 bench/latency_gap.py --models bert_base --batches 64 --kernels 4 2>&1 | grep -v -i warn | tail -8 | cut -c1-200
