"""Acceptance 2: the seed's flatten converter compiles unchanged against the installed headers,
overrides the built-in aten::flatten converter once loaded with ctypes, and gives the right answer."""
import ctypes
import os
import shutil
import subprocess

import torch
import torch.utils.cpp_extension as cpp_extension
import torch_tensorrt

from conftest import TOLERANCES


def test_seed_flatten_converter_overrides_builtin(seed_dir, tmp_path):
    src = tmp_path / "flatten_converter.cpp"
    shutil.copy(os.path.join(seed_dir, "flatten_converter.cpp"), src)
    include = torch_tensorrt.get_include_dir()
    so = tmp_path / "libseed_flatten_converter.so"
    # Built like any PyTorch C++ extension library, against the headers the package installs.
    cmd = ["g++", "-shared", "-fPIC", "-std=c++17", "-O1", str(src), "-o", str(so),
           f"-I{include}", f"-I{os.path.join(include, 'torch_tensorrt')}"]
    cmd += [f"-I{p}" for p in cpp_extension.include_paths()]
    cmd += [f"-L{p}" for p in cpp_extension.library_paths()] + ["-ltorch", "-ltorch_cpu", "-lc10"]
    cmd += [f"-L{torch_tensorrt.get_lib_dir()}", "-ltorchtrt", f"-Wl,-rpath,{torch_tensorrt.get_lib_dir()}"]
    cmd += [f"-D_GLIBCXX_USE_CXX11_ABI={int(torch._C._GLIBCXX_USE_CXX11_ABI)}"]
    r = subprocess.run(cmd, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    path = str(so)
    assert "aten::flatten.using_ints" not in torch_tensorrt.ts.converter_overrides()
    ctypes.CDLL(path)
    assert "aten::flatten.using_ints" in torch_tensorrt.ts.converter_overrides()

    class M(torch.nn.Module):
        def forward(self, x):
            return torch.flatten(torch.relu(x), 1) * 2

    x = torch.randn(2, 3, 4, 5)
    ts = torch.jit.trace(M(), x)
    trt = torch_tensorrt.compile(ts, inputs=[x])
    torch.testing.assert_close(trt(x), ts(x), **TOLERANCES[torch.float32])
