"""FP8 from a quantization-aware model's own scales: the model quantizes its activations as PyTorch writes it,
`(x / s).clamp(-448, 448).to(torch.float8_e4m3fn)`, and either dequantizes (`q.to(torch.float32) * s`) before a
linear layer with fake-quantized weights, or multiplies the codes with `torch._scaled_mm`. The engine reproduces the
codes exactly (its FP8 quantization divides by the scale), so a float32 engine computes what eager computes, and
with float8 enabled the linear layers become FP8 products of the same codes."""
import pytest
import torch
import torch_tensorrt

F8 = torch.float8_e4m3fn


def _fake_quantized(w):
    s = w.abs().max() / 448
    return (w / s).clamp(-448, 448).to(F8).to(torch.float32) * s


class QatLinear(torch.nn.Module):
    def __init__(self, k, n, input_scale):
        super().__init__()
        linear = torch.nn.Linear(k, n)
        self.weight = torch.nn.Parameter(_fake_quantized(linear.weight.detach()))
        self.bias = torch.nn.Parameter(linear.bias.detach())
        self.register_buffer("input_scale", torch.tensor(input_scale))

    def forward(self, x):
        q = (x / self.input_scale).clamp(-448, 448).to(torch.float8_e4m3fn)
        return torch.nn.functional.linear(q.to(torch.float32) * self.input_scale, self.weight, self.bias)


