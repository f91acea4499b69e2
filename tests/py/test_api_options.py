"""Torch-TensorRT's API surface: Device, EngineCapability, dtype, set_device, embed with a device,
the typed compile spec (torch_tensorrt._C.CompileSpec) and the one refusal message of each option."""
import pytest
import torch
import torch_tensorrt

from conftest import gpu_engines


class Relu2(torch.nn.Module):
    def forward(self, x):
        return torch.relu(x) * 2


def _ts():
    return torch.jit.script(Relu2())


# One refusal per option, each from the one check (C++ CompileSpec.validate()), naming the option,
# the value and what is allowed. The same message comes from every front door.
REFUSALS = [
    (dict(capability=torch_tensorrt.EngineCapability.SAFETY),
     "capability kSAFETY needs a safety-certified runtime, which this library does not target; use "
     "EngineCapability::kSTANDARD"),
    (dict(capability=torch_tensorrt.EngineCapability.DLA_STANDALONE), "capability kDLA_STANDALONE needs NVIDIA DLA hardware"),
    (dict(sparse_weights=True), "sparse_weights=true needs 2:4 structured-sparse kernels, which this build does not have"),
    (dict(refit=True), "refit=true needs refittable engines"),
    (dict(min_block_size=0), "min_block_size must be at least 1, got 0"),
    (dict(workspace_size=-1), "workspace_size must be 0 (no limit) or a positive number of bytes, got -1"),
    (dict(timing_cache_path="cache\0.bin"), "timing_cache_path must be a file path without NUL characters"),
    (dict(num_avg_timing_iters=0), "num_avg_timing_iters must be at least 1 (timing measurements averaged per GPU tactic), got 0"),
    (dict(enabled_precisions={torch.int32}),
     "enabled_precisions contains torch.int32, which engines do not compute in; use torch.float32, torch.float16, "
     "torch.bfloat16, torch.int8 and torch.float8_e4m3fn"),
    (dict(layer_precisions={"aten::relu": torch.int8}),
     "layer_precisions['aten::relu'] is torch.int8; layers are pinned to torch.float32, torch.float16 or torch.bfloat16"),
    (dict(layer_precisions={"*relu*": torch.float16}),
     "layer_precisions['*relu*'] is torch.float16, which enabled_precisions does not contain; add torch.float16 to "
     "enabled_precisions"),
    (dict(enabled_precisions={torch.float32, torch.complex64}), "enabled_precisions contains an unknown dtype"),
    (dict(torch_executed_ops=["relu"]),
     "torch_executed_ops contains 'relu', which is not an operator name; use the namespace::name form such as 'aten::relu'"),
    (dict(torch_executed_modules=[""]), "torch_executed_modules contains an empty name"),
    (dict(input_signature=(torch.randn(2, 3),)), "inputs and input_signature are both given (1 and 1 entries)"),
]


def _ids(cases):
    return [next(iter(option)) + (f"-{i}" if i else "") for i, (option, _) in enumerate(cases)]


@pytest.mark.parametrize("option, message", REFUSALS, ids=_ids(REFUSALS))
@pytest.mark.parametrize("front_door", ["script_module", "nn_module", "ts_convert"])
def test_each_option_is_refused_with_its_one_message(front_door, option, message):
    x = torch.randn(2, 3)
    with pytest.raises(ValueError) as refused:
        if front_door == "script_module":
            torch_tensorrt.compile(_ts(), inputs=[x], device="cpu", **option)
        elif front_door == "nn_module":  # refused before scripting or tracing
            torch_tensorrt.compile(Relu2(), inputs=[x], device="cpu", **option)
        else:
            torch_tensorrt.ts.convert_method_to_trt_engine(_ts(), "forward", inputs=[x], device="cpu", **option)
    assert message in str(refused.value)


DYNAMO_REFUSALS = [case for case in REFUSALS
                   if next(iter(case[0])) not in ("input_signature", "torch_executed_ops", "layer_precisions")]


