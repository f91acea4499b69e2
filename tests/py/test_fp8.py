"""FP8 (torch.float8_e4m3fn): products by constant weights calibrated to per-tensor E4M3 scales (amax / 448)
from the same calibrators as INT8. On the CPU backend FP8 is emulated (E4M3 operands, float32 sums), so the
accuracy is checked without a GPU; on a GPU of compute capability 8.9 or newer the CUDA backend runs cuBLASLt's
FP8 GEMMs."""
import pytest
import torch
import torch.nn as nn
import torch_tensorrt
from torch_tensorrt.ptq import CacheCalibrator, DataLoaderCalibrator

from conftest import gpu_engines


def _fp8_gpu() -> bool:
    return gpu_engines() and torch.cuda.get_device_capability() >= (8, 9)


DEVICES = ["cpu"] + (["cuda"] if _fp8_gpu() else [])


class Block(nn.Module):
    """A pre-norm transformer MLP block with a residual, and a head whose 10 outputs stay in float
    (FP8 products need K and N in multiples of 16)."""

    def __init__(self):
        super().__init__()
        self.norm = nn.LayerNorm(64)
        self.fc1 = nn.Linear(64, 256)
        self.fc2 = nn.Linear(256, 64)
        self.head = nn.Linear(64, 10)

    def forward(self, x):
        x = x + self.fc2(torch.nn.functional.gelu(self.fc1(self.norm(x))))
        return self.head(x)


def _model():
    torch.manual_seed(0)
    return Block().eval()


def _loader(batches: int = 4, batch_size: int = 8):
    g = torch.Generator().manual_seed(5)
    x = torch.randn(batches * batch_size, 16, 64, generator=g)
    return torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, torch.zeros(len(x))), batch_size=batch_size)


def _fp8_layers(compiled) -> int:
    return sum(1 for info in torch_tensorrt.ts.get_layer_info(compiled) for layer in info["layers"]
               if "fp8" in layer["fused"])


def _cosine(a, b) -> float:
    return torch.nn.functional.cosine_similarity(a.flatten().double(), b.flatten().double(), dim=0).item()


def _calibrated_fp8(ts, x, device, cache):
    """`ts` compiled whole with FP8 on the calibration loader's batches, its scales written to `cache`."""
    return torch_tensorrt.compile(
        ts, inputs=[torch_tensorrt.Input(x.shape)], device=device, require_full_compilation=True,
        enabled_precisions={torch.float, torch.float8_e4m3fn},
        calibrator=DataLoaderCalibrator(_loader(), cache_file=cache))


@pytest.mark.parametrize("device", DEVICES)
def test_fp8_calibrated_products_match_fp32(device, tmp_path):
    model = _model().to(device)
    x = torch.randn(8, 16, 64, generator=torch.Generator().manual_seed(9)).to(device)
    ts = torch.jit.trace(model, x)
    cache = str(tmp_path / "fp8.cache")
    compiled = _calibrated_fp8(ts, x, device, cache)
    assert _fp8_layers(compiled) == 2  # fc1 and fc2; the head (N = 10) stays float
    layers = [layer for info in torch_tensorrt.ts.get_layer_info(compiled) for layer in info["layers"]]
    products = [layer for layer in layers if layer["kind"] == "MatrixMultiply"]
    assert [layer["precision"] for layer in products] == ["fp8", "fp8", "float32"], products
    with torch.no_grad():
        expected, got = model(x), compiled(x)
    cosine = _cosine(got, expected)
    assert cosine >= 0.99, cosine
    assert cosine < 1 - 1e-9, "an FP8 engine equal to FP32 did not quantize"
    # The cache alone rebuilds the same engine (no batches read), as INT8's does.
    again = torch_tensorrt.compile(
        ts, inputs=[torch_tensorrt.Input(x.shape)], device=device, require_full_compilation=True,
        enabled_precisions={torch.float, torch.float8_e4m3fn}, calibrator=CacheCalibrator(cache))
    with torch.no_grad():
        assert torch.equal(again(x), got)


@pytest.mark.parametrize("device", DEVICES)
def test_fp8_with_fp16_runs_products_on_half_tensors(device):
    model = _model().to(device)
    x = torch.randn(8, 16, 64, generator=torch.Generator().manual_seed(10)).to(device)
    compiled = torch_tensorrt.compile(
        torch.jit.trace(model, x), inputs=[torch_tensorrt.Input(x.shape)], device=device,
        require_full_compilation=True, enabled_precisions={torch.half, torch.float8_e4m3fn},
        calibrator=DataLoaderCalibrator(_loader()))
    assert _fp8_layers(compiled) == 2
    with torch.no_grad():
        assert _cosine(compiled(x).float(), model(x)) >= 0.99


