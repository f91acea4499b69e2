"""Elementwise ops at the values where compilers drift from PyTorch: NaN, the infinities and the signed zeros, the
rounding of float floor division, pow's special exponents, and the ops PyTorch refuses (an audit of the CPU backend
found each of these giving another answer silently). Every backend here: the CPU engine, and the CUDA engine where a
GPU is present, each against eager PyTorch on the same device; signs of zeros compared too."""
import pytest
import torch
import torch.nn.functional as F
import torch_tensorrt
from torch import nn

from conftest import gpu_engines

NAN, INF = float("nan"), float("inf")
EDGES = [NAN, INF, -INF, 0.0, -0.0, 1.0, -1.0, 2.5, -2.5, 5.0, 0.1]
DEVICES = ["cpu"] + (["cuda"] if gpu_engines() else [])


class Fn(nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, x):
        return self.fn(x)


def compiled(fn, x, dtype=torch.float32):
    traced = torch.jit.trace(Fn(fn), (x,))
    return torch_tensorrt.compile(traced, inputs=[x], device=x.device.type, enabled_precisions={dtype},
                                  require_full_compilation=True, min_block_size=1), traced


def assert_same_values(actual, expected, label):
    """Equal values (NaN where NaN) and equal signs of zero; float rounding within one unit of the last place."""
    assert actual.dtype == expected.dtype and actual.shape == expected.shape, label
    actual, expected = actual.double().cpu(), expected.double().cpu()
    both_nan = actual.isnan() & expected.isnan()
    assert torch.equal(actual.isnan(), expected.isnan()), f"{label}: NaNs {actual.tolist()} vs {expected.tolist()}"
    assert torch.equal(actual.signbit()[~both_nan], expected.signbit()[~both_nan]), \
        f"{label}: signs {actual.tolist()} vs {expected.tolist()}"
    torch.testing.assert_close(actual[~both_nan], expected[~both_nan], rtol=1e-6, atol=0, msg=label)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("name, fn", [
    ("sign", torch.sign),  # sign(NaN) is 0 in PyTorch
    ("relu", torch.relu),  # relu(-0) is -0
    ("leaky_relu negative slope", lambda x: F.leaky_relu(x, -0.1)),  # +0 * -0.1 is -0
    ("leaky_relu", lambda x: F.leaky_relu(x, 0.1)),
    ("hardsigmoid", F.hardsigmoid),  # NaN stays NaN
    ("sqrt by pow 0.5", lambda x: x ** 0.5),  # PyTorch's sqrt: sqrt(-0) is -0, sqrt(-inf) NaN
    ("rsqrt by pow -0.5", lambda x: x ** -0.5),
    ("reciprocal by pow -1", lambda x: x ** -1),
    ("square by pow 2", lambda x: x ** 2),
    ("cube by pow 3", lambda x: x ** 3),
    ("pow 1.5", lambda x: x ** 1.5),
    ("floor division", lambda x: torch.floor_divide(x, -1.5)),  # inf // b is NaN
    ("floor division by 0.1", lambda x: torch.floor_divide(x, 0.1)),  # 5 // 0.1 is 49, not floor(5 / 0.1) = 50
    ("division rounding floor", lambda x: torch.div(x, 0.1, rounding_mode="floor")),
    ("division rounding trunc", lambda x: torch.div(x, -3.0, rounding_mode="trunc")),  # 0 / -3 is -0
])
def test_edge_values_match_pytorch(device, name, fn):
    x = torch.tensor(EDGES, device=device)
    engine, traced = compiled(fn, x)
    assert_same_values(engine(x), traced(x), f"{name} on {device}")


@pytest.mark.parametrize("device", DEVICES)
def test_half_log_sigmoid_is_rounded_once(device):
    # Computed in float and rounded once, as PyTorch does: 16-bit arithmetic step by step was 8 units off.
    x = torch.tensor([2.67578125, 1.5, 2.5, -3.0, 0.25], device=device).half()
    engine, traced = compiled(F.logsigmoid, x, torch.half)
    exact = F.logsigmoid(x.double()).half()
    assert torch.equal(engine(x).cpu(), exact.cpu()), (engine(x).tolist(), exact.tolist())


class IntegerToNegative(nn.Module):
    def forward(self, x):
        return x ** -1


class BoolToBool(nn.Module):
    def forward(self, x):
        return x ** x


