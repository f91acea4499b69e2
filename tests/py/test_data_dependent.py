"""Ops whose output size depends on the data (torch.nonzero, x[mask], masked_select) compile into
the engine: its NonZero layer counts at run time and the module returns tensors of the run's size,
on the CPU and (where a GPU is visible) the CUDA backend, scripted and traced."""
import pytest
import torch

import torch_tensorrt
from conftest import gpu_engines

DEVICES = ["cpu"] + (["cuda"] if gpu_engines() else [])


class Selections(torch.nn.Module):
    def forward(self, x, y):
        keep = x > 0
        return (x[keep] * 2, torch.nonzero(y > 0.5), torch.masked_select(y, y < 0), x[:, keep[0]],
                torch.relu(x).sum() + y[y > 1].sum())


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("frontend", ["script", "trace"])
def test_data_dependent_sizes_match_torchscript(frontend, device):
    model = Selections().eval()
    x, y = torch.randn(3, 4), torch.randn(2, 5)
    module = torch.jit.script(model) if frontend == "script" else torch.jit.trace(model, (x, y))
    compiled = torch_tensorrt.compile(module, inputs=[x, y], device=device, require_full_compilation=True)
    assert len(compiled.graph.findAllNodes("tensorrt::execute_engine", True)) == 1
    cases = [(torch.randn(3, 4), torch.randn(2, 5)) for _ in range(3)]
    cases.append((torch.zeros(3, 4), torch.zeros(2, 5)))  # nothing selected: empty results
    cases.append((torch.ones(3, 4), torch.full((2, 5), 2.0)))  # everything selected
    for x, y in cases:
        got = compiled(x.to(device), y.to(device))
        for g, w in zip(got, model(x, y)):
            assert g.shape == w.shape and g.dtype == w.dtype
            torch.testing.assert_close(g.cpu(), w, rtol=1e-5, atol=1e-5)
