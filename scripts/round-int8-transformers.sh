#!/usr/bin/env bash
# A follow-up call on a machine that a GPU round left warm (build-gpu/ and the installed package still there):
# ResNet-50 INT8 batch 64 against its own FP16 engine with the INT8 engine's slowest layers and their tactics (issue
# 23: where the 1x1 INT8 products lose to their bytes' time), then the transformer zoo beside torch.compile
# reduce-overhead (issue 22's table) in the time left. Installs first where the package is missing (a fresh machine).
# Usage: TORCHTRT_ROUND_S=540 scripts/round-int8-transformers.sh   (results in $OUT)
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-gpu-out}
mkdir -p "$OUT"
deadline=$(($(date +%s) + ${TORCHTRT_ROUND_S:-540}))
left() { echo $((deadline - $(date +%s))); }
scripts/gpu-install-if-missing.sh $(($(left) - 120))
echo "== ResNet-50 INT8 batch 64 against its own FP16 engine"
timeout $(($(left) - 60)) python3 bench/perf_zoo.py --models resnet50 --batches 64 --dtype int8 --no-peer \
  --out "$OUT/r50-int8.md" > /dev/null 2>&1
grep "^| resnet" "$OUT/r50-int8.md"
echo "== its kernels and slowest layers"
timeout $(($(left) - 60)) python3 bench/profile_engine.py --model resnet50 --batch 64 --precision int8 --rows 12 \
  --layers 45 2>&1 | grep -v -i warn | cut -c1-170 > "$OUT/r50-int8-profile.txt"
grep -A14 "us a call" "$OUT/r50-int8-profile.txt"; grep -A50 "engine layers" "$OUT/r50-int8-profile.txt"
echo "== transformer zoo"
if [ "$(left)" -gt 120 ]; then
  timeout $(($(left) - 10)) python3 bench/perf_zoo.py --models transformer --warm-peers 8 --budget-s $(($(left) - 30)) \
    --reserve-s 40 --out "$OUT/transformers.md" > "$OUT/transformers.log" 2>&1
  grep "^|" "$OUT/transformers.md" 2> /dev/null || tail -5 "$OUT/transformers.log"
fi
