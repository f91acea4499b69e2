#!/usr/bin/env bash
# Copies pytest-xdist and execnet (pure Python, pinned in requirements.txt) from the local venv into
# .gpu-pydeps, which the GPU machine's Python lacks: carry it with the device call
# (carry [".deps", ".gpu-pydeps"]) and set TORCHTRT_PYTEST_WORKERS; scripts/gpu-check.sh puts it on
# PYTHONPATH when it is there.
set -euo pipefail
cd "$(dirname "$0")/.."
site=$(.venv/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
rm -rf .gpu-pydeps
mkdir -p .gpu-pydeps
cp -r "$site"/xdist "$site"/execnet "$site"/pytest_xdist-*.dist-info "$site"/execnet-*.dist-info .gpu-pydeps/
echo "wrote .gpu-pydeps: $(ls .gpu-pydeps | tr '\n' ' ')"
