"""The op an engine segment is called through in a dynamo-path GraphModule.

``torch_tensorrt::execute_segment(Tensor[] inputs, Tensor blob, str meta) -> Tensor[]`` runs a
segment compiled by the TorchScript path (a module whose forward calls ``tensorrt::execute_engine``)
whose serialized form (``torch.jit.save`` bytes) is ``blob``, a uint8 tensor. Keeping the segment
as a tensor argument of an ordinary op is what lets the compiled GraphModule be re-exported, saved
with ``torch.export.save`` (the blob is a buffer of the program) and loaded in another process: the
op is registered when ``torch_tensorrt`` is imported. ``meta`` describes the outputs (dtype and
each size as an expression of the input sizes) so that fake tensors, and so ``torch.export`` and
``torch.compile``, can trace through the op without running the engine.
"""
import ast
import io
import json
import operator
import threading
import weakref
from typing import Any, Dict, List, Sequence, Tuple

import torch

_LOCK = threading.Lock()
# blob data pointer -> (a weak reference to the blob, loaded module). An entry leaves when its blob is freed (with the
# module holding it), so the engines of a deleted compiled module are freed too, and a pointer identifies the live
# blob it names.
_LOADED: Dict[Tuple[int, int], Tuple["weakref.ref[torch.Tensor]", torch.jit.ScriptModule]] = {}


def blob_of(module: torch.jit.ScriptModule) -> torch.Tensor:
    """A compiled segment as a uint8 tensor, and registers the live module for it (no reload)."""
    buffer = io.BytesIO()
    torch.jit.save(module, buffer)
    blob = torch.frombuffer(bytearray(buffer.getvalue()), dtype=torch.uint8)
    remember(blob, module)
    return blob


def remember(blob: torch.Tensor, module: torch.jit.ScriptModule) -> None:
    key = (blob.data_ptr(), blob.numel())
    ref = weakref.ref(blob)
    with _LOCK:
        _LOADED[key] = (ref, module)
    weakref.finalize(blob, _forget, key, ref)


def _forget(key: Tuple[int, int], ref: "weakref.ref[torch.Tensor]") -> None:
    with _LOCK:
        if key in _LOADED and _LOADED[key][0] is ref:
            del _LOADED[key]


def module_of(blob: torch.Tensor) -> torch.jit.ScriptModule:
    key = (blob.data_ptr(), blob.numel())
    with _LOCK:
        hit = _LOADED.get(key)
        if hit is not None and hit[0]() is not None and hit[0]().data_ptr() == key[0]:
            return hit[1]
    data = blob.detach().cpu().contiguous().numpy().tobytes()
    module = torch.jit.load(io.BytesIO(data))
    remember(blob, module)
    return module


@torch.library.custom_op("torch_tensorrt::execute_segment", mutates_args=())
def execute_segment(inputs: List[torch.Tensor], blob: torch.Tensor, meta: str) -> List[torch.Tensor]:
    result = module_of(blob)(*inputs)
    outputs = list(result) if isinstance(result, (tuple, list)) else [result]
    # A custom op's outputs must not alias its inputs (a segment may return an input as is).
    pointers = {t.untyped_storage().data_ptr() for t in inputs}
    return [o.clone() if o.untyped_storage().data_ptr() in pointers else o for o in outputs]


def _sympy_names() -> Dict[str, Any]:
    """What the size expressions in `meta` may call, on ints and SymInts alike."""
    names: Dict[str, Any] = {
        "FloorDiv": lambda a, b: a // b, "CleanDiv": lambda a, b: a // b, "Mod": lambda a, b: a % b,
        "PythonMod": lambda a, b: a % b, "CeilDiv": lambda a, b: -(-a // b), "Max": lambda *a: _fold(torch.sym_max, a),
        "Min": lambda *a: _fold(torch.sym_min, a), "Abs": abs, "TruncToInt": lambda a: torch.sym_int(a),
        "FloorToInt": lambda a: torch.sym_int(a), "CeilToInt": lambda a: -torch.sym_int(-a),
        "IntTrueDiv": lambda a, b: a / b,
    }
    return names


def _fold(fn: Any, values: Sequence[Any]) -> Any:
    out = values[0]
    for v in values[1:]:
        out = fn(out, v)
    return out


def output_meta(outputs: Sequence[torch.Tensor], inputs: Sequence[torch.Tensor]) -> str:
    """`meta` for fake outputs `outputs` of a segment taking fake `inputs`: each symbolic size as
    an expression over the inputs' sizes. Raises ValueError when a size does not follow from the
    input sizes (a data-dependent size, which an engine cannot produce)."""
    import sympy  # here, not at import: sympy takes a second to import

    names: Dict[Any, Any] = {}
    for i, t in enumerate(inputs):
        for d, size in enumerate(t.shape):
            if isinstance(size, torch.SymInt) and isinstance(size.node.expr, sympy.Symbol):
                names.setdefault(size.node.expr, sympy.Symbol(f"i{i}_{d}", integer=True))
    described = []
    for o in outputs:
        dims = []
        for size in o.shape:
            if isinstance(size, torch.SymInt):
                expr = size.node.expr
                free = expr.free_symbols - set(names)
                if free:
                    raise ValueError(f"an output size ({expr}) depends on {sorted(map(str, free))}, which no input "
                                     "size of the segment is by itself (a size computed from values, or from sizes "
                                     "before the segment, as 2 * s0 after a cat)")
                dims.append(str(expr.xreplace(names)))
            else:
                dims.append(str(int(size)))
        described.append({"dtype": str(o.dtype).replace("torch.", ""), "shape": dims, "device": str(o.device)})
    return json.dumps(described)


@execute_segment.register_fake
def _(inputs: List[torch.Tensor], blob: torch.Tensor, meta: str) -> List[torch.Tensor]:
    scope = _sympy_names()
    for i, t in enumerate(inputs):
        for d, size in enumerate(t.shape):
            scope[f"i{i}_{d}"] = size
    out = []
    for entry in json.loads(meta):
        shape = [_evaluate(expr, scope) for expr in entry["shape"]]
        device = inputs[0].device if inputs else torch.device(entry["device"])
        out.append(torch.empty(shape, dtype=getattr(torch, entry["dtype"]), device=device))
    return out


_OPERATORS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.FloorDiv: operator.floordiv,
              ast.Mod: operator.mod, ast.Div: operator.truediv, ast.Pow: operator.pow}


def _evaluate(text: str, scope: Dict[str, Any]) -> Any:
    """A size expression of `meta`: numbers, input sizes, arithmetic and the calls in `scope`, and
    nothing else (meta comes from saved files, so it is not handed to eval)."""

    def walk(node: ast.AST) -> Any:
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return node.value
        if isinstance(node, ast.Name) and node.id in scope:
            return scope[node.id]
        if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
            return _OPERATORS[type(node.op)](walk(node.left), walk(node.right))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -walk(node.operand)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in scope and not node.keywords:
            return scope[node.func.id](*[walk(a) for a in node.args])
        raise ValueError(f"torch_tensorrt::execute_segment: cannot read the size expression {text!r}")

    return walk(ast.parse(text, mode="eval"))