class ArgmaxOfBool(nn.Module):
    def forward(self, x):
        return x.argmax()


class ArgminOfBool(nn.Module):
    def forward(self, x):
        return x.argmin(0)


class TopkOfBool(nn.Module):
    def forward(self, x):
        return x.topk(1)[1]


@pytest.mark.parametrize("module, x, message", [
    (IntegerToNegative(), torch.tensor([1, 2, 3]), "Integers to negative integer powers are not allowed (PyTorch raises)"),
    (BoolToBool(), torch.tensor([True, False]), "pow of bool tensors is not defined (PyTorch raises)"),
    (ArgmaxOfBool(), torch.tensor([True, False]), "argmax does not support bool input (PyTorch raises)"),
    (ArgminOfBool(), torch.tensor([True, False]), "argmin does not support bool input (PyTorch raises)"),
    (TopkOfBool(), torch.tensor([True, False]), "topk does not support bool input (PyTorch raises)"),
])
def test_ops_pytorch_refuses_are_refused(module, x, message):
    # PyTorch raises for each (so they are scripted, not traced); the engine used to answer numbers.
    with pytest.raises(RuntimeError) as info:
        module(x)
    with pytest.raises(RuntimeError) as info:
        torch_tensorrt.compile(torch.jit.script(module), inputs=[x], device="cpu", require_full_compilation=True,
                               min_block_size=1)
    assert message in str(info.value), str(info.value)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("name, fn", [
    ("add", lambda x, y: x + y),  # wraps modulo 256
    ("sub", lambda x, y: x - y),
    ("mul", lambda x, y: x * y),
    ("add scalar", lambda x, y: x + 3),
    ("sub scalar", lambda x, y: x - 7),
    ("floor division", lambda x, y: torch.floor_divide(x, y)),
    ("remainder", lambda x, y: torch.remainder(x, y)),
    ("greater", lambda x, y: x > y),
    ("equal", lambda x, y: x == y),
    ("maximum", lambda x, y: torch.maximum(x, y)),
    ("where", lambda x, y: torch.where(x > y, x, y)),
    ("clamp", lambda x, y: torch.clamp(x, 2, 100)),
    ("pow", lambda x, y: x ** 3),
    ("bitwise and", lambda x, y: x & y),
])
@pytest.mark.parametrize("small", [torch.uint8, torch.int8])
def test_8_bit_integer_arithmetic_matches_pytorch(device, name, fn, small):
    # uint8 and int8 arithmetic inside a graph compiled in full, then failed every call ("no elementwise kernel").
    if small == torch.int8 and name == "bitwise and":
        pytest.skip("bitwise ops of int8 are refused (run in TorchScript)")

    class Uint8(nn.Module):
        def forward(self, a, b):
            return fn(a.to(small), b.to(small))

    a = torch.tensor([0, 1, 200, 255, 17], dtype=torch.int32, device=device)
    b = torch.tensor([3, 2, 100, 1, 17], dtype=torch.int32, device=device)
    traced = torch.jit.trace(Uint8(), (a, b))
    engine = torch_tensorrt.compile(traced, inputs=[a, b], device=device, require_full_compilation=True,
                                    min_block_size=1)
    expected, actual = traced(a, b), engine(a, b)
    assert actual.dtype == expected.dtype and torch.equal(actual.cpu(), expected.cpu()), (name, actual, expected)


class TransposedRowWrite(nn.Module):
    def forward(self, x):
        y = x.clone()
        y.t()[0].fill_(-1.0)
        return y


class FlatStrideWrite(nn.Module):
    def forward(self, x):
        y = x.clone()
        y.view(-1)[::5].zero_()
        return y


@pytest.mark.parametrize("module", [TransposedRowWrite(), FlatStrideWrite()])
@pytest.mark.parametrize("frontend", ["script", "trace"])
def test_a_write_through_a_view_of_another_kind_reaches_its_base(module, frontend):
    # The write was made a scatter into the transposed (or flattened) view alone: y came back unwritten, silently.
    # In full it is refused now; partial compilation keeps it in TorchScript and answers as PyTorch.
    x = torch.arange(12, dtype=torch.float32).reshape(3, 4)
    ts = torch.jit.script(module) if frontend == "script" else torch.jit.trace(module, (x.clone(),))
    with pytest.raises(RuntimeError, match="the tensor it writes into is read after it"):
        torch_tensorrt.compile(ts, inputs=[x], device="cpu", require_full_compilation=True, min_block_size=1)
    partial = torch_tensorrt.compile(ts, inputs=[x], device="cpu", min_block_size=1)
    assert torch.equal(partial(x.clone()), module(x.clone()))


