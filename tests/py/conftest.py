import os
import subprocess
import sys

import pytest
import torch

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED = os.environ.get("TORCHTRT_SHARED_DIR", os.path.join(os.path.dirname(REPO), "shared"))
BUILD = os.environ.get("TORCHTRT_BUILD_DIR", os.path.join(REPO, "build"))

# Tolerances per dtype for whole models compared with TorchScript. float32: the engine sums
# convolutions in another order than ATen; on ResNet-18 with random weights the measured max
# abs difference is ~3e-6 against outputs of magnitude ~1, so 1e-4 leaves a 30x margin.
TOLERANCES = {torch.float32: dict(rtol=1e-4, atol=1e-4), torch.float16: dict(rtol=1e-2, atol=1e-2)}


def run_python(code: str, cwd: str) -> subprocess.CompletedProcess:
    """Runs code in a fresh interpreter (only what the code imports is loaded)."""
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, timeout=600)


@pytest.fixture
def seed_dir():
    path = os.path.join(SHARED, "seed")
    assert os.path.isdir(path), f"the seed examples are expected in {path} (set TORCHTRT_SHARED_DIR)"
    return path
