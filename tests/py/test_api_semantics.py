"""What torch_tensorrt.compile does with what the caller hands it (issue 20, silent wrong results at
the API): an nn.Module is scripted, and traced only with a warning and never into a trace that keeps
a data-dependent path; the caller's module keeps its training flags; example inputs come from
tensor_domain; an explicit device that is not there is refused."""
import warnings

import pytest
import torch
import torch_tensorrt
from torch import nn

from conftest import TOLERANCES, gpu_engines

TOL = TOLERANCES[torch.float32]


class DataDependentBranch(nn.Module):
    def forward(self, x):
        if x.sum() > 0:
            return x * 2
        return x - 100


class UnscriptableBranch(nn.Module):
    """`*unused` cannot be scripted, so compile has to trace this one."""

    def forward(self, x, *unused):
        if x.sum() > 0:
            return x * 2
        return x - 100


class UnscriptableShapeCheck(nn.Module):
    def forward(self, x, *unused):
        if x.shape[1] != 4:
            raise ValueError("expected 4 features")
        return torch.relu(x) * 2


def _recorded(call):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = call()
    return result, [w for w in caught if not issubclass(w.category, DeprecationWarning)]


def test_an_nn_module_with_a_data_dependent_branch_keeps_both_branches():
    # Examples drawn from the default tensor_domain [0, 2) take only the first branch: a trace
    # would answer x * 2 for every input.
    compiled, caught = _recorded(lambda: torch_tensorrt.compile(DataDependentBranch(), inputs=[torch_tensorrt.Input((3,))]))
    pos, neg = torch.ones(3), -torch.ones(3)
    torch.testing.assert_close(compiled(pos), pos * 2)
    torch.testing.assert_close(compiled(neg), neg - 100)
    assert not caught, [str(w.message) for w in caught]  # scripted: nothing to warn about


def test_a_trace_that_keeps_a_data_dependent_branch_is_refused():
    with pytest.raises(RuntimeError) as info:
        torch_tensorrt.compile(UnscriptableBranch(), inputs=[torch.randn(3)])
    msg = str(info.value)
    assert "torch.jit.script failed on UnscriptableBranch: Compiled functions can't take variable number of arguments" in msg
    assert "refuses to trace UnscriptableBranch: at " in msg and "test_api_semantics.py:" in msg  # the `if` line
    assert "'Converting a tensor to a Python boolean might cause the trace to be incorrect'" in msg
    assert "depends on the values of argument 'x'" in msg
    assert "Make UnscriptableBranch scriptable (torch.jit.script) and pass the ScriptModule" in msg


def test_an_unscriptable_module_is_traced_with_a_warning(capfd):
    x = torch.randn(2, 4)
    compiled, caught = _recorded(lambda: torch_tensorrt.compile(UnscriptableShapeCheck(), inputs=[x]))
    torch.testing.assert_close(compiled(x), torch.relu(x) * 2, **TOL)
    user = [w for w in caught if w.category is UserWarning]
    assert len(user) == 1, [str(w.message) for w in user]
    assert str(user[0].message).startswith("torch.jit.script failed on UnscriptableShapeCheck: Compiled functions can't")
    assert "traced it with torch.jit.trace instead. A trace records only the path the example inputs take" in str(user[0].message)
    assert user[0].filename == __file__  # points at the compile call
    # The size check is kept (the shape is static) and torch's TracerWarning is passed on, not swallowed.
    tracer = [w for w in caught if w.category is torch.jit.TracerWarning]
    assert tracer and "Converting a tensor to a Python boolean might cause the trace to be incorrect; kept" in str(tracer[0].message)
    assert "Torch-TensorRT - Warning: torch.jit.script failed on UnscriptableShapeCheck" in capfd.readouterr().err

    # A dynamic batch leaves the checked size fixed: traced and compiled.
    spec = torch_tensorrt.Input(min_shape=(1, 4), opt_shape=(2, 4), max_shape=(4, 4))
    compiled, _ = _recorded(lambda: torch_tensorrt.compile(UnscriptableShapeCheck(), inputs=[spec]))
    x3 = torch.randn(3, 4)
    torch.testing.assert_close(compiled(x3), torch.relu(x3) * 2, **TOL)
    # A dynamic checked size: the trace would keep the example's, so it is refused.
    spec = torch_tensorrt.Input(min_shape=(1, 2), opt_shape=(2, 4), max_shape=(4, 8))
    with pytest.raises(RuntimeError, match=r"depends on size 1 of argument 'x', which is dynamic in its Input range"):
        _recorded(lambda: torch_tensorrt.compile(UnscriptableShapeCheck(), inputs=[spec]))


class RangeOfArgument(nn.Module):
    """range(n) of a 0-d tensor calls n.__index__, which raises no TracerWarning."""

    def forward(self, x, n, *unused):
        for _ in range(n):
            x = x + 1
        return x