@pytest.mark.parametrize("device", DEVICES)
def test_elu_keeps_signed_zeros_for_either_sign_of_alpha(device):
    x = torch.tensor(EDGES, device=device)
    for alpha in (1.0, -2.0):
        engine, traced = compiled(lambda t: F.elu(t, alpha), x)
        assert_same_values(engine(x), traced(x), f"elu alpha {alpha} on {device}")


class DivideByLarge(nn.Module):
    def forward(self, x):
        return x / 1e5


class MultiplyByLarge(nn.Module):
    def forward(self, x):
        return x * 1e6


class ThroughTiny(nn.Module):
    def forward(self, x):
        return (x * 1e-8) * 1e8


class AdditiveMask(nn.Module):
    def forward(self, s, m):
        return torch.softmax(s + m * -1e9, -1)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", [torch.half, torch.float32])
@pytest.mark.parametrize("module, scales", [(DivideByLarge(), [1000.0]), (MultiplyByLarge(), [1e-3]),
                                            (ThroughTiny(), [1.0]), (AdditiveMask(), [1.0, None])])
def test_fp16_engines_keep_scalars_float16_cannot_hold(device, dtype, module, scales):
    # PyTorch computes a 16-bit tensor with a scalar in float and rounds once; FP16 engines had rounded the scalar
    # first: 1e5 to inf (x / 1e5 gave 0), 1e-8 to 0 ((x * 1e-8) * 1e8 NaN), the -1e9 mask to -inf (0 * -inf, NaN).
    torch.manual_seed(0)
    inputs = [(torch.randn(2, 4) * s) if s is not None else torch.tensor([[0.0, 0.0, 1.0, 1.0], [0.0] * 4])
              for s in scales]
    inputs = [t.to(device=device, dtype=dtype) for t in inputs]
    traced = torch.jit.trace(module, tuple(inputs))
    engine = torch_tensorrt.compile(traced, inputs=inputs, device=device, enabled_precisions={torch.half},
                                    require_full_compilation=True, min_block_size=1)
    # Against eager in the inputs' own type (16-bit eager rounds x * 1e-8 to 0 too; float32 inputs keep it).
    got, want = engine(*inputs).float(), module(*inputs).float()
    assert torch.isfinite(got).all(), got
    torch.testing.assert_close(got, want, rtol=2e-3, atol=1e-3)


class Float32MinimumMask(nn.Module):
    """BERT's mask: (1 - attention_mask) * torch.finfo(torch.float32).min, added to the scores."""

    def forward(self, s, m):
        return torch.softmax(s + (1.0 - m[:, None, :]) * torch.finfo(torch.float32).min, -1)


class FullyMaskedRows(nn.Module):
    """DeBERTa's pairwise mask (a padded query masks every key) before two stacked attentions: a padded row that became
    NaN reached the valid tokens through the second attention's 0 * NaN."""

    def forward(self, q, m):
        pair = (m[:, :, None] * m[:, None, :]).bool()
        fill = torch.finfo(torch.float32).min
        first = torch.softmax((q @ q.transpose(1, 2)).masked_fill(~pair, fill), -1) @ q
        return torch.softmax((first @ first.transpose(1, 2)).masked_fill(~pair, fill), -1) @ first


class NormalizedRows(nn.Module):
    def forward(self, x):
        return F.normalize(x, dim=-1)  # x / max(|x|, 1e-12): 0 for a zero row


