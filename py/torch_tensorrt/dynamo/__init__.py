"""The dynamo path: torch.export / torch.compile front doors onto the same converters and engines.

``torch_tensorrt.dynamo.compile(exported_program, inputs=..., ...)`` returns a
``torch.fx.GraphModule`` whose convertible parts run as engines (see docs/dynamo.md);
``torch_tensorrt.compile(module, ir="dynamo", ...)`` exports an ``nn.Module`` first, and
``torch.compile(model, backend="torch_tensorrt")`` compiles each graph TorchDynamo hands over.
"""
from typing import Any, Dict, List, Optional, Sequence, Set, Tuple

import torch

from torch_tensorrt import logging, ts
from torch_tensorrt._Input import Input
from torch_tensorrt.dynamo import _partition
from torch_tensorrt.dynamo._compiler import compile_program, validate_settings
from torch_tensorrt.dynamo._runtime import execute_segment  # noqa: F401 (registers the op)

# TorchScript-path options the dynamo path takes with the same meaning.
_SAME_MEANING = {"disable_tf32", "debug", "workspace_size", "num_avg_timing_iters", "timing_cache_path", "require_full_compilation",
                 "min_block_size", "torch_executed_ops", "torch_executed_modules", "truncate_long_and_double", "device",
                 "capability", "allow_shape_tensors", "refit", "sparse_weights"}
# Options refused here, with the reason.
_REFUSED = {
    "input_signature": "the dynamo path takes flat tensor arguments (inputs=[...]); for forward arguments that are "
                       "tuples or lists use ir='ts' with input_signature",
    "calibrator": "an INT8 calibrator feeds the model's inputs, but each engine of the dynamo path sees the tensors "
                  "between its segments; calibrate through ir='ts', or use a quantization-aware model "
                  "(fake-quantize nodes) with enabled_precisions={torch.int8}",
    "layer_precisions": "layer pins name the TorchScript path's operator kinds and layer names (docs/precision.md); "
                        "use ir='ts' to pin layers",
}


def check_settings(kwargs: Dict[str, Any]) -> Dict[str, Any]:
    """The options the dynamo path takes; refuses the others with the reason."""
    for key in kwargs:
        if key in _REFUSED and kwargs[key] is not None:
            raise ValueError(f"{key} is not available on the dynamo path: {_REFUSED[key]}")
    unknown = set(kwargs) - _SAME_MEANING - set(_REFUSED)
    if unknown:
        raise TypeError(f"unexpected compile options {sorted(unknown)}; the dynamo path takes {sorted(_SAME_MEANING)}, "
                        "plus inputs, enabled_precisions and (for nn.Module) dynamic_shapes")
    settings = {k: v for k, v in kwargs.items() if k in _SAME_MEANING}
    validate_settings(settings)  # the TorchScript path's one check (C++ CompileSpec.validate())
    return settings


def _decompose(ep: torch.export.ExportedProgram, settings: Dict[str, Any]) -> torch.export.ExportedProgram:
    """The program in functional ATen with the ops the TorchScript path converts kept whole, and
    the ops it cannot convert decomposed towards core ATen where a decomposition exists (a few
    rounds: a decomposition may produce ops that need one too). Ops forced to PyTorch stay whole."""
    ep = ep.run_decompositions({})
    forced = _partition.forced_names(settings.get("torch_executed_ops") or [])
    table = torch.export.default_decompositions()
    tried: Set[Any] = set()
    for _ in range(3):
        weights = _weights(ep)
        refused = _partition.probe(ep.graph_module, weights)
        if refused is None:
            break
        ops = {n.target for n in refused if isinstance(n.target, torch._ops.OpOverload)}
        ops = {op for op in ops if op in table and op not in tried and not (_partition._op_names(op) & forced)}
        if not ops:
            break
        tried |= ops
        ep = ep.run_decompositions({op: table[op] for op in ops})
    _drop_metadata_asserts(ep.graph_module)
    return ep


def _drop_metadata_asserts(gm: torch.fx.GraphModule) -> None:
    """Removes torch.export's checks of a tensor's dtype and device (`.to()` records them): the
    program already fixes both, engines keep them, and each check would end an engine segment."""
    for node in list(gm.graph.nodes):
        if node.op == "call_function" and node.target is torch.ops.aten._assert_tensor_metadata.default and not node.users:
            gm.graph.erase_node(node)
    gm.recompile()

def _weights(ep: torch.export.ExportedProgram) -> Dict[Any, torch.Tensor]:
    from torch.export.graph_signature import InputKind

    state = dict(ep.state_dict)
    state.update(ep.constants)
    placeholders = [n for n in ep.graph_module.graph.nodes if n.op == "placeholder"]
    return {n: state[s.target] for n, s in zip(placeholders, ep.graph_signature.input_specs)
            if s.kind in (InputKind.PARAMETER, InputKind.BUFFER, InputKind.CONSTANT_TENSOR)}


