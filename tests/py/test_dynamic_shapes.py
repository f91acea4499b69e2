"""One engine built for min/opt/max = 1x3x16x16 / 1x3x32x32 / 4x3x64x64 runs at several shapes in
the range (batch and spatial dims varying together) and refuses one outside it, naming the input
and the allowed range."""
import copy

import pytest
import torch

import torch_tensorrt
from conftest import TF32_TOLERANCE, TOLERANCES, gpu_engines


class ConvNet(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 8, 3, padding=1)
        self.bn = torch.nn.BatchNorm2d(8)
        self.down = torch.nn.Conv2d(8, 4, 3, stride=2, padding=1)

    def forward(self, x):
        y = torch.relu(self.bn(self.conv(x)))
        y = torch.nn.functional.max_pool2d(y, 2)
        return torch.sigmoid(self.down(y)) + y.mean()


def test_dynamic_batch_and_spatial_dims_in_one_engine():
    model = torch.jit.script(ConvNet().eval())
    spec = torch_tensorrt.Input(min_shape=(1, 3, 16, 16), opt_shape=(1, 3, 32, 32), max_shape=(4, 3, 64, 64))
    compiled = torch_tensorrt.compile(model, inputs=[spec], require_full_compilation=True)
    assert len(compiled.graph.findAllNodes("tensorrt::execute_engine")) == 1
    with torch.no_grad():
        for shape in [(1, 3, 16, 16), (1, 3, 32, 32), (2, 3, 40, 24), (3, 3, 17, 33), (4, 3, 64, 64)]:
            x = torch.randn(shape)
            torch.testing.assert_close(compiled(x), model(x), **TOLERANCES[torch.float32])
        with pytest.raises(RuntimeError, match=r"input 'input_0' has shape \(5, 3, 16, 16\), outside optimization "
                                               r"profile 0 \(min \(1, 3, 16, 16\), max \(4, 3, 64, 64\)\)"):
            compiled(torch.randn(5, 3, 16, 16))
        with pytest.raises(RuntimeError, match=r"has shape \(1, 3, 8, 16\), outside optimization profile"):
            compiled(torch.randn(1, 3, 8, 16))


class FlattenBySize(torch.nn.Module):
    """The classifier head idiom: x.view(x.size(0), -1) (and reshape with two leading sizes)."""

    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 4, 3, padding=1)
        self.fc = torch.nn.Linear(4 * 8 * 8, 5)

    def forward(self, x):
        y = torch.relu(self.conv(x))
        z = y.reshape(y.size(0), y.size(1), -1).sum(2)
        return self.fc(y.view(y.size(0), -1)) + z.sum(1, keepdim=True)


def test_view_by_leading_sizes_converts_with_a_dynamic_batch():
    torch.manual_seed(0)
    model = FlattenBySize().eval()
    traced = torch.jit.trace(model, torch.randn(2, 3, 8, 8))
    spec = torch_tensorrt.Input(min_shape=(1, 3, 8, 8), opt_shape=(2, 3, 8, 8), max_shape=(8, 3, 8, 8))
    trt = torch_tensorrt.compile(traced, inputs=[spec], device="cpu", require_full_compilation=True)
    assert len(trt.graph.findAllNodes("tensorrt::execute_engine", True)) == 1
    for batch in (1, 3, 8):
        x = torch.randn(batch, 3, 8, 8)
        torch.testing.assert_close(trt(x), model(x), **TOLERANCES[torch.float32])