class RepeatedList(nn.Module):
    def forward(self, x, n, *unused):
        return torch.cat([x] * n)


class RollByArgument(nn.Module):
    """roll's int-list argument takes the 0-d tensor on the host: the trace keeps 2 and never reads n."""

    def forward(self, x, n, *unused):
        return x.roll(n)


class EqualBranch(nn.Module):
    """torch.equal answers a Python bool, with no TracerWarning."""

    def forward(self, x, *unused):
        if torch.equal(x, x.abs()):
            return x * 2
        return x - 100


class SilencedBranch(nn.Module):
    """The module silences the TracerWarning of its own `if`."""

    def forward(self, x, *unused):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if x.sum() > 0:
                return x * 2
        return x - 100


class UnreadArgument(nn.Module):
    def forward(self, x, unused_mask, *unused):
        return x * 2


@pytest.mark.parametrize("module, inputs, expected", [
    (RangeOfArgument(), [torch.ones(4), torch.tensor(2)], "(Converting a tensor to a Python index, which torch did not "
     "warn about) and its value depends on the values of argument 'n'"),
    (RepeatedList(), [torch.ones(4), torch.tensor(2)], "its value depends on the values of argument 'n'"),
    (RollByArgument(), [torch.arange(4.0), torch.tensor(2)], "the trace does not read argument 'n', yet RollByArgument "
     "gives another result for another value of it"),
    (EqualBranch(), [torch.ones(3)], "(Converting a tensor to a Python boolean (torch.equal), which torch did not warn "
     "about) and its value depends on the values of argument 'x'"),
    (SilencedBranch(), [torch.ones(3)], "(Converting a tensor to a Python boolean, which torch did not warn about) and "
     "its value depends on the values of argument 'x'"),
])
def test_a_trace_that_keeps_a_value_without_a_tracer_warning_is_refused(module, inputs, expected):
    # Each of these traces compiled before and answered the example's path for every input (an audit's finds).
    with pytest.raises(RuntimeError) as info:
        _recorded(lambda: torch_tensorrt.compile(module, inputs=inputs, device="cpu"))
    assert f"refuses to trace {type(module).__name__}" in str(info.value) and expected in str(info.value), str(info.value)


def test_an_argument_the_module_ignores_is_not_a_refusal():
    x = torch.randn(3)
    compiled, _ = _recorded(lambda: torch_tensorrt.compile(UnreadArgument(), inputs=[x, torch.ones(3)], device="cpu"))
    torch.testing.assert_close(compiled(x, torch.zeros(3)), x * 2, **TOL)


def test_a_scripted_module_whose_fallback_trace_would_keep_a_branch_is_refused():
    # aten::equal has no converter, so the scripted module fails to compile in full and compile tries its trace: the
    # trace keeps torch.equal's answer and is refused, where it compiled before (x * 2 for negative inputs too).
    class ScriptableEqual(nn.Module):
        def forward(self, x):
            if torch.equal(x, x.abs()):
                return x * 2
            return x - 100

    with pytest.raises(RuntimeError) as info:
        _recorded(lambda: torch_tensorrt.compile(ScriptableEqual(), inputs=[torch.ones(3)], device="cpu",
                                                 require_full_compilation=True))
    assert "then tried a trace of ScriptableEqual" in str(info.value) and "refuses to trace ScriptableEqual" in str(info.value)


class LogCumSumExp(nn.Module):
    """Scripted, the graph keeps aten::logcumsumexp (no converter); traced, the equivalent ops."""

    def forward(self, x):
        if torch.jit.is_scripting():
            return torch.logcumsumexp(x, 1)
        return torch.log(torch.cumsum(torch.exp(x), 1))


def test_a_scripted_module_that_does_not_compile_falls_back_to_its_trace():
    x = torch.randn(2, 5)
    compiled, caught = _recorded(lambda: torch_tensorrt.compile(LogCumSumExp(), inputs=[x], require_full_compilation=True))
    torch.testing.assert_close(compiled(x), torch.logcumsumexp(x, 1), **TOL)
    user = [str(w.message) for w in caught if w.category is UserWarning]
    assert len(user) == 1 and user[0].startswith("compiling the scripted LogCumSumExp failed: "), user
    assert "compiled a trace of it (torch.jit.trace) instead" in user[0]

    class Unsupported(nn.Module):
        def forward(self, x):
            return torch.logcumsumexp(torch.relu(x), 1)

    # Both fail: the scripted module's error, then what the trace gave.
    with pytest.raises(RuntimeError) as info:
        _recorded(lambda: torch_tensorrt.compile(Unsupported(), inputs=[x], require_full_compilation=True))
    msg = str(info.value)
    assert "Converter for aten::logcumsumexp requested, but no such converter was found." in msg
    assert "torch_tensorrt.compile then tried a trace of Unsupported, which failed too: " in msg


