#!/usr/bin/env bash
# Sets up everything on a fresh Debian 12 machine: system packages (only when missing), a
# virtual environment with pinned Python packages (pip's cache makes reruns quick), and the
# native build + package install (incremental in build/).
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v cmake >/dev/null || need+=(cmake)
command -v g++ >/dev/null || need+=(g++)
command -v ninja >/dev/null || need+=(ninja-build)
command -v clang++ >/dev/null || need+=(clang)  # the plan fuzzer (libFuzzer), scripts/fuzz.sh
ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1 || need+=(libclang-rt-14-dev)
[ -f /usr/include/gtest/gtest.h ] || need+=(libgtest-dev)
[ -f /usr/include/CLI/CLI.hpp ] || need+=(libcli11-dev)  # torchtrtc's command-line parser (header-only)
[ -f /usr/include/nlohmann/json.hpp ] || need+=(nlohmann-json3-dev)  # the engine inspector's JSON (header-only)
[ -f /usr/include/zlib.h ] || need+=(zlib1g-dev)  # CRC-32 of plans and timing caches
python3 -c "import venv, ensurepip" 2>/dev/null || need+=(python3-venv)
[ -f /usr/include/oneapi/dnnl/dnnl.hpp ] || need+=(libdnnl-dev)  # oneDNN 2.6.3: the fast CPU kernels
if [ ${#need[@]} -gt 0 ]; then
  echo "== installing system packages: ${need[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -q && $SUDO apt-get install -y -q "${need[@]}"
fi

PY=${TORCHTRT_PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "== creating .venv"
  "$PY" -m venv .venv
fi
if ! cmp -s requirements.txt .venv/.requirements.installed; then
  echo "== installing pinned Python packages"
  .venv/bin/pip install -q -r requirements.txt
  # The headers of cuDNN's graph API (the CUDA backend's fused attention), without the ~500 MB of
  # Python DSL packages the wheel declares and the build does not use.
  .venv/bin/pip install -q --no-deps nvidia-cudnn-frontend==1.32.0
  cp requirements.txt .venv/.requirements.installed
fi
# CUTLASS's headers (the CUDA backend's sm_90a products with an exact-GELU epilogue), from the pinned
# nvidia-cutlass wheel without the Python packages it declares (the build reads its headers only).
if ! .venv/bin/pip list 2>/dev/null | grep -q "^nvidia-cutlass  *4\.2\.0\.0$"; then
  .venv/bin/pip install -q --no-deps nvidia-cutlass==4.2.0.0
fi

echo "== building and installing torch_tensorrt"
export TORCHTRT_JOBS=${TORCHTRT_JOBS:-$(nproc)}
# Package builds leave the C++ tests out; this set-up builds them too (scripts/test.sh runs them).
export TORCHTRT_TESTS=${TORCHTRT_TESTS:-ON}
.venv/bin/pip install -q --no-build-isolation --no-deps .
.venv/bin/python -c "import torch_tensorrt" || { echo "torch_tensorrt failed to build or import"; exit 1; }