def test_fp8_without_scales_is_refused():
    with pytest.raises(Exception, match="needs per-tensor scales: pass a calibrator"):
        torch_tensorrt.compile(torch.jit.script(_model()), inputs=[torch.randn(2, 16, 64)], device="cpu",
                               require_full_compilation=True, enabled_precisions={torch.float, torch.float8_e4m3fn})


def test_cli_builds_fp8_from_a_calibration_cache(tmp_path):
    from test_cli import run

    model = _model()
    x = torch.randn(8, 16, 64)
    ts = torch.jit.trace(model, x)
    cache, src, out = str(tmp_path / "fp8.cache"), str(tmp_path / "m.ts"), str(tmp_path / "m_trt.ts")
    torch_tensorrt.compile(ts, inputs=[torch_tensorrt.Input(x.shape)], device="cpu", require_full_compilation=True,
                           enabled_precisions={torch.float, torch.float8_e4m3fn},
                           calibrator=DataLoaderCalibrator(_loader(), cache_file=cache))
    ts.save(src)
    r = run(["--device-type=cpu", "-p", "fp8", "--calibration-cache-file", cache, src, out, "(8,16,64)"])
    assert r.returncode == 0, r.stderr
    compiled = torch.jit.load(out)
    assert _fp8_layers(compiled) == 2
    with torch.no_grad():
        assert _cosine(compiled(x), model(x)) >= 0.99


def test_layer_precisions_keep_products_out_of_fp8():
    model = _model()
    x = torch.randn(8, 16, 64)
    compiled = torch_tensorrt.compile(
        torch.jit.trace(model, x), inputs=[torch_tensorrt.Input(x.shape)], device="cpu", require_full_compilation=True,
        enabled_precisions={torch.float, torch.float8_e4m3fn}, calibrator=DataLoaderCalibrator(_loader()),
        layer_precisions={"aten::matmul": torch.float32})
    assert _fp8_layers(compiled) == 0
    with pytest.raises(ValueError, match="INT8 and FP8 come from enabled_precisions with scales"):
        torch_tensorrt.compile(torch.jit.trace(model, x), inputs=[torch_tensorrt.Input(x.shape)], device="cpu",
                               enabled_precisions={torch.float, torch.float8_e4m3fn},
                               calibrator=DataLoaderCalibrator(_loader()),
                               layer_precisions={"aten::matmul": torch.float8_e4m3fn})


class Attention(nn.Module):
    """Self-attention with separate Q, K and V projections of one input (BERT's): on CUDA the builder stacks them
    into one FP8 product before calibration (one weight scale, one strided GEMM)."""

    def __init__(self):
        super().__init__()
        self.q, self.k, self.v, self.out = (nn.Linear(64, 64) for _ in range(4))

    def forward(self, x):
        b, s, _ = x.shape
        heads = [p(x).view(b, s, 4, 16).transpose(1, 2) for p in (self.q, self.k, self.v)]
        y = torch.nn.functional.scaled_dot_product_attention(*heads)
        return self.out(y.transpose(1, 2).reshape(b, s, 64)) + x


@pytest.mark.parametrize("device", DEVICES)
def test_fp8_attention_projections_stack_into_one_fp8_product(device, tmp_path):
    torch.manual_seed(3)
    model = Attention().eval().to(device)
    x = torch.randn(8, 16, 64, generator=torch.Generator().manual_seed(11)).to(device)
    ts = torch.jit.trace(model, x)
    cache = str(tmp_path / "fp8.cache")
    compiled = _calibrated_fp8(ts, x, device, cache)
    layers = [layer for info in torch_tensorrt.ts.get_layer_info(compiled) for layer in info["layers"]]
    fp8 = [layer for layer in layers if layer["kind"] == "MatrixMultiply" and layer["precision"] == "fp8"]
    stacked = [layer for layer in fp8 if "[3 stacked]" in layer["name"]]
    # CUDA stacks the three projections (one FP8 product, and the output projection); the CPU does not stack.
    assert (len(fp8), len(stacked)) == ((2, 1) if device == "cuda" else (4, 0)), [layer["name"] for layer in fp8]
    with torch.no_grad():
        assert _cosine(compiled(x), model(x)) >= 0.99
    # Its cache names the projections' input, so a build that does not stack (the CPU's) reads it too.
    on_cpu = torch_tensorrt.compile(
        torch.jit.trace(model.cpu(), x.cpu()), inputs=[torch_tensorrt.Input(x.shape)], device="cpu",
        require_full_compilation=True, enabled_precisions={torch.float, torch.float8_e4m3fn},
        calibrator=CacheCalibrator(cache))
    with torch.no_grad():
        assert _cosine(on_cpu(x.cpu()), model(x.cpu())) >= 0.99
