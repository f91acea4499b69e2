#!/usr/bin/env bash
# BERT-base and ResNet-50 as one GPU round's extra command (TORCHTRT_ROUND_CMD), most wanted first: BERT-base FP16
# batch 64 beside torch.compile reduce-overhead (with its FFN up-projection's timed candidates and cuDNN's SDPA plans'
# timings), ResNet-50 FP16 batch 64 beside the peer, the FP8 BERT engine (its FFN candidates), batch 1 beside the
# peer, the engine with cuBLASLt limited to kernels needing no workspace (TORCHTRT_LT_WORKSPACE_BYTES=0: no memset
# before a product in the captured graph), then the GPU's idle time between kernels of the FP16 and FP8 engines.
# Results in $OUT.
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-gpu-out}
TORCHTRT_LOG_PRODUCT_TACTICS=1 TORCHTRT_LOG_ATTENTION_TACTICS=1 python3 bench/perf_zoo.py --models bert_base \
  --batches 64 --out "$OUT/b64.md" 2>&1 | grep -E "intermediate.dense|attention tactic" | sed "s/.*, tactic/tactic/" |
  head -24
grep "^|" "$OUT/b64.md"
echo "== ResNet-50 batch 64"
python3 bench/perf_zoo.py --models resnet50 --batches 64 --out "$OUT/r50.md" > /dev/null 2>&1
grep "^| resnet" "$OUT/r50.md"
echo "== FP8 (percentile calibration), the FFN up-projection's candidates"
TORCHTRT_LOG_PRODUCT_TACTICS=1 python3 bench/perf_zoo.py --models bert_base --batches 64 --dtype fp8 --no-peer \
  --out "$OUT/b64-fp8.md" 2>&1 | grep -E "intermediate.dense" | sed "s/.*, tactic/tactic/" | head -20
grep "^| bert" "$OUT/b64-fp8.md"
echo "== batch 1"
python3 bench/perf_zoo.py --models bert_base --batches 1 --out "$OUT/b1.md" > /dev/null 2>&1
grep "^| bert" "$OUT/b1.md"
TORCHTRT_LT_WORKSPACE_BYTES=0 python3 bench/perf_zoo.py --models bert_base --batches 64 --no-peer \
  --out "$OUT/b64-ws0.md" > /dev/null 2>&1
echo "== cuBLASLt without workspace"; grep "^| bert" "$OUT/b64-ws0.md"
echo "== profile"
python3 bench/profile_engine.py --model bert_base --batch 64 --rows 14 2>&1 | grep -v -i warn |
  grep -A16 "us a call"
echo "== FP8 profile (session 37: 84 memsets a call, one before each FP8 product and each attention)"
python3 bench/profile_engine.py --model bert_base --batch 64 --precision fp8 --rows 10 2>&1 | grep -v -i warn |
  grep -A12 "us a call"
echo "== ResNet-50 batch 64 profile"
python3 bench/profile_engine.py --model resnet50 --batch 64 --rows 12 2>&1 | grep -v -i warn |
  grep -A14 "us a call"
