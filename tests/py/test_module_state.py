"""A module's state and mode through compilation: forward's in-place updates of its own buffers (a step counter, a
running average) start where the caller left them, a module left in training mode is compiled for inference with a
warning saying so, and numbers forward returns (sizes computed in an engine) come back as numbers. An audit of
scripted modules found each of these answering otherwise: compiling ran forward three times on the caller's buffers,
a training-mode ScriptModule became its eval form silently, and `x.size(0) * 2 - 1` came back as a 0-d tensor."""
import pytest
import torch
import torch_tensorrt
from torch import nn


class StepCounter(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("steps", torch.zeros(1))

    def forward(self, x):
        self.steps.add_(1)
        return x * self.steps


class RunningAverage(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("average", torch.zeros(3))

    def forward(self, x):
        self.average.mul_(0.5).add_(x * 0.5)
        return x - self.average


class UnscriptableStepCounter(StepCounter):
    def forward(self, x, *unused):  # *args: torch.jit.script refuses it, so compile traces
        return super().forward(x)


@pytest.mark.filterwarnings("ignore:torch.jit.script failed on UnscriptableStepCounter")
@pytest.mark.parametrize("make", [StepCounter, RunningAverage, UnscriptableStepCounter])
@pytest.mark.parametrize("scripted", [True, False])
def test_compiling_leaves_the_buffers_forward_updates_as_they_were(make, scripted):
    if scripted and make is UnscriptableStepCounter:
        pytest.skip("not scriptable")
    module = make()
    reference = make()
    source = torch.jit.script(module) if scripted else module
    compiled = torch_tensorrt.compile(source, inputs=[torch.randn(3)], device="cpu", min_block_size=1)
    for name, buffer in module.named_buffers():
        assert torch.equal(buffer, torch.zeros_like(buffer)), f"compiling changed the caller's buffer {name}"
    x = torch.ones(3)
    for call in range(3):
        torch.testing.assert_close(compiled(x), reference(x), rtol=0, atol=0, msg=f"call {call}")


class TrainingDependent(nn.Module):
    def __init__(self):
        super().__init__()
        self.norm = nn.BatchNorm1d(3)
        self.drop = nn.Dropout(0.5)

    def forward(self, x):
        y = self.drop(self.norm(x))
        if self.training:
            y = y * 100
        return y


def test_a_scripted_module_in_training_mode_compiles_for_inference_with_a_warning(capfd):
    torch.manual_seed(0)
    module = TrainingDependent()
    module.norm.running_mean.normal_()
    scripted = torch.jit.script(module)  # training mode, as a new module is
    x = torch.randn(4, 3)
    compiled = torch_tensorrt.compile(scripted, inputs=[x], device="cpu", require_full_compilation=True)
    err = capfd.readouterr().err
    assert ("the module is in training mode and its forward depends on it (dropout, batch norm or self.training); "
            "the engine computes inference, as after module.eval()") in err
    assert scripted.training, "the caller's module keeps its mode"
    torch.testing.assert_close(compiled(x), module.eval()(x))


def test_a_training_mode_module_whose_forward_ignores_the_mode_compiles_without_a_warning(capfd):
    scripted = torch.jit.script(nn.Sequential(nn.Linear(3, 3), nn.ReLU()))
    assert scripted.training
    torch_tensorrt.compile(scripted, inputs=[torch.randn(2, 3)], device="cpu", require_full_compilation=True)
    assert "training mode" not in capfd.readouterr().err


class SizeArithmetic(nn.Module):
    def forward(self, x):
        return x * 2, x.size(0) * 2 - 1, x.size(1) + 1


class HalfTheRows(nn.Module):
    def forward(self, x) -> int:
        return x.size(0) // 2


class RowCounts(nn.Module):
    def forward(self, x):
        return [x.size(0), x.size(1) * 2]


@pytest.mark.parametrize("dynamic", [True, False])
@pytest.mark.parametrize("full", [True, False])
@pytest.mark.parametrize("make", [SizeArithmetic, HalfTheRows, RowCounts])
def test_numbers_computed_from_sizes_are_returned_as_numbers(make, full, dynamic):
    scripted = torch.jit.script(make())
    spec = (torch_tensorrt.Input(min_shape=(1, 3), opt_shape=(4, 3), max_shape=(7, 3)) if dynamic
            else torch_tensorrt.Input(shape=(5, 3)))
    compiled = torch_tensorrt.compile(scripted, inputs=[spec], device="cpu", min_block_size=1,
                                      require_full_compilation=full)
    for rows in (1, 5, 7) if dynamic else (5,):
        x = torch.randn(rows, 3)
        expected, actual = scripted(x), compiled(x)
        flat_expected = list(expected) if isinstance(expected, (tuple, list)) else [expected]
        flat_actual = list(actual) if isinstance(actual, (tuple, list)) else [actual]
        assert type(actual) is type(expected)
        for e, a in zip(flat_expected, flat_actual):
            assert type(a) is type(e), f"{rows} rows: {a!r} for {e!r}"
            if isinstance(e, torch.Tensor):
                torch.testing.assert_close(a, e)
            else:
                assert a == e


class RowsHalved(nn.Module):
    def forward(self, x):
        return x * 2, x.size(0) / 2


def test_a_float_computed_from_sizes_is_not_returned_from_an_engine():
    scripted = torch.jit.script(RowsHalved())
    spec = torch_tensorrt.Input(shape=(5, 3))  # 2.5 known when converting: still float64 in TorchScript
    with pytest.raises(RuntimeError, match="a float computed from sizes, which an engine would compute in float32"):
        torch_tensorrt.compile(scripted, inputs=[spec], device="cpu", require_full_compilation=True)
    compiled = torch_tensorrt.compile(scripted, inputs=[spec], device="cpu", min_block_size=1)
    x = torch.randn(5, 3)
    assert compiled(x)[1] == 2.5


@pytest.mark.parametrize("full", [True, False])
def test_a_compiled_module_is_in_eval_mode_and_freezes(full):
    scripted = torch.jit.script(nn.Sequential(nn.Linear(3, 3), nn.ReLU()).eval())
    x = torch.randn(2, 3)
    compiled = torch_tensorrt.compile(scripted, inputs=[x], device="cpu", min_block_size=1,
                                      require_full_compilation=full,
                                      torch_executed_ops=[] if full else ["aten::relu"])
    assert compiled.training is False
    compiled.eval()
    frozen = torch.jit.freeze(compiled)  # failed: "'RecursiveScriptModule' object has no attribute 'training'"
    torch.testing.assert_close(frozen(x), scripted(x))
