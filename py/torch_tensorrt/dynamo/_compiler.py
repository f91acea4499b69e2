"""ExportedProgram -> GraphModule whose convertible segments run as engines.

Each segment (see _partition) is written as a TorchScript method (_lower), compiled by the
TorchScript path (``torch_tensorrt.ts.compile``: the same lowering, partitioner, converters and
engine builder) and called in the returned GraphModule through ``torch_tensorrt::execute_segment``
(_runtime). What is not in a segment runs in PyTorch, as the exported graph says.
"""
import operator
import warnings
from typing import Any, Dict, List, Optional, Set, Tuple

import torch
import torch.fx
import torch.utils._pytree as pytree
from torch.export.graph_signature import InputKind

from torch_tensorrt import logging, ts
from torch_tensorrt._Input import Input
from torch_tensorrt.dynamo import _partition
from torch_tensorrt.dynamo._lower import ScriptWriter, Unsupported, is_size_node, method_source, script_holder
from torch_tensorrt.dynamo._runtime import blob_of, output_meta

_WEIGHT_KINDS = (InputKind.PARAMETER, InputKind.BUFFER, InputKind.CONSTANT_TENSOR)


def _log(level: Any, message: str) -> None:
    logging.log(level, message)


def _finite(bound: Any, otherwise: int) -> int:
    """A range bound as an int, `otherwise` for an infinite one (torch's int_oo or sympy's oo)."""
    import sympy

    if isinstance(bound, (int, sympy.Integer)) and not isinstance(bound, bool):
        return int(bound)
    return otherwise


class _Ranges:
    """min/opt/max of every symbolic size of the program."""

    def __init__(self, ep: torch.export.ExportedProgram) -> None:
        self.bounds: Dict[Any, Tuple[int, int]] = {}
        for sym, vr in ep.range_constraints.items():
            lo, hi = vr.lower, vr.upper
            self.bounds[sym] = (_finite(lo, 0), _finite(hi, -1))
        self.hints: Dict[Any, int] = {}

    def learn(self, size: Any) -> None:
        if isinstance(size, torch.SymInt):
            env = size.node.shape_env
            values = getattr(env, "backed_var_to_val", None) or env.var_to_val
            for sym in size.node.expr.free_symbols:
                if sym in values:
                    self.hints.setdefault(sym, int(values[sym]))

    def spec(self, fake: torch.Tensor, what: str) -> Input:
        """The engine input range of a fake tensor with symbolic sizes."""
        lo, opt, hi = [], [], []
        for d, size in enumerate(fake.shape):
            if not isinstance(size, torch.SymInt):
                lo.append(int(size)), opt.append(int(size)), hi.append(int(size))
                continue
            self.learn(size)
            expr = size.node.expr
            values = []
            for pick in (0, 2):
                subs = {}
                for sym in expr.free_symbols:
                    bound = self.bounds.get(sym)
                    if bound is None or bound[1] < 0:
                        raise ValueError(
                            f"dimension {d} of {what} ({expr}) has no upper bound; give one with "
                            "torch.export.Dim(name, min=..., max=...) or torch_tensorrt.Input(min_shape, opt_shape, max_shape)")
                    subs[sym] = bound[0] if pick == 0 else bound[1]
                values.append(int(expr.xreplace(subs)))
            mid = int(expr.xreplace({s: self.hints.get(s, self.bounds[s][0]) for s in expr.free_symbols}))
            lo.append(min(values)), hi.append(max(values)), opt.append(min(max(mid, min(values)), max(values)))
        return Input(min_shape=lo, opt_shape=opt, max_shape=hi, dtype=fake.dtype)


class _Segment:
    """One run of nodes turned into a TorchScript module."""

    def __init__(self, nodes: List[torch.fx.Node], weights: Dict[torch.fx.Node, torch.Tensor]) -> None:
        self.nodes = nodes
        self.members = set(nodes)
        self.inputs: List[torch.fx.Node] = []
        self.weights: Dict[str, torch.Tensor] = {}
        self._weight_names: Dict[torch.fx.Node, str] = {}
        self._all_weights = weights
        self.outputs: List[torch.fx.Node] = []
        self.writer = ScriptWriter(self._outside)

    def _outside(self, node: torch.fx.Node) -> str:
        if node in self._all_weights:
            if node not in self._weight_names:
                name = f"w{len(self._weight_names)}"
                self._weight_names[node] = name
                self.weights[name] = self._all_weights[node]
            return f"self.{self._weight_names[node]}"
        if is_size_node(node):
            for arg in node.all_input_nodes:
                self.writer.name(arg)
            self.writer.write(node)
            return self.writer.name(node)
        if not isinstance(node.meta.get("val"), torch.Tensor):
            raise Unsupported(f"{node.name} ({node.meta.get('val')!r}) enters the segment but is not a tensor")
        if node not in self.inputs:
            self.inputs.append(node)
        return f"x{self.inputs.index(node)}"

    def write(self) -> str:
        for node in self.nodes:
            for arg in node.all_input_nodes:
                self.writer.name(arg)  # sizes, weights and inputs get their names before the statement
            self.writer.write(node)
        for node in self.nodes:
            if any(user not in self.members for user in node.users):
                if not isinstance(node.meta.get("val"), torch.Tensor):
                    raise Unsupported(f"{node.name} leaves the segment but is not a tensor")
                self.outputs.append(node)
        if not self.outputs:
            raise Unsupported("the segment computes nothing used after it")
        params = [f"x{i}" for i in range(len(self.inputs))]
        returns = [self.writer.name(n) for n in self.outputs]
        return method_source("forward", params, self.writer.lines, returns, tuple_out=True)


