"""The CPU backend's fast kernels (the oneDNN plugin) inside a PyTorch process.

PyTorch's libtorch_cpu carries its own oneDNN and exports some of its C++ template instances; loaded
first, it used to take calls of the engine's libdnnl, and a grouped convolution with bias failed with
"could not execute a primitive". The plugin is loaded in its own symbol scope
(engine/src/backends/cpu/onednn/plugin_loader.cpp). Each case runs in a fresh process that imports
torch first, compiles for the CPU with the default kernels, and compares with eager PyTorch; the
reference kernels (TORCHTRT_CPU_KERNELS=reference) must give the same results.
"""
import os
import subprocess
import sys
import textwrap

import pytest

from conftest import onednn_plugin_built

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

SCRIPT = textwrap.dedent(
    """
    import math
    import torch
    import torch_tensorrt

    torch.manual_seed(0)

    def check(name, model, x):
        model = model.eval()
        with torch.no_grad():
            expected = model(x)
            trt = torch_tensorrt.compile(torch.jit.trace(model, x), inputs=[x], device="cpu")
            actual = trt(x)
        same_nan = torch.equal(torch.isnan(actual), torch.isnan(expected))
        close = torch.allclose(torch.nan_to_num(actual), torch.nan_to_num(expected), rtol=1e-4, atol=1e-4)
        assert same_nan and close, f"{name}: max difference {(actual - expected).abs().nan_to_num().max()}"
        print("ok", name)

    # The case that failed before the plugin: grouped, strided, padded, with bias.
    check("grouped convolution with bias",
          torch.nn.Conv2d(4, 6, 3, stride=(2, 1), padding=(1, 0), groups=2, bias=True), torch.randn(2, 4, 9, 8))
    check("depthwise convolution + relu",
          torch.nn.Sequential(torch.nn.Conv2d(8, 8, 3, padding=1, groups=8), torch.nn.ReLU()),
          torch.randn(1, 8, 12, 12))
    check("linear + relu", torch.nn.Sequential(torch.nn.Linear(32, 16), torch.nn.ReLU()), torch.randn(4, 32))
    # NaN propagates through max pooling and ReLU as in PyTorch (oneDNN's own would drop it).
    x = torch.randn(1, 4, 16, 16)
    x[0, 1, 3, 5] = math.nan
    check("max pooling over NaN", torch.nn.MaxPool2d(3, stride=2, padding=1), x)
    check("convolution + relu over NaN",
          torch.nn.Sequential(torch.nn.Conv2d(4, 4, 3, padding=1), torch.nn.ReLU()), x)

    maps = open("/proc/self/maps").read()
    print("plugin mapped:", "libtorchtrt_onednn.so" in maps)
    """
)


def run_cases(kernels, **extra_env):
    env = dict(os.environ, **extra_env)
    env["PYTHONPATH"] = os.path.join(ROOT, "py") + os.pathsep + env.get("PYTHONPATH", "")
    if kernels is None:
        env.pop("TORCHTRT_CPU_KERNELS", None)
    else:
        env["TORCHTRT_CPU_KERNELS"] = kernels
    return subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=300)


def test_default_kernels_are_onednn_and_match_pytorch_in_a_torch_process():
    if not onednn_plugin_built():
        pytest.skip("this build has no oneDNN plugin (CMake found no libdnnl-dev 2.x)")
    result = run_cases(None)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("ok ") == 5, result.stdout
    assert "plugin mapped: True" in result.stdout, result.stdout + result.stderr
    assert "oneDNN plugin is unavailable" not in result.stderr, result.stderr


def test_reference_kernels_give_the_same_results_without_the_plugin():
    result = run_cases("reference")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("ok ") == 5, result.stdout
    assert "plugin mapped: False" in result.stdout, result.stdout


def test_a_missing_plugin_falls_back_to_the_reference_with_one_warning(tmp_path):
    result = run_cases(None, TORCHTRT_ONEDNN_PLUGIN=str(tmp_path / "libtorchtrt_onednn.so"))  # no such file
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("ok ") == 5, result.stdout
    assert result.stderr.count("oneDNN plugin is unavailable") == 1, result.stderr
