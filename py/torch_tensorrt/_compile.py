"""torch_tensorrt.compile: the one-call entry point."""
import contextlib
import itertools
import warnings
from typing import Any, Iterator, List, Optional, Sequence, Set, Union

import torch

from torch_tensorrt import logging, ts
from torch_tensorrt.ts._trace import trace_checked

_IR_CHOICES = ("ts", "default", "torchscript", "dynamo", "torch_compile")

_TRACE_CAVEAT = ("A trace records only the path the example inputs take: control flow on tensor values is not kept "
                 "(traces that would keep a data-dependent value are refused); pass a torch.jit.ScriptModule to "
                 "choose yourself")


def compile(
    module: Union[torch.nn.Module, torch.jit.ScriptModule],
    ir: str = "default",
    inputs: Optional[Sequence[Any]] = None,
    enabled_precisions: Optional[Set[torch.dtype]] = None,
    **kwargs: Any,
) -> torch.jit.ScriptModule:
    """Compiles a module into a module whose forward runs engines.

    ``ir`` picks the front door: ``"ts"`` (TorchScript, described below), ``"dynamo"`` (torch.export:
    returns a ``torch.fx.GraphModule``, see docs/dynamo.md), ``"torch_compile"`` (returns
    ``torch.compile(module, backend="torch_tensorrt")``, compiled on first call) or ``"default"``,
    which is ``"ts"`` for every module in this build (so existing callers keep getting a
    ScriptModule; an ExportedProgram goes to ``"dynamo"``) and says so at info level.

    ``module`` is a ScriptModule or an ``nn.Module``. An ``nn.Module`` is scripted
    (``torch.jit.script``), as Torch-TensorRT does; only when scripting fails, or the scripted module
    does not compile, is it traced with example tensors made from ``inputs``, with a warning, and a
    trace that would bake in a data-dependent branch or size is refused. The caller's module is
    compiled in eval mode and left in the mode it was in. ``inputs`` holds example tensors or
    :class:`torch_tensorrt.Input` specs.
    """
    if ir not in _IR_CHOICES:
        raise ValueError(f"ir='{ir}' is not available; use 'ts' (TorchScript), 'dynamo' (torch.export), "
                         "'torch_compile' or 'default' (= 'ts')")
    if ir == "default" and isinstance(module, torch.export.ExportedProgram):
        logging.log(logging.Level.Info, "ir='default': compiling the ExportedProgram through the dynamo path")
        ir = "dynamo"
    if ir == "default":
        logging.log(logging.Level.Info, f"ir='default': compiling {type(module).__name__} through the TorchScript path "
                    "(ir='ts'); pass ir='dynamo' for the torch.export path")
    if ir in ("dynamo", "torch_compile"):
        return _compile_dynamo(module, ir, inputs, enabled_precisions, kwargs)
    signature = kwargs.get("input_signature")
    if inputs is None and signature is None:
        raise ValueError(
            "compile needs inputs=[...]: example tensors or torch_tensorrt.Input specs, one per forward argument "
            "(or input_signature=(...) when forward takes tuples or lists)"
        )
    if isinstance(module, torch.jit.ScriptModule):
        return ts.compile(module, inputs=inputs, enabled_precisions=enabled_precisions, **kwargs)
    if not isinstance(module, torch.nn.Module):
        raise TypeError(f"compile takes a torch.nn.Module or torch.jit.ScriptModule, got {type(module).__name__}")
    ts._check_options(kwargs, inputs, enabled_precisions)  # refused before any scripting or tracing
    return _compile_module(module, inputs, enabled_precisions, kwargs)


def _compile_dynamo(module: Any, ir: str, inputs: Optional[Sequence[Any]], enabled_precisions: Optional[Set[torch.dtype]],
                    kwargs: dict) -> Any:
    from torch_tensorrt import dynamo

    if isinstance(module, torch.jit.ScriptModule):
        raise TypeError(f"ir='{ir}' takes a torch.nn.Module or torch.export.ExportedProgram; a ScriptModule compiles "
                        "with ir='ts'")
    if isinstance(module, torch.export.ExportedProgram):
        if ir == "torch_compile":
            module = module.module()
        else:
            return dynamo.compile(module, inputs=inputs, enabled_precisions=enabled_precisions, **kwargs)
    if not isinstance(module, torch.nn.Module):
        raise TypeError(f"compile takes a torch.nn.Module, got {type(module).__name__}")
    options = dict(kwargs)
    dynamic_shapes = options.pop("dynamic_shapes", None)
    if ir == "torch_compile":
        dynamo.check_settings(options)
        options["enabled_precisions"] = enabled_precisions
        return torch.compile(module, backend=dynamo.torch_tensorrt_backend, options=options, dynamic=False)
    with _eval_mode(module):
        return dynamo.compile_module(module, inputs, enabled_precisions, dynamic_shapes, **options)


