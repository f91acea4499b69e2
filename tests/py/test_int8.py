"""INT8: post-training calibration (accuracy on a trained CNN per algorithm, the cache round trip,
errors), ResNet-18, and quantization-aware models (fake-quantize nodes become INT8 convolutions).
Each test runs on the CPU backend and, where a GPU is present, on the CUDA backend."""
import os

import pytest
import torch
import torch.nn as nn
import torch_tensorrt
from torch_tensorrt.ptq import CacheCalibrator, CalibrationAlgo, DataLoaderCalibrator

from conftest import TF32_TOLERANCE, gpu_engines, trained_qat

DEVICES = ["cpu"] + (["cuda"] if gpu_engines() else [])
CLASSES, SIZE = 10, 12


def _digits(n: int, seed: int):
    """Images of 10 classes with known labels: a fixed random template per class (shared by every
    split), shifted by up to one pixel, scaled and with noise, so the classes are learnable but not trivially:
    the trained CNN's FP32 top-1 is ~89% (at a lighter noise it was 100%, where a one-point check of INT8 could only
    catch a collapse)."""
    templates = torch.randn(CLASSES, 1, SIZE, SIZE, generator=torch.Generator().manual_seed(1234))
    templates = nn.functional.avg_pool2d(templates, 3, stride=1, padding=1) * 3
    g = torch.Generator().manual_seed(seed)
    labels = torch.randint(0, CLASSES, (n,), generator=g)
    x = templates[labels]
    shifts = torch.randint(-1, 2, (n, 2), generator=g)
    x = torch.stack([torch.roll(img, (int(s[0]), int(s[1])), dims=(1, 2)) for img, s in zip(x, shifts)])
    x = x * (0.8 + 0.4 * torch.rand(n, 1, 1, 1, generator=g)) + 2.0 * torch.randn(x.shape, generator=g)
    return x, labels


class SmallCnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        )
        self.classifier = nn.Linear(32 * 3 * 3, CLASSES)

    def forward(self, x):
        return self.classifier(torch.flatten(self.features(x), 1))


def train_small_cnn():
    """SmallCnn trained for a few seconds on the generated digits; the test split and its FP32 accuracy (also
    bench/int8_accuracy.py's model)."""
    torch.manual_seed(0)
    model = SmallCnn()
    x, y = _digits(4000, seed=1)
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    for _ in range(4):
        for i in range(0, len(x), 100):
            opt.zero_grad()
            nn.functional.cross_entropy(model(x[i : i + 100]), y[i : i + 100]).backward()
            opt.step()
    model.eval()
    test_x, test_y = _digits(2000, seed=2)
    with torch.no_grad():
        acc = (model(test_x).argmax(1) == test_y).float().mean().item()
    assert acc > 0.7, f"the CNN did not learn the generated digits (accuracy {acc:.3f})"
    return model, test_x, test_y, acc


@pytest.fixture(scope="module")
def trained():
    return train_small_cnn()


@pytest.fixture(autouse=True)
def _trained_model_back_on_the_cpu(request):
    """A test that moved the shared trained model to the GPU and failed leaves it there for the CPU tests after it
    (one failure became three): it goes back after every test."""
    yield
    if "trained" in request.fixturenames:
        request.getfixturevalue("trained")[0].to("cpu")


def _loader(seed: int = 3, batches: int = 4, batch_size: int = 32):
    x, y = _digits(batches * batch_size, seed=seed)
    return torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=batch_size)


def _accuracy(module, x, y, device) -> float:
    with torch.no_grad():
        preds = torch.cat([module(x[i : i + 100].to(device)).cpu() for i in range(0, len(x), 100)]).argmax(1)
    return (preds == y).float().mean().item()


def _int8_layers(compiled) -> int:
    return sum(1 for info in torch_tensorrt.ts.get_layer_info(compiled) for layer in info["layers"] if "int8" in layer["fused"])


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("algo", list(CalibrationAlgo))
def test_ptq_keeps_top1_within_one_point_of_fp32(trained, algo, device):
    model, test_x, test_y, fp32_acc = trained
    model = model.to(device)
    ts = torch.jit.trace(model, test_x[:100].to(device))
    spec = torch_tensorrt.Input(min_shape=(1, 1, SIZE, SIZE), opt_shape=(100, 1, SIZE, SIZE), max_shape=(100, 1, SIZE, SIZE))
    compiled = torch_tensorrt.compile(
        ts, inputs=[spec], enabled_precisions={torch.float, torch.int8}, device=device,
        calibrator=DataLoaderCalibrator(_loader(), algo_type=algo), require_full_compilation=True,
    )
    # Both convolutions and the classifier; on CUDA the first convolution (one input channel) keeps float: the INT8
    # kernels pad each tap to 16 channels, and the stem ran slower than in float (ExecutionBackend::quantizesConvolution).
    assert _int8_layers(compiled) == (2 if device == "cuda" else 3)
    acc = _accuracy(compiled, test_x, test_y, device)
    assert acc >= fp32_acc - 0.01, f"{algo.name}: INT8 top-1 {acc:.4f} vs FP32 {fp32_acc:.4f}"
    model.to("cpu")


