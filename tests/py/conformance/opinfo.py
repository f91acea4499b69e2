"""Which OpInfos are in scope, their seeded samples, the one-op module a sample becomes, and how a
sample is described in reports."""
import random
import re
import sys
import types
import unittest
import zlib
from typing import Any, Dict, List, NamedTuple, Sequence, Tuple

import torch
from torch.utils import _pytree as pytree

# The dtypes swept, in report order; float64 and complex are left out because the engine has none.
DTYPES: Tuple[torch.dtype, ...] = (torch.float32, torch.float16, torch.bfloat16, torch.int32, torch.int64, torch.bool)
DTYPE_NAMES: Dict[torch.dtype, str] = {torch.float32: "float32", torch.float16: "float16", torch.bfloat16: "bfloat16",
                                       torch.int32: "int32", torch.int64: "int64", torch.bool: "bool"}
_SHORT = {torch.float32: "f32", torch.float16: "f16", torch.bfloat16: "bf16", torch.float64: "f64", torch.int8: "i8",
          torch.uint8: "u8", torch.int16: "i16", torch.int32: "i32", torch.int64: "i64", torch.bool: "b8",
          torch.complex64: "c64", torch.complex128: "c128"}


def load_op_db() -> list:
    """PyTorch's OpInfo list. torch.testing._internal.common_utils imports `expecttest` (a test-only
    dependency of PyTorch, not in requirements.txt) for its TestCase base class; OpInfos and their
    sample generators never use it, so a stand-in is installed when it is missing."""
    try:
        import expecttest  # noqa: F401
    except ImportError:
        stub = types.ModuleType("expecttest")
        stub.TestCase = unittest.TestCase
        stub.ACCEPT = False
        sys.modules["expecttest"] = stub
    from torch.testing._internal.common_methods_invocations import op_db

    return list(op_db)


def op_key(op: Any) -> str:
    """`name` or `name (variant)`: unique among OpInfos."""
    return f"{op.name} ({op.variant_test_name})" if op.variant_test_name else op.name


def own_aten_name(op: Any) -> str:
    """The ATen function an OpInfo is named after: `nn.functional.relu` -> relu, `linalg.vector_norm`
    -> linalg_vector_norm (OpInfos default aten_name to their dotted name)."""
    name = op.aten_name or op.name
    if name.startswith("nn.functional."):
        return name[len("nn.functional."):]
    return name.replace(".", "_")


def seed_for(key: str, dtype: torch.dtype) -> None:
    """Seeds every generator sample functions draw from, from the case's name alone, so one (op,
    dtype) gets the same samples whatever ran before it."""
    seed = zlib.crc32(f"{key}/{DTYPE_NAMES[dtype]}".encode())
    torch.manual_seed(seed)
    random.seed(seed)
    try:
        import numpy

        numpy.random.seed(seed)
    except ImportError:
        pass


def samples(op: Any, dtype: torch.dtype) -> List[Any]:
    """The OpInfo's CPU samples for a dtype, in its order, seeded."""
    seed_for(op_key(op), dtype)
    return list(op.sample_inputs("cpu", dtype, requires_grad=False))


def flatten_sample(sample: Any) -> Tuple[List[Any], Any]:
    return pytree.tree_flatten((sample.input, tuple(sample.args), dict(sample.kwargs)))


def tensor_leaves(sample: Any) -> List[torch.Tensor]:
    return [leaf for leaf in flatten_sample(sample)[0] if isinstance(leaf, torch.Tensor)]


def call(op: Any, sample: Any, tensors: Sequence[torch.Tensor]) -> Any:
    """Calls the OpInfo's function on the sample with its tensors replaced by `tensors`."""
    leaves, spec = flatten_sample(sample)
    it = iter(tensors)
    leaves = [next(it) if isinstance(leaf, torch.Tensor) else leaf for leaf in leaves]
    inp, args, kwargs = pytree.tree_unflatten(leaves, spec)
    return op.op(inp, *args, **kwargs)


