#!/usr/bin/env bash
# MobileNetV3-Large at batch 64 went 1.504 ms (session 34, H100) -> 1.977 ms (session 43, H100), level with
# torch.compile reduce-overhead (BF16 behind it): this round finds which change did it. The engine alone (no peer)
# under each A/B switch, then the default engine's slowest layers with their tactics. Results in $OUT.
#   TORCHTRT_CONV_TIMING=stream   convolution tactics timed on the stream (as before session 41), not as graphs
#   TORCHTRT_PRODUCT_TIMING=stream product tactics timed on the stream (as before session 40), not as graphs
#   TORCHTRT_SKIP_PASSES=...      the builder without one pass (few-channel padding: session 42; excitation gates)
#   TORCHTRT_LT_WORKSPACE_BYTES=0 cuBLASLt's workspace-free kernels only (session 40's candidates)
#   TORCHTRT_CUDNN_RUNTIME_FUSION=1 cuDNN's runtime-fused convolution plans (SiLU and hard-swish stay outside them)
# The profile shows which layers took session 43's CUTLASS SiLU / hard-swish products ("bias + SiLU epilogue").
# Usage (a warm machine, after scripts/gpu-round.sh built and installed): TORCHTRT_ROUND_S=400 scripts/round-mbv3.sh
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-gpu-out}
mkdir -p "$OUT"
deadline=$(($(date +%s) + ${TORCHTRT_ROUND_S:-400}))
left() { echo $((deadline - $(date +%s))); }
scripts/gpu-install-if-missing.sh $(($(left) - 120))
models=${TORCHTRT_MBV3_MODELS:-mobilenet_v3_large}  # and TORCHTRT_MBV3_DTYPE (fp16 or bf16)
# Scratch files outside $OUT (at most 8 files come back, gpu-round.sh's among them), removed however this ends; Python
# unbuffered, so that a profile cut by its timeout still leaves what it printed.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export PYTHONUNBUFFERED=1
ab() {  # label, then the environment assignments of the variant
  local label=$1
  shift
  # A b64 build and its timing take ~20-30 s: a variant with less left would only time out.
  [ "$(left)" -gt 90 ] || return 0
  rm -f "$scratch/ab.md"  # a variant that fails must not print the previous one's row
  env "$@" timeout $(($(left) - 30)) python3 bench/perf_zoo.py --models "$models" --batches 64 --no-peer --no-graphs \
    --dtype "${TORCHTRT_MBV3_DTYPE:-fp16}" --out "$scratch/ab.md" > "$scratch/ab.log" 2>&1
  local rc=$? rows
  rows=$(grep "^| [a-z]" "$scratch/ab.md" 2> /dev/null | grep -v "^| model" | sed "s/^/$label /" | cut -c1-120)
  [ -n "$rows" ] || rows="$label: no row (rc $rc$([ $rc = 124 ] && echo ": timed out"); $(grep -v -i warn "$scratch/ab.log" |
    tail -1 | cut -c1-150))"
  echo "$rows" | tee -a "$OUT/ab-all.txt"
}
ab default TORCHTRT_AB=default
ab conv-timing-stream TORCHTRT_CONV_TIMING=stream
ab product-timing-stream TORCHTRT_PRODUCT_TIMING=stream
ab no-few-channel-padding "TORCHTRT_SKIP_PASSES=few-channel padding"
ab no-excitation-gates "TORCHTRT_SKIP_PASSES=excitation gate folding"
# The profile before the less likely switches (a short round keeps the most wanted).
for model in ${models//,/ }; do
  [ "$(left)" -gt 45 ] || break
  timeout $(($(left) - 5)) python3 bench/profile_engine.py --model "$model" --batch 64 --precision "${TORCHTRT_MBV3_DTYPE:-fp16}" --rows 30 --layers 30 2>&1 |
    grep -v -i warn > "$scratch/profile.tmp"
  { echo "== $model b64 ${TORCHTRT_MBV3_DTYPE:-fp16}"; cat "$scratch/profile.tmp"; } >> "$OUT/profiles.txt"
  grep -E "GPU span" "$scratch/profile.tmp"
done
ab both-timing-stream TORCHTRT_CONV_TIMING=stream TORCHTRT_PRODUCT_TIMING=stream
ab lt-no-workspace TORCHTRT_LT_WORKSPACE_BYTES=0
ab cudnn-runtime-fusion TORCHTRT_CUDNN_RUNTIME_FUSION=1
# Then, time allowing: ResNet-50 b64's BF16 engine kernel by kernel (BF16 engines at large batch ran 15-22% slower
# than FP16 ones in session 43 while the peer's two were level).
if [ "$(left)" -gt 60 ]; then
  timeout $(($(left) - 5)) python3 bench/profile_engine.py --model resnet50 --batch 64 --precision bf16 --rows 30 2>&1 |
    grep -v -i warn > "$scratch/profile.tmp"
  { echo "== resnet50 b64 bf16"; cat "$scratch/profile.tmp"; } >> "$OUT/profiles.txt"
  grep -E "GPU span" "$scratch/profile.tmp"
  grep -E "us a call" -A12 "$scratch/profile.tmp" | cut -c1-150
fi