def _compile_module(module: torch.nn.Module, inputs: Optional[Sequence[Any]], enabled_precisions: Optional[Set[torch.dtype]],
                    kwargs: dict) -> torch.jit.ScriptModule:
    def build(script_module: torch.jit.ScriptModule) -> torch.jit.ScriptModule:
        return ts.compile(script_module, inputs=inputs, enabled_precisions=enabled_precisions, **kwargs)

    name = type(module).__name__
    with _eval_mode(module):
        try:
            scripted = torch.jit.script(module)
        except Exception as e:  # scripting fails in many ways (unsupported syntax, missing source, types)
            why = f"torch.jit.script failed on {name}: {_first_line(e)}"
            traced = _trace(module, inputs, kwargs, why)
            _warn(f"{why}. torch_tensorrt.compile traced it with torch.jit.trace instead. {_TRACE_CAVEAT}.")
            return build(traced)
        try:
            return build(scripted)
        except RuntimeError as failure:
            # Scripted graphs keep more ops than traced ones (branches, checks): try the trace before giving up.
            why = f"compiling the scripted {name} failed: {_first_line(failure)}"
            try:
                traced = _trace(module, inputs, kwargs, why)
            except RuntimeError as refusal:
                raise RuntimeError(f"{failure}\n\ntorch_tensorrt.compile then tried a trace of {name}: {refusal}") from failure
            _warn(f"{why}. torch_tensorrt.compile compiled a trace of it (torch.jit.trace) instead. {_TRACE_CAVEAT}.")
            try:
                return build(traced)
            except RuntimeError as second:
                raise RuntimeError(f"{failure}\n\ntorch_tensorrt.compile then tried a trace of {name}, which failed "
                                   f"too: {_first_line(second)}") from failure


def _trace(module: torch.nn.Module, inputs: Optional[Sequence[Any]], kwargs: dict, why: str) -> torch.jit.ScriptModule:
    """The module traced with example tensors made from `inputs` (or input_signature), placed where
    its weights are; a refusal says why tracing was tried."""
    signature = kwargs.get("input_signature")
    specs: List[Any] = list(signature) if signature is not None else list(inputs or [])
    state = itertools.chain(module.parameters(), module.buffers())
    first = next(state, None)
    device = first.device if first is not None else None
    examples = tuple(ts._example_args(s, device) if isinstance(s, (tuple, list)) else ts._example_tensor(s, device)
                     for s in specs)
    try:
        return trace_checked(module, examples, specs)
    except RuntimeError as e:
        raise RuntimeError(f"{why}; {e}") from e


@contextlib.contextmanager
def _eval_mode(module: torch.nn.Module) -> Iterator[None]:
    """The module and its submodules in eval mode, their training flags restored afterwards: the
    engine computes inference (dropout off, batch norm with running statistics) and the caller's
    module is left as it was."""
    flags = [(m, m.training) for m in module.modules()]
    module.eval()
    try:
        yield
    finally:
        for m, training in flags:
            m.training = training


def _first_line(error: BaseException) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return lines[0].rstrip(":") if lines else type(error).__name__


def _warn(message: str) -> None:
    warnings.warn(message, UserWarning, stacklevel=4)  # at the caller of torch_tensorrt.compile
    logging.log(logging.Level.Warning, message)


def convert_method_to_trt_engine(
    module: torch.jit.ScriptModule,
    method_name: str = "forward",
    inputs: Optional[Sequence[Any]] = None,
    enabled_precisions: Optional[Set[torch.dtype]] = None,
    **kwargs: Any,
) -> bytes:
    """Compiles a method into a serialized engine (plan bytes)."""
    return ts.convert_method_to_trt_engine(module, method_name, inputs=inputs, enabled_precisions=enabled_precisions, **kwargs)
