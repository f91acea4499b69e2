"""The one conversion layer between the dynamo path and the converters: FX nodes of an exported
ATen graph become TorchScript with the same ATen schemas, so the TorchScript path (its lowering,
partitioner and every converter) compiles them. Nothing here knows about any single op.

An FX node ``torch.ops.aten.convolution.default(x, w, ...)`` is written as the TorchScript call
``torch.ops.aten.convolution(x, self.w, ...)``: TorchScript picks the overload by matching the
argument types, which gives the same schema for the overloads core ATen uses (an overload that
differs only in taking a Scalar for a Tensor computes the same thing). Symbolic sizes
(``aten.sym_size.int``, ``operator.mul`` on sizes) become ``aten::size`` and int arithmetic, which
the TorchScript path evaluates, so dynamic dimensions stay dynamic.
"""
import math
import operator
from typing import Any, Callable, Dict, List, Optional, Sequence

import torch
import torch.fx

# Python operators on sizes in FX graphs, as TorchScript expressions.
_BINARY = {
    operator.add: "+", operator.sub: "-", operator.mul: "*", operator.floordiv: "//", operator.mod: "%",
    operator.truediv: "/", operator.eq: "==", operator.ne: "!=", operator.lt: "<", operator.le: "<=",
    operator.gt: ">", operator.ge: ">=",
}
_SIZE_OPS = {"sym_size", "sym_numel", "sym_stride", "sym_storage_offset"}


class Unsupported(Exception):
    """A node or argument the TorchScript form cannot express."""


def is_symbolic(node: Any) -> bool:
    """True for a node computing a Python number (a size or size arithmetic), not a tensor."""
    if not isinstance(node, torch.fx.Node):
        return False
    val = node.meta.get("val")
    return isinstance(val, (torch.SymInt, torch.SymFloat, torch.SymBool, int, float, bool)) and not isinstance(
        val, torch.Tensor)


def is_size_node(node: torch.fx.Node) -> bool:
    """A node the TorchScript form can compute from tensors it has: sizes and arithmetic on them."""
    if node.op != "call_function" or not is_symbolic(node):
        return False
    target = node.target
    if target in _BINARY or target in (operator.neg, torch.sym_float, torch.sym_int, torch.sym_max, torch.sym_min):
        return True
    return isinstance(target, torch._ops.OpOverload) and target._schema.name.split("::")[-1] in _SIZE_OPS


def literal(value: Any) -> str:
    """A constant argument as TorchScript source."""
    if value is None or isinstance(value, (bool, str)):
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isinf(value):
            return 'float("inf")' if value > 0 else 'float("-inf")'
        if math.isnan(value):
            return 'float("nan")'
        return repr(value)
    if isinstance(value, torch.dtype):
        return str(value)  # torch.float32
    if isinstance(value, torch.device):
        return f'torch.device("{value}")'
    if isinstance(value, (torch.layout, torch.memory_format)):
        return str(value)  # torch.strided, torch.contiguous_format
    raise Unsupported(f"a constant argument of type {type(value).__name__} ({value!r})")


