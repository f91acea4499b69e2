#!/usr/bin/env bash
# Issue 21's vision zoo on a machine a GPU round left warm (build-gpu/ and the installed package still there; a fresh
# machine installs first): the models given (default: all 15) at batch 1 and their large batch, in DTYPE (fp16 or
# bf16), beside torch.compile reduce-overhead with the peers' Inductor caches warmed by 12 processes side by side
# first. A 600-s call holds about half the zoo: run the two halves in back-to-back calls on the same machine.
# Usage: TORCHTRT_ROUND_S=560 scripts/round-vision-zoo.sh fp16 "resnet50,resnext50_32x4d,..."   (results in $OUT)
#   TORCHTRT_ZOO_ARGS="--no-graphs": more perf_zoo.py arguments (that one skips the graph-mode column: ~1 s a case)
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-gpu-out}
mkdir -p "$OUT"
dtype=${1:-fp16}
models=${2:-vision}
deadline=$(($(date +%s) + ${TORCHTRT_ROUND_S:-560}))
left() { echo $((deadline - $(date +%s))); }
scripts/gpu-install-if-missing.sh $(($(left) - 120))
timeout $(($(left) - 10)) python3 bench/perf_zoo.py --models "$models" --dtype "$dtype" --warm-peers 12 \
  --budget-s $(($(left) - 30)) --reserve-s 40 ${TORCHTRT_ZOO_ARGS:-} --out "$OUT/vision-$dtype.md" > "$OUT/vision-$dtype.log" 2>&1
grep "^|" "$OUT/vision-$dtype.md" 2> /dev/null | cut -c1-200 || tail -5 "$OUT/vision-$dtype.log"
grep -h "Stopped" "$OUT/vision-$dtype.md" 2> /dev/null
