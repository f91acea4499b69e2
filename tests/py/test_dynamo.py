"""The dynamo path (issue 26): torch.export and torch.compile(backend=...) onto the same engines."""
import os
import subprocess
import sys
import textwrap

import pytest
import torch

import torch_tensorrt

from conftest import REPO, gpu_engines

DEVICES = ["cpu"] + (["cuda"] if gpu_engines() else [])
# On the GPU both sides use TF32 matrix math (as test_model_zoo explains): a looser bound there.
BOUND = {"cpu": 1e-4, "cuda": 5e-3}


def rel_err(out, ref):
    return float((out - ref).abs().max() / ref.abs().max().clamp_min(1e-12))


class CNN(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(3, 16, 3, padding=1)
        self.bn1 = torch.nn.BatchNorm2d(16)
        self.conv2 = torch.nn.Conv2d(16, 32, 3, stride=2, padding=1)
        self.bn2 = torch.nn.BatchNorm2d(32)
        self.fc = torch.nn.Linear(32, 10)

    def forward(self, x):
        y = torch.relu(self.bn1(self.conv1(x)))
        y = torch.nn.functional.max_pool2d(y, 2)
        y = torch.relu(self.bn2(self.conv2(y)) + 0.5)
        y = torch.nn.functional.adaptive_avg_pool2d(y, 1).flatten(1)
        return self.fc(y)


class TinyTransformer(torch.nn.Module):
    def __init__(self, vocab=50, dim=32, heads=4, layers=2):
        super().__init__()
        self.embed = torch.nn.Embedding(vocab, dim)
        self.pos = torch.nn.Parameter(torch.randn(16, dim) * 0.02)
        layer = torch.nn.TransformerEncoderLayer(dim, heads, dim_feedforward=64, dropout=0.0, batch_first=True)
        self.encoder = torch.nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.norm = torch.nn.LayerNorm(dim)
        self.head = torch.nn.Linear(dim, vocab)

    def forward(self, ids):
        h = self.embed(ids) + self.pos[: ids.shape[1]]
        return self.head(self.norm(self.encoder(h)))


def randomize(model):
    torch.manual_seed(0)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.uniform_(-0.5, 0.5)
                m.running_var.uniform_(0.5, 1.5)
    return model.eval()


def engines(gm):
    return [n for n in gm.graph.nodes if n.target is torch.ops.torch_tensorrt.execute_segment.default]


def models():
    torch.manual_seed(0)
    return [
        ("cnn", randomize(CNN()), torch.randn(2, 3, 32, 32)),
        ("transformer", randomize(TinyTransformer()), torch.randint(0, 50, (2, 12))),
    ]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("name,model,x", models(), ids=lambda v: v if isinstance(v, str) else "")
def test_ir_dynamo_matches_eager(name, model, x, device):
    model, x = model.to(device), x.to(device)
    compiled = torch_tensorrt.compile(model, ir="dynamo", inputs=[x])
    assert isinstance(compiled, torch.fx.GraphModule)
    assert len(engines(compiled)) == 1  # every op converts: one engine, as on the TorchScript path
    with torch.no_grad():
        out = compiled(x)
        assert out.device == x.device
        assert rel_err(out, model(x)) <= BOUND[device]


def test_cnn_is_one_engine_with_nothing_left_in_pytorch():
    _, model, x = models()[0]
    compiled = torch_tensorrt.compile(model, ir="dynamo", inputs=[x], require_full_compilation=True)
    ops = [n for n in compiled.graph.nodes if n.op == "call_function" and n.target is not __import__("operator").getitem]
    assert [n.target for n in ops] == [torch.ops.torch_tensorrt.execute_segment.default]


@pytest.mark.parametrize("name,model,x", models(), ids=lambda v: v if isinstance(v, str) else "")
@pytest.mark.parametrize("backend", ["torch_tensorrt", "tensorrt"])
def test_torch_compile_backend_matches_eager(name, model, x, backend):
    torch._dynamo.reset()
    compiled = torch.compile(model, backend=backend, options={"min_block_size": 1})
    with torch.no_grad():
        assert rel_err(compiled(x), model(x)) <= 1e-4
        x2 = torch.cat([x, x[:1]])  # another batch size: dynamo recompiles, the backend compiles again
        assert rel_err(compiled(x2), model(x2)) <= 1e-4


def compile_recording(model, **options):
    """torch.compile through the torch_tensorrt backend, keeping what the backend returned."""
    from torch_tensorrt.dynamo._backend import torch_tensorrt_backend

    made = []

    def backend(gm, example_inputs):
        made.append(torch_tensorrt_backend(gm, example_inputs, options=options))
        return made[-1]

    torch._dynamo.reset()
    return torch.compile(model, backend=backend), made


def test_torch_compile_freezes_parameters_into_one_engine():
    """Dynamo hands parameters and buffers over as graph inputs; frozen as constants, batch norm folds
    and the CNN is one engine, as through ir="dynamo" (taken as inputs, it split at every batch norm)."""
    _, model, x = models()[0]
    compiled, made = compile_recording(model)
    with torch.no_grad():
        assert rel_err(compiled(x), model(x)) <= 1e-4
    (cache,) = made
    assert len(cache.frozen) == len(list(model.parameters())) + len(list(model.buffers())) - 2  # not num_batches_tracked
    (run,) = cache.compiled.values()
    assert len(engines(run.module)) == 1
    assert not [n for n in run.module.graph.nodes if n.op == "placeholder" and "bn" in n.name]


def test_torch_compile_rebuilds_when_a_parameter_changes():
    _, model, x = models()[0]
    compiled, made = compile_recording(model)
    with torch.no_grad():
        first = compiled(x)
        model.fc.weight.mul_(2.0)  # in place: the engines hold the old values
        with pytest.warns(UserWarning, match="changed in place since its engines were built"):
            second = compiled(x)
        assert rel_err(second, model(x)) <= 1e-4
        assert rel_err(first, second) > 1e-3
        model.fc.weight = torch.nn.Parameter(model.fc.weight / 2.0)  # another tensor
        with pytest.warns(UserWarning, match="is another tensor"):
            assert rel_err(compiled(x), model(x)) <= 1e-4


def test_torch_compile_rebuilds_when_a_parameter_is_given_new_memory():
    _, model, x = models()[0]
    compiled, _ = compile_recording(model)
    with torch.no_grad():
        compiled(x)
        model.fc.weight.data = model.fc.weight.data * 2.0  # the same Parameter, its version unchanged
        with pytest.warns(UserWarning, match="building them again with the new values"):
            assert rel_err(compiled(x), model(x)) <= 1e-4


def test_torch_compile_backend_warns_that_parameters_get_no_gradient():
    _, model, x = models()[0]
    compiled, _ = compile_recording(model)
    with pytest.warns(UserWarning, match="so no gradient reaches them"):
        compiled(x)


class Branches(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.l = torch.nn.Linear(8, 8)

    def forward(self, x, scale: float):
        y = torch.cond(x.sum() > 0, lambda t: self.l(t).relu(), lambda t: self.l(t) * 2, (x,))
        return y * scale


def test_torch_compile_backend_runs_higher_order_ops_and_float_arguments_in_pytorch():
    # torch.cond's branch submodules were lost (AttributeError 'cond_true_0'); a Python float that changes between
    # calls reaches the backend as a float64 tensor, which engines do not take (the second call failed).
    model = Branches().eval()
    torch._dynamo.reset()
    compiled = torch.compile(model, backend="torch_tensorrt", options={"min_block_size": 1})
    x = torch.randn(4, 8)
    with torch.no_grad(), pytest.warns(UserWarning, match="runs in PyTorch"):
        for scale in (1.0, 2.0, -1.0):
            for value in (x, -x.abs()):
                torch.testing.assert_close(compiled(value, scale), model(value, scale))


def test_deleting_a_dynamo_module_frees_its_engines():
    import gc

    from torch_tensorrt.dynamo import _runtime

    x = torch.randn(2, 16)
    before = len(_runtime._LOADED)
    compiled = torch_tensorrt.compile(torch.nn.Sequential(torch.nn.Linear(16, 16), torch.nn.ReLU()).eval(),
                                      ir="dynamo", inputs=[x], min_block_size=1, device="cpu")
    compiled(x)
    assert len(_runtime._LOADED) > before
    del compiled
    gc.collect()
    assert len(_runtime._LOADED) == before


def test_torch_compile_backend_refuses_unknown_option():
    torch._dynamo.reset()
    compiled = torch.compile(CNN().eval(), backend="torch_tensorrt", options={"no_such_option": 1})
    with pytest.raises(Exception, match="no_such_option"):
        compiled(torch.randn(1, 3, 32, 32))


class DataDependent(torch.nn.Module):
    """Branches on a value computed from the input: torch.jit.trace keeps the branch of its
    example, torch.export cannot capture it in one graph."""

    def __init__(self):
        super().__init__()
        self.a = torch.nn.Linear(8, 8)
        self.b = torch.nn.Linear(8, 8)
        self.c = torch.nn.Linear(8, 8)

    def forward(self, x):
        h = torch.relu(self.a(x)) - 0.3
        if float(x.mean()) > 0:
            return torch.tanh(self.b(h)) * 2.0 + 1.0
        return torch.sigmoid(self.c(h)) - 1.0


def test_data_dependent_control_flow_through_graph_breaks():
    torch.manual_seed(0)
    model = DataDependent().eval()
    pos, neg = torch.full((4, 8), 3.0), torch.full((4, 8), -3.0)
    with torch.no_grad():
        traced = torch.jit.trace(model, pos, check_trace=False)
        assert rel_err(traced(neg), model(neg)) > 1e-2  # the trace is wrong on the other branch
    with pytest.warns(UserWarning, match="torch.export could not capture"):
        compiled = torch_tensorrt.compile(model, ir="dynamo", inputs=[pos], min_block_size=1)
    with torch.no_grad():
        for v in (pos, neg, torch.randn(4, 8)):
            assert rel_err(compiled(v), model(v)) <= 1e-4


def test_dynamic_batch_from_dim():
    _, model, x = models()[0]
    batch = torch.export.Dim("batch", min=1, max=8)
    ep = torch.export.export(model, (x,), dynamic_shapes=({0: batch},))
    compiled = torch_tensorrt.dynamo.compile(ep, min_block_size=1)
    with torch.no_grad():
        for b in (1, 3, 8):
            v = torch.randn(b, 3, 32, 32)
            assert rel_err(compiled(v), model(v)) <= 1e-4


def test_dynamic_batch_from_input_range():
    _, model, _ = models()[1]
    spec = torch_tensorrt.Input(min_shape=(1, 12), opt_shape=(4, 12), max_shape=(8, 12), dtype=torch.int64,
                                tensor_domain=(0, 50))
    compiled = torch_tensorrt.compile(model, ir="dynamo", inputs=[spec])
    with torch.no_grad():
        for b in (1, 5, 8):
            ids = torch.randint(0, 50, (b, 12))
            assert rel_err(compiled(ids), model(ids)) <= 1e-4


def test_unbounded_dim_is_refused():
    _, model, x = models()[0]
    ep = torch.export.export(model, (x,), dynamic_shapes=({0: torch.export.Dim("batch", min=1)},))
    with pytest.raises(ValueError, match="no upper bound"):
        torch_tensorrt.dynamo.compile(ep, require_full_compilation=True)


def test_partition_honors_torch_executed_ops_and_min_block_size():
    _, model, x = models()[0]
    compiled = torch_tensorrt.compile(model, ir="dynamo", inputs=[x], torch_executed_ops=["aten::max_pool2d"],
                                      min_block_size=1)
    targets = [n.target for n in compiled.graph.nodes if n.op == "call_function"]
    assert torch.ops.aten.max_pool2d.default in targets
    assert len(engines(compiled)) == 2
    with torch.no_grad():
        assert rel_err(compiled(x), model(x)) <= 1e-4
    high = torch_tensorrt.compile(model, ir="dynamo", inputs=[x], torch_executed_ops=["aten::max_pool2d"],
                                  min_block_size=100)
    assert engines(high) == []
    with pytest.raises(RuntimeError, match="require_full_compilation"):
        torch_tensorrt.compile(model, ir="dynamo", inputs=[x], torch_executed_ops=["aten::max_pool2d"],
                               require_full_compilation=True)


_LIB = torch.library.Library("dynamo_test", "DEF")
_LIB.define("cube(Tensor x) -> Tensor")
_LIB.impl("cube", lambda x: x * x * x, "CompositeExplicitAutograd")
_LIB.impl("cube", lambda x: torch.empty_like(x), "Meta")


class WithCustomOp(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 8, 3, padding=1)
        self.head = torch.nn.Conv2d(8, 2, 1)

    def forward(self, x):
        y = torch.relu(self.conv(x)) * 0.5
        y = torch.ops.dynamo_test.cube(y)  # no converter: runs in PyTorch between two engines
        return torch.sigmoid(self.head(y)) * 2.0 + 1.0


def test_op_without_converter_runs_in_pytorch_between_engines(tmp_path):
    torch.manual_seed(0)
    model = WithCustomOp().eval()
    x = torch.randn(1, 3, 16, 16)
    compiled = torch_tensorrt.compile(model, ir="dynamo", inputs=[x])
    targets = [n.target for n in compiled.graph.nodes if n.op == "call_function"]
    assert torch.ops.dynamo_test.cube.default in targets
    assert len(engines(compiled)) == 2
    with torch.no_grad():
        assert rel_err(compiled(x), model(x)) <= 1e-4
    with pytest.raises(RuntimeError, match="dynamo_test::cube"):
        torch_tensorrt.compile(model, ir="dynamo", inputs=[x], require_full_compilation=True)
    ts_module = torch_tensorrt.dynamo._save.to_torchscript(compiled)  # the PyTorch op written as TorchScript too
    with torch.no_grad():
        assert rel_err(ts_module(x), model(x)) <= 1e-4


def test_torch_executed_modules_keeps_module_in_pytorch():
    _, model, x = models()[0]
    compiled = torch_tensorrt.compile(model, ir="dynamo", inputs=[x], torch_executed_modules=[torch.nn.BatchNorm2d],
                                      min_block_size=1)
    targets = [n.target for n in compiled.graph.nodes if n.op == "call_function"]
    assert targets.count(torch.ops.aten._native_batch_norm_legit_no_training.default) == 2
    assert len(engines(compiled)) == 3
    with torch.no_grad():
        assert rel_err(compiled(x), model(x)) <= 1e-4


def test_options_reach_the_engines_with_the_same_meaning():
    _, model, x = models()[0]
    compiled = torch_tensorrt.compile(model, ir="dynamo", inputs=[x], enabled_precisions={torch.float, torch.half},
                                      device="cpu", torch_executed_ops=[torch.ops.aten.max_pool2d.default],
                                      min_block_size=1, workspace_size=1 << 20)
    targets = [n.target for n in compiled.graph.nodes if n.op == "call_function"]
    assert torch.ops.aten.max_pool2d.default in targets
    with torch.no_grad():
        out, ref = compiled(x), model(x)
    assert out.dtype == torch.float32
    assert torch.nn.functional.cosine_similarity(out.flatten(), ref.flatten(), 0) >= 0.999
    # The TorchScript path's refusals, with its messages.
    for option in ({"refit": True}, {"sparse_weights": True}):
        with pytest.raises(ValueError, match=list(option)[0]):
            torch_tensorrt.compile(model, ir="dynamo", inputs=[x], **option)


def test_refused_options_say_why():
    _, model, x = models()[0]
    with pytest.raises(ValueError, match="calibrator"):
        torch_tensorrt.compile(model, ir="dynamo", inputs=[x], calibrator=object())
    with pytest.raises(ValueError, match="input_signature"):
        torch_tensorrt.compile(model, ir="dynamo", input_signature=(x,))
    with pytest.raises(TypeError, match="bogus"):
        torch_tensorrt.compile(model, ir="dynamo", inputs=[x], bogus=1)


def test_ir_torch_compile_and_exported_program_front_doors():
    torch._dynamo.reset()
    _, model, x = models()[0]
    lazy = torch_tensorrt.compile(model, ir="torch_compile", min_block_size=1)
    assert isinstance(lazy, torch._dynamo.eval_frame.OptimizedModule)
    ep = torch.export.export(model, (x,))
    from_ep = torch_tensorrt.compile(ep, inputs=[x])  # ir='default' takes an ExportedProgram to dynamo
    assert isinstance(from_ep, torch.fx.GraphModule) and len(engines(from_ep)) == 1
    with torch.no_grad():
        assert rel_err(lazy(x), model(x)) <= 1e-4
        assert rel_err(from_ep(x), model(x)) <= 1e-4
    with pytest.raises(TypeError, match="ir='ts'"):
        torch_tensorrt.compile(torch.jit.script(model), ir="dynamo", inputs=[x])
    with pytest.raises(TypeError, match="torch.compile module cannot be saved"):
        torch_tensorrt.save(lazy, "unused.ep", inputs=[x])


def test_default_ir_is_torchscript():
    _, model, x = models()[0]
    compiled = torch_tensorrt.compile(model, inputs=[x])
    assert isinstance(compiled, torch.jit.ScriptModule)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("fmt", ["exported_program", "torchscript"])
def test_save_load_round_trip_in_fresh_process(fmt, device, tmp_path):
    _, model, x = models()[0]
    model = model.to(device)
    spec = torch_tensorrt.Input(min_shape=(1, 3, 32, 32), opt_shape=(2, 3, 32, 32), max_shape=(4, 3, 32, 32))
    compiled = torch_tensorrt.compile(model, ir="dynamo", inputs=[spec], torch_executed_ops=["aten::max_pool2d"],
                                      min_block_size=1)
    path = str(tmp_path / ("m.ep" if fmt == "exported_program" else "m.ts"))
    torch_tensorrt.save(compiled, path, output_format=fmt, inputs=[spec])
    cases = [torch.randn(b, 3, 32, 32, device=device) for b in (1, 3)]
    with torch.no_grad():
        torch.save({"inputs": cases, "expected": [model(c) for c in cases]}, str(tmp_path / "data.pt"))
    script = textwrap.dedent(f"""
        import torch, torch_tensorrt
        loaded = torch_tensorrt.load({path!r})
        run = loaded.module() if isinstance(loaded, torch.export.ExportedProgram) else loaded
        if {fmt!r} == "exported_program":
            assert isinstance(torch.export.load({path!r}), torch.export.ExportedProgram)
        data = torch.load({str(tmp_path / 'data.pt')!r})
        for x, ref in zip(data["inputs"], data["expected"]):
            out = run(x)
            assert out.device == x.device, out.device
            err = float((out - ref).abs().max() / ref.abs().max())
            assert err <= {BOUND[device]}, err
        print("ok")
    """)
    env = dict(os.environ, PYTHONPATH=os.path.join(REPO, "py"))
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 0 and "ok" in r.stdout, r.stderr[-3000:]


def test_seed_example_model_compiles_through_dynamo(tmp_path, monkeypatch):
    """The seed's example runs unchanged (it compiles a ScriptModule: ir='default' is the
    TorchScript path) and its LeNet compiles through ir='dynamo' too."""
    import runpy

    from conftest import SEED

    monkeypatch.chdir(tmp_path)  # the example saves trt_torchscript_module.ts in the working folder
    example = runpy.run_path(os.path.join(SEED, "example_usage.py"), run_name="seed_example")
    assert isinstance(example["trt_ts_module"], torch.jit.ScriptModule)
    model = example["LeNet"]().eval()
    x = torch.randn(1, 1, 32, 32)
    compiled = torch_tensorrt.compile(model, ir="dynamo", inputs=[x], enabled_precisions={torch.float})
    assert len(engines(compiled)) == 1
    with torch.no_grad():
        assert rel_err(compiled(x), model(x)) <= 1e-4


class _Head(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.l = torch.nn.Linear(4, 4)

    def forward(self, x):
        return self.l(x)


class _WithHead(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.a = torch.nn.Linear(4, 4)
        self.head = _Head()

    def forward(self, x):
        return self.head(torch.tanh(self.a(x)))


def test_ir_dynamo_module_is_one_snapshot_of_the_weights():
    # The ops left in PyTorch read the model's own tensors while the engines held copies: after the model changed,
    # the compiled module computed neither the old model nor the new one.
    torch.manual_seed(0)
    model = _WithHead().eval()
    x = torch.randn(2, 4)
    compiled = torch_tensorrt.compile(model, ir="dynamo", inputs=[x], min_block_size=1, device="cpu",
                                      torch_executed_modules=[f"{__name__}._Head"])
    assert engines(compiled) and any(n.target == torch.ops.aten.linear.default for n in compiled.graph.nodes)
    with torch.no_grad():
        before = model(x).clone()
        for p in model.parameters():
            p.mul_(2)
        torch.testing.assert_close(compiled(x), before, rtol=1e-4, atol=1e-4)


class _Masked(torch.nn.Module):
    def forward(self, x, m):
        return torch.where(m, x, -x).cumsum(-1)


def test_ir_dynamo_inputs_whose_ranges_must_be_one_dimension_compile():
    # One torch.export.Dim per Input dimension failed with only "Constraints violated (input1_dim0)!" for a model
    # combining x and its mask elementwise.
    spec = dict(min_shape=(1, 5), opt_shape=(4, 5), max_shape=(8, 5))
    compiled = torch_tensorrt.compile(_Masked().eval(), ir="dynamo", min_block_size=1, device="cpu",
                                      inputs=[torch_tensorrt.Input(**spec),
                                              torch_tensorrt.Input(**spec, dtype=torch.bool)])
    for batch in (1, 3, 8):
        x, m = torch.randn(batch, 5), torch.rand(batch, 5) > 0.5
        torch.testing.assert_close(compiled(x, m), _Masked()(x, m))


def test_ir_dynamo_int8_without_fake_quantize_nodes_is_refused():
    # It ran the whole model in PyTorch quietly, where the TorchScript path and the CLI refuse.
    model = torch.nn.Sequential(torch.nn.Linear(8, 8), torch.nn.ReLU()).eval()
    with pytest.raises(ValueError, match="enabled_precisions contains int8, but the exported program has no "
                                         "fake-quantize nodes"):
        torch_tensorrt.compile(model, ir="dynamo", inputs=[torch.randn(2, 8)], device="cpu",
                               enabled_precisions={torch.float, torch.int8})
