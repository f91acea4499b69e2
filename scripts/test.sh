#!/usr/bin/env bash
# Every test: engine and core C++ suites (GoogleTest via ctest), then the Python suites.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
echo "== building C++ tests"
cmake --build build --parallel "$(nproc)"
echo "== C++ tests"
(cd build && ctest --output-on-failure -j "$(nproc)")
echo "== Python tests"
.venv/bin/python -m pytest -q