@pytest.mark.parametrize("device", DEVICES)
def test_the_cache_round_trip_gives_the_identical_engine_without_data(trained, tmp_path, device):
    model, test_x, _, _ = trained
    ts = torch.jit.trace(model.to(device), test_x[:32].to(device))
    cache = str(tmp_path / "calibration.cache")
    # On CUDA the first convolution stays float (one input channel) and its algorithm is timed: a timing cache makes
    # the three builds choose alike, so that the bytes compare.
    common = dict(inputs=[torch_tensorrt.Input((32, 1, SIZE, SIZE))], enabled_precisions={torch.float, torch.int8}, device=device,
                  timing_cache_path=str(tmp_path / "timing.cache"))
    first = torch_tensorrt.ts.convert_method_to_trt_engine(
        ts, "forward", calibrator=DataLoaderCalibrator(_loader(), cache_file=cache, use_cache=True), **common)
    assert os.path.getsize(cache) > 0 and not os.path.exists(cache + ".tmp")
    with open(cache) as f:
        assert f.readline().startswith("TorchTRT-INT8-Calibration EntropyCalibration2")

    class Untouchable:
        def __iter__(self):
            raise AssertionError("the calibrator read data although the cache has the scales")

    again = torch_tensorrt.ts.convert_method_to_trt_engine(
        ts, "forward", calibrator=DataLoaderCalibrator(Untouchable(), cache_file=cache, use_cache=True), **common)
    from_cache = torch_tensorrt.ts.convert_method_to_trt_engine(ts, "forward", calibrator=CacheCalibrator(cache), **common)
    assert first == again == from_cache
    model.to("cpu")


def test_int8_errors_name_the_problem(trained, tmp_path):
    model, test_x, _, _ = trained
    ts = torch.jit.trace(model, test_x[:8])
    common = dict(inputs=[test_x[:8]], enabled_precisions={torch.float, torch.int8}, device="cpu")
    with pytest.raises(RuntimeError, match="no fake-quantize nodes .* no INT8 calibrator was given"):
        torch_tensorrt.compile(ts, **common)
    with pytest.raises(RuntimeError, match="gave no batches"):
        torch_tensorrt.compile(ts, calibrator=DataLoaderCalibrator([]), **common)
    other = tmp_path / "other.cache"
    other.write_text("TorchTRT-INT8-Calibration EntropyCalibration2\nsome_other_tensor: 3c000000\n")
    with pytest.raises(RuntimeError, match="has no scale for tensor .* written for another network"):
        torch_tensorrt.compile(ts, calibrator=CacheCalibrator(str(other)), **common)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        torch_tensorrt.compile(ts, calibrator=CacheCalibrator(str(tmp_path / "missing.cache")), **common)
    with pytest.raises(ValueError, match="use_cache=True needs a cache_file"):
        DataLoaderCalibrator(_loader(), use_cache=True)
    with pytest.raises(TypeError, match="calibrator must be a torch_tensorrt.ptq"):
        torch_tensorrt.compile(ts, calibrator=object(), **common)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("algo", [CalibrationAlgo.MINMAX_CALIBRATION, CalibrationAlgo.PERCENTILE_CALIBRATION])
def test_resnet18_int8_stays_close_to_fp32(device, algo):
    # Measured on the CPU: min-max 0.99983, percentile 0.99982. Entropy calibration gives 0.986 on
    # this random-weight network: it clips the heavy tails random weights give the late layers (on
    # the trained CNN above it keeps top-1 within a point like the others).
    torchvision = pytest.importorskip("torchvision")
    torch.manual_seed(0)
    model = torchvision.models.resnet18(num_classes=100).eval().to(device)
    x = torch.randn(4, 3, 64, 64, device=device)
    ts = torch.jit.trace(model, x)
    batches = [torch.randn(4, 3, 64, 64) for _ in range(4)]  # the same distribution as the test input
    compiled = torch_tensorrt.compile(
        ts, inputs=[x], enabled_precisions={torch.float, torch.int8}, device=device,
        calibrator=DataLoaderCalibrator(batches, algo_type=algo))
    # Every convolution (the downsampling ones too) and the classifier; on CUDA the RGB stem keeps float (as above).
    assert _int8_layers(compiled) == (20 if device == "cuda" else 21)
    with torch.no_grad():
        cos = nn.functional.cosine_similarity(compiled(x).flatten(), ts(x).flatten(), dim=0).item()
    assert cos >= 0.99, cos


