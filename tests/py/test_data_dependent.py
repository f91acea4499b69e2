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


class UniqueThenEngine(torch.nn.Module):
    def forward(self, x):
        return torch.relu(torch.unique(x) * 2 + 1)


class OnesOfASum(torch.nn.Module):
    def forward(self, x):
        return torch.relu(torch.ones(int(x.sum())) * 2 + 1)


class RepeatInterleaved(torch.nn.Module):
    def forward(self, x, r):
        return torch.relu(torch.repeat_interleave(x, r) * 2)


class ZerosOfAnArgument(torch.nn.Module):
    def forward(self, x, n, *unused):  # *unused: compile traces it
        return torch.zeros(n) + x.sum()


@pytest.mark.parametrize("model, inputs", [
    (torch.jit.script(UniqueThenEngine()), [torch.tensor([0.0, 1.0, 1.0, 0.0])]),
    (torch.jit.script(OnesOfASum()), [torch.tensor([0.0, 1.0, 1.0, 3.0])]),
    (torch.jit.script(RepeatInterleaved()), [torch.tensor([0.0, 1.0, 1.0, 3.0]), torch.tensor([1, 2, 0, 3])]),
    (ZerosOfAnArgument(), [torch.tensor([0.5, 1.0]), torch.tensor(3)]),
])
def test_a_shape_made_from_values_stays_in_torchscript(model, inputs):
    # Partial compilation learns the shapes between segments from generated inputs: a TorchScript op whose output
    # size follows the values (unique, ones(int(x.sum())), repeat_interleave, zeros(n)) gave the next engine the size
    # seen there, and the module failed on its own example ("expects shape (0), got (2)"). Runs with the inputs
    # filled with one value show those sizes changing; the ops that read them stay in TorchScript.
    compiled = torch_tensorrt.compile(model, inputs=inputs, device="cpu", min_block_size=1)
    reference = model.forward if isinstance(model, torch.jit.ScriptModule) else model
    for scale in (1, 2):
        args = [inputs[0] * scale] + inputs[1:]
        got, want = compiled(*args), reference(*args)
        assert got.shape == want.shape and torch.equal(got, want), (got, want)