def _padded_batch(device):
    torch.manual_seed(0)
    s = torch.randn(2, 6, 6, device=device)
    m = torch.ones(2, 6, device=device)
    m[1, 4:] = 0
    return s, m


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", [torch.half, torch.bfloat16])
@pytest.mark.parametrize("case", ["float32 minimum mask", "fully masked rows", "normalized zero row"])
def test_16_bit_engines_of_float32_models_stay_finite_where_the_model_does(device, dtype, case):
    # The builder computes in 16 bits what the float32 model computes in float32: a value beyond the 16-bit range
    # (torch.finfo(torch.float32).min, which bfloat16 rounds to -inf: 0 * -inf was NaN) or below it (1e-12, which
    # float16 flushes to 0: 0 / 0 was NaN) stays in float32 and enters 16 bits within the type's range.
    s, m = _padded_batch(device)
    if case == "float32 minimum mask":
        module, inputs = Float32MinimumMask(), (s, m)
    elif case == "fully masked rows":
        module, inputs = FullyMaskedRows(), (s, m)
    else:
        x = torch.randn(4, 8, device=device)
        x[1] = 0
        module, inputs = NormalizedRows(), (x,)
    traced = torch.jit.trace(module, inputs)
    engine = torch_tensorrt.compile(traced, inputs=list(inputs), device=device, enabled_precisions={torch.float, dtype},
                                    require_full_compilation=True, min_block_size=1)
    got, want = engine(*inputs), module(*inputs)
    assert torch.isfinite(got).all(), got
    if case == "fully masked rows":  # the padded queries' rows are the float32 model's uniform average only roughly
        got, want = got[:, :4], want[:, :4]
    tol = 2e-2 if dtype == torch.bfloat16 else 2e-3
    torch.testing.assert_close(got, want, rtol=tol, atol=tol)


class WhereBranches(nn.Module):
    def forward(self, c, x, y):
        return torch.where(c, x, y)


class ClampByTensors(nn.Module):
    def forward(self, x, lo, hi):
        return torch.clamp(x, lo, hi)


class ClampBelow(nn.Module):
    def forward(self, x, lo):
        return torch.clamp(x, min=lo)


class AddTimes(nn.Module):
    def forward(self, x, t):
        return torch.addcmul(x, x, t)


@pytest.mark.parametrize("module, inputs", [
    (WhereBranches(), [torch.tensor([True, False]), torch.tensor([1.0, 2.0]).half(), torch.tensor(3.1)]),
    (WhereBranches(), [torch.tensor([True, False]), torch.tensor([1, 2], dtype=torch.int32), torch.tensor(2 ** 40)]),
    (ClampByTensors(), [torch.tensor([1.0, 2.0]).half(), torch.tensor(-0.5), torch.tensor(1.5)]),
    (ClampBelow(), [torch.tensor([1, 2], dtype=torch.int32), torch.tensor(2)]),
    (AddTimes(), [torch.tensor([1.0, 2.0]).half(), torch.tensor(3.0)]),
])
def test_a_zero_dim_input_does_not_widen_a_dimensioned_one(module, inputs):
    # PyTorch's promotion: a 0-d tensor of the same category leaves a dimensioned tensor's dtype (float16 stays
    # float16, int32 stays int32 and 2**40 wraps); these ops had promoted to float32 / int64.
    scripted = torch.jit.script(module)
    engine = torch_tensorrt.compile(scripted, inputs=inputs, device="cpu", require_full_compilation=True,
                                    min_block_size=1)
    got, want = engine(*inputs), scripted(*inputs)
    assert got.dtype == want.dtype and torch.equal(got, want), (got, want)


class SqueezeFirst(nn.Module):
    def forward(self, x):
        return x.squeeze(0) * 2


def test_squeeze_of_a_dynamic_dimension_follows_the_call():
    # The engine had fixed squeeze(0) of a dynamic dimension at build time (a (1, 3) call kept its rank). Refused in
    # full now; partial compilation runs it in TorchScript and answers as PyTorch at every size of the range.
    spec = torch_tensorrt.Input(min_shape=(1, 3), opt_shape=(2, 5), max_shape=(3, 7))
    scripted = torch.jit.script(SqueezeFirst())
    with pytest.raises(RuntimeError, match="squeeze of dimension 0, which is dynamic"):
        torch_tensorrt.compile(scripted, inputs=[spec], device="cpu", require_full_compilation=True, min_block_size=1)
    partial = torch_tensorrt.compile(scripted, inputs=[spec], device="cpu", min_block_size=1)
    for shape in [(1, 3), (2, 5), (3, 7)]:
        x = torch.randn(shape)
        assert torch.equal(partial(x), scripted(x)), shape


class RenormedEmbedding(nn.Module):
    def __init__(self):
        super().__init__()
        self.table = nn.Embedding(10, 3, max_norm=1.0)

    def forward(self, i):
        return self.table(i) * 2


