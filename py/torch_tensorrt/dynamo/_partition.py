"""Which nodes of an exported ATen graph go to engines: the same rules as the TorchScript path's
partitioner (docs/partial_compilation.md), read from the same converter registry.

A node is convertible when the TorchScript path converts it (``probe``: the graph written as
TorchScript and checked by that path after its lowering; the converter registry alone when the
graph cannot be written) and the caller did not force it to PyTorch (``torch_executed_ops``, or a module type in
``torch_executed_modules``, which torch.export records in each node's ``nn_module_stack``). Runs of
convertible nodes that are contiguous in graph order become segments; sizes and size arithmetic do
not break a run (they are recomputed inside the segment from its tensors); runs with fewer than
``min_block_size`` ops stay in PyTorch.
"""
import operator
import re
from typing import Any, Dict, FrozenSet, List, Optional, Sequence, Set, Tuple

import torch
import torch.fx

from torch_tensorrt import _C
from torch_tensorrt.dynamo._lower import ScriptWriter, Unsupported, is_size_node, is_symbolic, method_source, script_holder

def registry() -> Tuple[FrozenSet[str], FrozenSet[str]]:
    """(schemas with a converter, as 'aten::add.Tensor'; op names with an evaluator), read each
    time: a custom converter library may have been loaded since the last compile."""
    schemas = set()
    for schema in _C.get_converter_list():
        head = schema.split("(", 1)[0]
        schemas.add(head if "." in head.split("::")[-1] else head + ".default")
    return frozenset(schemas), frozenset(_C.get_evaluator_list())


def schema_key(op: torch._ops.OpOverload) -> str:
    overload = op._schema.overload_name or "default"
    return f"{op._schema.name}.{overload}"


def has_converter(op: torch._ops.OpOverload) -> bool:
    converters, evaluators = registry()
    return schema_key(op) in converters or op._schema.name in evaluators


def _op_names(op: torch._ops.OpOverload) -> Set[str]:
    name = op._schema.name
    return {name, schema_key(op), name.split("::")[-1]}


def forced_names(ops: Sequence[Any]) -> Set[str]:
    """torch_executed_ops as names: 'aten::relu', 'aten::relu.default', or the op objects."""
    names = set()
    for op in ops:
        if isinstance(op, torch._ops.OpOverload):
            names.add(schema_key(op))
        elif isinstance(op, torch._ops.OpOverloadPacket):
            names.add(op._qualified_op_name)
        else:
            names.add(str(op))
    return names


def _module_types(node: torch.fx.Node) -> Set[str]:
    types = set()
    for _, owner in (node.meta.get("nn_module_stack") or {}).values():
        if isinstance(owner, type):
            types.add(f"{owner.__module__}.{owner.__qualname__}")
        else:
            types.add(str(owner))
    return types


def probe(gm: torch.fx.GraphModule, weights: Dict[torch.fx.Node, torch.Tensor]) -> Optional[Dict[torch.fx.Node, str]]:
    """The nodes the TorchScript path cannot convert, each with the reason, found by writing the
    whole graph as TorchScript (one statement a line) and asking that path
    (``unsupported_operators``, after its own lowering, which rewrites some ops into converted
    ones) which ops of which lines it cannot convert. A node that cannot be written at all (not an
    ATen op, or a statement TorchScript refuses) is listed too, and what uses its result reads it
    as a parameter of the written method. None when the graph could not be written (the caller
    then goes by the converter registry)."""
    refused: Dict[torch.fx.Node, str] = {}
    for _ in range(32):
        try:
            return _probe_once(gm, weights, dict(refused))
        except RuntimeError:
            return None
        except _Unwritable as e:
            refused[e.node] = e.reason
    return None  # the caller falls back to the converter registry alone


class _Unwritable(Exception):
    def __init__(self, node: torch.fx.Node, reason: str) -> None:
        super().__init__(reason)
        self.node, self.reason = node, reason