def _ts_options(settings: Dict[str, Any]) -> Dict[str, Any]:
    """The options handed to each segment's TorchScript compile."""
    skip = {"torch_executed_modules", "enabled_precisions", "inputs"}
    options = {k: v for k, v in settings.items() if k not in skip}
    if options.get("torch_executed_ops"):
        # The TorchScript path names ops by kind ('aten::relu'); the partition above took overloads too.
        names = _partition.forced_names(options["torch_executed_ops"])
        options["torch_executed_ops"] = sorted({n.split(".")[0] for n in names if "::" in n})
    return options


def validate_settings(settings: Dict[str, Any], enabled_precisions: Optional[Set[torch.dtype]] = None) -> None:
    """The dynamo path's options through the one check of the TorchScript path (ts.compile_spec,
    then the C++ CompileSpec.validate()): the same refusal, with the same message, on both paths."""
    options = _ts_options(settings)
    options["torch_executed_modules"] = settings.get("torch_executed_modules")  # segments skip it; still checked
    ts._check_options(options, enabled_precisions=enabled_precisions)


def compile_program(ep: torch.export.ExportedProgram, settings: Dict[str, Any]) -> torch.fx.GraphModule:
    """The GraphModule running `ep` with engines; `settings` holds checked TS-path options."""
    gm = ep.graph_module
    signature = ep.graph_signature
    for spec in signature.output_specs:
        if spec.kind.name in ("BUFFER_MUTATION", "USER_INPUT_MUTATION", "PARAMETER_MUTATION"):
            raise ValueError(f"the exported program writes {spec.target} in place ({spec.kind.name}); engines compute "
                             "inference without side effects: put the module in eval mode and keep forward free of "
                             "in-place writes to buffers and inputs")
    state = dict(ep.state_dict)
    state.update(ep.constants)
    weights: Dict[torch.fx.Node, torch.Tensor] = {}
    users: List[torch.fx.Node] = []
    placeholders = [n for n in gm.graph.nodes if n.op == "placeholder"]
    for node, spec in zip(placeholders, signature.input_specs):
        if spec.kind in _WEIGHT_KINDS:
            weights[node] = state[spec.target]
        elif spec.kind == InputKind.USER_INPUT:
            users.append(node)
        else:
            raise ValueError(f"exported input {spec.arg} of kind {spec.kind.name} is not supported by the dynamo path")

    forced = _partition.forced_names(settings.get("torch_executed_ops") or [])
    modules = set(ts._names(settings.get("torch_executed_modules"), "torch_executed_modules"))
    verdict = _partition.Verdict(forced, modules, _partition.probe(gm, weights))
    min_block = int(settings.get("min_block_size", 3))
    if settings.get("require_full_compilation"):
        min_block = 1
    runs, why = _partition.segments(gm, verdict, min_block)
    if settings.get("require_full_compilation") and why:
        listed = "; ".join(f"{n.name}: {r}" for n, r in list(why.items())[:10])
        raise RuntimeError(f"require_full_compilation=True, but {len(why)} op(s) would run in PyTorch: {listed}")

    ranges = _Ranges(ep)
    for node in users:
        if isinstance(node.meta.get("val"), torch.Tensor):
            ranges.spec(node.meta["val"], f"input {node.name}")  # refuses an unbounded dimension up front
    compiled: Dict[int, Tuple[_Segment, torch.Tensor, str]] = {}
    first_of: Dict[torch.fx.Node, int] = {}
    for index, run in enumerate(runs):
        try:
            segment, blob, meta = _compile_segment(run, weights, ranges, settings)
        except (Unsupported, ValueError, RuntimeError, TypeError) as e:
            if settings.get("require_full_compilation"):
                raise RuntimeError(f"require_full_compilation=True, but segment {index} ({len(run)} nodes from "
                                   f"{run[0].name}) did not compile: {e}") from e
            message = f"dynamo path: segment {index} ({len(run)} nodes from {run[0].name}) runs in PyTorch: {_first(e)}"
            warnings.warn(message, UserWarning, stacklevel=3)
            _log(logging.Level.Warning, message)
            continue
        compiled[index] = (segment, blob, meta)
        first_of[run[0]] = index
    _report(runs, compiled, why)
    return _assemble(gm, users, weights, compiled, first_of, ep)


def _first(e: BaseException) -> str:
    lines = [line for line in str(e).splitlines() if line.strip()]
    return lines[0] if lines else type(e).__name__