def test_a_weight_renormed_in_torchscript_does_not_crash_partial_compilation():
    # embedding_renorm_ (no converter) writes into a weight that requires grad: shape analysis ran it with grad mode
    # on, it raised, and the interpreter's error report crashed the process (SIGSEGV). Shape analysis runs without
    # grad now, as the compiled module's inference does.
    i = torch.tensor([[0, 2, 5, 2], [9, 0, 1, 1]])
    traced = torch.jit.trace(RenormedEmbedding().eval(), (i,))
    compiled = torch_tensorrt.compile(traced, inputs=[i], device="cpu", min_block_size=1)
    with torch.no_grad():
        torch.testing.assert_close(compiled(i), traced(i))


@pytest.mark.parametrize("kernel", [3, 4])
@pytest.mark.parametrize("dims", [1, 2])
def test_scripted_convolutions_with_string_padding_convert(kernel, dims):
    # conv2d(..., padding='same') in a scripted module had become aten::_convolution with a str padding, which failed
    # PyTorch's alias analysis (an internal assert); it converts through _convolution_mode now (4: uneven sides).
    conv = (nn.Conv1d if dims == 1 else nn.Conv2d)(4, 6, kernel, padding="same")
    scripted = torch.jit.script(nn.Sequential(conv, nn.ReLU()).eval())
    x = torch.randn((2, 4, 9) if dims == 1 else (2, 4, 9, 10))
    engine = torch_tensorrt.compile(scripted, inputs=[x], device="cpu", require_full_compilation=True,
                                    min_block_size=1)
    with torch.no_grad():
        torch.testing.assert_close(engine(x), scripted(x), rtol=1e-4, atol=1e-4)


def test_a_transposed_convolution_whose_output_padding_exceeds_its_padding_converts():
    # post padding = padding - output_padding is negative here (-2 along the width); the plan reader refused any
    # dimension below -1, so a valid ConvTranspose2d failed with "invalid plan: field 'post_padding'".
    deconv = nn.ConvTranspose2d(4, 6, 3, stride=(2, 3), padding=(1, 0), output_padding=(1, 2))
    scripted = torch.jit.script(nn.Sequential(deconv).eval())
    x = torch.randn(2, 4, 9, 10)
    engine = torch_tensorrt.compile(scripted, inputs=[x], device="cpu", require_full_compilation=True,
                                    min_block_size=1)
    with torch.no_grad():
        torch.testing.assert_close(engine(x), scripted(x), rtol=1e-4, atol=1e-4)


class AntialiasedThenScaled(nn.Module):
    def forward(self, x):
        return F.interpolate(x, size=(2, 3), mode="bilinear", antialias=True) * 2 + 1


def test_partial_compilation_of_a_graph_with_raising_branches():
    # A scripted graph's raise paths return prim::Uninitialized from their branch; shape analysis observed that value
    # as a tensor and failed ("Expected Tensor but got Uninitialized"), blaming the generated inputs.
    scripted = torch.jit.script(AntialiasedThenScaled())
    x = torch.randn(1, 2, 5, 7)
    compiled = torch_tensorrt.compile(scripted, inputs=[x], device="cpu", min_block_size=1)
    torch.testing.assert_close(compiled(x), scripted(x))


class FillMasked(nn.Module):
    def forward(self, x, m):
        return x.masked_fill(m, -1e9)


def test_a_fill_value_the_tensor_type_cannot_hold_is_refused_as_pytorch_raises():
    m = torch.tensor([True, False, True])
    half = torch.ones(3).half()
    with pytest.raises(RuntimeError, match="without overflow"):
        FillMasked()(half, m)
    refusal = r"the fill value -1e\+09 cannot be converted to float16 without overflow \(PyTorch raises\)"
    with pytest.raises(RuntimeError, match=refusal):
        torch_tensorrt.compile(torch.jit.script(FillMasked()), inputs=[half, m], device="cpu",
                               require_full_compilation=True, min_block_size=1)
    # float32 tensors hold it, with FP16 enabled too (the select stays in FP32: the value is beyond float16).
    x = torch.ones(3)
    engine = torch_tensorrt.compile(torch.jit.script(FillMasked()), inputs=[x, m], device="cpu",
                                    enabled_precisions={torch.half}, require_full_compilation=True, min_block_size=1)
    assert torch.equal(engine(x, m), FillMasked()(x, m))


class MaxOverRows(nn.Module):
    def forward(self, x):
        return x.amax(0)


