"""compile()'s keyword arguments as the C++ CompileSpec (torch_tensorrt._C.CompileSpec): the one
place they are converted.

Converting is all this does. Each option's value is checked once, by ``CompileSpec.validate()`` in
C++ (cpp/src/compile_spec.cpp), which names the option, the value and what is allowed; torchtrtc, the
C++ API and the dynamo path call the same check. Refused here is only what the C++ type cannot hold
(an unknown keyword, a value of the wrong Python type), and a GPU that is not there when the caller
named one (C++ falls back to the CPU with a warning; from Python, an explicit device is a promise).
"""
import inspect
import operator
import os
from typing import Any, Dict, List, Mapping, Optional, Sequence, Set

import torch

from torch_tensorrt import _C
from torch_tensorrt._Device import Device
from torch_tensorrt._enums import EngineCapability, _native_dtype
from torch_tensorrt._Input import Input

# Every keyword compile() takes besides inputs and enabled_precisions (docs/compile_options.md).
OPTIONS = ("input_signature", "device", "disable_tf32", "debug", "workspace_size", "num_avg_timing_iters", "timing_cache_path",
           "require_full_compilation", "min_block_size", "torch_executed_ops", "torch_executed_modules",
           "truncate_long_and_double", "calibrator", "capability", "sparse_weights", "refit", "allow_shape_tensors",
           "layer_precisions")


def compile_spec(inputs: Optional[Sequence[Any]] = None, enabled_precisions: Optional[Set[torch.dtype]] = None,
                 module: Optional[torch.jit.ScriptModule] = None, **kwargs: Any) -> Any:
    """The validated ``_C.CompileSpec`` for compile()'s arguments. ``module`` places the engine
    where its weights are when neither ``device`` nor example tensors say where; without it (the
    options checked before scripting), the spec keeps C++'s default device."""
    unknown = set(kwargs) - set(OPTIONS)
    if unknown:
        raise TypeError(f"unexpected compile options {sorted(unknown)}; compile takes inputs, enabled_precisions and "
                        f"{list(OPTIONS)} (docs/compile_options.md)")
    spec = _C.CompileSpec()
    signature = kwargs.get("input_signature")
    if signature is not None:
        if not isinstance(signature, tuple):
            raise TypeError("input_signature must be a tuple with one entry per forward argument")
        spec.input_signature = [_signature(arg) for arg in signature]
    if inputs:
        spec.inputs = [_input(i) for i in inputs]
    spec.enabled_precisions = {_dtype(p) for p in (enabled_precisions or {torch.float32})}
    spec.layer_precisions = _layer_precisions(kwargs.get("layer_precisions"))
    spec.device = _device(kwargs.get("device"), module, list(inputs or []) or _leaves(signature))
    spec.disable_tf32 = bool(kwargs.get("disable_tf32", False))
    spec.debug = bool(kwargs.get("debug", False))
    spec.workspace_size = _int(kwargs, "workspace_size", 0)
    spec.num_avg_timing_iters = _int(kwargs, "num_avg_timing_iters", 1)
    cache_path = kwargs.get("timing_cache_path")
    if cache_path is not None:
        if not isinstance(cache_path, (str, os.PathLike)):
            raise TypeError(f"timing_cache_path must be a file path (str or os.PathLike), got {type(cache_path).__name__}")
        spec.timing_cache_path = os.fspath(cache_path)
    spec.require_full_compilation = bool(kwargs.get("require_full_compilation", False))
    spec.min_block_size = _int(kwargs, "min_block_size", 3)
    spec.torch_executed_ops = _names(kwargs.get("torch_executed_ops"), "torch_executed_ops")
    spec.torch_executed_modules = _names(kwargs.get("torch_executed_modules"), "torch_executed_modules")
    spec.truncate_long_and_double = bool(kwargs.get("truncate_long_and_double", False))
    calibrator = kwargs.get("calibrator")
    if calibrator is not None:
        if not hasattr(calibrator, "_native"):
            raise TypeError("calibrator must be a torch_tensorrt.ptq.DataLoaderCalibrator or CacheCalibrator, got "
                            f"{type(calibrator).__name__}")
        # The number of inputs tells a tuple batch's inputs from its labels; a calibrator whose _native takes no
        # argument (one written for an earlier version) is called as before.
        takes_count = len(inspect.signature(calibrator._native).parameters) > 0
        spec.ptq_calibrator = calibrator._native(len(inputs) if inputs else None) if takes_count else calibrator._native()
    capability = kwargs.get("capability")
    if capability is not None and not isinstance(capability, EngineCapability):
        raise TypeError(f"capability must be a torch_tensorrt.EngineCapability, got {capability!r}")
    spec.capability = _C.EngineCapability((capability or EngineCapability.STANDARD).value)
    spec.sparse_weights = bool(kwargs.get("sparse_weights", False))
    spec.refit = bool(kwargs.get("refit", False))
    spec.allow_shape_tensors = bool(kwargs.get("allow_shape_tensors", False))
    spec.validate()
    return spec