def _compile_segment(run: List[torch.fx.Node], weights: Dict[torch.fx.Node, torch.Tensor], ranges: _Ranges,
                     settings: Dict[str, Any]) -> Tuple[_Segment, torch.Tensor, str]:
    segment = _Segment(run, weights)
    source = segment.write()
    holder = script_holder(segment.weights, source=source)
    specs = [ranges.spec(n.meta["val"], f"the tensor {n.name}") for n in segment.inputs]
    meta = output_meta([n.meta["val"] for n in segment.outputs], [n.meta["val"] for n in segment.inputs])
    options = _ts_options(settings)
    # The partition above kept torch_executed_ops out of every segment; a segment's compile given them would say
    # that it holds none of them.
    options.pop("torch_executed_ops", None)
    if options.get("device") is None:
        # The engine runs where the program's tensors are (a segment without weights too).
        devices = [n.meta["val"].device for n in segment.inputs] + [t.device for t in segment.weights.values()]
        options["device"] = devices[0] if devices else torch.device("cpu")
    module = ts.compile(holder, inputs=specs, enabled_precisions=settings.get("enabled_precisions"), **options)
    return segment, blob_of(module), meta


def _report(runs: List[List[torch.fx.Node]], compiled: Dict[int, Any], why: Dict[torch.fx.Node, str]) -> None:
    lines = ["dynamo path partition:"]
    for i, run in enumerate(runs):
        state = "engine" if i in compiled else "PyTorch (did not compile)"
        lines.append(f"  segment {i}: {state}, {len(run)} node(s) from {run[0].name} to {run[-1].name}")
    for node, reason in why.items():
        lines.append(f"  PyTorch: {node.name} ({node.target}): {reason}")
    _log(logging.Level.Info, "\n".join(lines))


def _assemble(gm: torch.fx.GraphModule, users: List[torch.fx.Node], weights: Dict[torch.fx.Node, torch.Tensor],
              compiled: Dict[int, Tuple[_Segment, torch.Tensor, str]], first_of: Dict[torch.fx.Node, int],
              ep: torch.export.ExportedProgram) -> torch.fx.GraphModule:
    root = torch.nn.Module()
    graph = torch.fx.Graph()
    env: Dict[torch.fx.Node, torch.fx.Node] = {}
    in_segment: Set[torch.fx.Node] = set()
    for segment, _, _ in compiled.values():
        in_segment |= segment.members
    attr_of: Dict[torch.fx.Node, str] = {}

    def value(node: torch.fx.Node) -> torch.fx.Node:
        if node in env:
            return env[node]
        if node in weights:  # a weight used by an op run in PyTorch
            name = f"_weight_{len(attr_of)}"
            attr_of[node] = name
            t = weights[node].detach()
            # Where engines hold copies of their weights, the ops run in PyTorch hold copies too: the compiled module
            # is then one snapshot of the model (sharing the model's tensors, a change to the model after compiling
            # reached these ops but not the engines, a mix of both models).
            root.register_buffer(name, t.clone() if compiled else t)
            env[node] = graph.get_attr(name)
            env[node].meta["val"] = node.meta.get("val")
            return env[node]
        raise KeyError(f"{node.name} is used before it is computed")

    for node in gm.graph.nodes:
        if node.op == "placeholder":
            if node in weights:
                continue
            env[node] = graph.placeholder(node.name)
            env[node].meta["val"] = node.meta.get("val")
        elif node.op == "output":
            flat = [value(n) if isinstance(n, torch.fx.Node) else n for n in node.args[0]]
            spec = ep.call_spec.out_spec
            if spec is not None and _plain_containers(spec):
                graph.output(pytree.tree_unflatten(flat, spec))
            else:  # a custom output class (a dataclass, a ModelOutput): the flat tuple of its tensors
                graph.output(tuple(flat))
        elif node in first_of:
            index = first_of[node]
            segment, blob, meta = compiled[index]
            name = f"_engine_segment_{index}"
            root.register_buffer(name, blob)
            call = graph.call_function(torch.ops.torch_tensorrt.execute_segment.default,
                                       ([value(n) for n in segment.inputs], graph.get_attr(name), meta))
            for k, out in enumerate(segment.outputs):
                env[out] = graph.call_function(operator.getitem, (call, k))
                env[out].meta["val"] = out.meta.get("val")
        elif node in in_segment:
            continue
        elif node.op == "call_function":
            env[node] = graph.node_copy(node, value)
        elif node.op == "get_attr":
            raise ValueError(f"exported graph node {node.name} is a subgraph of a higher-order op (torch.cond, "
                             "torch.utils.checkpoint, a while loop), which the dynamo path does not convert; "
                             "torch.compile(model, backend=\"torch_tensorrt\") runs such graphs in PyTorch")
        else:
            raise ValueError(f"exported graph node {node.name} ({node.op}) is not supported by the dynamo path")
    graph.eliminate_dead_code()
    out = torch.fx.GraphModule(root, graph, class_name="TorchTensorRTModule")
    return out


def _plain_containers(spec: Any) -> bool:
    """True when the output structure is built of tuples, lists and dicts (which a graph returns)."""
    if spec.type is not None and spec.type not in (tuple, list, dict):
        return False
    return all(_plain_containers(child) for child in spec._children)