@pytest.mark.skipif("cuda" not in DEVICES, reason="the INT8 channels-last path is the CUDA backend's")
def test_resnet18_int8_in_a_float16_engine_keeps_int8_between_blocks():
    # With float16 enabled the CUDA backend runs the INT8 convolutions channels-last (CUTLASS on sm_90) and keeps
    # INT8 codes between them: each block's output stays INT8 for the next block's first convolution and its
    # residual add. The residual is then the quantized value (as TensorRT's INT8 residual adds): the cosine to the
    # float32 model stays near the FP32-engine INT8 test's above.
    torchvision = pytest.importorskip("torchvision")
    torch.manual_seed(0)
    model = torchvision.models.resnet18(num_classes=100).eval().cuda()
    x = torch.randn(4, 3, 64, 64, device="cuda")
    ts = torch.jit.trace(model, x)
    batches = [torch.randn(4, 3, 64, 64) for _ in range(4)]
    compiled = torch_tensorrt.compile(
        ts, inputs=[x], enabled_precisions={torch.float, torch.half, torch.int8}, device="cuda",
        calibrator=DataLoaderCalibrator(batches, algo_type=CalibrationAlgo.MINMAX_CALIBRATION))
    fused = [layer["fused"] for info in torch_tensorrt.ts.get_layer_info(compiled) for layer in info["layers"]]
    residual_codes = sum(1 for f in fused if "residual_scale" in f.get("int8", {}))
    if any(f.get("layout") == "NHWC" for f in fused if "int8" in f):  # sm_90 with CUTLASS: the codes flow
        # Each stage's second block adds the first one's INT8 output (4 where every stage joins the channels-last
        # region); the first blocks add the stem's pooled output or a projection's float output.
        assert 2 <= residual_codes <= 4, fused
    with torch.no_grad():
        cos = nn.functional.cosine_similarity(compiled(x).float().flatten(), ts(x).flatten(), dim=0).item()
    assert cos >= 0.98, cos


def _qat_model(linear: bool = False):
    import torch.ao.quantization as tq

    act = tq.FakeQuantize.with_args(observer=tq.MovingAverageMinMaxObserver, quant_min=-128, quant_max=127,
                                    dtype=torch.qint8, qscheme=torch.per_tensor_symmetric)
    weight = tq.FakeQuantize.with_args(observer=tq.MovingAveragePerChannelMinMaxObserver, quant_min=-128,
                                       quant_max=127, dtype=torch.qint8, qscheme=torch.per_channel_symmetric)

    class Qat(nn.Module):
        def __init__(self):
            super().__init__()
            self.quant = tq.QuantStub()
            self.conv1 = nn.Conv2d(3, 8, 3, padding=1)
            self.relu = nn.ReLU()
            self.conv2 = nn.Conv2d(8, 6, 3)
            self.fc = nn.Linear(6 * 8 * 8, 5) if linear else None
            self.dequant = tq.DeQuantStub()

        def forward(self, x):
            y = self.conv2(self.relu(self.conv1(self.quant(x))))
            if self.fc is not None:
                y = self.fc(torch.flatten(y, 1))
            return self.dequant(y)

    torch.manual_seed(0)
    return trained_qat(Qat(), act, weight, (4, 3, 10, 10))


@pytest.mark.parametrize("device", DEVICES)
def test_quantization_aware_model_compiles_to_int8_convolutions(device):
    model = _qat_model().to(device)
    x = torch.randn(2, 3, 10, 10, device=device)
    ts = torch.jit.trace(model, x)
    compiled = torch_tensorrt.compile(ts, inputs=[x], enabled_precisions={torch.float, torch.int8}, device=device,
                                      require_full_compilation=True)
    assert _int8_layers(compiled) == 2
    # The INT8 sums are exact; FP32 TorchScript sums fake-quantized values in another order.
    # Measured max abs difference ~1e-6 on outputs of magnitude ~1 (also on the GPU: TF32 does not
    # apply to INT8 convolutions); 1e-4 leaves a wide margin and still catches one quantization step.
    # PyTorch's own CUDA convolutions use TF32 (its default), hence TF32_TOLERANCE there.
    tol = dict(rtol=1e-4, atol=1e-4) if device == "cpu" else TF32_TOLERANCE
    torch.testing.assert_close(compiled(x), ts(x), **tol)
    # Without int8 the fake-quantize nodes run as FP32 layers: the same numbers, no INT8 layer.
    fp32 = torch_tensorrt.compile(ts, inputs=[x], device=device, require_full_compilation=True, disable_tf32=True)
    assert _int8_layers(fp32) == 0
    torch.testing.assert_close(fp32(x), ts(x), **tol)


