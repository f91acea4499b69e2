#!/usr/bin/env bash
# Gathers what the GPU machine lacks into .deps (header-only libraries: CLI11, nlohmann/json, zlib's headers,
# cuDNN's frontend, CUTLASS with its util headers) and .gpu-pydeps (pytest-xdist, scripts/gpu-pydeps.sh), from this
# machine's system headers and .venv (run scripts/setup.sh first). Carry both with a device call:
# carry [".deps", ".gpu-pydeps"]; scripts/gpu-check.sh and the CMake files look there.
set -euo pipefail
cd "$(dirname "$0")/.."
site=$(.venv/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
rm -rf .deps
mkdir -p .deps/CLI11/include .deps/nlohmann/include .deps/zlib/include .deps/cudnn_frontend .deps/cutlass/tools/util
cp -r /usr/include/CLI .deps/CLI11/include/
cp -r /usr/include/nlohmann .deps/nlohmann/include/
cp /usr/include/zlib.h /usr/include/zconf.h .deps/zlib/include/
cp -r "$site"/include .deps/cudnn_frontend/include
cp -r "$site"/cutlass_library/source/include .deps/cutlass/
cp -r "$site"/cutlass_library/source/tools/util/include .deps/cutlass/tools/util/
echo "wrote .deps: $(du -sh .deps | cut -f1)"
scripts/gpu-pydeps.sh
