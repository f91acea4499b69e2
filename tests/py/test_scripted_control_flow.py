"""Scripted control flow under partial compilation: early exits from loops and `with` blocks, and engines whose
input sizes follow a branch or a loop. An audit found the first failing in shape analysis ("Expected Tensor but got
Uninitialized"), and the second failing at run time for sizes inside the declared range: such an engine took its
range from the sizes the shape analysis runs reached. It now keeps its TorchScript for the sizes outside its range."""
import io

import pytest
import torch
import torch_tensorrt
from torch import nn


class ReturnInLoop(nn.Module):
    def forward(self, x):
        for i in range(5):
            if i == 3:
                return x * i
            x = x + 1
        return x


class ContinueAndBreak(nn.Module):
    def forward(self, x):
        acc = torch.zeros_like(x[0])
        for i in range(x.size(0)):
            if i % 2 == 1:
                continue
            if i >= 4:
                break
            acc = acc + x[i]
        return acc


class NoGradBlock(nn.Module):
    def forward(self, x):
        with torch.no_grad():
            y = x * 2
        return y + 1


@pytest.mark.parametrize("make", [ReturnInLoop, ContinueAndBreak, NoGradBlock])
def test_early_exits_and_with_blocks_compile_in_parts(make):
    scripted = torch.jit.script(make())
    x = torch.rand(6, 3)
    compiled = torch_tensorrt.compile(scripted, inputs=[x], device="cpu", min_block_size=1)
    for value in (x, torch.randn(6, 3)):
        torch.testing.assert_close(compiled(value), scripted(value))


