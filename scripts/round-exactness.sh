#!/usr/bin/env bash
# One device call after exactness changes to the kernels: every C++ suite and the edge-value, trace, index-bound,
# module-state, control-flow, FP8, INT8 and quantization-exactness Python files on the GPU (scripts/gpu-check.sh, with the demo), then, while TORCHTRT_ROUND_S lasts, a few FP16 zoo rows
# beside torch.compile as a check that the kernels kept their speed ($OUT/zoo-check.md).
# Usage: TORCHTRT_ROUND_S=560 scripts/round-exactness.sh
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-gpu-out}
mkdir -p "$OUT"
deadline=$(($(date +%s) + ${TORCHTRT_ROUND_S:-560}))
left() { echo $((deadline - $(date +%s))); }
TORCHTRT_SKIP_BENCH=1 TORCHTRT_PYTEST_WORKERS=${TORCHTRT_PYTEST_WORKERS:-4} \
  TORCHTRT_PYTEST_ARGS="${TORCHTRT_PYTEST_ARGS:-tests/py/test_edge_values.py tests/py/test_api_semantics.py tests/py/test_index_bounds.py tests/py/test_module_state.py tests/py/test_scripted_control_flow.py tests/py/test_fp8.py tests/py/test_int8.py tests/py/test_quantization_exactness.py}" \
  timeout $(($(left) - 60)) scripts/gpu-check.sh > "$OUT/check.txt" 2>&1
tail -16 "$OUT/check.txt"
if [ "$(left)" -gt 100 ] && python3 -c "import torch_tensorrt" 2> /dev/null; then
  timeout $(($(left) - 10)) python3 bench/perf_zoo.py --models "${TORCHTRT_ZOO_MODELS:-resnet50,mobilenet_v3_large}" \
    --dtype fp16 --budget-s $(($(left) - 20)) --reserve-s 40 --out "$OUT/zoo-check.md" > "$OUT/zoo-check.log" 2>&1
  grep -E "^\| [a-z]" "$OUT/zoo-check.md" 2> /dev/null | cut -c1-160
fi