def compile(exported_program: torch.export.ExportedProgram, inputs: Optional[Sequence[Any]] = None,
            enabled_precisions: Optional[Set[torch.dtype]] = None, **kwargs: Any) -> torch.fx.GraphModule:
    """Compiles an ExportedProgram into a GraphModule whose convertible segments run as engines.

    ``inputs`` is optional: the engines' shape ranges come from the program (its example sizes and
    the ranges of its ``torch.export.Dim`` s). The other options are those of
    :func:`torch_tensorrt.ts.compile`, with the same meaning (``calibrator`` and ``input_signature``
    are refused, see docs/dynamo.md).
    """
    if not isinstance(exported_program, torch.export.ExportedProgram):
        raise TypeError(f"torch_tensorrt.dynamo.compile takes a torch.export.ExportedProgram, got "
                        f"{type(exported_program).__name__}; use torch_tensorrt.compile(module, ir='dynamo', inputs=...) "
                        "for an nn.Module")
    settings = check_settings(kwargs)
    settings["enabled_precisions"] = enabled_precisions
    if inputs is not None:
        _check_inputs_match(exported_program, inputs)
    _check_with_torchscript_path(settings, enabled_precisions)
    _check_int8_has_scales(exported_program, enabled_precisions)
    ep = _decompose(exported_program, settings)
    return compile_program(ep, settings)


def _has_fake_quantize(ep: torch.export.ExportedProgram) -> bool:
    """Whether the program holds fake-quantize (or quantize_per_*) nodes: a quantization-aware model's INT8 scales."""
    return any("fake_quant" in str(n.target) or "quantize_per" in str(n.target)
               for n in ep.graph.nodes if n.op == "call_function")


def _check_int8_has_scales(ep: torch.export.ExportedProgram, enabled_precisions: Optional[Set[torch.dtype]]) -> None:
    """INT8 needs scales, which on this path only a quantization-aware model's fake-quantize nodes give (the path
    takes no calibrator): refused here, as the TorchScript path refuses, instead of every segment quietly running in
    PyTorch."""
    if not enabled_precisions or torch.int8 not in enabled_precisions:
        return
    if _has_fake_quantize(ep):
        return
    raise ValueError("enabled_precisions contains int8, but the exported program has no fake-quantize nodes (a "
                     "quantization-aware model), and ir='dynamo' takes no INT8 calibrator: compile a "
                     "quantization-aware model, use ir='ts' with calibrator=, or drop int8")


def _check_with_torchscript_path(settings: Dict[str, Any], enabled_precisions: Optional[Set[torch.dtype]]) -> None:
    """Refuses here, with its message, an option the TorchScript path refuses (refit=True, an
    enabled precision engines lack, ...), instead of every segment falling back to PyTorch."""
    validate_settings(settings, enabled_precisions)


def _check_inputs_match(ep: torch.export.ExportedProgram, inputs: Sequence[Any]) -> None:
    count = len(ep.graph_signature.user_inputs)
    if len(inputs) != count:
        raise ValueError(f"inputs has {len(inputs)} entries but the exported program takes {count} tensor arguments")


def _dims_from_inputs(specs: Sequence[Any], share_equal_ranges: bool = False) -> Optional[List[Any]]:
    """torch.export dynamic_shapes for Input(min/opt/max) specs: one Dim per dynamic dimension, or, with
    `share_equal_ranges`, one Dim for all the dimensions of one (min, max) range."""
    shapes: List[Any] = []
    shared: Dict[Tuple[int, int], Any] = {}
    any_dynamic = False
    for i, spec in enumerate(specs):
        if isinstance(spec, Input) and spec.is_dynamic():
            any_dynamic = True
            dims = {}
            for d, (lo, hi) in enumerate(zip(spec.min_shape, spec.max_shape)):
                if lo == hi:
                    continue
                if share_equal_ranges:
                    dims[d] = shared.setdefault((lo, hi), torch.export.Dim(f"dim_{lo}_to_{hi}", min=lo, max=hi))
                else:
                    dims[d] = torch.export.Dim(f"input{i}_dim{d}", min=lo, max=hi)
            shapes.append(dims)
        else:
            shapes.append(None)
    return shapes if any_dynamic else None