class EngineInABranch(nn.Module):
    def forward(self, x):
        n = x.size(0)
        if n % 2 == 0:  # of the analysis runs' sizes 1, 4 and 7, only 4 takes it
            return torch.relu(x[: n // 2] * 3 + 1)
        return x - 1


class EngineInALoop(nn.Module):
    def forward(self, x):
        y = x
        while y.size(0) < 8:  # the body's engine sees sizes the runs at 1, 4 and 7 rows do not all reach
            y = torch.cat([y, torch.relu(y * 2 + 1)], 0)
        return y


class EngineAfterABranch(nn.Module):
    def forward(self, x):
        if x.size(0) % 2 == 0:
            y = torch.cat([x, x, x], 0)
        else:
            y = x
        return torch.relu(y * 2 + 1).sum(1)


@pytest.mark.parametrize("make", [EngineInABranch, EngineInALoop, EngineAfterABranch])
def test_an_engine_whose_sizes_follow_control_flow_takes_every_size_in_the_range(make):
    scripted = torch.jit.script(make())
    spec = torch_tensorrt.Input(min_shape=(1, 3), opt_shape=(4, 3), max_shape=(7, 3))
    compiled = torch_tensorrt.compile(scripted, inputs=[spec], device="cpu", min_block_size=1)
    assert "tensorrt::accepts_shapes" in str(compiled.graph)
    buffer = io.BytesIO()
    torch.jit.save(compiled, buffer)
    buffer.seek(0)
    loaded = torch.jit.load(buffer)
    for rows in range(1, 8):
        x = torch.randn(rows, 3)
        torch.testing.assert_close(compiled(x), scripted(x), msg=f"{rows} rows")
        torch.testing.assert_close(loaded(x), scripted(x), msg=f"{rows} rows, loaded")


class StraightLine(nn.Module):
    def forward(self, x):
        y = torch.relu(x * 2 + 1)
        return torch.cumsum(y, 0)[: x.size(0) // 2] * 3


def test_an_engine_outside_control_flow_keeps_no_torchscript_copy():
    # Its range comes from the analysis runs at the min, opt and max shapes; a copy of its nodes would hold its
    # weights a second time.
    scripted = torch.jit.script(StraightLine())
    spec = torch_tensorrt.Input(min_shape=(1, 3), opt_shape=(4, 3), max_shape=(7, 3))
    compiled = torch_tensorrt.compile(scripted, inputs=[spec], device="cpu", min_block_size=1,
                                      torch_executed_ops=["aten::cumsum"])
    assert "tensorrt::execute_engine" in str(compiled.graph)
    assert "tensorrt::accepts_shapes" not in str(compiled.graph)
    for rows in range(1, 8):
        x = torch.randn(rows, 3)
        torch.testing.assert_close(compiled(x), scripted(x))


class Halves(nn.Module):
    def forward(self, x):
        a, b = x.unbind(0)  # a trace keeps the count: another count fails in TorchScript's list unpack
        return a * 2 + b


class WithHalves(nn.Module):
    def __init__(self):
        super().__init__()
        self.halves = Halves()

    def forward(self, x):
        return torch.relu(self.halves(x) + 1)


def test_an_error_in_the_torchscript_between_engines_is_reported_not_a_crash():
    # The compiled graph's nodes name the methods they were inlined from; those of the compile's frozen copy were
    # freed with it, and TorchScript's error report read them (a segmentation fault where eager raises).
    x = torch.randn(2, 3)
    traced = torch.jit.trace(WithHalves(), (x,))
    compiled = torch_tensorrt.compile(traced, inputs=[x], device="cpu", min_block_size=1,
                                      torch_executed_ops=["aten::unbind"])
    torch.testing.assert_close(compiled(x), traced(x))
    with pytest.raises(RuntimeError, match="Expected 2 elements in a list but found 3"):
        compiled(torch.randn(3, 3))


class Route(nn.Module):
    def forward(self, x):
        # How many rows pass is a count of values: every generated input in shape analysis passes all 8 (their
        # columns differ by less than 1), so no analysis run sees another count.
        keep = torch.nonzero((x[:, 0] - x[:, 1]).abs() < 10).squeeze(1)
        return torch.relu(x.index_select(0, keep) * 2 + 1).sum(0)


def test_an_engine_after_a_count_of_values_takes_counts_the_analysis_did_not_see():
    x = torch.rand(8, 4)
    traced = torch.jit.trace(Route(), (x,))
    compiled = torch_tensorrt.compile(traced, inputs=[x], device="cpu", min_block_size=1,
                                      torch_executed_ops=["aten::nonzero"])
    assert "tensorrt::accepts_shapes" in str(compiled.graph)
    torch.testing.assert_close(compiled(x), traced(x))
    fewer = x.clone()
    fewer[::3, 0] = 100.0  # rows 0, 3 and 6 fail the test: 5 pass
    torch.testing.assert_close(compiled(fewer), traced(fewer))


class BranchOnValues(nn.Module):
    def forward(self, x):
        if bool((x[0, 0] - x[0, 1]).abs() > 10):  # no generated input takes it: their values differ by less than 1
            y = torch.cat([x, x], 0)
        else:
            y = x
        return torch.relu(y * 2 + 1).sum(1)


class BranchOnSizes(nn.Module):
    def forward(self, x):
        y = torch.cat([x, x], 0) if x.size(0) > 2 else x  # decided by the (static) shape: the same at every call
        return torch.relu(y * 2 + 1).sum(1)


def test_with_static_inputs_an_engine_after_a_branch_on_values_takes_either_branch():
    scripted = torch.jit.script(BranchOnValues())
    x = torch.rand(4, 3)
    compiled = torch_tensorrt.compile(scripted, inputs=[x], device="cpu", min_block_size=1)
    assert "tensorrt::accepts_shapes" in str(compiled.graph)
    other = x.clone()
    other[0, 0] = 100.0
    for value in (x, other):
        torch.testing.assert_close(compiled(value), scripted(value))
    sizes = torch_tensorrt.compile(torch.jit.script(BranchOnSizes()), inputs=[x], device="cpu", min_block_size=1)
    assert "tensorrt::accepts_shapes" not in str(sizes.graph)  # no TorchScript copy where the shapes decide
    torch.testing.assert_close(sizes(x), BranchOnSizes()(x))
