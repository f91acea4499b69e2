"""Partial compilation: engines for what converts, TorchScript for the rest, one saved module."""
import os
from typing import List, Tuple

import pytest
import torch
import torch.nn as nn

import torch_tensorrt
from conftest import TOLERANCES

TOL = TOLERANCES[torch.float32]

# Ops without converters, registered for these tests: an out-of-place one and an in-place one.
_LIB = torch.library.Library("tt_partial_test", "DEF")
_LIB.define("cube(Tensor x) -> Tensor")
_LIB.define("bump_(Tensor(a!) x) -> Tensor(a!)")
_LIB.impl("cube", lambda x: x * x * x, "CompositeExplicitAutograd")


def _bump(x):
    return x.add_(1.0)


_LIB.impl("bump_", _bump, "CompositeExplicitAutograd")


def engines_in(module: torch.jit.ScriptModule) -> int:
    return len(module.graph.findAllNodes("tensorrt::execute_engine", recurse=True))


def same(a, b):
    if isinstance(a, (tuple, list)):
        assert type(a) is type(b) and len(a) == len(b)
        for x, y in zip(a, b):
            same(x, y)
    elif isinstance(a, dict):
        assert a.keys() == b.keys()
        for k in a:
            same(a[k], b[k])
    else:
        torch.testing.assert_close(a, b, **TOL)


def check_round_trip(compiled, reference, inputs, tmp_path):
    with torch.no_grad():
        expected = reference(*inputs)
        same(compiled(*inputs), expected)
        path = os.path.join(tmp_path, "partial.ts")
        torch.jit.save(compiled, path)
        loaded = torch.jit.load(path)
        same(loaded(*inputs), expected)
        assert engines_in(loaded) == engines_in(compiled)


class ConvBlock(nn.Module):
    def __init__(self, cin=3, cout=8):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, 3, padding=1)
        self.bn = nn.BatchNorm2d(cout)

    def forward(self, x):
        return torch.relu(self.bn(self.conv(x)))