def _example(spec: Any, device: Optional[torch.device]) -> torch.Tensor:
    """An example tensor for export: at opt_shape, except that a dynamic dimension whose opt is 0
    or 1 gets a size of at least 2 (torch.export would specialize the dimension to that size)."""
    if isinstance(spec, Input) and spec.is_dynamic():
        shape = []
        for lo, opt, hi in zip(spec.min_shape, spec.opt_shape, spec.max_shape):
            shape.append(opt if lo == hi or opt >= 2 else min(max(2, lo), hi))
        spec = Input(min_shape=spec.min_shape, opt_shape=shape, max_shape=spec.max_shape, dtype=spec.dtype,
                     tensor_domain=spec.tensor_domain)
    return ts._example_tensor(spec, device)


def export(module: torch.nn.Module, inputs: Sequence[Any], dynamic_shapes: Any = None) -> torch.export.ExportedProgram:
    """torch.export.export of `module` with example tensors from `inputs`; dynamic dimensions come
    from `dynamic_shapes` (torch.export.Dim) or, when that is not given, from Input min/max ranges."""
    first = next(iter(list(module.parameters()) + list(module.buffers())), None)
    device = first.device if first is not None else None
    args = tuple(_example(s, device) for s in inputs)
    if dynamic_shapes is not None:
        return torch.export.export(module, args, dynamic_shapes=dynamic_shapes, strict=False)
    separate = _dims_from_inputs(inputs)
    try:
        return torch.export.export(module, args, dynamic_shapes=None if separate is None else tuple(separate),
                                   strict=False)
    except Exception as e:  # noqa: BLE001
        if separate is None or "Constraints violated" not in str(e):
            raise
        # The model needs some of the dimensions equal (x + mask over one batch): the same range taken as one
        # dimension, as the Inputs cannot say which dimensions are one.
        try:
            ep = torch.export.export(module, args, dynamic_shapes=tuple(_dims_from_inputs(inputs, True)), strict=False)
        except Exception:  # noqa: BLE001
            raise RuntimeError(f"torch.export refused the Inputs' ranges as independent dimensions ({_first_line(e)}), "
                               "and as one dimension per range too; say which dimensions are equal with "
                               "dynamic_shapes=... (torch.export.Dim objects shared between inputs)") from e
        logging.log(logging.Level.Info, "torch.export needs some dynamic dimensions equal: the dimensions of one "
                    "Input range are taken as one (pass dynamic_shapes= to say otherwise)")
        return ep


def compile_module(module: torch.nn.Module, inputs: Optional[Sequence[Any]], enabled_precisions: Optional[Set[torch.dtype]],
                   dynamic_shapes: Any = None, **kwargs: Any) -> torch.nn.Module:
    """ir='dynamo' for an nn.Module: export, then :func:`compile`. A module torch.export cannot
    capture whole (data-dependent Python control flow) goes through torch.compile with this
    backend instead, which breaks the graph there and compiles each piece."""
    settings = check_settings(kwargs)
    if inputs is None:
        raise ValueError("ir='dynamo' needs inputs=[...]: example tensors or torch_tensorrt.Input specs, one per "
                         "forward argument")
    try:
        ep = export(module, inputs, dynamic_shapes)
    except Exception as e:  # noqa: BLE001 (torch.export fails in many ways; each is reported)
        if not _is_graph_break(e):
            raise RuntimeError(f"torch.export could not capture {type(module).__name__}: {_first_line(e)}") from e
        from torch_tensorrt.dynamo._backend import compile_with_graph_breaks

        message = (f"torch.export could not capture {type(module).__name__} in one graph ({_first_line(e)}); "
                   "compiling it through torch.compile(backend='torch_tensorrt'), which runs the data-dependent "
                   "Python between the compiled graphs")
        logging.log(logging.Level.Warning, message)
        import warnings

        warnings.warn(message, UserWarning, stacklevel=3)
        # torch.compile keeps calling `module`: a copy in eval mode, whatever the caller does with theirs.
        import copy

        inference = copy.deepcopy(module).eval()
        return compile_with_graph_breaks(inference, inputs, enabled_precisions, dynamic_shapes, settings)
    return compile(ep, inputs=inputs, enabled_precisions=enabled_precisions, **settings)


def _is_graph_break(e: BaseException) -> bool:
    """Export failures that a graph break fixes: data-dependent control flow or values."""
    text = f"{type(e).__name__}: {e}"
    markers = ("data-dependent", "data dependent", "GuardOnDataDependentSymNode", "Could not guard on",
               "Dynamic control flow is not supported", "Could not extract specialized integer")
    return any(m in text for m in markers)


def _first_line(error: BaseException) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return lines[0] if lines else type(error).__name__


from torch_tensorrt.dynamo._backend import torch_tensorrt_backend  # noqa: E402  (registers the backends)
from torch_tensorrt.dynamo._save import load, save  # noqa: E402

__all__ = ["compile", "compile_module", "export", "load", "save", "torch_tensorrt_backend"]