@pytest.mark.parametrize("option, message", DYNAMO_REFUSALS, ids=_ids(DYNAMO_REFUSALS))
def test_the_dynamo_path_refuses_with_the_same_message(option, message):
    x = torch.randn(2, 3)
    with pytest.raises(ValueError) as refused:
        torch_tensorrt.dynamo.compile(torch.export.export(Relu2(), (x,)), inputs=[x], device="cpu", **option)
    assert message in str(refused.value)


def _native_spec():
    spec = torch_tensorrt._C.CompileSpec()
    spec.inputs = [torch_tensorrt.Input((2, 3))._to_native()]
    return spec


def _with(field, value):
    def change(spec):
        if field == "tensor_domain":
            ins = spec.inputs
            ins[0].tensor_domain = value
            spec.inputs = ins
        elif field == "gpu_id":
            spec.device = torch_tensorrt._C.Device(torch_tensorrt._C.Device.DeviceType.kGPU, value)
        elif field == "input_dtype":
            ins = spec.inputs
            ins[0].dtype = value
            spec.inputs = ins
        else:
            setattr(spec, field, value)
    return change


@pytest.mark.parametrize(
    "change, message",
    [
        (_with("tensor_domain", [2.0, 1.0]),
         "inputs[0].tensor_domain must be two numbers lo < hi (values are drawn from [lo, hi)), got 2 number(s) "
         "[2.000000, 1.000000)"),
        (_with("gpu_id", -1), "device gpu_id must be 0 or more, got -1"),
        (_with("input_dtype", torch_tensorrt._C.DataType.kUnknown), "inputs[0] has dtype an unknown dtype; use torch.float32"),
        (_with("enabled_precisions", set()), "enabled_precisions is empty"),
    ],
    ids=["tensor_domain", "gpu_id", "input_dtype", "no_precision"],
)
def test_fields_only_the_bound_class_can_set_are_refused_by_validate(change, message):
    spec = _native_spec()
    spec.validate()  # the defaults are valid
    change(spec)
    with pytest.raises(ValueError) as refused:
        spec.validate()
    assert message in str(refused.value)


def test_compile_hands_the_bound_compile_spec_to_cpp(monkeypatch):
    """The compile spec crosses into C++ as the bound class, its fields typed; no dict path is left."""
    native = torch_tensorrt._C
    seen = []
    real = native.compile_graph
    monkeypatch.setattr(native, "compile_graph", lambda module, spec: seen.append(spec) or real(module, spec))
    x = torch.randn(2, 3)
    trt = torch_tensorrt.compile(_ts(), inputs=[x], device="cpu", min_block_size=2, workspace_size=1 << 20,
                                 enabled_precisions={torch.float, torch.half}, torch_executed_ops=["aten::mul"])
    torch.testing.assert_close(trt(x), torch.relu(x) * 2)
    (spec,) = seen
    assert isinstance(spec, native.CompileSpec)
    assert spec.enabled_precisions == {native.DataType.kFloat, native.DataType.kHalf}
    assert (spec.min_block_size, spec.workspace_size, spec.num_avg_timing_iters) == (2, 1 << 20, 1)
    assert spec.torch_executed_ops == ["aten::mul"]
    assert spec.device.device_type == native.Device.DeviceType.kCPU
    assert spec.inputs[0].opt_shape == [2, 3] and spec.inputs[0].dtype == native.DataType.kFloat
    assert spec.capability == native.EngineCapability.kSTANDARD
    assert not hasattr(torch_tensorrt.ts, "_native_spec")
    with pytest.raises(TypeError):
        real(_ts()._c, {"min_block_size": 1})


def test_defaults_of_those_options_compile():
    x = torch.randn(2, 3)
    trt = torch_tensorrt.compile(_ts(), inputs=[x], device=torch_tensorrt.Device("cpu"),
                                 capability=torch_tensorrt.EngineCapability.STANDARD, sparse_weights=False,
                                 refit=False, allow_shape_tensors=False)
    torch.testing.assert_close(trt(x), torch.relu(x) * 2)
    # Shape tensors are always used where a dimension is dynamic: asking for them changes nothing.
    with_shape_tensors = torch_tensorrt.compile(_ts(), inputs=[x], device="cpu", allow_shape_tensors=True)
    torch.testing.assert_close(with_shape_tensors(x), torch.relu(x) * 2)
    with pytest.raises(TypeError, match="capability must be a torch_tensorrt.EngineCapability"):
        torch_tensorrt.compile(_ts(), inputs=[x], device="cpu", capability="standard")


