#!/usr/bin/env bash
# For a follow-up round script on the GPU machine: where the package is not installed (a fresh machine rather than
# the warm one a round left), builds and installs it without the suites, within SECONDS; log in $OUT/check.txt.
# Usage: scripts/gpu-install-if-missing.sh SECONDS
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-gpu-out}
python3 -c "import torch_tensorrt" 2> /dev/null && exit 0
echo "== fresh machine: build and install"
TORCHTRT_SKIP_CTEST=1 TORCHTRT_SKIP_BENCH=1 TORCHTRT_SKIP_DEMO=1 TORCHTRT_PYTEST_ARGS=tests/py/test_fp8.py \
  timeout "$1" scripts/gpu-check.sh > "$OUT/check.txt" 2>&1
tail -8 "$OUT/check.txt"