def test_a_max_over_an_empty_axis_is_refused_as_pytorch_raises():
    x = torch.ones(0, 3)
    with pytest.raises(IndexError, match="Expected reduction dim 0 to have non-zero size"):
        MaxOverRows()(x)
    with pytest.raises(RuntimeError, match=r"Expected reduction dim 0 to have non-zero size \(PyTorch raises\)"):
        torch_tensorrt.compile(torch.jit.script(MaxOverRows()), inputs=[x], device="cpu",
                               require_full_compilation=True, min_block_size=1)


class AddHundred(nn.Module):
    def forward(self, x):
        return x + 100


class TimesOneAndAHalf(nn.Module):
    def forward(self, x):
        return x * 1.5


class FloorDivide255(nn.Module):
    def forward(self, x):
        return x // 255


class TruncDivide(nn.Module):
    def forward(self, x):
        return torch.div(x, -128, rounding_mode="trunc")


@pytest.mark.parametrize("module, x", [
    (AddHundred(), torch.tensor(100, dtype=torch.int8)),  # int8: -56, not int64 200
    (TimesOneAndAHalf(), torch.tensor(1.5).half()),  # float16, not float32
    (FloorDivide255(), torch.tensor(5, dtype=torch.int8)),  # int8 // 255 wraps 255 to -1 in int8: -5
    (TruncDivide(), torch.tensor(5, dtype=torch.int32)),
])
def test_a_traced_python_number_promotes_as_a_number_with_a_zero_dim_tensor(module, x):
    # A trace records x + 100 with 100 as a wrapped-number tensor constant, which promotes as the number (the trace
    # itself runs so); the engine took it for a 0-dim int64 / float64 tensor and widened a 0-dim x.
    traced = torch.jit.trace(module, (x,))
    engine = torch_tensorrt.compile(traced, inputs=[x], device="cpu", require_full_compilation=True,
                                    min_block_size=1)
    got, want = engine(x), traced(x)
    assert want.dtype == module(x).dtype and torch.equal(want, module(x))
    assert got.dtype == want.dtype and torch.equal(got, want), (got, want)


class LogSoftmaxRows(nn.Module):
    def forward(self, x):
        return torch.log_softmax(x, -1)


class AddTimesHalf(nn.Module):
    def forward(self, a, b, c):
        return torch.addcmul(a, b, c, value=0.5)


class AddDivHalf(nn.Module):
    def forward(self, a, b, c):
        return torch.addcdiv(a, b, c, value=0.5)


class RoundTwoDecimals(nn.Module):
    def forward(self, x):
        return torch.round(x, decimals=2)


class FloorDividePerMille(nn.Module):
    def forward(self, x):
        return torch.floor_divide(x, 0.001)


class DivideFloorPerMille(nn.Module):
    def forward(self, x):
        return torch.div(x, 0.001, rounding_mode="floor")


def _halves(*rows):
    return [torch.tensor(r).half() for r in rows]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("module, inputs", [
    (LogSoftmaxRows(), _halves([[6.0, -1.0, -2.0, 0.5]])),  # float32's -0.0053198, rounded once
    (AddTimesHalf(), _halves([1.0, 2.0], [300.0, 2.0], [300.0, 3.0])),  # 44992, not inf (300 * 300 in float16)
    (AddDivHalf(), _halves([1.0, 2.0], [300.0, 2.0], [0.004, 3.0])),
    (RoundTwoDecimals(), _halves([-5.5273, 1.005, 2.675, -0.125])),  # -5.53125, not -5.5195
    (FloorDividePerMille(), _halves([1.1587, -0.8615, 0.5, 2.0])),  # 1159, not 1158 (float16's 0.0010004)
    (DivideFloorPerMille(), _halves([1.1587, -0.8615, 0.5, 2.0])),
])
def test_16_bit_ops_compute_in_float32_and_round_once_as_pytorch(device, module, inputs):
    # PyTorch computes these float16 ops in float32 and rounds the result once; the engine had rounded every step
    # (addcmul overflowed, round(x, 2) moved) or the scalar first (floor division moved by one).
    inputs = [t.to(device) for t in inputs]
    scripted = torch.jit.script(module)
    engine = torch_tensorrt.compile(scripted, inputs=inputs, device=device, require_full_compilation=True,
                                    min_block_size=1)
    got = engine(*inputs)
    # The float32 result rounded once: what PyTorch's CUDA kernels give, and its CPU kernels except log_softmax's,
    # which rounds its sum of exponentials to float16 first (-0.004871 for float32's -0.0053198).
    want = module(*[t.float() for t in inputs]).half()
    assert got.dtype == module(*inputs).dtype == torch.half
    assert torch.isfinite(got).all(), got
    if isinstance(module, LogSoftmaxRows):  # float32 sums in another order: one unit in the last place
        torch.testing.assert_close(got.float(), want.float(), rtol=1e-3, atol=0)
    else:
        assert torch.equal(got, want), (got, want)
        assert torch.equal(got, module(*inputs)), (got, module(*inputs))


