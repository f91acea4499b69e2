#!/usr/bin/env bash
# The main job: set up, then compile and run ResNet-18 with the Python API and torchtrtc.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
.venv/bin/python demo/resnet18_demo.py