class OneOp(torch.nn.Module):
    """forward(*tensors) calls the op with the sample's non-tensor arguments baked in; tracing it
    records them as constants. Several outputs come back as a flat tuple."""

    def __init__(self, op: Any, sample: Any) -> None:
        super().__init__()
        self.op = op
        self.sample = sample

    def forward(self, *tensors: torch.Tensor) -> Any:
        out = pytree.tree_leaves(call(self.op, self.sample, tensors))
        return out[0] if len(out) == 1 else tuple(out)


def trace(op: Any, sample: Any, tensors: Sequence[torch.Tensor]) -> torch.jit.ScriptModule:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # TracerWarnings about baked constants are what we want
        return torch.jit.trace(OneOp(op, sample).eval(), tuple(tensors), check_trace=False)


def graph_nodes(module: torch.jit.ScriptModule) -> List[str]:
    """The graph's nodes (prim::Constant left out), aten ones by overload name (`aten::add.Tensor`)."""
    out = []
    for node in module.graph.nodes():
        kind = node.kind()
        if kind == "prim::Constant":
            continue
        if kind.startswith("aten::"):
            try:
                kind = node.schema().split("(")[0]
            except RuntimeError:  # no schema (should not happen for aten nodes)
                pass
        out.append(kind)
    return out


class Scope(NamedTuple):
    how: str  # "named", "traced" or "named+traced": why the OpInfo is swept
    nodes: Tuple[str, ...]  # the converter overloads in its first sample's graph


def overload_base(overload: str) -> str:
    return overload.split("::", 1)[1].split(".")[0]


def in_scope(op_db: Sequence[Any], converters: Sequence[str], evaluators: Sequence[str]) -> Dict[str, Tuple[Any, Scope]]:
    """OpInfos swept, by key. An OpInfo is in scope when the ATen function it is named after has a
    converter ("named"), or when the traced graph of its first sample (first dtype of DTYPES it
    supports) has only nodes with a converter or evaluator and at least one converter ("traced":
    `__radd__`, `nn.functional.softsign`, ...)."""
    overloads = {s.split("(")[0] for s in converters}
    bases = {overload_base(o) for o in overloads}
    evals = set(evaluators)
    out = {}
    for op in op_db:
        named = own_aten_name(op) in bases
        traced, nodes = False, ()
        dtype = next((d for d in DTYPES if d in op.supported_dtypes("cpu")), None)
        if dtype is not None:
            try:
                first = samples(op, dtype)[:1]
                if first:
                    graph = graph_nodes(trace(op, first[0], tensor_leaves(first[0])))
                    convs = [n for n in graph if n in overloads]
                    traced = bool(convs) and all(n in overloads or n in evals for n in graph)
                    nodes = tuple(sorted(set(convs)))
            except Exception:  # untraceable first samples (non-tensor outputs, CUDA-only ops) decide nothing
                pass
        if named or traced:
            how = "named+traced" if named and traced else ("named" if named else "traced")
            out[op_key(op)] = (op, Scope(how, nodes))
    return out


def _describe(value: Any) -> str:
    if isinstance(value, torch.Tensor):
        text = f"T{list(value.shape)}:{_SHORT.get(value.dtype, str(value.dtype).replace('torch.', ''))}"
        if value.layout != torch.strided:
            text += f":{str(value.layout).replace('torch.', '')}"
        elif value.numel() > 1 and not value.is_contiguous():
            text += ":noncontig"
        return text
    if isinstance(value, (list, tuple)):
        inner = ", ".join(_describe(v) for v in value)
        return f"[{inner}]" if isinstance(value, list) else f"({inner}{',' if len(value) == 1 else ''})"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_describe(v)}" for k, v in value.items()) + "}"
    if callable(value) and not isinstance(value, type):
        return getattr(value, "__name__", type(value).__name__)
    text = re.sub(r" at 0x[0-9a-f]+", "", repr(value))
    return text if len(text) <= 60 else text[:57] + "..."


def describe(sample: Any) -> str:
    """One line naming the sample's tensors (shape:dtype) and its other arguments."""
    parts = [f"input={_describe(sample.input)}"]
    if sample.args:
        parts.append("args=" + _describe(tuple(sample.args)))
    if sample.kwargs:
        parts.append("kwargs=" + _describe(dict(sample.kwargs)))
    return " ".join(parts)
