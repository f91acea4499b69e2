"""Acceptance of the package: the wheel, installed by pip into a fresh virtual environment (torch
beside it, no build folder or repository on any path, no LD_LIBRARY_PATH), runs the seed example,
`torchtrtc`, the seed's custom converter and the profiler.

About 50 s on 2 CPU cores (half of it compiling the custom converter against torch's headers), so it
runs only with TORCHTRT_WHEEL_TESTS=1; test_cli_wheel.py checks the wheel's files and tags every run."""
import os
import shutil
import subprocess
import sys

import pytest
import torch

from conftest import BUILD, REPO, SEED
from test_cli_wheel import build_wheel

pytestmark = pytest.mark.skipif(not os.environ.get("TORCHTRT_WHEEL_TESTS"),
                                reason="slow (about a minute): set TORCHTRT_WHEEL_TESTS=1")

# Run in the venv: the custom converter built against the installed headers and libraries, torchtrtc
# (the console script) loading it, the seed's saved module reloaded and profiled; and proof that no
# file of the build folder or the repository's package was loaded.
IN_VENV = r"""
import os, subprocess, sys, torch, torch_tensorrt
import torch.utils.cpp_extension as ext
venv, forbidden = sys.argv[1], sys.argv[2:]
assert torch_tensorrt.__file__.startswith(venv), torch_tensorrt.__file__
inc, lib = torch_tensorrt.get_include_dir(), torch_tensorrt.get_lib_dir()
cmd = ["g++", "-shared", "-fPIC", "-std=c++17", "-O0", "flatten_converter.cpp", "-o", "libflatten.so",
       "-I" + inc, "-I" + os.path.join(inc, "torch_tensorrt")] + ["-I" + p for p in ext.include_paths()]
cmd += ["-L" + p for p in ext.library_paths()] + ["-ltorch", "-ltorch_cpu", "-lc10", "-L" + lib, "-ltorchtrt",
        "-Wl,-rpath," + lib, "-D_GLIBCXX_USE_CXX11_ABI=%d" % int(torch._C._GLIBCXX_USE_CXX11_ABI)]
subprocess.run(cmd, check=True)
class Flattens(torch.nn.Module):
    def forward(self, x):
        return torch.flatten(torch.relu(x), 0) * 2.0
torch.jit.script(Flattens()).save("flat.ts")
torchtrtc = os.path.join(venv, "bin", "torchtrtc")  # the console script
r = subprocess.run([torchtrtc, "-d", "cpu", "--custom-converters=" + os.path.abspath("libflatten.so"), "flat.ts",
                    "flat_trt.ts", "(1,6)"], capture_output=True, text=True)
assert r.returncode == 0 and "Converter for aten::flatten.using_ints overridden" in r.stderr, r.stderr
x = torch.randn(1, 6)
torch.testing.assert_close(torch.jit.load("flat_trt.ts")(x), torch.flatten(torch.relu(x), 0) * 2.0)
m = torch.jit.load("trt_torchscript_module.ts")
x = torch.randn(1, 1, 32, 32, device="cuda" if torch.cuda.is_available() else "cpu")
with torch_tensorrt.runtime.profile(m) as prof:
    m(x)
assert prof.layers, prof.table()
mapped = {line.split()[-1] for line in open("/proc/self/maps") if "/" in line}
loaded = [p for p in mapped if p.startswith(tuple(forbidden))]
assert not loaded, loaded
print("venv ok")
"""


def make_venv(path) -> None:
    """A fresh venv holding the running torch (and its dependencies) but no torch_tensorrt, as links:
    pip then finds the wheel's torch requirement satisfied without network."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], check=True)
    site = subprocess.run([str(path / "bin" / "python"), "-c",
                           "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    torch_site = os.path.dirname(os.path.dirname(torch.__file__))
    for entry in os.listdir(torch_site):
        if not entry.startswith("torch_tensorrt") and not os.path.exists(os.path.join(site, entry)):
            os.symlink(os.path.join(torch_site, entry), os.path.join(site, entry))


def test_wheel_in_a_fresh_venv_runs_the_seed_example_torchtrtc_custom_converter_and_profiler(installed, tmp_path):
    wheel = build_wheel(installed, tmp_path)
    venv = tmp_path / "venv"
    make_venv(venv)
    env = {"PATH": f"{venv}/bin:/usr/bin:/bin", "HOME": str(tmp_path)}
    r = subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "-q",
                        "--no-index", wheel], capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 0, r.stderr
    work = tmp_path / "work"
    work.mkdir()
    for name in ("example_usage.py", "flatten_converter.cpp"):
        shutil.copy(os.path.join(SEED, name), work / name)
    py = str(venv / "bin" / "python")
    r = subprocess.run([py, "example_usage.py"], cwd=work, capture_output=True, text=True, env=env, timeout=600)
    assert r.returncode == 0 and (work / "trt_torchscript_module.ts").exists(), r.stderr
    forbidden = [os.path.realpath(BUILD), os.path.join(os.path.realpath(REPO), "py")]
    (work / "in_venv.py").write_text(IN_VENV)  # a file: torch.jit.script reads the class's source
    r = subprocess.run([py, "in_venv.py", str(venv), *forbidden], cwd=work, capture_output=True, text=True, env=env,
                       timeout=600)
    assert r.returncode == 0 and r.stdout.strip().endswith("venv ok"), r.stdout + r.stderr