class QatMlp(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.up = QatLinear(64, 128, 0.02)
        self.down = QatLinear(128, 32, 0.015)

    def forward(self, x):
        return self.down(torch.relu(self.up(x)))


def _layers(compiled):
    return [layer for info in torch_tensorrt.ts.get_layer_info(compiled) for layer in info["layers"]]


def _compile(model, x, precisions):
    return torch_tensorrt.compile(torch.jit.script(model), inputs=[x], device="cpu", enabled_precisions=precisions,
                                  require_full_compilation=True)


def test_a_float32_engine_of_an_fp8_qat_model_computes_what_eager_computes():
    # The same FP8 codes and the same float32 products: only the sums' order may differ from eager's GEMM (oneDNN's
    # matches it to the bit; the reference kernels, where the plugin is not built, round some sums differently).
    torch.manual_seed(0)
    model = QatMlp().eval()
    x = torch.randn(8, 64) * 3
    compiled = _compile(model, x, {torch.float32})
    kinds = [layer["kind"] for layer in _layers(compiled)]
    # The division, clamp and multiply by the scale moved into the quantizations; the products stay float32.
    assert kinds.count("Quantize") == 2 and kinds.count("Dequantize") == 2 and "ElementWise" not in kinds, kinds
    with torch.no_grad():
        expected, got = model(x), compiled(x)
    assert (got - expected).abs().max().item() <= 1e-6 * expected.abs().max().item()


def test_with_float8_enabled_the_linear_layers_multiply_the_codes():
    torch.manual_seed(0)
    model = QatMlp().eval()
    x = torch.randn(8, 64) * 3
    compiled = _compile(model, x, {torch.float32, F8})
    products = [layer for layer in _layers(compiled) if layer["kind"] == "MatrixMultiply"]
    assert len(products) == 2 and all("fp8" in p["fused"] for p in products), products
    assert [p["fused"]["fp8"]["input_scale"] for p in products] == [pytest.approx(0.02), pytest.approx(0.015)]
    assert "Dequantize" not in [layer["kind"] for layer in _layers(compiled)]
    with torch.no_grad():
        expected, got = model(x), compiled(x)
    # Sums of the same exact products of E4M3 values, in another order.
    assert (got - expected).abs().max().item() <= 1e-5 * expected.abs().max().item()


class ScaledMm(torch.nn.Module):
    def __init__(self, with_bias, out_dtype):
        super().__init__()
        w = torch.randn(32, 64)
        s = w.abs().max() / 448
        self.register_buffer("weight", (w / s).to(F8))
        self.register_buffer("weight_scale", s.reshape(()).float())
        self.register_buffer("input_scale", torch.tensor(0.03))
        self.register_buffer("bias", torch.randn(32).to(out_dtype) if with_bias else None)
        self.out_dtype: torch.dtype = out_dtype

    def forward(self, x):
        q = (x / self.input_scale).clamp(-448, 448).to(torch.float8_e4m3fn)
        return torch._scaled_mm(q, self.weight.t(), scale_a=self.input_scale, scale_b=self.weight_scale,
                                bias=self.bias, out_dtype=self.out_dtype)


@pytest.mark.parametrize("out_dtype", [torch.float32, torch.float16, torch.bfloat16])
@pytest.mark.parametrize("with_bias", [False, True])
def test_scaled_mm_is_an_fp8_product(with_bias, out_dtype):
    torch.manual_seed(1)
    model = ScaledMm(with_bias, out_dtype).eval()
    x = torch.randn(16, 64)
    compiled = _compile(model, x, {torch.float32})
    products = [layer for layer in _layers(compiled) if layer["kind"] == "MatrixMultiply"]
    assert len(products) == 1 and "fp8" in products[0]["fused"], products
    with torch.no_grad():
        expected, got = model(x), compiled(x)
    assert got.dtype == out_dtype
    # float32 sums in another order, then one rounding to out_dtype: one unit in its last place at most.
    ulp = {torch.float32: 2 ** -20, torch.float16: 2 ** -10, torch.bfloat16: 2 ** -7}[out_dtype]
    assert (got.float() - expected.float()).abs().max().item() <= ulp * expected.float().abs().max().item()


class CastWithoutClamp(torch.nn.Module):
    def forward(self, x):
        return x.to(torch.float8_e4m3fn).to(torch.float32)


class ScaledMmOptions(torch.nn.Module):
    def __init__(self, row_wise):
        super().__init__()
        self.register_buffer("weight", torch.randn(32, 64).to(F8))
        self.register_buffer("input_scale", torch.full((16, 1), 0.03) if row_wise else torch.tensor(0.03))
        self.register_buffer("weight_scale", torch.tensor(0.5))
        self.row_wise = row_wise

    def forward(self, x):
        q = (x / 0.03).clamp(-448, 448).to(torch.float8_e4m3fn)
        if self.row_wise:
            return torch._scaled_mm(q, self.weight.t(), scale_a=self.input_scale, scale_b=self.weight_scale,
                                    out_dtype=torch.float32)
        return torch._scaled_mm(q, self.weight.t(), scale_a=self.input_scale, scale_b=self.weight_scale)


@pytest.mark.parametrize("model, message", [
    (CastWithoutClamp(), "is supported after a clamp of the values to at most \\[-448, 448\\]"),
    (ScaledMmOptions(False), "without out_dtype writes FP8, which is not supported"),
    (ScaledMmOptions(True), "must be one float32 value \\(a per-tensor scale; row-wise scales are not supported\\)"),
])
def test_what_the_engine_cannot_compute_exactly_is_refused(model, message):
    with pytest.raises(RuntimeError, match=message):
        _compile(model.eval(), torch.randn(16, 64), {torch.float32})


def test_float8_without_a_calibrator_or_fp8_quantization_is_refused():
    model = torch.nn.Sequential(torch.nn.Linear(64, 32)).eval()
    with pytest.raises(RuntimeError, match="needs per-tensor scales: pass a calibrator"):
        _compile(model, torch.randn(4, 64), {torch.float32, F8})


def test_torchtrtc_compiles_an_fp8_qat_model_with_fp8_enabled(tmp_path):
    import subprocess
    import sys

    torch.manual_seed(0)
    model = QatMlp().eval()
    src, out = str(tmp_path / "qat.ts"), str(tmp_path / "qat_trt.ts")
    torch.jit.script(model).save(src)
    r = subprocess.run([sys.executable, "-m", "torch_tensorrt._cli", "--device-type=cpu", "-p", "f32", "-p", "fp8",
                        src, out, "(8,64)"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    compiled = torch.jit.load(out)
    x = torch.randn(8, 64) * 3
    with torch.no_grad():
        expected, got = model(x), compiled(x)
    assert (got - expected).abs().max().item() <= 1e-5 * expected.abs().max().item()