class LastPieceOfEmpty(nn.Module):
    def forward(self, x):
        return x.split(1, 0)[-1]


def test_splitting_an_empty_dimension_gives_one_empty_piece():
    # PyTorch splits a dimension of size 0 into one empty piece; the engine made none, and x.split(1, 0)[-1] indexed
    # an empty list (SIGSEGV while compiling).
    x = torch.zeros(0, 2)
    scripted = torch.jit.script(LastPieceOfEmpty())
    engine = torch_tensorrt.compile(scripted, inputs=[torch_tensorrt.Input(shape=[0, 2])], device="cpu",
                                    min_block_size=1)
    got = engine(x)
    assert got.shape == (0, 2) and got.dtype == torch.float32


class SliceOfMasked(nn.Module):
    def forward(self, x):
        v = x[x > 0]
        return v[-2:] * 2


def test_slicing_a_masked_selection_runs_in_torchscript():
    # The count x[x > 0] selects is known only when the engine runs; slicing it sized the slice from a shape the
    # engine had before the count ("slice start -9223372036854775808 out of range" at every call). Refused, so
    # partial compilation runs it in TorchScript.
    scripted = torch.jit.script(SliceOfMasked())
    x = torch.tensor([1.0, -2.0, 3.0, 4.0])
    engine = torch_tensorrt.compile(scripted, inputs=[torch_tensorrt.Input(shape=[4])], device="cpu",
                                    min_block_size=1)
    for sample in (x, torch.tensor([-1.0, 5.0, -3.0, 0.5]), torch.tensor([-1.0, -1.0, -1.0, 7.0])):
        assert torch.equal(engine(sample), SliceOfMasked()(sample))
    with pytest.raises(Exception, match="whose size may be a count known only at run time"):
        torch_tensorrt.compile(scripted, inputs=[torch_tensorrt.Input(shape=[4])], device="cpu",
                               require_full_compilation=True, min_block_size=1)


class DivideBy255(nn.Module):
    def forward(self, x):
        return x / 255


class DivideByTwoToThe32(nn.Module):
    def forward(self, x):
        return x / 4294967296


class DivideByZeroDim255(nn.Module):
    def forward(self, x):
        return x / torch.tensor(255)


class TrueDivide300By(nn.Module):
    def forward(self, x):
        return 300 / x


class Atan2By255(nn.Module):
    def forward(self, x):
        return torch.atan2(x, torch.tensor(255))


class ScatterLargeInteger(nn.Module):
    def forward(self, x):
        return x.scatter(0, torch.tensor([0]), 16777217)


class EinsumMixed(nn.Module):
    def forward(self, a, b):
        return torch.einsum("ij,ik->jk", a, b)


class MeanInHalf(nn.Module):
    def forward(self, x):
        return torch.mean(x, -1, dtype=torch.float16)


class SoftmaxOfZeroDim(nn.Module):
    def forward(self, x):
        return torch.softmax(x, 0)


class AnyAll(nn.Module):
    def forward(self, x):
        b = x.to(torch.uint8)
        return torch.any(b), torch.all(b, 0, keepdim=True)


INT8 = torch.tensor([-1, 4, -6, 5], dtype=torch.int8)


