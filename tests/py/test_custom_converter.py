"""Acceptance 2: the seed's flatten converter compiles unchanged against the installed headers,
overrides the built-in aten::flatten converter once loaded with ctypes, and gives the right answer."""
import os
import shutil

import torch
from conftest import TOLERANCES, build_torch_library, run_python


def test_seed_flatten_converter_overrides_builtin(seed_dir, tmp_path):
    src = tmp_path / "flatten_converter.cpp"
    shutil.copy(os.path.join(seed_dir, "flatten_converter.cpp"), src)
    # Built like any PyTorch C++ extension library, against the headers the package installs.
    so = build_torch_library(str(src), tmp_path, "seed_flatten_converter", link_torchtrt=True)
    # In a fresh interpreter: a loaded converter library stays registered for the whole process,
    # and the seed's converter handles static shapes only, which later tests must not inherit.
    code = f"""
import ctypes, torch, torch_tensorrt
assert "aten::flatten.using_ints" not in torch_tensorrt.ts.converter_overrides()
ctypes.CDLL({str(so)!r})
assert "aten::flatten.using_ints" in torch_tensorrt.ts.converter_overrides()

class M(torch.nn.Module):
    def forward(self, x):
        return torch.flatten(torch.relu(x), 1) * 2

x = torch.randn(2, 3, 4, 5)
ts = torch.jit.trace(M(), x)
trt = torch_tensorrt.compile(ts, inputs=[x])
torch.testing.assert_close(trt(x), ts(x), rtol={TOLERANCES[torch.float32]['rtol']}, atol={TOLERANCES[torch.float32]['atol']})
print("ok")
"""
    r = run_python(code, str(tmp_path))
    assert r.returncode == 0 and r.stdout.strip().endswith("ok"), r.stderr[-3000:]