def _int(kwargs: dict, option: str, default: int) -> int:
    value = kwargs.get(option, default)
    if not isinstance(value, bool):
        if isinstance(value, float) and value.is_integer():
            return int(value)
        try:
            return operator.index(value)  # int, numpy integers, 0-d integer tensors
        except TypeError:
            pass
    raise TypeError(f"{option} takes an integer, got {value!r}")


def _dtype(p: Any) -> Any:
    if not isinstance(p, torch.dtype):
        raise TypeError(f"enabled_precisions takes torch dtypes (torch.float, torch.half, ...), got {p!r}")
    return _native_dtype(p)


def _layer_precisions(value: Any) -> Dict[str, Any]:
    """{operator kind or layer name pattern: torch dtype} as the C++ map (validate() checks the entries)."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise TypeError("layer_precisions takes a dict {operator kind or layer name pattern: torch dtype}, such as "
                        f"{{'aten::softmax': torch.float32}}; got {type(value).__name__}")
    pins = {}
    for key, dtype in value.items():
        if not isinstance(key, str):
            raise TypeError(f"layer_precisions keys are strings (an operator kind such as 'aten::softmax' or a layer "
                            f"name pattern), got {key!r}")
        if not isinstance(dtype, torch.dtype):
            raise TypeError(f"layer_precisions[{key!r}] must be a torch dtype (torch.float32, torch.float16, "
                            f"torch.bfloat16), got {dtype!r}")
        pins[key] = _native_dtype(dtype)
    return pins


def _input(spec: Any) -> Any:
    if isinstance(spec, torch.Tensor):
        spec = Input.from_tensor(spec)
    if not isinstance(spec, Input):
        raise TypeError(f"inputs entries must be tensors or torch_tensorrt.Input, got {type(spec).__name__}")
    return spec._to_native()


def _signature(arg: Any) -> Any:
    if isinstance(arg, (Input, torch.Tensor)):
        return _C.InputSignature(_input(arg))
    if isinstance(arg, tuple):
        return _C.InputSignature.Tuple([_signature(a) for a in arg])
    if isinstance(arg, list):
        return _C.InputSignature.List([_signature(a) for a in arg])
    raise TypeError(f"input_signature entries must be Input, tensors, tuples or lists, got {type(arg).__name__}")


def _leaves(signature: Any) -> List[Any]:
    if signature is None:
        return []
    if isinstance(signature, (tuple, list)):
        return [leaf for s in signature for leaf in _leaves(s)]
    return [signature]


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


def explicit_device(device: Any) -> torch.device:
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


def _device(device: Any, module: Optional[torch.jit.ScriptModule], inputs: Sequence[Any]) -> Any:
    """The engine runs where the caller says (which must exist), else where the example inputs are,
    else where the module's weights are."""
    if device is not None:
        d = explicit_device(device)
    else:
        tensors = [i for i in inputs if isinstance(i, torch.Tensor)]
        if tensors:
            d = tensors[0].device
        elif module is not None:
            state = list(module.parameters()) + list(module.buffers())
            d = state[0].device if state else torch.device("cpu")
        else:
            return _C.CompileSpec().device  # options checked before a module exists: C++'s default
        if d.type not in ("cuda", "cpu"):
            raise ValueError(f"device {d} is not supported; engines run on cuda or cpu")
    return Device(d)._to_native()


__all__ = ["OPTIONS", "compile_spec", "explicit_device"]