class CustomOpInMiddle(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = ConvBlock(3, 8)
        self.b = ConvBlock(8, 4)

    def forward(self, x):
        y = self.a(x)
        y = torch.ops.tt_partial_test.cube(y)
        return torch.sigmoid(self.b(y)) * 2.0 + 1.0


def scripted(module):
    return torch.jit.script(module.eval())


def test_unsupported_custom_op_runs_in_torchscript_between_two_engines(tmp_path, capfd):
    model = scripted(CustomOpInMiddle())
    x = torch.randn(2, 3, 16, 16)
    with torch_tensorrt.logging.info():
        compiled = torch_tensorrt.compile(model, inputs=[x])
    assert engines_in(compiled) == 2
    check_round_trip(compiled, model, [x], tmp_path)
    log = capfd.readouterr().err
    assert "segment 1: TorchScript, 1 node(s)" in log
    assert "tt_partial_test::cube: no converter or evaluator for tt_partial_test::cube" in log
    assert "Partial compilation: 2 engine(s)" in log
    # The warning names each op without a converter, its schema and source line.
    assert "1 op kind(s) have no converter and run in TorchScript" in log
    assert "Schema: tt_partial_test::cube(Tensor x) -> Tensor" in log
    assert "test_partial_compilation.py:" in log


def test_require_full_compilation_refuses_the_unsupported_op():
    model = scripted(CustomOpInMiddle())
    with pytest.raises(RuntimeError, match="Converter for tt_partial_test::cube requested, but no such converter"):
        torch_tensorrt.compile(model, inputs=[torch.randn(1, 3, 8, 8)], require_full_compilation=True)


def test_require_full_compilation_with_forced_fallback_is_an_error():
    model = scripted(ConvBlock())
    with pytest.raises(RuntimeError, match="require_full_compilation=True asks for the whole forward in one engine"):
        torch_tensorrt.compile(model, inputs=[torch.randn(1, 3, 8, 8)], require_full_compilation=True,
                               torch_executed_ops=["aten::relu"])


def test_torch_executed_ops_forces_a_supported_op_out(tmp_path, capfd):
    model = scripted(nn.Sequential(ConvBlock(3, 8), nn.Conv2d(8, 8, 1), nn.Tanh(), nn.Conv2d(8, 2, 1)))
    x = torch.randn(1, 3, 12, 12)
    whole = torch_tensorrt.compile(model, inputs=[x])
    assert engines_in(whole) == 1
    with torch_tensorrt.logging.info():
        split = torch_tensorrt.compile(model, inputs=[x], torch_executed_ops=["aten::relu"], min_block_size=1)
    assert engines_in(split) == 2
    assert "aten::relu: listed in torch_executed_ops" in capfd.readouterr().err
    relus = [n for n in split.graph.nodes() if n.kind() == "aten::relu"]
    assert len(relus) == 1
    check_round_trip(split, model, [x], tmp_path)


class Head(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(8, 5)

    def forward(self, x):
        return torch.softmax(self.fc(x.mean(dim=(2, 3))), dim=1)


class WithHead(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = ConvBlock(3, 8)
        self.more = ConvBlock(8, 8)
        self.head = Head()

    def forward(self, x):
        return self.head(self.more(self.body(x)))


def test_torch_executed_modules_by_class_and_by_name(tmp_path, capfd):
    model = WithHead().eval()
    x = torch.randn(2, 3, 10, 10)
    traced = torch.jit.trace(model, x)
    with torch_tensorrt.logging.info():
        by_class = torch_tensorrt.compile(traced, inputs=[x], torch_executed_modules=[Head])
    log = capfd.readouterr().err
    assert f"inside module {Head.__module__}.Head, listed in torch_executed_modules" in log
    assert engines_in(by_class) == 1
    assert any(n.kind() == "aten::softmax" for n in by_class.graph.nodes())
    check_round_trip(by_class, traced, [x], tmp_path)
    by_name = torch_tensorrt.compile(traced, inputs=[x], torch_executed_modules=[f"{ConvBlock.__module__}.ConvBlock"])
    assert engines_in(by_name) == 1  # only the head converts
    assert len([n for n in by_name.graph.nodes() if n.kind() == "aten::_convolution"]) == 2
    check_round_trip(by_name, traced, [x], tmp_path)


class ShortRun(nn.Module):
    def forward(self, x):
        y = torch.ops.tt_partial_test.cube(x)
        y = torch.tanh(y) + 1.0  # a run of two convertible nodes
        y = torch.ops.tt_partial_test.cube(y)
        return torch.sigmoid(torch.exp(-y) * 3.0 - 1.0)  # four


@pytest.mark.parametrize("min_block_size,engines", [(1, 2), (3, 1), (6, 0)])
def test_min_block_size_decides_which_runs_become_engines(min_block_size, engines, tmp_path, capfd):
    model = scripted(ShortRun())
    x = torch.rand(3, 7)
    compiled = torch_tensorrt.compile(model, inputs=[x], min_block_size=min_block_size)
    if engines == 0:
        assert engines_in(compiled) == 0 and compiled.original_name == "ShortRun"
        assert "returning the module unchanged" in capfd.readouterr().err
        return
    assert engines_in(compiled) == engines
    check_round_trip(compiled, model, [x], tmp_path)


class DataDependentIf(nn.Module):
    def __init__(self):
        super().__init__()
        self.block = ConvBlock(3, 4)

    def forward(self, x):
        y = self.block(x)
        if bool(y.mean() > 0.25):
            z = torch.sigmoid(y * 2.0 + 1.0) - 0.5
        else:
            z = torch.tanh(y * 3.0 - 1.0) + 0.5
        return z


def test_data_dependent_if_runs_in_torchscript_with_engines_inside(tmp_path):
    model = scripted(DataDependentIf())
    x = torch.randn(1, 3, 8, 8)
    compiled = torch_tensorrt.compile(model, inputs=[x], min_block_size=2)
    ifs = compiled.graph.findAllNodes("prim::If")
    assert len(ifs) == 1
    # One engine before the if, one in each branch (the analysis reaches only one branch; the other
    # has no shapes and stays in TorchScript).
    assert engines_in(compiled) >= 2
    for scale in (0.01, 1.0, 10.0, -10.0):
        check_round_trip(compiled, model, [x * scale], tmp_path)


class StaticLoop(nn.Module):
    def __init__(self):
        super().__init__()
        self.block = ConvBlock(3, 4)

    def forward(self, x):
        y = self.block(x)
        for _ in range(4):
            y = torch.tanh(y * 0.5 + 0.25) * 1.5
        return y


def test_loop_with_a_constant_trip_count_is_unrolled_into_one_engine(tmp_path):
    model = scripted(StaticLoop())
    x = torch.randn(2, 3, 8, 8)
    compiled = torch_tensorrt.compile(model, inputs=[x], require_full_compilation=True)
    assert engines_in(compiled) == 1 and not compiled.graph.findAllNodes("prim::Loop")
    check_round_trip(compiled, model, [x], tmp_path)


class LoopOnTensor(nn.Module):
    def __init__(self):
        super().__init__()
        self.block = ConvBlock(3, 4)

    def forward(self, x):
        y = self.block(x)
        n = int(x.size(0))
        for _ in range(n):
            y = torch.tanh(y * 0.5 + 0.25) * 1.5
        return y


def test_loop_body_gets_its_own_engine(tmp_path):
    model = scripted(LoopOnTensor())
    x = torch.randn(3, 3, 8, 8)
    compiled = torch_tensorrt.compile(model, inputs=[x])
    assert engines_in(compiled) >= 1
    check_round_trip(compiled, model, [x], tmp_path)


class TupleOutputs(nn.Module):
    def __init__(self):
        super().__init__()
        self.block = ConvBlock(3, 4)

    def parts(self, x):
        a = self.block(x)
        b = torch.ops.tt_partial_test.cube(a)
        return a, b, torch.sigmoid(b) * 2.0 + a

    def forward(self, x):
        a, b, c = self.parts(x)
        return (a, (b, c))


class ListOutputs(TupleOutputs):
    def forward(self, x):
        a, b, c = self.parts(x)
        return [a, c]


class DictOutputs(TupleOutputs):
    def forward(self, x):
        a, b, c = self.parts(x)
        return {"a": a, "c": c}


@pytest.mark.parametrize("kind", [TupleOutputs, ListOutputs, DictOutputs])
def test_collection_outputs(kind, tmp_path):
    model = scripted(kind())
    x = torch.randn(1, 3, 6, 6)
    compiled = torch_tensorrt.compile(model, inputs=[x])
    assert engines_in(compiled) == 2
    check_round_trip(compiled, model, [x], tmp_path)


class InPlaceAcrossBoundary(nn.Module):
    def __init__(self):
        super().__init__()
        self.block = ConvBlock(3, 4)

    def forward(self, x):
        y = self.block(x) * 1.0
        flat = y.view(-1)  # a view of y; the in-place op below writes through it
        torch.ops.tt_partial_test.bump_(y)
        return torch.sigmoid(flat * 2.0) + y.sum()


def test_in_place_write_in_torchscript_is_seen_through_views(tmp_path, capfd):
    model = scripted(InPlaceAcrossBoundary())
    x = torch.randn(1, 3, 5, 5)
    with torch_tensorrt.logging.info():
        compiled = torch_tensorrt.compile(model, inputs=[x], min_block_size=1)
    assert "returns a view of a tensor that an in-place op writes to in TorchScript" in capfd.readouterr().err
    assert engines_in(compiled) >= 1
    check_round_trip(compiled, model, [x], tmp_path)


class Embed(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(10, 6)
        self.fc = nn.Linear(6, 3)

    def forward(self, idx, x):
        e = self.emb(idx)
        e = torch.ops.tt_partial_test.cube(e)
        return torch.relu(self.fc(e + x)) * 2.0


def test_int64_input_with_its_value_range(tmp_path):
    model = scripted(Embed())
    idx = torch.randint(0, 10, (2, 5))
    x = torch.randn(2, 5, 6)
    inputs = [torch_tensorrt.Input(shape=(2, 5), dtype=torch.int64, tensor_domain=(0, 10)), torch_tensorrt.Input(shape=(2, 5, 6))]
    compiled = torch_tensorrt.compile(model, inputs=inputs, min_block_size=1)
    assert engines_in(compiled) == 2
    check_round_trip(compiled, model, [idx, x], tmp_path)


def test_shape_analysis_failure_names_the_inputs_and_the_fix():
    model = scripted(Embed())
    inputs = [torch_tensorrt.Input(shape=(2, 5), dtype=torch.int64, tensor_domain=(100, 200)), torch_tensorrt.Input(shape=(2, 5, 6))]
    with pytest.raises(RuntimeError, match=r"(?s)module failed on inputs \(2, 5\) Long in \[100, 200\).*tensor_domain"):
        torch_tensorrt.compile(model, inputs=inputs)


def test_dynamic_shapes_across_segments(tmp_path):
    model = scripted(CustomOpInMiddle())
    spec = torch_tensorrt.Input(min_shape=(1, 3, 8, 8), opt_shape=(2, 3, 16, 16), max_shape=(4, 3, 24, 24))
    compiled = torch_tensorrt.compile(model, inputs=[spec])
    assert engines_in(compiled) == 2
    for shape in [(1, 3, 8, 8), (3, 3, 20, 12), (4, 3, 24, 24)]:
        check_round_trip(compiled, model, [torch.randn(shape)], tmp_path)
    with pytest.raises(RuntimeError, match="input_0"):
        compiled(torch.randn(5, 3, 8, 8))


class DoubleMath(nn.Module):
    def forward(self, x):
        y = torch.ops.tt_partial_test.cube(x.double())
        return (torch.sigmoid(y) * 2.0 + 1.0).float()


def test_float64_needs_truncate_long_and_double(tmp_path, capfd):
    model = scripted(DoubleMath())
    x = torch.randn(4, 4)
    kept = torch_tensorrt.compile(model, inputs=[x])
    assert engines_in(kept) == 0 and kept.original_name == "DoubleMath"  # nothing converts without float64
    with torch_tensorrt.logging.warnings():
        truncated = torch_tensorrt.compile(model, inputs=[x], truncate_long_and_double=True)
    assert "(float64) enters engine" in capfd.readouterr().err
    assert engines_in(truncated) == 1
    check_round_trip(truncated, model, [x], tmp_path)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a GPU")
def test_partial_compilation_on_the_gpu(tmp_path):
    from conftest import TF32_TOLERANCE, gpu_engines

    if not gpu_engines():
        pytest.skip("this build has no CUDA backend")
    model = scripted(CustomOpInMiddle()).cuda()
    x = torch.randn(2, 3, 16, 16, device="cuda")
    compiled = torch_tensorrt.compile(model, inputs=[x])
    assert engines_in(compiled) == 2
    with torch.no_grad():
        out = compiled(x)
        assert out.is_cuda
        torch.testing.assert_close(out, model(x), **TF32_TOLERANCE)


class CpuScalarIntoGpuEngine(nn.Module):
    def forward(self, x):
        # TorchScript computes a CPU scalar tensor that the (GPU) engine segment then reads.
        s = torch.ops.tt_partial_test.cube(torch.full([], float(x.size(0))))
        return torch.sigmoid(x * s + 1.0) * 2.0 - 1.0


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a GPU")
def test_cpu_tensors_from_torchscript_reach_a_gpu_engine(tmp_path):
    from conftest import TF32_TOLERANCE, gpu_engines

    if not gpu_engines():
        pytest.skip("this build has no CUDA backend")
    model = scripted(CpuScalarIntoGpuEngine())
    x = torch.randn(3, 5, device="cuda")
    compiled = torch_tensorrt.compile(model, inputs=[x], device="cuda:0", min_block_size=1)
    assert engines_in(compiled) >= 1
    torch.testing.assert_close(compiled(x), model(x), **TF32_TOLERANCE)


def test_torchtrtc_partial_compilation_flags(tmp_path):
    from test_errors_and_models import torchtrtc
    import subprocess

    model = torch.jit.trace(nn.Sequential(ConvBlock(3, 8), nn.Conv2d(8, 8, 1), nn.Tanh()).eval(), torch.randn(1, 3, 8, 8))
    src, out = str(tmp_path / "in.ts"), str(tmp_path / "out.ts")
    model.save(src)
    base = torchtrtc() + ["--device-type=cpu"]
    r = subprocess.run(base + ["--torch-executed-op=aten::relu", "--min-block-size", "1", src, out, "(1,3,8,8)"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    compiled = torch.jit.load(out)
    assert engines_in(compiled) == 2
    x = torch.randn(1, 3, 8, 8)
    torch.testing.assert_close(compiled(x), model(x), **TOL)
    r = subprocess.run(base + ["--require-full-compilation", "--torch-executed-op=aten::relu", src, out + "2", "(1,3,8,8)"],
                       capture_output=True, text=True)
    assert r.returncode == 1 and "drop one of the two settings" in r.stderr
    assert not os.path.exists(out + "2")
    r = subprocess.run(base + ["--min-block-size=0", src, out, "(1,3,8,8)"], capture_output=True, text=True)
    assert r.returncode == 2 and "--min-block-size must be an integer >= 1, got '0'" in r.stderr


class NestedTupleInput(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = ConvBlock(3, 4)
        self.b = ConvBlock(3, 4)

    def forward(self, pair: Tuple[torch.Tensor, Tuple[torch.Tensor, torch.Tensor]], scale: torch.Tensor):
        x, (y, z) = pair
        return torch.sigmoid(self.a(x) + self.b(y) * z.mean()) * scale


class ListInput(nn.Module):
    def forward(self, xs: List[torch.Tensor]):
        return torch.tanh(torch.cat(xs, dim=1) * 2.0 + 1.0) - 0.5


def test_nested_tuple_inputs_with_input_signature(tmp_path):
    model = scripted(NestedTupleInput())
    x, y, z, s = torch.randn(1, 3, 6, 6), torch.randn(1, 3, 6, 6), torch.randn(2, 2), torch.randn(1, 4, 6, 6)
    spec = ((torch_tensorrt.Input(shape=(1, 3, 6, 6)), (torch_tensorrt.Input(shape=(1, 3, 6, 6)), torch_tensorrt.Input(shape=(2, 2)))),
            torch_tensorrt.Input(shape=(1, 4, 6, 6)))
    compiled = torch_tensorrt.compile(model, input_signature=spec)
    assert engines_in(compiled) == 1
    check_round_trip(compiled, model, [(x, (y, z)), s], tmp_path)
    with pytest.raises(RuntimeError, match="require_full_compilation=True makes forward one engine"):
        torch_tensorrt.compile(model, input_signature=spec, require_full_compilation=True)
    with pytest.raises(RuntimeError, match=r"forward argument 0 \(%pair[.0-9]*\) element 1 has type \(Tensor, Tensor\) but is given one Input"):
        torch_tensorrt.compile(model, input_signature=((torch_tensorrt.Input(shape=(1, 3, 6, 6)), torch_tensorrt.Input(shape=(1, 3, 6, 6))), torch_tensorrt.Input(shape=(1, 4, 6, 6))))


def test_list_input_and_traced_tuple_module(tmp_path):
    model = scripted(ListInput())
    xs = [torch.randn(2, 3), torch.randn(2, 5)]
    compiled = torch_tensorrt.compile(model, input_signature=([torch_tensorrt.Input(shape=(2, 3)), torch_tensorrt.Input(shape=(2, 5))],))
    assert engines_in(compiled) == 1
    check_round_trip(compiled, model, [xs], tmp_path)

    class Pair(nn.Module):
        def forward(self, pair):
            a, b = pair
            return torch.relu(a * 2.0 + b) - 1.0

    compiled = torch_tensorrt.compile(Pair(), input_signature=((torch.randn(3, 4), torch.randn(3, 4)),))
    a, b = torch.randn(3, 4), torch.randn(3, 4)
    torch.testing.assert_close(compiled((a, b)), Pair()((a, b)), **TOL)
    assert engines_in(compiled) == 1


def test_in_place_write_seen_through_a_view_is_computed_as_pytorch_does():
    # y.add_ is seen by v = y.view(-1) in PyTorch; an engine's write reaches only add_'s own output. Full
    # compilation refuses (naming the later read); partial compilation keeps the write and the view in
    # TorchScript, so the result is PyTorch's (it was silently wrong before).
    class WriteThroughView(torch.nn.Module):
        def forward(self, x):
            y = x * 2
            v = y.view(-1)
            y.add_(1)
            return v + 1

    model, x = WriteThroughView().eval(), torch.randn(2, 3)
    scripted = torch.jit.script(model)
    partial = torch_tensorrt.compile(scripted, inputs=[x], min_block_size=1)
    assert torch.equal(partial(x), model(x))
    with pytest.raises(RuntimeError, match="which an engine cannot update"):
        torch_tensorrt.compile(scripted, inputs=[x], require_full_compilation=True)


def test_in_place_write_into_an_input_read_again_runs_in_torchscript():
    # x.mul_(2) then x + 1: the second read must see the write; an engine gives it only to mul_'s output,
    # so partial compilation keeps the write in TorchScript (found by review).
    class WriteInput(torch.nn.Module):
        def forward(self, x):
            x.mul_(2)
            return torch.relu(x) + 1

    scripted = torch.jit.script(WriteInput().eval())
    x = torch.randn(2, 3)
    compiled = torch_tensorrt.compile(scripted, inputs=[x], min_block_size=1)
    assert torch.equal(compiled(x.clone()), WriteInput()(x.clone()))


def test_a_torch_executed_op_or_module_that_names_nothing_is_reported(capfd):
    scripted = torch.jit.script(torch.nn.Sequential(torch.nn.Linear(3, 3), torch.nn.ReLU()).eval())
    torch_tensorrt.compile(scripted, inputs=[torch.randn(2, 3)], device="cpu", torch_executed_ops=["aten::relux"],
                           torch_executed_modules=["torch.nn.Relu"])
    err = capfd.readouterr().err
    assert "torch_executed_ops lists 'aten::relux', which no node of forward is" in err
    assert "torch_executed_modules lists 'torch.nn.Relu', which no submodule of forward is" in err