def test_device_and_dtype_helpers():
    d = torch_tensorrt.Device("cuda:1")
    assert (d.device_type, d.gpu_id) == ("cuda", 1) and d.to_torch() == torch.device("cuda", 1)
    assert torch_tensorrt.Device(gpu_id=2).to_torch() == torch.device("cuda", 2)
    assert torch_tensorrt.Device(torch.device("cpu")).device_type == "cpu"
    with pytest.raises(ValueError, match="engines run on cuda or cpu"):
        torch_tensorrt.Device(device_type="dla")
    assert torch_tensorrt.dtype.half is torch.float16 and torch_tensorrt.dtype.int8 is torch.int8
    spec = torch_tensorrt.Input((1, 3), dtype=torch_tensorrt.dtype.half)
    assert spec.dtype == torch.float16


def test_set_device_refuses_a_gpu_that_is_not_visible():
    with pytest.raises(ValueError, match="CUDA GPU\\(s\\) are visible"):
        torch_tensorrt.set_device(torch.cuda.device_count())
    if torch.cuda.is_available():
        torch_tensorrt.set_device(0)
        assert torch.cuda.current_device() == 0


def test_embed_engine_with_a_device_checks_the_backend():
    x = torch.randn(2, 3)
    plan = torch_tensorrt.ts.convert_method_to_trt_engine(_ts(), "forward", inputs=[x], device="cpu")
    wrapped = torch_tensorrt.ts.embed_engine_in_new_module(plan, device=torch_tensorrt.Device("cpu"))
    torch.testing.assert_close(wrapped(x), torch.relu(x) * 2)
    with pytest.raises(RuntimeError, match="built for the cpu backend but the device given is a GPU"):
        torch_tensorrt.ts.embed_engine_in_new_module(plan, device="cuda:0")
    if gpu_engines():
        gpu_plan = torch_tensorrt.ts.convert_method_to_trt_engine(_ts(), "forward", inputs=[x.cuda()], device="cuda")
        on_gpu = torch_tensorrt.ts.embed_engine_in_new_module(gpu_plan, device=torch_tensorrt.Device(gpu_id=0))
        torch.testing.assert_close(on_gpu(x.cuda()), torch.relu(x.cuda()) * 2)


def test_timing_cache_path_is_written_on_the_gpu_and_left_alone_on_the_cpu(tmp_path):
    # CPU engines time no tactics: the file is neither read nor created. On a GPU the first compile
    # writes the cache and a second compile reads it back (a damaged file is refused naming it).
    path = tmp_path / "timing.cache"
    x = torch.randn(2, 3, 16, 16)
    conv = torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3, padding=1), torch.nn.ReLU()).eval()
    torch_tensorrt.compile(conv, inputs=[x], device="cpu", timing_cache_path=str(path))
    assert not path.exists()
    if not torch.cuda.is_available() or not torch_tensorrt._C.has_cuda_backend():
        return
    gpu, xg = conv.cuda(), x.cuda()
    torch_tensorrt.compile(gpu, inputs=[xg], enabled_precisions={torch.half}, timing_cache_path=path)
    assert path.exists() and path.stat().st_size > 16
    again = torch_tensorrt.compile(gpu, inputs=[xg], enabled_precisions={torch.half}, timing_cache_path=path)
    with torch.no_grad():
        assert torch.allclose(again(xg).float(), gpu(xg), atol=2e-2, rtol=2e-2)
    path.write_bytes(b"not a cache")
    with pytest.raises(Exception, match="timing cache file '.*timing.cache': invalid timing cache"):
        torch_tensorrt.compile(gpu, inputs=[xg], enabled_precisions={torch.half}, timing_cache_path=path)