class ScriptWriter:
    """Writes FX nodes as the statements of one TorchScript method.

    `name_of(node)` says how a node outside the written nodes is reached (an argument name, or
    ``self.attr`` for a weight); nodes written here get local names.
    """

    def __init__(self, name_of: Callable[[torch.fx.Node], str]) -> None:
        self._outside = name_of
        self._local: Dict[torch.fx.Node, str] = {}
        self.lines: List[str] = []

    def name(self, node: torch.fx.Node) -> str:
        return self._local[node] if node in self._local else self._outside(node)

    def arg(self, value: Any) -> str:
        if isinstance(value, torch.fx.Node):
            return self.name(value)
        if isinstance(value, (list, tuple)):
            return "[" + ", ".join(self.arg(v) for v in value) + "]"
        return literal(value)

    def write(self, node: torch.fx.Node, expression: Optional[str] = None) -> None:
        """One statement computing `node` (as `expression` when given)."""
        local = f"v{len(self._local)}"
        self.lines.append(f"{local} = {expression if expression is not None else self.expression(node)}")
        self._local[node] = local

    def expression(self, node: torch.fx.Node) -> str:
        if node.op != "call_function":
            raise Unsupported(f"{node.op} node {node.name}")
        target, args, kwargs = node.target, node.args, node.kwargs
        if target is operator.getitem:
            return f"{self.arg(args[0])}[{int(args[1])}]"
        if target in _BINARY:
            return f"{self.arg(args[0])} {_BINARY[target]} {self.arg(args[1])}"
        if target is operator.neg:
            return f"-{self.arg(args[0])}"
        if target is torch.sym_float:
            return f"float({self.arg(args[0])})"
        if target is torch.sym_int:
            return f"int({self.arg(args[0])})"
        if target in (torch.sym_max, torch.sym_min):
            return f"{'max' if target is torch.sym_max else 'min'}({self.arg(args[0])}, {self.arg(args[1])})"
        if not isinstance(target, torch._ops.OpOverload):
            raise Unsupported(f"call of {getattr(target, '__name__', target)} (not an ATen op)")
        recomposed = _recompose(self, node)
        if recomposed is not None:
            return recomposed
        namespace, op = target._schema.name.split("::")
        if namespace == "aten" and op in _SIZE_OPS:
            op = op[len("sym_"):]  # aten::size(Tensor, int) -> int and friends: the TorchScript forms
        parts = [self.arg(a) for a in args] + [f"{k}={self.arg(v)}" for k, v in kwargs.items()]
        return f"torch.ops.{namespace}.{op}({', '.join(parts)})"


def _recompose(writer: ScriptWriter, node: torch.fx.Node) -> Optional[str]:
    """The TorchScript form of an op that functionalization makes out of a scripted graph's op:
    inference batch norm, which TorchScript graphs hold as aten::batch_norm (when only its first
    result is used), and the functional copy that replaces an in-place ``copy_``."""
    if node.target is torch.ops.aten._native_batch_norm_legit_no_training.default:
        if all(u.target is operator.getitem and u.args[1] == 0 for u in node.users):
            x, weight, bias, mean, var, momentum, eps = node.args
            args = ", ".join(writer.arg(a) for a in (x, weight, bias, mean, var, False, momentum, eps, True))
            return f"(torch.ops.aten.batch_norm({args}),)"
    if node.target is torch.ops.aten.copy.default and not node.kwargs.get("non_blocking", False) and len(node.args) == 2:
        # Functionalized `self.copy_(src)`: src in self's dtype, broadcast to self's shape.
        self_, src = (writer.arg(a) for a in node.args)
        return f"torch.ops.aten.expand_as(torch.ops.aten.type_as({src}, {self_}), {self_})"
    return None


def method_source(name: str, params: Sequence[str], lines: Sequence[str], returns: Sequence[str], tuple_out: bool) -> str:
    """A TorchScript method taking tensors `params` and returning `returns`."""
    signature = ", ".join(["self"] + [f"{p}: Tensor" for p in params])
    body = "".join(f"    {line}\n" for line in lines)
    if tuple_out:
        result = "(" + "".join(f"{r}, " for r in returns) + ")"
    else:
        result = returns[0]
    return f"def {name}({signature}):\n{body}    return {result}\n"


def script_holder(tensors: Dict[str, torch.Tensor], submodules: Optional[Dict[str, torch.nn.Module]] = None,
                  source: str = "") -> torch.jit.ScriptModule:
    """A ScriptModule holding `tensors` as buffers and `submodules`, with the methods in `source`."""

    class Holder(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            for key, t in tensors.items():
                if isinstance(t, torch.nn.Parameter):
                    self.register_parameter(key, t)
                else:
                    self.register_buffer(key, t)
            for key, m in (submodules or {}).items():
                setattr(self, key, m)

    scripted = torch.jit.script(Holder())
    if source:
        scripted.define(source)
    return scripted

