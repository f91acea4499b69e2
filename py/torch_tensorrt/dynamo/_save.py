"""torch_tensorrt.save / torch_tensorrt.load for compiled modules of both paths.

A dynamo-path GraphModule saves as an ExportedProgram (``.ep``: it is re-exported, and each engine
segment travels as a buffer of the program, read by ``torch_tensorrt::execute_segment``) or as
TorchScript (the graph written as TorchScript by the shared layer of _lower, each segment a
submodule, so ``torch.jit.load`` runs it; the C++ runtime too, as long as the ops left in PyTorch
are ATen ops). A TorchScript-path module saves as TorchScript only.
"""
import zipfile
from typing import Any, Dict, List, Optional, Sequence, Union

import torch
import torch.fx

from torch_tensorrt.dynamo._lower import ScriptWriter, method_source, script_holder
from torch_tensorrt.dynamo._runtime import module_of

_FORMATS = ("exported_program", "torchscript")


def _is_engine_call(node: torch.fx.Node) -> bool:
    return node.op == "call_function" and node.target is torch.ops.torch_tensorrt.execute_segment.default


def save(module: Any, file_path: str, output_format: str = "exported_program", inputs: Optional[Sequence[Any]] = None,
         dynamic_shapes: Any = None, **kwargs: Any) -> None:
    """Saves a compiled module. ``output_format`` is "exported_program" (dynamo-path modules, loadable
    with ``torch.export.load`` after ``import torch_tensorrt``) or "torchscript" (loadable with
    ``torch.jit.load``). Exporting needs ``inputs`` (example tensors or Input specs, whose min/max
    ranges become dynamic dimensions; ``dynamic_shapes`` in torch.export's form wins over them)."""
    if kwargs:
        raise TypeError(f"save got unexpected keyword arguments {sorted(kwargs)}")
    if output_format not in _FORMATS:
        raise ValueError(f"output_format={output_format!r}: use one of {_FORMATS}")
    if isinstance(module, torch.jit.ScriptModule):
        if output_format != "torchscript":
            raise ValueError("a TorchScript module (ir='ts') saves only with output_format='torchscript': torch.export "
                             "cannot export a ScriptModule")
        torch.jit.save(module, file_path)
        return
    if isinstance(module, torch._dynamo.eval_frame.OptimizedModule):
        raise TypeError("a torch.compile module cannot be saved: its graphs are compiled when called. Compile with "
                        "torch_tensorrt.compile(model, ir='dynamo', inputs=...) and save that")
    if not isinstance(module, torch.fx.GraphModule):
        raise TypeError(f"torch_tensorrt.save takes a module compiled by torch_tensorrt, got {type(module).__name__}")
    if output_format == "torchscript":
        torch.jit.save(to_torchscript(module), file_path)
        return
    if inputs is None:
        raise ValueError("saving an ExportedProgram needs inputs=[...] (example tensors or torch_tensorrt.Input) to export "
                         "the compiled module with")
    from torch_tensorrt import dynamo

    device = _device_of(module)
    args = tuple(dynamo._example(s, device) for s in inputs)
    if dynamic_shapes is None:
        shapes = dynamo._dims_from_inputs(inputs)
        dynamic_shapes = tuple(shapes) if shapes is not None else None
    ep = torch.export.export(module, args, dynamic_shapes=dynamic_shapes, strict=False)
    torch.export.save(ep, file_path)


def _device_of(module: torch.nn.Module) -> Optional[torch.device]:
    for t in module.buffers():
        if t.dtype != torch.uint8:  # not an engine blob (those stay on the CPU)
            return t.device
    return None


def to_torchscript(gm: torch.fx.GraphModule) -> torch.jit.ScriptModule:
    """The dynamo-path GraphModule as a ScriptModule: the same graph written as TorchScript."""
    tensors: Dict[str, torch.Tensor] = {}
    segments: Dict[str, torch.nn.Module] = {}
    params: List[str] = []
    attrs: Dict[torch.fx.Node, str] = {}

    def outside(node: torch.fx.Node) -> str:
        if node in attrs:
            return attrs[node]
        raise ValueError(f"{node.name} ({node.op}) cannot be written as TorchScript")

    writer = ScriptWriter(outside)
    returns: List[str] = []
    tuple_out = True
    for node in gm.graph.nodes:
        if node.op == "placeholder":
            attrs[node] = f"x{len(params)}"
            params.append(attrs[node])
        elif node.op == "get_attr":
            value = getattr(gm, node.target)
            if _is_blob_only(node):
                continue
            name = f"t{len(tensors)}"
            tensors[name] = value
            attrs[node] = f"self.{name}"
        elif _is_engine_call(node):
            inputs, blob, _ = node.args
            name = f"segment{len(segments)}"
            segments[name] = module_of(getattr(gm, blob.target))
            writer.write(node, f"self.{name}({', '.join(writer.arg(i) for i in inputs)})")
        elif node.op == "call_function":
            writer.write(node)
        elif node.op == "output":
            result = node.args[0]
            if isinstance(result, torch.fx.Node):
                returns, tuple_out = [writer.arg(result)], False
            elif isinstance(result, (tuple, list)) and all(isinstance(r, torch.fx.Node) for r in result):
                returns = [writer.arg(r) for r in result]
            else:
                raise ValueError("output_format='torchscript' takes modules returning a tensor or a flat tuple of tensors; "
                                 "save this one with output_format='exported_program'")
    source = method_source("forward", params, writer.lines, returns, tuple_out)
    return script_holder(tensors, segments, source)


def _is_blob_only(node: torch.fx.Node) -> bool:
    return bool(node.users) and all(_is_engine_call(u) and u.args[1] is node for u in node.users)


def load(file_path: str) -> Union[torch.export.ExportedProgram, torch.jit.ScriptModule]:
    """Loads what :func:`save` wrote: an ExportedProgram (call ``.module()`` to run it) or a ScriptModule."""
    with zipfile.ZipFile(file_path) as archive:
        names = archive.namelist()
    if any(n.endswith("constants.pkl") or "/code/" in n for n in names):
        return torch.jit.load(file_path)
    return torch.export.load(file_path)
