"""Issue 20: nn.LSTM and nn.GRU (2 layers, bidirectional, batch_first both ways), scripted and traced
in eval mode, compile whole (require_full_compilation=True) and match TorchScript: the output and
the final states, FP32 within a max error of 1e-4 of the output's magnitude, on the CPU and, where
engines run on a GPU, on CUDA (TF32 off on both sides, so both compute in FP32); FP16 by cosine."""
from typing import Optional, Tuple

import pytest
import torch
import torch_tensorrt

from conftest import gpu_engines

DEVICES = ["cpu"] + (["cuda"] if gpu_engines() else [])
T, B, I, H = 7, 3, 5, 8
# FP32: the engine computes the same products and gates as ATen, summed in another order; over 7
# steps, 2 layers and both directions the measured worst of every case below is 3.6e-7 of the
# output's magnitude on the CPU and 7.9e-6 on an H200 (TF32 off), so 1e-4 leaves a wide margin.
MAX_RELATIVE_ERROR = 1e-4
# FP16 storage with FP32 accumulation, ~5e-4 relative per rounding through ~30 dependent steps:
# measured cosine >= 0.9999997 on the CPU and on an H200, max error 1e-3 of the magnitude (CPU).
FP16_COSINE = 0.999


class LSTM(torch.nn.Module):
    def __init__(self, batch_first: bool):
        super().__init__()
        self.rnn = torch.nn.LSTM(I, H, num_layers=2, bidirectional=True, batch_first=batch_first)

    def forward(self, x: torch.Tensor, h0: torch.Tensor, c0: torch.Tensor):
        y, (h, c) = self.rnn(x, (h0, c0))
        return y, h, c


class GRU(torch.nn.Module):
    def __init__(self, batch_first: bool):
        super().__init__()
        self.rnn = torch.nn.GRU(I, H, num_layers=2, bidirectional=True, batch_first=batch_first)

    def forward(self, x: torch.Tensor, h0: torch.Tensor):
        y, h = self.rnn(x, h0)
        return y, h


class LSTMZeroState(torch.nn.Module):
    """No initial state: nn.LSTM makes the zeros itself (from the input's batch size)."""

    def __init__(self, batch_first: bool, proj_size: int = 0):
        super().__init__()
        self.rnn = torch.nn.LSTM(I, H, num_layers=2, bidirectional=True, batch_first=batch_first, proj_size=proj_size)

    def forward(self, x: torch.Tensor):
        y, (h, c) = self.rnn(x)
        return y, h, c


def inputs(kind: str, batch_first: bool, device: str):
    torch.manual_seed(0)
    x = torch.randn((B, T, I) if batch_first else (T, B, I), device=device)
    if kind == "zero":
        return [x]
    states = [torch.randn(4, B, H, device=device) * 0.5]
    if kind == "lstm":
        states.append(torch.randn(4, B, H, device=device) * 0.5)
    return [x] + states


def build(kind: str, batch_first: bool, how: str, device: str, proj_size: int = 0):
    torch.manual_seed(1)
    model = {"lstm": LSTM, "gru": GRU}[kind](batch_first) if kind != "zero" else LSTMZeroState(batch_first, proj_size)
    model = model.eval().to(device)
    args = inputs(kind, batch_first, device)
    module = torch.jit.script(model) if how == "script" else torch.jit.trace(model, tuple(args))
    return module, args


def compare(expected, actual):
    assert len(actual) == len(expected)
    for e, a in zip(expected, actual):
        assert a.shape == e.shape and a.dtype == e.dtype
        error = (a - e).abs().max().item() / e.abs().max().item()
        assert error <= MAX_RELATIVE_ERROR, error


@pytest.fixture(autouse=True)
def no_tf32():
    # The engine's products follow disable_tf32; PyTorch's cuDNN RNNs and matmuls follow these flags.
    saved = torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32
    torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = False
    yield
    torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32 = saved


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("how", ["script", "trace"])
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("kind", ["lstm", "gru", "zero"])
def test_recurrent_module_matches_torchscript(kind, batch_first, how, device):
    module, args = build(kind, batch_first, how, device)
    compiled = torch_tensorrt.compile(module, inputs=args, require_full_compilation=True, disable_tf32=True)
    assert len(compiled.graph.findAllNodes("tensorrt::execute_engine", True)) == 1
    with torch.no_grad():
        compare(module(*args), compiled(*args))


@pytest.mark.parametrize("device", DEVICES)
def test_lstm_with_projections(device):
    module, args = build("zero", True, "script", device, proj_size=3)
    compiled = torch_tensorrt.compile(module, inputs=args, require_full_compilation=True, disable_tf32=True)
    with torch.no_grad():
        expected = module(*args)
        assert expected[0].shape == (B, T, 2 * 3) and expected[1].shape == (4, B, 3)
        compare(expected, compiled(*args))


# Scripted modules check hx.size() (given, or the zeros they make) against the input's batch in an
# if that raises: with a dynamic batch both sides are sizes known only at run time, so the engine
# drops the check (as Torch-TensorRT's EliminateExceptionOrPassPattern does), with a warning.
# Traced modules have no check.


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("kind,how", [("lstm", "trace"), ("gru", "trace"), ("zero", "trace"),
                                      ("zero", "script"), ("lstm", "script"), ("gru", "script")])
def test_dynamic_batch(kind, how, device):
    module, args = build(kind, True, how, device)
    state = torch_tensorrt.Input(min_shape=(4, 1, H), opt_shape=(4, B, H), max_shape=(4, 6, H))
    specs = [torch_tensorrt.Input(min_shape=(1, T, I), opt_shape=(B, T, I), max_shape=(6, T, I))]
    specs += [state] * (len(args) - 1)
    compiled = torch_tensorrt.compile(module, inputs=specs, require_full_compilation=True, disable_tf32=True)
    for batch in (1, 5):
        x = torch.randn(batch, T, I, device=device)
        states = [torch.randn(4, batch, H, device=device) for _ in args[1:]]
        with torch.no_grad():
            compare(module(x, *states), compiled(x, *states))


def test_dynamic_sequence_length_is_refused_with_what_to_do():
    module, args = build("gru", False, "script", "cpu")
    specs = [torch_tensorrt.Input(min_shape=(2, B, I), opt_shape=(T, B, I), max_shape=(16, B, I)),
             torch_tensorrt.Input((4, B, H))]
    with pytest.raises(RuntimeError) as info:
        torch_tensorrt.compile(module, inputs=specs, require_full_compilation=True)
    msg = str(info.value)
    assert "aten::gru" in msg and "sequence length" in msg and "must be static" in msg, msg


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_fp16(kind, device):
    module, args = build(kind, True, "trace", device)
    compiled = torch_tensorrt.compile(module, inputs=args, require_full_compilation=True,
                                      enabled_precisions={torch.float, torch.half})
    with torch.no_grad():
        for e, a in zip(module(*args), compiled(*args)):
            assert a.dtype == torch.float32
            cosine = torch.nn.functional.cosine_similarity(a.flatten().double(), e.flatten().double(), 0).item()
            assert cosine >= FP16_COSINE, cosine