class ChannelShuffle(torch.nn.Module):
    """ShuffleNet's channel shuffle: sizes read from the input feed view's sizes (int arithmetic)."""

    def forward(self, x):
        b, c, h, w = x.size()
        y = x.view(b, 2, c // 2, h, w).transpose(1, 2).contiguous().view(b, -1, h, w)
        return y * 2 + x.view(b * c, h * w).mean(1).view(b, c, 1, 1)


class SizeDrivenOps(torch.nn.Module):
    """A ViT-style prologue on [N, T, 8] with N and T dynamic: a class token expanded to the batch,
    positions from arange(T + 1), zeros of a computed size, slices and a select of dynamic dims."""

    def __init__(self):
        super().__init__()
        self.cls = torch.nn.Parameter(torch.randn(1, 1, 8))
        self.proj = torch.nn.Linear(8, 8)

    def forward(self, x):
        n, t = x.size(0), x.size(1)
        seq = torch.cat([self.cls.expand(n, -1, -1), self.proj(x)], dim=1)
        positions = torch.arange(t + 1).to(seq.dtype)
        seq = seq + positions.view(1, -1, 1) * 0.01
        bias = torch.zeros(n, t + 1, 8) + torch.ones_like(seq) * 0.5
        tail = seq[:, 1:] * 2 + seq[:, -2:].sum(1, keepdim=True)
        return tail, seq[:, 0] + bias.sum(1), x.new_zeros(n, 2) + t


@pytest.mark.parametrize("frontend", ["script", "trace"])
def test_size_arithmetic_feeds_reshapes_with_dynamic_dims(frontend):
    """Shape tensors: aten::size of a dynamic dimension, int arithmetic on it, and view sizes built
    from it convert to engine layers (no fallback) and follow every run-time shape."""
    model = ChannelShuffle().eval()
    example = torch.randn(2, 4, 3, 5)
    module = torch.jit.script(model) if frontend == "script" else torch.jit.trace(model, example)
    spec = torch_tensorrt.Input(min_shape=(1, 4, 2, 2), opt_shape=(2, 4, 3, 5), max_shape=(3, 4, 6, 6))
    compiled = torch_tensorrt.compile(module, inputs=[spec], require_full_compilation=True)
    assert len(compiled.graph.findAllNodes("tensorrt::execute_engine", True)) == 1
    with torch.no_grad():
        for shape in [(1, 4, 2, 2), (2, 4, 3, 5), (3, 4, 6, 6), (3, 4, 2, 6)]:
            x = torch.randn(shape)
            torch.testing.assert_close(compiled(x), model(x), **TOLERANCES[torch.float32])


@pytest.mark.parametrize("frontend", ["script", "trace"])
def test_expand_arange_zeros_and_slices_follow_dynamic_dims(frontend):
    torch.manual_seed(0)
    model = SizeDrivenOps().eval()
    example = torch.randn(2, 4, 8)
    module = torch.jit.script(model) if frontend == "script" else torch.jit.trace(model, example)
    spec = torch_tensorrt.Input(min_shape=(1, 2, 8), opt_shape=(2, 4, 8), max_shape=(4, 7, 8))
    compiled = torch_tensorrt.compile(module, inputs=[spec], require_full_compilation=True)
    assert len(compiled.graph.findAllNodes("tensorrt::execute_engine", True)) == 1
    with torch.no_grad():
        for shape in [(1, 2, 8), (2, 4, 8), (4, 7, 8), (3, 5, 8)]:
            x = torch.randn(shape)
            for got, want in zip(compiled(x), model(x)):
                torch.testing.assert_close(got, want, **TF32_TOLERANCE)


def _small_vit():
    import torchvision

    vit = torchvision.models.VisionTransformer(image_size=32, patch_size=8, num_layers=2, num_heads=2, hidden_dim=32,
                                               mlp_dim=64, num_classes=10)
    torch.nn.init.normal_(vit.heads.head.weight)  # torchvision starts it at zero: outputs would all be the bias
    return vit, (3, 32, 32)


def _shufflenet():
    import torchvision

    return torchvision.models.shufflenet_v2_x0_5(), (3, 64, 64)


def _resnet18():
    import torchvision

    return torchvision.models.resnet18(), (3, 64, 64)


@pytest.mark.parametrize("frontend", ["script", "trace"])
@pytest.mark.parametrize("make", [_small_vit, _shufflenet, _resnet18], ids=["vit", "shufflenet_v2", "resnet18"])
def test_model_zoo_with_a_dynamic_batch(make, frontend):
    """Whole models with the batch dimension dynamic (1..4), converted in full: the sizes they read
    (channel shuffles, class-token expands, attention head splits, flatten, scripted asserts on
    static sizes, nn.MultiheadAttention's inference fast path) become shape tensors or fold."""
    torch.manual_seed(0)
    model, chw = make()
    model.eval()
    example = torch.randn(2, *chw)
    module = torch.jit.script(model) if frontend == "script" else torch.jit.trace(model, example, check_trace=False)
    spec = torch_tensorrt.Input(min_shape=(1, *chw), opt_shape=(2, *chw), max_shape=(4, *chw))
    compiled = torch_tensorrt.compile(module, inputs=[spec], require_full_compilation=True)
    assert len(compiled.graph.findAllNodes("tensorrt::execute_engine", True)) == 1
    with torch.no_grad():
        for batch in (1, 3, 4):
            x = torch.randn(batch, *chw)
            want = model(x)
            # As the model zoo's bound: TF32 on the GPU, ~5e-4 per product over tens of layers.
            scale = max(1.0, want.abs().max().item())
            torch.testing.assert_close(compiled(x).cpu(), want, rtol=5e-3, atol=5e-3 * scale)


class Decoder(torch.nn.Module):
    """A U-Net style decoder: transposed convolutions upsample (stride 2, output_padding, groups),
    with a skip connection; batch and spatial dims dynamic."""

    def __init__(self):
        super().__init__()
        self.down = torch.nn.Conv2d(3, 8, 3, stride=2, padding=1)
        self.up = torch.nn.ConvTranspose2d(8, 6, 3, stride=2, padding=1, output_padding=1, groups=2)
        self.refine = torch.nn.ConvTranspose2d(6, 3, 4, stride=2, padding=1)

    def forward(self, x):
        y = torch.relu(self.down(x))
        return self.refine(torch.relu(self.up(y)) + x[:, :1].repeat(1, 6, 1, 1))


@pytest.mark.parametrize("device", ["cpu"] + (["cuda"] if gpu_engines() else []))
def test_transposed_convolutions_with_dynamic_batch_and_spatial_dims(device):
    torch.manual_seed(0)
    model = Decoder().eval()
    traced = torch.jit.trace(model, torch.randn(1, 3, 8, 8))
    spec = torch_tensorrt.Input(min_shape=(1, 3, 4, 4), opt_shape=(2, 3, 8, 8), max_shape=(4, 3, 16, 16))
    trt = torch_tensorrt.compile(traced, inputs=[spec], device=device, require_full_compilation=True)
    assert len(trt.graph.findAllNodes("tensorrt::execute_engine", True)) == 1
    tolerance = TOLERANCES[torch.float32] if device == "cpu" else TF32_TOLERANCE
    with torch.no_grad():
        for shape in [(1, 3, 4, 4), (2, 3, 8, 8), (3, 3, 10, 14), (4, 3, 16, 16)]:
            x = torch.randn(shape)
            torch.testing.assert_close(trt(x.to(device)).cpu(), model(x), **tolerance)


@pytest.mark.parametrize("device", ["cpu"] + (["cuda"] if gpu_engines() else []))
def test_vgg_with_dynamic_image_sizes(device):
    """VGG's adaptive_avg_pool2d((7, 7)) over a feature map whose size follows the image's: the
    windows are computed at run time (1x1 to 3x3 feature maps here, pooled to 7x7)."""
    import torchvision

    torch.manual_seed(0)
    model = torchvision.models.vgg11(num_classes=10).eval()
    # A copy is traced: the trace shares the model's parameters, and moving it moves them.
    traced = torch.jit.trace(copy.deepcopy(model), torch.randn(1, 3, 64, 64))
    spec = torch_tensorrt.Input(min_shape=(1, 3, 32, 32), opt_shape=(2, 3, 64, 64), max_shape=(2, 3, 96, 96))
    trt = torch_tensorrt.compile(traced.to(device), inputs=[spec], device=device, require_full_compilation=True)
    assert len(trt.graph.findAllNodes("tensorrt::execute_engine", True)) == 1
    with torch.no_grad():
        for shape in [(1, 3, 32, 32), (2, 3, 64, 48), (1, 3, 96, 80)]:
            x = torch.randn(shape)
            want = model(x)
            scale = max(1.0, want.abs().max().item())
            tolerance = 1e-4 if device == "cpu" else 5e-3  # TF32 on the GPU, as the model zoo
            torch.testing.assert_close(trt(x.to(device)).cpu(), want, rtol=tolerance, atol=tolerance * scale)
