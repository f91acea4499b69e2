"""The TorchScript path: compile, convert to an engine, embed an engine, check op support."""
import math
from typing import Any, Dict, List, Optional, Sequence, Set

import torch

from torch_tensorrt import _C
from torch_tensorrt._Device import Device
from torch_tensorrt._Input import Input

from torch_tensorrt.ts._compile_spec import _names, compile_spec, explicit_device  # noqa: F401 (_names: dynamo)

_explicit_device = explicit_device  # _compile.py refuses a missing GPU before scripting


def _example_tensor(spec: Any, device: Optional[torch.device] = None) -> torch.Tensor:
    """An example tensor for an input: the tensor given, or one of the Input's opt_shape with values
    drawn from its tensor_domain [lo, hi), as partial compilation's shape analysis draws them."""
    if isinstance(spec, torch.Tensor):
        return spec
    if not isinstance(spec, Input):
        raise TypeError(f"inputs entries must be tensors or torch_tensorrt.Input, got {type(spec).__name__}")
    lo, hi = spec.tensor_domain
    if spec.dtype == torch.bool:
        t = torch.randint(0, 2, spec.opt_shape).to(torch.bool)
    elif not spec.dtype.is_floating_point:
        low, high = math.floor(lo), math.ceil(hi)
        info = torch.iinfo(spec.dtype)
        if low < info.min or high - 1 > info.max:
            raise ValueError(f"{spec}: tensor_domain [{lo}, {hi}) does not fit {spec.dtype} ({info.min} to {info.max})")
        t = torch.randint(low, high, spec.opt_shape).to(spec.dtype)
    else:
        t = (torch.rand(spec.opt_shape) * (hi - lo) + lo).to(spec.dtype)
    return t if device is None else t.to(device)


def _check_options(kwargs: dict, inputs: Optional[Sequence[Any]] = None,
                   enabled_precisions: Optional[Set[torch.dtype]] = None) -> dict:
    """Checks compile()'s options before a module exists (before scripting or tracing), through the
    same conversion and C++ CompileSpec.validate() that compile uses."""
    compile_spec(inputs, enabled_precisions, **kwargs)
    return kwargs


def _example_args(signature: Any, device: Optional[torch.device] = None) -> Any:
    """Example values shaped like input_signature (for tracing)."""
    if isinstance(signature, (Input, torch.Tensor)):
        return _example_tensor(signature, device)
    return type(signature)(_example_args(s, device) for s in signature)


def compile(
    module: torch.jit.ScriptModule,
    inputs: Optional[Sequence[Any]] = None,
    enabled_precisions: Optional[Set[torch.dtype]] = None,
    **kwargs: Any,
) -> torch.jit.ScriptModule:
    """Compiles a ScriptModule's forward into a module that runs engines.

    When every op converts, forward becomes one engine. Otherwise (unless
    ``require_full_compilation=True``) the convertible runs of at least ``min_block_size`` nodes
    become engines and the rest, plus ``torch_executed_ops`` / ``torch_executed_modules``, run in
    TorchScript between them. ``workspace_size`` (bytes, default 0: no limit) caps the scratch one
    layer's GPU kernel may use and ``num_avg_timing_iters`` (default 1) sets how many timing
    measurements each GPU tactic gets; CPU engines record both and say they change nothing.
    With ``torch.int8`` in ``enabled_precisions``, convolutions run in INT8: with scales from a
    quantization-aware model's fake-quantize nodes, or from ``calibrator=`` (a
    :class:`torch_tensorrt.ptq.DataLoaderCalibrator` or :class:`~torch_tensorrt.ptq.CacheCalibrator`).
    """
    if not isinstance(module, torch.jit.ScriptModule):
        raise TypeError("torch_tensorrt.ts.compile takes a torch.jit.ScriptModule; use torch_tensorrt.compile for nn.Module")
    if inputs is None and kwargs.get("input_signature") is None:
        raise ValueError("compile needs inputs=[...] (or input_signature=(...) for tuple/list arguments)")
    native = _C.compile_graph(module._c, compile_spec(inputs, enabled_precisions, module, **kwargs))
    return torch.jit._recursive.wrap_cpp_module(native)


