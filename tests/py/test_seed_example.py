"""Acceptance 1: the seed's example runs unchanged; its saved module loads in a fresh Python
process importing only torch and torch_tensorrt, and in a C++ program with only libtorch and
the runtime library; outputs match TorchScript."""
import os
import shutil
import subprocess

import torch

from conftest import BUILD, TF32_TOLERANCE, TOLERANCES, gpu_engines, run_python


def test_example_usage_runs_unchanged_and_saved_module_reloads(seed_dir, tmp_path):
    example = os.path.join(seed_dir, "example_usage.py")
    # Run the unchanged file; keep its TorchScript module as the reference for the reload check.
    r = run_python(
        f"import runpy, torch\nns = runpy.run_path({example!r}, run_name='__main__')\n"
        "torch.jit.save(ns['torch_script_module'], 'reference.ts')\n",
        str(tmp_path),
    )
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "trt_torchscript_module.ts").exists()

    code = """
import sys, torch, torch_tensorrt
others = sorted({m.split('.')[0] for m in sys.modules} & {'torchvision', 'numpy_only_marker'})
assert not others, others
m = torch.jit.load('trt_torchscript_module.ts')
ref = torch.jit.load('reference.ts')
assert 'tensorrt::execute_engine' in str(m.graph)
x = torch.randn(4, 1, 1, 32, 32, device="cuda" if torch.cuda.is_available() else "cpu")
torch.save([(ref(xi), m(xi)) for xi in x], 'pairs.pt')
"""
    r = run_python(code, str(tmp_path))
    assert r.returncode == 0, r.stderr
    tolerance = TF32_TOLERANCE if gpu_engines() else TOLERANCES[torch.float32]
    for expected, actual in torch.load(str(tmp_path / "pairs.pt")):
        assert actual.device == expected.device
        torch.testing.assert_close(actual, expected, **tolerance)


def test_saved_module_runs_in_cpp_with_runtime_library_only(tmp_path):
    import torch_tensorrt

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = torch.nn.Conv2d(3, 8, 3)
            self.fc = torch.nn.Linear(8, 4)

        def forward(self, x):
            return self.fc(torch.relu(self.conv(x)).mean((2, 3)))

    x = torch.randn(2, 3, 16, 16)
    ts = torch.jit.trace(Net().eval(), x)
    trt = torch_tensorrt.compile(ts, inputs=[x])
    torch.jit.save(trt, str(tmp_path / "m.ts"))
    # torch::jit::pickle_save / pickle_load format, which the C++ program reads and writes.
    (tmp_path / "x.pt").write_bytes(torch._C._pickle_save(x))
    exe = os.path.join(BUILD, "tests", "core", "run_saved_module")
    assert os.path.exists(exe), f"{exe} is built by the C++ test build"
    libs = subprocess.run(["ldd", exe], capture_output=True, text=True).stdout
    assert "libtorchtrt_runtime.so" in libs and "libtorchtrt.so " not in libs, libs
    r = subprocess.run([exe, str(tmp_path / "m.ts"), str(tmp_path / "x.pt"), str(tmp_path / "y.pt")],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    out = torch._C._pickle_load_obj((tmp_path / "y.pt").read_bytes())
    torch.testing.assert_close(out, ts(x), **TOLERANCES[torch.float32])


def test_seed_copies_match_the_shared_originals():
    from conftest import SEED, SHARED_SEED

    if not os.path.isdir(SHARED_SEED):
        return  # only the development checkout has ../shared; elsewhere the copies are the reference
    for name in ("example_usage.py", "flatten_converter.cpp"):
        with open(os.path.join(SEED, name), "rb") as a, open(os.path.join(SHARED_SEED, name), "rb") as b:
            assert a.read() == b.read(), f"tests/seed/{name} differs from ../shared/seed/{name}"
