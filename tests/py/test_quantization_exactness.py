"""Quantization as PyTorch computes it, or a refusal: fake quantization's parameters and dtypes (float zero points,
float16 tensors, NaN, the checks PyTorch makes), quantization-aware weights on any INT8 grid, calibration batches and
caches that would have built a wrong engine silently (an audit of the CPU backend found each). CPU backend; the
calibration data and caches are the same for every backend."""

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch_tensorrt
from torch_tensorrt.ptq import CacheCalibrator, CalibrationAlgo, DataLoaderCalibrator

from conftest import trained_qat

INT8 = {torch.float, torch.int8}


def _int8_layers(compiled) -> int:
    return sum(1 for info in torch_tensorrt.ts.get_layer_info(compiled) for layer in info["layers"]
               if "int8" in layer["fused"])


def _conv_net():
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(8 * 8 * 8, 10)).eval()


# ---- fake quantization's arithmetic ----

class PerChannelFloatZeroPoint(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("scale", torch.tensor([0.1, 0.07, 0.3]))
        self.register_buffer("zero_point", torch.tensor([0.3, 100.5, -2.25]))

    def forward(self, x):
        return torch.fake_quantize_per_channel_affine(x, self.scale, self.zero_point, 1, -128, 127)


@pytest.mark.parametrize("precisions", [{torch.float}, INT8], ids=["fp32", "int8"])
def test_a_float_zero_point_is_added_before_rounding_as_pytorch_does(precisions):
    # torch.ao's float qparams: PyTorch computes round(x / s + z); the engine had rounded x / s and added z after
    # (1.0 with s = 0.1, z = 100.5 gave 1.0 where PyTorch gives 0.95).
    torch.manual_seed(0)
    x = torch.randn(2, 3, 5) * 3
    x[0, 1, 0] = 1.0
    module = torch.jit.script(PerChannelFloatZeroPoint())
    engine = torch_tensorrt.compile(module, inputs=[x], device="cpu", enabled_precisions=precisions,
                                    require_full_compilation=True, min_block_size=1)
    torch.testing.assert_close(engine(x), module(x), rtol=0, atol=1e-6)


class PerTensor(nn.Module):
    def __init__(self, scale, zero_point, qmin, qmax):
        super().__init__()
        self.args = (scale, zero_point, qmin, qmax)

    def forward(self, x):
        s, z, lo, hi = self.args
        return torch.fake_quantize_per_tensor_affine(x, s, z, lo, hi)


def test_torch_ao_float_qparams_outside_the_range_compute_as_pytorch():
    # torch.ao's per_channel_affine_float_qparams observer gives float zero points outside [quant_min, quant_max]
    # (-85.0 for [0, 255]); PyTorch computes with them (only integer zero points are range-checked).
    import torch.ao.quantization as tq

    torch.manual_seed(0)
    x = torch.randn(2, 3, 5) * 3
    observer = tq.PerChannelMinMaxObserver(ch_axis=1, dtype=torch.quint8, qscheme=torch.per_channel_affine_float_qparams)
    observer(x + torch.tensor([2.0, -4.0, 0.0]).view(1, 3, 1))
    scale, zero_point = observer.calculate_qparams()
    assert zero_point.is_floating_point()
    module = PerChannelFloatZeroPoint()
    module.scale, module.zero_point = scale.float(), zero_point.float() - 200  # well outside [0, 255] too
    scripted = torch.jit.script(module)
    engine = torch_tensorrt.compile(scripted, inputs=[x], device="cpu", require_full_compilation=True,
                                    min_block_size=1)
    torch.testing.assert_close(engine(x), scripted(x), rtol=0, atol=1e-6)


@pytest.mark.parametrize("dtype", [torch.half, torch.bfloat16])
def test_fake_quantize_of_a_16_bit_tensor_keeps_its_dtype(dtype):
    # PyTorch returns x's dtype (computed in float32, rounded once); the engine had returned float32.
    torch.manual_seed(0)
    x = (torch.randn(4, 8) * 4).to(dtype)
    module = torch.jit.script(PerTensor(0.05, 3, -128, 127))
    engine = torch_tensorrt.compile(module, inputs=[x], device="cpu", require_full_compilation=True,
                                    min_block_size=1)
    got, want = engine(x), module(x)
    assert got.dtype == want.dtype == dtype
    assert torch.equal(got, want)


def test_nan_fake_quantizes_to_the_low_end_of_the_range_as_pytorch():
    # PyTorch's kernel turns NaN into the range's low end, (quant_min - zero_point) * scale, as the engine's INT8
    # Quantize does; the floating-point form (asymmetric ranges, FP32 builds) had returned NaN.
    x = torch.tensor([float("nan"), 1.0, -1.0, 300.0])
    module = torch.jit.script(PerTensor(0.1, 3, 0, 255))
    engine = torch_tensorrt.compile(module, inputs=[x], device="cpu", require_full_compilation=True,
                                    min_block_size=1)
    want = module(x)
    assert want[0].item() == pytest.approx(-0.3)
    assert torch.equal(engine(x), want)


class PerChannel(nn.Module):
    def __init__(self, scale, zero_point, axis):
        super().__init__()
        self.register_buffer("scale", scale)
        self.register_buffer("zero_point", zero_point)
        self.axis = axis

    def forward(self, x):
        return torch.fake_quantize_per_channel_affine(x, self.scale, self.zero_point, self.axis, -128, 127)


@pytest.mark.parametrize("module, message", [
    (PerChannel(torch.full((3,), 0.1), torch.zeros(3, dtype=torch.int32), -1), "axis must lie in"),
    (PerChannel(torch.full((3,), 0.1), torch.tensor([0, 200, 0], dtype=torch.int32), 1), "zero point must lie in"),
    (PerChannel(torch.full((3, 1), 0.1), torch.zeros(3, 1, dtype=torch.int32), 1), "1-D scales"),
    (PerChannel(torch.full((3,), 0.1, dtype=torch.double), torch.zeros(3, dtype=torch.int32), 1),
     "scale must be float32 or bfloat16"),
    (PerChannel(torch.full((3,), 0.1), torch.zeros(3, dtype=torch.long), 1), "zero point must be int32"),
    (PerTensor(0.1, 300, -128, 127), "zero point must lie in"),
])
def test_fake_quantize_parameters_pytorch_refuses_are_refused(module, message):
    # A scripted module compiles without running: the engine had answered where PyTorch raises.
    x = torch.randn(2, 3, 4)
    with pytest.raises(Exception):
        module(x)
    with pytest.raises(RuntimeError, match=message):
        torch_tensorrt.compile(torch.jit.script(module), inputs=[x], device="cpu", require_full_compilation=True,
                               min_block_size=1)


# ---- quantization-aware weights ----

def _qat(weight_fake_quant: str):
    import torch.ao.quantization as tq

    act = tq.FakeQuantize.with_args(observer=tq.MovingAverageMinMaxObserver, quant_min=-128, quant_max=127,
                                    dtype=torch.qint8, qscheme=torch.per_tensor_symmetric)
    weight = {"per tensor": tq.default_weight_fake_quant,
              "per channel": tq.default_per_channel_weight_fake_quant}[weight_fake_quant]

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.quant, self.dequant = tq.QuantStub(), tq.DeQuantStub()
            self.conv = nn.Conv2d(3, 8, 3, padding=1)
            self.fc = nn.Linear(8 * 6 * 6, 5)

        def forward(self, x):
            return self.dequant(self.fc(torch.flatten(torch.relu(self.conv(self.quant(x))), 1)))

    torch.manual_seed(0)
    return trained_qat(Net(), act, weight, (4, 3, 6, 6))


@pytest.mark.parametrize("weights", ["per channel", "per tensor"])
def test_quantization_aware_weights_compute_what_the_model_computes(weights):
    # torch.ao's default weight fake quantizer is per tensor: every channel lies on the tensor's grid, with fewer
    # than 127 steps in most channels. The engine recognised only 127 or 128 steps per channel and re-quantized the
    # rest (1.6% of the output range off).
    model = _qat(weights)
    x = torch.randn(4, 3, 6, 6)
    traced = torch.jit.trace(model, x)
    engine = torch_tensorrt.compile(traced, inputs=[x], device="cpu", enabled_precisions=INT8,
                                    require_full_compilation=True)
    assert _int8_layers(engine) == 2
    with torch.no_grad():
        want = model(x)
    # Exact INT32 sums against FP32 sums of the same fake-quantized values in another order.
    torch.testing.assert_close(engine(x), want, rtol=1e-4, atol=1e-4 * want.abs().max().item())


# ---- calibration ----

@pytest.mark.parametrize("dtype", [torch.half, torch.bfloat16, torch.int32, torch.long])
def test_calibration_batches_of_another_dtype_are_refused(dtype):
    # The builder read a float16 batch's bytes as float32 (past its end): garbage scales, cosine 0.16 to FP32.
    net = _conv_net()
    x = torch.randn(4, 3, 8, 8)
    with pytest.raises(RuntimeError, match="values, but the network's input is"):
        torch_tensorrt.compile(torch.jit.trace(net, x), inputs=[x], device="cpu", enabled_precisions=INT8,
                               calibrator=DataLoaderCalibrator([x.to(dtype)]))


def test_float64_calibration_batches_are_read_as_float32():
    net = _conv_net()
    x = torch.randn(4, 3, 8, 8)
    engine = torch_tensorrt.compile(torch.jit.trace(net, x), inputs=[x], device="cpu", enabled_precisions=INT8,
                                    calibrator=DataLoaderCalibrator([x.double(), torch.randn(4, 3, 8, 8).double()],
                                                                    algo_type=CalibrationAlgo.MINMAX_CALIBRATION))
    assert _int8_layers(engine) > 0
    assert F.cosine_similarity(engine(x).flatten(), net(x).flatten(), 0) > 0.99


class TwoInputs(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(16, 8)

    def forward(self, x, y):
        return self.linear(x) + self.linear(y)


@pytest.mark.parametrize("batch", ["inputs", "inputs and labels"])
def test_a_model_of_two_inputs_calibrates_from_tuples(batch):
    # A tuple batch was taken as (data, labels): only its first tensor reached the engine of two inputs.
    torch.manual_seed(0)
    model = TwoInputs().eval()
    x, y = torch.randn(4, 16), torch.randn(4, 16)
    batches = [(torch.randn(4, 16), torch.randn(4, 16)) + ((torch.zeros(4),) if batch != "inputs" else ())
               for _ in range(2)]
    engine = torch_tensorrt.compile(torch.jit.trace(model, (x, y)), inputs=[x, y], device="cpu",
                                    enabled_precisions=INT8, calibrator=DataLoaderCalibrator(batches))
    assert _int8_layers(engine) > 0
    assert F.cosine_similarity(engine(x, y).flatten(), model(x, y).flatten(), 0) > 0.99


def test_a_short_last_batch_is_named_as_calibrations():
    net = _conv_net()
    x = torch.randn(4, 3, 8, 8)
    with pytest.raises(RuntimeError, match="INT8 calibration: batch 1 of the calibrator: .* drop_last=True"):
        torch_tensorrt.compile(torch.jit.trace(net, x), inputs=[x], device="cpu", enabled_precisions=INT8,
                               calibrator=DataLoaderCalibrator([x, x[:2]]))


def test_calibration_data_with_no_finite_value_is_refused():
    # Every observation NaN gave the tensor scale 1.0 silently (cosine 0.02 to FP32).
    net = _conv_net()
    x = torch.randn(4, 3, 8, 8)
    with pytest.raises(RuntimeError, match="held no finite value in any calibration batch"):
        torch_tensorrt.compile(torch.jit.trace(net, x), inputs=[x], device="cpu", enabled_precisions=INT8,
                               calibrator=DataLoaderCalibrator([torch.full((4, 3, 8, 8), float("nan"))]))


@pytest.fixture
def written_cache(tmp_path):
    net = _conv_net()
    x = torch.randn(4, 3, 8, 8)
    traced = torch.jit.trace(net, x)
    path = tmp_path / "good.cache"
    common = dict(inputs=[x], device="cpu", enabled_precisions=INT8)
    engine = torch_tensorrt.compile(traced, calibrator=DataLoaderCalibrator(
        [torch.randn(4, 3, 8, 8)], cache_file=str(path), algo_type=CalibrationAlgo.MINMAX_CALIBRATION), **common)
    return traced, x, common, path, engine(x)


def test_a_cache_with_windows_line_ends_serves_the_same_engine(written_cache):
    traced, x, common, path, want = written_cache
    crlf = path.parent / "crlf.cache"
    crlf.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    engine = torch_tensorrt.compile(traced, calibrator=CacheCalibrator(str(crlf),
                                                                       CalibrationAlgo.MINMAX_CALIBRATION), **common)
    assert torch.equal(engine(x), want)


def _scale_lines(text: str, hex_scale: str) -> str:
    lines = text.splitlines()
    return "\n".join([lines[0]] + [line.rsplit(": ", 1)[0] + ": " + hex_scale for line in lines[1:]]) + "\n"


@pytest.mark.parametrize("variant, message", [
    ("binary", "does not start with"),
    ("malformed", "is malformed at line 2"),
    ("subnormal", "which no calibration gives"),
    ("huge", "which no calibration gives"),
    ("duplicate", "two scales"),
    ("cut", "written for another network \\(or the file is incomplete\\)"),
])
def test_cache_errors_name_the_file_and_what_is_wrong(written_cache, variant, message):
    traced, x, common, path, _ = written_cache
    text = path.read_text()
    lines = text.splitlines()
    data = {
        "binary": bytes(range(256)) * 2,  # not UTF-8: the message quotes it escaped (Python could not decode it)
        "malformed": (lines[0] + "\nthis is not a scale line\n").encode(),
        "subnormal": _scale_lines(text, "00000001").encode(),
        "huge": _scale_lines(text, "7f7fffff").encode(),
        "duplicate": (text + lines[1] + "\n").encode(),
        "cut": ("\n".join(lines[:2]) + "\n").encode(),
    }[variant]
    bad = path.parent / f"{variant}.cache"
    bad.write_bytes(data)
    with pytest.raises(RuntimeError, match=message) as raised:
        torch_tensorrt.compile(traced, calibrator=CacheCalibrator(str(bad)), **common)
    assert str(bad) in str(raised.value)


# ---- the dynamo path ----

class BranchingQat(nn.Module):
    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.linear = nn.Linear(16, 8)
        self.register_buffer("w_scale", self.linear.weight.detach().abs().amax(1) / 127.5)
        self.register_buffer("w_zero_point", torch.zeros(8, dtype=torch.int32))

    def forward(self, x):
        if x.sum() > 0:  # a data-dependent branch: a graph break
            x = x * 2
        q = torch.fake_quantize_per_tensor_affine(x, 0.05, 0, -128, 127)
        w = torch.fake_quantize_per_channel_affine(self.linear.weight, self.w_scale, self.w_zero_point, 0, -128, 127)
        return F.linear(q, w, self.linear.bias)


def test_dynamo_int8_of_a_quantization_aware_model_with_a_graph_break():
    # The piece before the break has no fake-quantize node: it was refused as "no fake-quantize nodes", and with it
    # the whole model. That piece computes in float; the other keeps INT8.
    model = BranchingQat().eval()
    x = torch.randn(4, 16)
    with pytest.warns(UserWarning, match="without fake-quantize nodes computes in its float precisions"):
        engine = torch_tensorrt.compile(model, ir="dynamo", inputs=[x], device="cpu", enabled_precisions=INT8)
    with torch.no_grad():
        for sample in (x, -x.abs()):
            want = model(sample)
            torch.testing.assert_close(engine(sample), want, rtol=1e-4, atol=1e-4 * want.abs().max().item())
