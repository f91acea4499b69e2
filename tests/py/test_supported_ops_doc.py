"""The committed docs/supported_ops.md must equal what the registries produce; torchtrtc prints the same list."""
import os
import subprocess
import sys

from conftest import REPO

sys.path.insert(0, os.path.join(REPO, "scripts"))
import gen_supported_ops  # noqa: E402


def test_committed_list_is_current():
    with open(gen_supported_ops.path()) as f:
        committed = f.read()
    assert committed == gen_supported_ops.render(), "docs/supported_ops.md is stale: run scripts/gen_supported_ops.py"


def test_torchtrtc_prints_the_same_list():
    import torch_tensorrt

    out = subprocess.run([sys.executable, "-m", "torch_tensorrt._cli", "--supported-ops"], capture_output=True, text=True, check=True).stdout
    listed = set(out.splitlines())
    for schema in torch_tensorrt._C.get_converter_list():
        assert schema in listed
    for kind in torch_tensorrt._C.get_evaluator_list():
        assert f"{kind} (evaluator)" in listed