def _probe_once(gm: torch.fx.GraphModule, weights: Dict[torch.fx.Node, torch.Tensor],
                refused: Dict[torch.fx.Node, str]) -> Dict[torch.fx.Node, str]:
    params: List[str] = []
    names: Dict[torch.fx.Node, str] = {}
    tensors: Dict[str, torch.Tensor] = {}

    def outside(node: torch.fx.Node) -> str:
        if node in names:
            return names[node]
        if node in weights:
            names[node] = f"self.w{len(tensors)}"
            tensors[f"w{len(tensors)}"] = weights[node]
            return names[node]
        if isinstance(node.meta.get("val"), torch.Tensor):
            names[node] = f"p{len(params)}"
            params.append(names[node])
            return names[node]
        raise Unsupported(f"{node.name} is not a tensor")

    writer = ScriptWriter(outside)
    line_of: Dict[int, torch.fx.Node] = {}
    for node in gm.graph.nodes:
        if node.op != "call_function" or node in refused:
            continue
        try:
            for arg in node.all_input_nodes:
                writer.name(arg)
            text = writer.expression(node)
        except Unsupported as e:
            refused[node] = f"not expressible in TorchScript: {e}"
            continue
        writer.write(node, text)
        line_of[len(writer.lines)] = node
    if not writer.lines:
        return refused
    returns = [writer.name(n) for n in line_of.values() if isinstance(n.meta.get("val"), torch.Tensor)]
    if not returns:
        return refused
    source = method_source("forward", params, writer.lines, returns, tuple_out=True)
    try:
        holder = script_holder(tensors, source=source)
    except RuntimeError as e:  # TorchScript refused a statement: find it by its line, leave it out
        lines = re.findall(r'File "<string>", line (\d+)', str(e))
        node = line_of.get(int(lines[-1]) - 1) if lines else None
        if node is None:
            raise
        raise _Unwritable(node, f"TorchScript does not take it: {str(e).strip().splitlines()[0]}") from e
    try:
        entries = _C.unsupported_operators(holder._c, "forward")
    except RuntimeError:  # the TorchScript path's lowering refused the graph: go by the registry
        return None
    for entry in entries:
        head, *rest = entry.splitlines()
        kind = head.strip()
        located = False
        for line in rest:
            line = line.strip()
            if line.startswith("at: <string>:") or line.startswith("at: "):
                parts = line.split(":")
                if len(parts) >= 3 and parts[-2].isdigit():
                    node = line_of.get(int(parts[-2]) - 1)  # line 1 is the def
                    if node is not None:
                        refused.setdefault(node, f"no converter for {kind} (after TorchScript lowering)")
                        located = True
        if not located:
            for node in line_of.values():
                if isinstance(node.target, torch._ops.OpOverload) and node.target._schema.name == kind:
                    refused.setdefault(node, f"no converter for {kind}")
    return refused


class Verdict:
    """Why a node runs in PyTorch (None: it can go to an engine)."""

    def __init__(self, forced_ops: Set[str], forced_modules: Set[str],
                 unconvertible: Optional[Dict[torch.fx.Node, str]] = None) -> None:
        self.forced_ops, self.forced_modules = forced_ops, forced_modules
        self.unconvertible = unconvertible

    def reason(self, node: torch.fx.Node) -> Optional[str]:
        target = node.target
        if target is operator.getitem:
            return None  # follows its source
        if not isinstance(target, torch._ops.OpOverload):
            return f"{getattr(target, '__name__', target)} is not an ATen op"
        hit = _op_names(target) & self.forced_ops
        if hit:
            return f"listed in torch_executed_ops ({sorted(hit)[0]})"
        owners = _module_types(node) & self.forced_modules
        if owners:
            return f"inside a {sorted(owners)[0]} (torch_executed_modules)"
        if self.unconvertible is not None:
            if node in self.unconvertible:
                return self.unconvertible[node]
        elif not has_converter(target):
            return f"no converter or evaluator for {schema_key(target)}"
        vals = [node.meta.get("val")]
        if isinstance(vals[0], (list, tuple)):
            vals = list(vals[0])
        if not any(isinstance(v, torch.Tensor) for v in vals):
            return "returns no tensor"
        return None


def is_size_check(node: torch.fx.Node) -> bool:
    """A run-time check on sizes (torch.export's _assert_scalar, sym_constrain_range): it returns
    nothing and reads no tensor."""
    return (node.meta.get("val") is None and bool(node.all_input_nodes) and
            all(is_symbolic(a) for a in node.all_input_nodes) and node.target is not operator.getitem)


def _counts(node: torch.fx.Node) -> bool:
    """Ops counted against min_block_size (tuple element reads are not ops)."""
    return node.target is not operator.getitem


def segments(gm: torch.fx.GraphModule, verdict: Verdict, min_block_size: int) -> Tuple[List[List[torch.fx.Node]], Dict[torch.fx.Node, str]]:
    """The engine segments (each a run of nodes in graph order) and, for each op left in PyTorch,
    why."""
    runs: List[List[torch.fx.Node]] = []
    why: Dict[torch.fx.Node, str] = {}
    run_of: Dict[torch.fx.Node, List[torch.fx.Node]] = {}
    current: List[torch.fx.Node] = []

    for node in gm.graph.nodes:
        if node.op != "call_function":
            continue
        if is_size_node(node):
            continue  # computed where needed: in PyTorch and inside the segments that use it
        if is_size_check(node):
            continue  # runs in PyTorch on sizes only; breaks no run
        if node.target is operator.getitem and node.args[0] in run_of:
            # An element of a segment op's result: read inside that segment, which returns it.
            run_of[node.args[0]].append(node)
            run_of[node] = run_of[node.args[0]]
            continue
        reason = verdict.reason(node)
        if node.target is operator.getitem:
            reason = reason or "reads an element of an op run in PyTorch"
        if reason is None and is_symbolic(node):
            reason = "computes a Python number"
        if reason is None:
            if not current:
                runs.append(current)
            current.append(node)
            run_of[node] = current
        else:
            why[node] = reason
            current = []
    kept = []
    for run in runs:
        ops = sum(1 for n in run if _counts(n))
        if ops >= min_block_size:
            kept.append(run)
        else:
            for n in run:
                if _counts(n):
                    why[n] = f"in a run of {ops} convertible op(s), fewer than min_block_size={min_block_size}"
    return kept, why
