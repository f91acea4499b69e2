"""torch_tensorrt.compile: the one-call entry point."""
from typing import Any, List, Optional, Sequence, Set, Union

import torch

from torch_tensorrt import ts

_IR_CHOICES = ("ts", "default", "torchscript")


def compile(
    module: Union[torch.nn.Module, torch.jit.ScriptModule],
    ir: str = "default",
    inputs: Optional[Sequence[Any]] = None,
    enabled_precisions: Optional[Set[torch.dtype]] = None,
    **kwargs: Any,
) -> torch.jit.ScriptModule:
    """Compiles a module into a TorchScript module whose forward runs an engine.

    ``module`` is a ScriptModule, or an ``nn.Module`` which is traced with example tensors made
    from ``inputs``. ``inputs`` holds example tensors or :class:`torch_tensorrt.Input` specs.
    """
    if ir not in _IR_CHOICES:
        raise ValueError(f"ir='{ir}' is not available; this build compiles through TorchScript (ir='ts' or 'default')")
    signature = kwargs.get("input_signature")
    if inputs is None and signature is None:
        raise ValueError(
            "compile needs inputs=[...]: example tensors or torch_tensorrt.Input specs, one per forward argument "
            "(or input_signature=(...) when forward takes tuples or lists)"
        )
    if not isinstance(module, torch.jit.ScriptModule):
        if not isinstance(module, torch.nn.Module):
            raise TypeError(f"compile takes a torch.nn.Module or torch.jit.ScriptModule, got {type(module).__name__}")
        examples = ts._example_args(signature) if signature is not None else tuple(ts._example_tensor(i) for i in inputs)
        module = torch.jit.trace(module.eval(), examples)
    return ts.compile(module, inputs=inputs, enabled_precisions=enabled_precisions, **kwargs)


def convert_method_to_trt_engine(
    module: torch.jit.ScriptModule,
    method_name: str = "forward",
    inputs: Optional[Sequence[Any]] = None,
    enabled_precisions: Optional[Set[torch.dtype]] = None,
    **kwargs: Any,
) -> bytes:
    """Compiles a method into a serialized engine (plan bytes)."""
    return ts.convert_method_to_trt_engine(module, method_name, inputs=inputs, enabled_precisions=enabled_precisions, **kwargs)
