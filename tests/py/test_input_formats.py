"""Input(format=torch.channels_last): the engine binds [N, H, W, C] memory, so channels_last tensors
reach it without a copy; contiguous ones still work; misuse is refused with the reason."""
import json
import subprocess

import pytest
import torch
import torch_tensorrt

from conftest import TF32_TOLERANCE, TOLERANCES, gpu_engines
from test_errors_and_models import torchtrtc

DEVICE = "cuda" if gpu_engines() else "cpu"
TOL = TF32_TOLERANCE if DEVICE == "cuda" else TOLERANCES[torch.float32]


class ConvNet(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 8, 3, padding=1)

    def forward(self, x):
        return torch.relu(self.conv(x)).mean((2, 3))


def traced():
    torch.manual_seed(0)
    x = torch.randn(2, 3, 10, 12, device=DEVICE)
    return torch.jit.trace(ConvNet().eval().to(DEVICE), x), x


def test_channels_last_input_binds_nhwc_memory():
    ts, x = traced()
    compiled = torch_tensorrt.compile(ts, inputs=[torch_tensorrt.Input(shape=(2, 3, 10, 12), format=torch.channels_last)])
    (info,) = torch_tensorrt.ts.get_layer_info(compiled)
    first = info["layers"][0]
    assert first["kind"] == "Shuffle" and first["inputs"][0]["dims"] == [2, 10, 12, 3], first
    nhwc = x.contiguous(memory_format=torch.channels_last)
    torch.testing.assert_close(compiled(nhwc), ts(x), **TOL)
    torch.testing.assert_close(compiled(x), ts(x), **TOL)  # contiguous: permuted (a copy), same result


def test_channels_last_dynamic_shapes():
    ts, _ = traced()
    spec = torch_tensorrt.Input(min_shape=(1, 3, 8, 8), opt_shape=(2, 3, 10, 12), max_shape=(4, 3, 16, 16),
                                format=torch.channels_last)
    compiled = torch_tensorrt.compile(ts, inputs=[spec])
    for shape in [(1, 3, 8, 8), (3, 3, 16, 9), (4, 3, 16, 16)]:
        x = torch.randn(*shape, device=DEVICE).contiguous(memory_format=torch.channels_last)
        torch.testing.assert_close(compiled(x), ts(x), **TOL)


def test_channels_last_misuse_is_refused():
    lin = torch.jit.trace(torch.nn.Linear(4, 2).eval().to(DEVICE), torch.randn(3, 4, device=DEVICE))
    with pytest.raises(RuntimeError, match=r"channels_last needs 4-D"):
        torch_tensorrt.compile(lin, inputs=[torch_tensorrt.Input(shape=(3, 4), format=torch.channels_last)])
    with pytest.raises(ValueError, match=r"use torch.contiguous_format or torch.channels_last"):
        torch_tensorrt.Input(shape=(1, 3, 4, 4), format=torch.channels_last_3d)


def test_torchtrtc_channels_last_input_spec(tmp_path):
    ts, x = traced()
    src = str(tmp_path / "in.ts")
    ts.cpu().save(src)
    info = str(tmp_path / "layers.json")
    r = subprocess.run(torchtrtc() + ["--device-type=cpu", "--layer-info", info, src, str(tmp_path / "o.ts"),
                                      "(2,3,10,12)%channels_last"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert json.load(open(info))[0]["layers"][0]["inputs"][0]["dims"] == [2, 10, 12, 3]
    m = torch.jit.load(str(tmp_path / "o.ts"))
    xc = x.cpu()
    torch.testing.assert_close(m(xc.contiguous(memory_format=torch.channels_last)), ts.cpu()(xc),
                               **TOLERANCES[torch.float32])
    r = subprocess.run(torchtrtc() + [src, str(tmp_path / "p.ts"), "(2,3,10,12)%weird"], capture_output=True, text=True)
    assert r.returncode == 2 and "use contiguous or channels_last" in r.stderr


class PartlyConvertible(torch.nn.Module):
    def forward(self, x):
        return torch.logcumsumexp(torch.relu(x), 1)  # logcumsumexp has no converter: partial compilation


def test_channels_last_needs_a_whole_module_engine():
    x = torch.randn(1, 3, 4, 4, device=DEVICE)
    ts = torch.jit.trace(PartlyConvertible(), x)
    with pytest.raises(RuntimeError, match=r"format channels_last.*compiles in parts"):
        torch_tensorrt.compile(ts, inputs=[torch_tensorrt.Input(shape=(1, 3, 4, 4), format=torch.channels_last)],
                               min_block_size=1)


def test_bfloat16_module_and_inputs():
    # A module converted with .bfloat16() on bfloat16 inputs: the engine takes and returns bfloat16.
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.ReLU()).eval().bfloat16()
    x = torch.randn(2, 3, 8, 8).bfloat16()
    traced = torch.jit.trace(model, x)
    trt = torch_tensorrt.compile(traced, inputs=[torch_tensorrt.Input((2, 3, 8, 8), dtype=torch.bfloat16)],
                                 device="cpu")
    y = trt(x)
    assert y.dtype == torch.bfloat16
    torch.testing.assert_close(y.float(), model(x).float(), rtol=2e-2, atol=2e-2)
