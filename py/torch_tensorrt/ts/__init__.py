"""The TorchScript path: compile, convert to an engine, embed an engine, check op support."""
import math
from typing import Any, List, Optional, Sequence, Set, Tuple

import torch

from torch_tensorrt import _C
from torch_tensorrt._Device import Device
from torch_tensorrt._enums import EngineCapability
from torch_tensorrt._Input import Input

_PRECISIONS = {torch.float32: "float32", torch.float16: "float16", torch.bfloat16: "bfloat16", torch.int8: "int8"}



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


def _to_inputs(inputs: Sequence[Any]) -> List[Input]:
    return [i if isinstance(i, Input) else Input.from_tensor(_example_tensor(i)) for i in inputs]


def _precisions(enabled: Optional[Set[torch.dtype]]) -> List[str]:
    enabled = {torch.float32} if not enabled else set(enabled)
    out = []
    for p in enabled:
        if p not in _PRECISIONS:
            raise ValueError(f"enabled_precisions contains {p}, which engines do not compute in; use torch.float, torch.half, torch.bfloat16 and torch.int8")
        out.append(_PRECISIONS[p])
    return out


def _explicit_device(device: Any) -> torch.device:
    """The device the caller asked for, refused when it is not there: an engine the caller placed on
    a GPU must not quietly end up on the CPU."""
    if isinstance(device, Device):
        d = device.to_torch()
    else:
        d = torch.device(device) if not isinstance(device, torch.device) else device
    if d.type not in ("cuda", "cpu"):
        raise ValueError(f"device {d} is not supported; engines run on cuda or cpu")
    if d.type == "cuda":
        index = d.index or 0
        count = torch.cuda.device_count()
        missing = []
        if not _C.has_cuda_backend():
            missing.append("this build of torch_tensorrt has no CUDA backend (it was built without CUDA)")
        if count == 0:
            missing.append("no CUDA GPU is visible to PyTorch")
        elif index >= count:
            missing.append(f"only {count} CUDA GPU(s) are visible (cuda:0 to cuda:{count - 1})")
        if missing:
            raise ValueError(f"device={device!r} asks for GPU cuda:{index}, but " + " and ".join(missing) +
                             "; pass device='cpu' for a CPU engine, or leave device out to build the engine where "
                             "the inputs are")
    return d


def _target_device(module: torch.jit.ScriptModule, inputs: Sequence[Any], device: Any) -> Tuple[str, int]:
    """The engine runs where the caller says (which must exist), else where the example inputs are,
    else where the module's weights are."""
    if device is not None:
        d = _explicit_device(device)
    else:
        tensors = [i for i in inputs if isinstance(i, torch.Tensor)]
        if tensors:
            d = tensors[0].device
        else:
            state = list(module.parameters()) + list(module.buffers())
            d = state[0].device if state else torch.device("cpu")
    if d.type not in ("cuda", "cpu"):
        raise ValueError(f"device {d} is not supported; engines run on cuda or cpu")
    return d.type, (d.index or 0) if d.type == "cuda" else 0


def _check_options(kwargs: dict) -> dict:
    known = {"disable_tf32", "debug", "workspace_size", "num_avg_timing_iters", "require_full_compilation", "min_block_size",
             "torch_executed_ops", "torch_executed_modules", "input_signature", "truncate_long_and_double", "device", "capability",
             "allow_shape_tensors", "calibrator", "refit", "sparse_weights"}
    unknown = set(kwargs) - known
    if unknown:
        raise TypeError(f"unexpected compile options {sorted(unknown)}")
    capability = kwargs.get("capability")
    if capability is not None and not isinstance(capability, EngineCapability):
        raise TypeError(f"capability must be a torch_tensorrt.EngineCapability, got {capability!r}")
    return kwargs


def _names(value: Any, option: str) -> List[str]:
    if value is None:
        return []
    if isinstance(value, str):
        raise TypeError(f"{option} takes a list of names, got the string {value!r}; wrap it in a list")
    names = []
    for v in value:
        if isinstance(v, type):  # a module class given directly
            v = f"{v.__module__}.{v.__qualname__}"
        if not isinstance(v, str):
            raise TypeError(f"{option} entries must be strings, got {type(v).__name__}")
        names.append(v)
    return names