def convert_method_to_trt_engine(
    module: torch.jit.ScriptModule,
    method_name: str = "forward",
    inputs: Optional[Sequence[Any]] = None,
    enabled_precisions: Optional[Set[torch.dtype]] = None,
    **kwargs: Any,
) -> bytes:
    """Compiles a method into a serialized engine (plan bytes)."""
    if inputs is None:
        raise ValueError("convert_method_to_trt_engine needs inputs=[...]")
    spec = compile_spec(inputs, enabled_precisions, module, **kwargs)
    return _C.convert_graph_to_trt_engine(module._c, method_name, spec)


def describe_engine_layers(
    module: torch.jit.ScriptModule,
    method_name: str = "forward",
    inputs: Optional[Sequence[Any]] = None,
    enabled_precisions: Optional[Set[torch.dtype]] = None,
    device: Any = None,
    **kwargs: Any,
) -> Dict[str, Any]:
    """The engine inspector's record (as :func:`get_layer_info` gives it) of the engine
    :func:`convert_method_to_trt_engine` would build: its layers as the builder's optimization passes
    leave them, without timing tactics or writing a plan. ``device="cuda"`` needs no GPU here: on a
    machine without one, a build with the CUDA backend previews the layers a GPU engine will run (for
    sm_90; ``"device"`` says so, ``"tactics"`` are empty and ``"implementation"`` names only the layers
    that run as views of their input's memory)."""
    import json

    if inputs is None:
        raise ValueError("describe_engine_layers needs inputs=[...]")
    d = None if device is None else device if isinstance(device, Device) else Device(device)
    if d is not None and d.device_type == "cuda":
        if not _C.has_cuda_backend():
            raise ValueError(f"device={device!r}: this build of torch_tensorrt has no CUDA backend to describe")
        spec = compile_spec(inputs, enabled_precisions, module, device="cpu", **kwargs)
        spec.device = d._to_native()  # no GPU needed: nothing is built or run on it
    else:
        spec = compile_spec(inputs, enabled_precisions, module, device=device, **kwargs)
    return json.loads(_C.describe_engine_layers(module._c, method_name, spec))


def embed_engine_in_new_module(
    serialized_engine: bytes,
    input_binding_names: Optional[List[str]] = None,
    output_binding_names: Optional[List[str]] = None,
    device: Optional[Any] = None,
) -> torch.jit.ScriptModule:
    """Wraps plan bytes in a ScriptModule whose forward runs the engine; ``device`` (a
    :class:`torch_tensorrt.Device`, torch.device or string) picks the GPU a GPU engine runs on and
    must match the backend the engine was built for."""
    target = None
    if device is not None:
        d = device if isinstance(device, Device) else Device(device)
        target = (d.device_type, d.gpu_id)
    native = _C.embed_engine_in_new_module(serialized_engine, input_binding_names or [], output_binding_names or [], target)
    return torch.jit._recursive.wrap_cpp_module(native)


def check_method_op_support(module: torch.jit.ScriptModule, method_name: str = "forward") -> bool:
    """True when every op of the method converts; logs the unsupported ops otherwise."""
    return _C.check_method_op_support(module._c, method_name)


def unsupported_operators(module: torch.jit.ScriptModule, method_name: str = "forward") -> List[str]:
    """The unsupported ops of a method, each with its schema and source lines."""
    return list(_C.unsupported_operators(module._c, method_name))


def supported_operators() -> List[str]:
    """Every converter schema and evaluator node kind."""
    return sorted(_C.get_converter_list()) + [f"{k} (evaluator)" for k in sorted(_C.get_evaluator_list())]


def get_layer_info(module: torch.jit.ScriptModule, as_json: bool = True) -> List[Any]:
    """The engine inspector for each engine of a compiled module, in graph order: a dict per engine
    (backend, device, and per layer its name, kind, inputs/outputs with dims and dtype, the precision
    it computes in, its pinned precision, fused parts) when `as_json`, else the text form."""
    import json

    infos = []
    for node in module.graph.findAllNodes("prim::GetAttr", True):
        if not node.output().type().str().endswith("tensorrt.Engine"):
            continue
        engine = module._c.getattr(node.s("name"))
        infos.append(json.loads(engine.get_layer_info_json()) if as_json else engine.get_layer_info())
    return infos


def converter_overrides() -> List[str]:
    """Schemas whose built-in converter was replaced by a custom one."""
    return list(_C.get_converter_overrides())