@pytest.mark.parametrize("module, inputs", [
    (DivideBy255(), [INT8]),  # 255 beside int8 had wrapped to -1 before the float division
    (DivideByTwoToThe32(), [INT8.int()]),
    (DivideByZeroDim255(), [INT8]),
    (TrueDivide300By(), [INT8]),
    (Atan2By255(), [INT8]),
    (ScatterLargeInteger(), [torch.tensor([1, 2], dtype=torch.int32)]),  # 16777217, not float32's 16777216
    (EinsumMixed(), [torch.tensor([[-3, 1]], dtype=torch.int8), torch.tensor([[0.5, 1.5]]).half()]),  # float16
    (EinsumMixed(), [torch.tensor([[0.1, 0.2]]).half(), torch.tensor([[0.3, 1e-4]])]),  # float32
    (MeanInHalf(), [torch.tensor([[1.0, 1e5], [3.0, -99990.0]])]),  # accumulated in float32: 5e4, 2.5
    (MeanInHalf(), [torch.tensor([[100000, 0]], dtype=torch.int32)]),  # 49984, not inf
    (MeanInHalf(), [torch.tensor([[1.0, 1e5]]).bfloat16()]),
    (SoftmaxOfZeroDim(), [torch.tensor(float("nan"))]),
    (SoftmaxOfZeroDim(), [torch.tensor(float("inf"))]),
    (SoftmaxOfZeroDim(), [torch.tensor(3.0)]),
    (AnyAll(), [torch.tensor([[0, 2], [3, 0]], dtype=torch.int32)]),  # uint8 results, as PyTorch's
])
def test_results_keep_pytorchs_values_and_dtypes(module, inputs):
    # From a random differential fuzz of op chains against eager PyTorch (each had compiled whole and answered
    # otherwise).
    scripted = torch.jit.script(module)
    engine = torch_tensorrt.compile(scripted, inputs=inputs, device="cpu", require_full_compilation=True,
                                    min_block_size=1)
    got, want = engine(*inputs), module(*inputs)
    for g, w in zip(got if isinstance(got, tuple) else (got,), want if isinstance(want, tuple) else (want,)):
        assert g.dtype == w.dtype and g.shape == w.shape, (g, w)
        if w.dtype.is_floating_point:
            torch.testing.assert_close(g, w, rtol=1e-6, atol=0, equal_nan=True)
        else:
            assert torch.equal(g, w), (g, w)


class SoftplusLowThreshold(nn.Module):
    def forward(self, x):
        return F.softplus(x, beta=10.0, threshold=2.0)


class AdaptiveAverageUneven(nn.Module):
    def forward(self, x):
        return F.adaptive_avg_pool1d(x, 3)


class AreaResize(nn.Module):
    def forward(self, x):
        return F.interpolate(x, size=[3, 2], mode="area")


class InstanceNormRunning(nn.Module):
    def __init__(self):
        super().__init__()
        self.norm = nn.InstanceNorm1d(3, affine=True, track_running_stats=True)
        self.norm.running_mean.copy_(torch.tensor([0.5, -1.0, 2.0]))
        self.norm.running_var.copy_(torch.tensor([2.0, 0.5, 1.5]))

    def forward(self, x):
        return self.norm(x) * 2


class FlipOfZeroDim(nn.Module):
    def forward(self, x):
        return x.sum(-1).flip(-1)


def _with_inf(shape):
    x = torch.arange(float(torch.Size(shape).numel())).reshape(shape)
    x.view(-1)[0] = float("inf")
    return x


@pytest.mark.parametrize("module, x", [
    (SoftplusLowThreshold(), torch.tensor([0.21, 0.3, 0.5, 1.0, -0.5])),  # x where beta x > threshold: 0.21
    (AdaptiveAverageUneven(), _with_inf([1, 1, 7])),  # [inf, 3, 5], not [inf, nan, nan]
    (AdaptiveAverageUneven(), torch.tensor([[[float("nan"), 1.0, 2, 3, 4, 5, 6]]])),
    (AreaResize(), _with_inf([1, 1, 4, 5])),
    (InstanceNormRunning().half().eval(), torch.randn(2, 3, 5).half()),  # float16, not float32
    (InstanceNormRunning().bfloat16().eval(), torch.randn(2, 3, 5).bfloat16()),
    (FlipOfZeroDim(), torch.tensor([1.0, 2.0])),  # SIGSEGV while compiling
])
def test_layers_keep_pytorchs_values_and_dtypes(module, x):
    # From a random differential fuzz of layers against eager PyTorch.
    traced = torch.jit.trace(module, (x,))
    engine = torch_tensorrt.compile(traced, inputs=[x], device="cpu", require_full_compilation=True,
                                    min_block_size=1)
    got, want = engine(x), module(x)
    assert got.dtype == want.dtype and got.shape == want.shape, (got, want)
    tol = 1e-6 if want.dtype == torch.float32 else 2e-2
    torch.testing.assert_close(got, want, rtol=tol, atol=tol, equal_nan=True)