def _flatten_signature(signature: Any, leaves: List[Input]) -> Any:
    """input_signature as the bindings take it: leaves become indices into `leaves`."""
    if isinstance(signature, (Input, torch.Tensor)):
        leaves.append(signature if isinstance(signature, Input) else Input.from_tensor(signature))
        return len(leaves) - 1
    if isinstance(signature, tuple):
        return ("tuple", [_flatten_signature(s, leaves) for s in signature])
    if isinstance(signature, list):
        return ("list", [_flatten_signature(s, leaves) for s in signature])
    raise TypeError(f"input_signature entries must be Input, tensors, tuples or lists, got {type(signature).__name__}")


def _leaves(signature: Any) -> List[Any]:
    if signature is None:
        return []
    if isinstance(signature, (tuple, list)):
        return [leaf for s in signature for leaf in _leaves(s)]
    return [signature]


def _example_args(signature: Any, device: Optional[torch.device] = None) -> Any:
    """Example values shaped like input_signature (for tracing)."""
    if isinstance(signature, (Input, torch.Tensor)):
        return _example_tensor(signature, device)
    return type(signature)(_example_args(s, device) for s in signature)


def _native_spec(module: torch.jit.ScriptModule, inputs: Sequence[Any], enabled_precisions: Optional[Set[torch.dtype]], kwargs: dict) -> dict:
    """The compile settings as the native bindings take them."""
    opts = _check_options(kwargs)
    device_type, gpu_id = _target_device(module, inputs or _leaves(opts.get("input_signature")), opts.get("device"))
    min_block_size = int(opts.get("min_block_size", 3))
    if min_block_size < 1:
        raise ValueError(f"min_block_size must be at least 1, got {min_block_size}")
    signature = opts.get("input_signature")
    native_signature = None
    if signature is not None:
        if inputs:
            raise ValueError("give either inputs= or input_signature=, not both")
        if not isinstance(signature, tuple):
            raise TypeError("input_signature must be a tuple with one entry per forward argument")
        leaves: List[Input] = []
        native_signature = [_flatten_signature(arg, leaves) for arg in signature]
        inputs = leaves
    return {
        "inputs": [i._to_native() for i in _to_inputs(inputs)],
        "input_signature": native_signature,
        "enabled_precisions": _precisions(enabled_precisions),
        "disable_tf32": bool(opts.get("disable_tf32", False)),
        "debug": bool(opts.get("debug", False)),
        "workspace_size": int(opts.get("workspace_size", 0)),
        "num_avg_timing_iters": int(opts.get("num_avg_timing_iters", 1)),
        "require_full_compilation": bool(opts.get("require_full_compilation", False)),
        "min_block_size": min_block_size,
        "torch_executed_ops": _names(opts.get("torch_executed_ops"), "torch_executed_ops"),
        "torch_executed_modules": _names(opts.get("torch_executed_modules"), "torch_executed_modules"),
        "truncate_long_and_double": bool(opts.get("truncate_long_and_double", False)),
        "device_type": device_type,
        "gpu_id": gpu_id,
        "calibrator": _native_calibrator(opts.get("calibrator")),
        "capability": (opts.get("capability") or EngineCapability.STANDARD).value,
        "sparse_weights": bool(opts.get("sparse_weights", False)),
        "refit": bool(opts.get("refit", False)),
        "allow_shape_tensors": bool(opts.get("allow_shape_tensors", False)),
    }


def _native_calibrator(calibrator: Any) -> Any:
    if calibrator is None:
        return None
    if not hasattr(calibrator, "_native"):
        raise TypeError(
            f"calibrator must be a torch_tensorrt.ptq.DataLoaderCalibrator or CacheCalibrator, got {type(calibrator).__name__}"
        )
    return calibrator._native()


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
    native = _C.compile_graph(module._c, _native_spec(module, inputs, enabled_precisions, kwargs))
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
    return _C.convert_graph_to_trt_engine(module._c, method_name, _native_spec(module, inputs, enabled_precisions, kwargs))


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
    (backend, device, and per layer its name, kind, inputs/outputs with dims and dtype, pinned
    precision, fused parts) when `as_json`, else the text form."""
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