@pytest.mark.parametrize("device", DEVICES)
def test_quantization_aware_linear_layer_compiles_to_an_int8_product(device):
    """conv -> relu -> conv -> flatten -> linear, each fake-quantized: the linear layer reads its
    quantized input through the flatten and becomes an INT8 matrix multiply."""
    model = _qat_model(linear=True).to(device)
    x = torch.randn(2, 3, 10, 10, device=device)
    ts = torch.jit.trace(model, x)
    compiled = torch_tensorrt.compile(ts, inputs=[x], enabled_precisions={torch.float, torch.int8}, device=device,
                                      require_full_compilation=True)
    layers = [layer for info in torch_tensorrt.ts.get_layer_info(compiled) for layer in info["layers"]]
    assert [layer["kind"] for layer in layers if "int8" in layer["fused"]] == ["Convolution", "Convolution",
                                                                              "MatrixMultiply"]
    # Tolerance as for the convolutions above (exact INT32 sums; FP32 sums of TorchScript in another order).
    tol = dict(rtol=1e-4, atol=1e-4) if device == "cpu" else TF32_TOLERANCE
    torch.testing.assert_close(compiled(x), ts(x), **tol)


def test_data_loader_calibrator_streams_its_batches(trained):
    """The builder pulls one batch at a time (the loader is never held whole), and errors in the
    loader reach the caller."""
    model, test_x, _, _ = trained
    ts = torch.jit.trace(model, test_x[:8])
    pulled = []

    def batches():
        for i in range(3):
            pulled.append(i)
            yield test_x[i * 8 : (i + 1) * 8]

    calibrator = DataLoaderCalibrator(batches())
    native = calibrator._native()  # nothing read yet
    assert pulled == []
    del native
    calibrator = DataLoaderCalibrator(batches())
    torch_tensorrt.compile(ts, inputs=[test_x[:8]], enabled_precisions={torch.float, torch.int8}, device="cpu",
                           calibrator=calibrator)
    assert pulled == [0, 1, 2]

    def broken():
        yield test_x[:8]
        raise ValueError("the data loader broke")

    with pytest.raises(Exception, match="the data loader broke"):
        torch_tensorrt.compile(ts, inputs=[test_x[:8]], enabled_precisions={torch.float, torch.int8}, device="cpu",
                               calibrator=DataLoaderCalibrator(broken()))


@pytest.mark.parametrize("qrange", [(-128, 127, 0), (0, 255, 128)], ids=["symmetric", "asymmetric-uint8"])
@pytest.mark.parametrize("zero_point_dtype", [torch.int32, torch.long])
def test_fake_quantize_with_tensor_qparams_in_int8_builds(qrange, zero_point_dtype):
    # Found (issue 20): fake_quantize_per_tensor_affine.tensor_qparams failed in INT8 builds when its range
    # had no INT8 form in the engine (torch.ao's default uint8 activations: zero point 128, [0, 255]).
    # Those compute exactly in floating point; symmetric ranges become INT8 Q/DQ layers.
    qmin, qmax, zp = qrange

    class FakeQuantized(nn.Module):
        def __init__(self):
            super().__init__()
            self.register_buffer("scale", torch.tensor([0.05]))
            self.register_buffer("zero_point", torch.tensor([zp], dtype=zero_point_dtype))
            self.linear = nn.Linear(8, 4)

        def forward(self, x):
            y = torch.fake_quantize_per_tensor_affine(x, self.scale, self.zero_point, qmin, qmax)
            return self.linear(y) + y.sum(-1, keepdim=True)

    torch.manual_seed(0)
    model, x = FakeQuantized().eval(), torch.randn(2, 8)
    trt = torch_tensorrt.compile(torch.jit.trace(model, x), inputs=[x], require_full_compilation=True,
                                 enabled_precisions={torch.int8, torch.float})
    with torch.no_grad():
        expected = model(x)
    # Emulated (asymmetric) fake quantization is exact up to FP32 rounding; INT8 products round
    # activations and weights to 8 bits: a bound relative to the output's magnitude.
    bound = 1e-5 if zp else 0.02 * float(expected.abs().max())
    assert float((trt(x) - expected).abs().max()) <= bound
