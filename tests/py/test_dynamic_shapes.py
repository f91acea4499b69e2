"""One engine built for min/opt/max = 1x3x16x16 / 1x3x32x32 / 4x3x64x64 runs at several shapes in
the range (batch and spatial dims varying together) and refuses one outside it, naming the input
and the allowed range."""
import pytest
import torch

import torch_tensorrt
from conftest import TOLERANCES


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