def test_compile_leaves_the_callers_module_in_its_mode_and_builds_for_inference():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(8, 8), nn.BatchNorm1d(8), nn.Dropout(0.5), nn.ReLU())
    model[1].running_mean.normal_()
    model.train()
    model[0].eval()  # mixed flags are restored as they were
    flags = [m.training for m in model.modules()]
    x = torch.randn(4, 8)
    compiled = torch_tensorrt.compile(model, inputs=[x])
    assert [m.training for m in model.modules()] == flags
    with torch.no_grad():
        expected = model.eval()(x)  # batch norm with running statistics, no dropout
    torch.testing.assert_close(compiled(x), expected, **TOL)


class UnscriptableTrainingNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(8, 8), nn.BatchNorm1d(8), nn.Dropout(0.5))

    def forward(self, x, *unused):
        return self.body(x)


def test_a_traced_module_is_traced_in_eval_mode():
    torch.manual_seed(0)
    model = UnscriptableTrainingNet().train()
    model.body[1].running_mean.normal_()
    x = torch.randn(4, 8)
    compiled, _ = _recorded(lambda: torch_tensorrt.compile(model, inputs=[x]))
    assert all(m.training for m in model.modules())
    with torch.no_grad():
        expected = model.eval()(x)
    torch.testing.assert_close(compiled(x), expected, **TOL)


class UnscriptableEmbedding(nn.Module):
    def __init__(self):
        super().__init__()
        self.table = nn.Embedding(100, 4)

    def forward(self, ids, *unused):
        return self.table(ids).sum(-1)


def test_example_inputs_are_drawn_from_tensor_domain():
    example = torch_tensorrt.ts._example_tensor
    ids = example(torch_tensorrt.Input(shape=(4096,), dtype=torch.long, tensor_domain=(0, 100)))
    assert ids.dtype == torch.long and 0 <= ids.min() and ids.max() < 100 and ids.max() >= 50
    x = example(torch_tensorrt.Input(shape=(4096,), dtype=torch.half, tensor_domain=(-3.0, -2.5)))
    assert x.dtype == torch.half and -3.0 <= x.min() and x.max() <= -2.5
    default = example(torch_tensorrt.Input(shape=(4096,)))
    assert 0 <= default.min() and default.max() < 2
    with pytest.raises(ValueError, match=r"tensor_domain \[0.0, 1000.0\) does not fit torch.int8"):
        example(torch_tensorrt.Input(shape=(2,), dtype=torch.int8, tensor_domain=(0, 1000)))
    # Traced from such an example: token ids within the embedding table.
    model = UnscriptableEmbedding().eval()
    spec = torch_tensorrt.Input(shape=(2, 8), dtype=torch.long, tensor_domain=(0, 100))
    compiled, _ = _recorded(lambda: torch_tensorrt.compile(model, inputs=[spec]))
    ids = torch.randint(0, 100, (2, 8))
    with torch.no_grad():
        torch.testing.assert_close(compiled(ids), model(ids), **TOL)


def _missing_gpu() -> int:
    """A GPU index that is not there: 0 where engines cannot run on a GPU, else one past the last."""
    return torch.cuda.device_count() if gpu_engines() else 0


@pytest.mark.parametrize("make", [lambda i: f"cuda:{i}", lambda i: torch.device("cuda", i),
                                  lambda i: torch_tensorrt.Device(gpu_id=i)], ids=["str", "torch.device", "Device"])
def test_an_explicit_device_that_is_not_there_is_refused(make):
    index = _missing_gpu()
    x = torch.randn(2, 3)
    reasons = []
    if not torch_tensorrt._C.has_cuda_backend():
        reasons.append("this build of torch_tensorrt has no CUDA backend")
    if torch.cuda.device_count() == 0:
        reasons.append("no CUDA GPU is visible to PyTorch")
    elif index >= torch.cuda.device_count():
        reasons.append(f"only {torch.cuda.device_count()} CUDA GPU(s) are visible")
    for module in (torch.jit.script(DataDependentBranch()), DataDependentBranch()):
        with pytest.raises(ValueError) as info:
            torch_tensorrt.compile(module, inputs=[x], device=make(index))
        msg = str(info.value)
        assert msg.startswith(f"device={make(index)!r} asks for GPU cuda:{index}, but "), msg
        assert all(r in msg for r in reasons), (reasons, msg)
        assert "pass device='cpu' for a CPU engine, or leave device out" in msg
    with pytest.raises(ValueError, match=f"asks for GPU cuda:{index}"):
        torch_tensorrt.ts.convert_method_to_trt_engine(torch.jit.script(DataDependentBranch()), inputs=[x], device=make(index))
    # Without device= the engine goes where the inputs are, as before.
    compiled = torch_tensorrt.compile(torch.jit.script(DataDependentBranch()), inputs=[x])
    torch.testing.assert_close(compiled(x), DataDependentBranch()(x))
