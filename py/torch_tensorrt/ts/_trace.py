"""Tracing an nn.Module without silent wrong answers.

torch.jit.trace records the ops of one call. A tensor turned into a Python value during that call
(``if x.sum() > 0``, ``int(x.max())``, ``len(x)``) becomes a constant of the trace, so the trace is
right only for inputs that take the same path; torch says so in a TracerWarning that is easy to
miss. Here each such conversion is judged by what the tensor was computed from (found by walking
the traced graph back from it):

- the values of a forward argument: refused, the trace would bake in a data-dependent branch or size;
- sizes of forward arguments only (shape checks, size arithmetic): kept when those sizes are fixed
  by ``inputs`` (a static shape, or a dimension whose min and max agree), refused when one of them
  is dynamic, since the trace keeps the example's size; kept in torch's own library code (torch.nn's
  argument checks, whose TracerWarnings torch hides itself);
- neither (weights, constants): kept.

A conversion is judged whether or not torch warned: ``range(n)``, ``[x] * n`` and slice bounds call
``__index__`` without a TracerWarning, a module may silence warnings around its own ``if``, and
``torch.equal`` / ``torch.allclose`` / ``is_nonzero`` answer a Python bool without one. An argument the
trace never reads (its value consumed as an int by an op's argument parser, as ``x.roll(n)`` does with a
0-d tensor ``n``) is checked by calling the module with another value of it: a different result means
the trace kept the example's value, and the trace is refused.

Kept conversions and the other TracerWarnings (``torch.tensor`` results recorded as constants, ...)
are passed on as TracerWarnings; those torch raises inside its own library are dropped, as torch
itself drops them.
"""
import contextlib
import os
import sys
import threading
import warnings
from typing import Any, Iterator, List, Optional, Sequence, Set, Tuple

import torch
from torch.jit import TracerWarning

from torch_tensorrt._Input import Input

# Tensor methods that turn a tensor into a Python value (TracerWarning "Converting a tensor to ...",
# "Using len ...", "Iterating over a tensor ..."). __index__ is among them, but indexing records
# its traced indices itself and does not warn: only conversions that warned are judged.
_CONVERSIONS = ("__bool__", "__int__", "__index__", "__float__", "__complex__", "item", "tolist", "numpy",
                "__len__", "__iter__")
# Functions and methods that answer a Python bool about tensors' values without a TracerWarning.
_VALUE_TESTS = ("equal", "allclose", "is_nonzero")
# What each conversion makes, for the message of one torch did not warn about.
_MADE = {"__bool__": "a Python boolean", "__int__": "a Python integer", "__index__": "a Python index",
         "__float__": "a Python float", "__complex__": "a Python complex", "item": "a Python number",
         "tolist": "a Python list", "numpy": "a NumPy array", "__len__": "a length (len)",
         "__iter__": "an iteration over its rows", "equal": "a Python boolean (torch.equal)",
         "allclose": "a Python boolean (torch.allclose)", "is_nonzero": "a Python boolean (is_nonzero)"}
# Ops whose output depends on the shape of their first input, not on its values.
_SHAPE_OF = {"aten::size", "aten::sym_size", "aten::numel", "aten::dim", "prim::shape", "aten::zeros_like",
             "aten::ones_like", "aten::empty_like", "aten::full_like", "aten::new_zeros", "aten::new_ones",
             "aten::new_empty", "aten::new_full"}
_TORCH_DIR = os.path.dirname(os.path.abspath(torch.__file__))
_ANY_DIM = -1  # a size dependency on an unknown dimension


class _Conversion:
    """One conversion of a tensor to a Python value (with the TracerWarning torch raised, if any), and what the
    tensor depends on."""

    def __init__(self, message: str, filename: str, lineno: int, depends: Set[Tuple[str, int, int]],
                 warned: bool = True) -> None:
        self.message, self.filename, self.lineno, self.depends = message, filename, lineno, depends
        self.warned = warned  # False: torch raised no TracerWarning (or the module silenced it)

    def site(self) -> str:
        return f"{self.filename}:{self.lineno}"


class _Recorder:
    """Collects warnings while tracing and judges the conversions the patched methods report."""

    def __init__(self) -> None:
        self.caught: List[warnings.WarningMessage] = []
        self.conversions: List[_Conversion] = []

    def convert(self, name: str, method: Any, tensor: torch.Tensor, args: tuple, kwargs: dict) -> Any:
        before = len(self.caught)
        result = method(tensor, *args, **kwargs)
        raised = [w for w in self.caught[before:] if issubclass(w.category, TracerWarning)]
        self.caught[before:] = [w for w in self.caught[before:] if w not in raised]  # judged here instead
        caller = sys._getframe(2)
        if raised:
            message = str(raised[0].message).split(" might cause the trace")[0]
        else:  # __index__, torch.equal, ..., or a warning the module silenced itself
            message = f"Converting a tensor to {_MADE[name]}"
        # len() and iteration read the first size; the other conversions read the values (of every tensor
        # compared, for equal and allclose).
        if name in ("__len__", "__iter__"):
            depends = _size_depends(tensor, 0)
        else:
            depends = set().union(*(_depends(t) for t in (tensor,) + tuple(args) + tuple(kwargs.values())
                                    if isinstance(t, torch.Tensor)))
        self.conversions.append(_Conversion(message, caller.f_code.co_filename, caller.f_lineno, depends,
                                            warned=bool(raised)))
        return result


_active: Optional[_Recorder] = None
# One trace at a time: the patch and warnings.catch_warnings change process-wide state.
_LOCK = threading.RLock()


def _patched(name: str, method: Any) -> Any:
    """A Tensor method (x.item(), x.equal(y)) or a torch function (torch.equal(x, y)) judged as a conversion of its
    first argument (and of the other tensors it reads) while tracing."""

    def conversion(tensor: Any, *args: Any, **kwargs: Any) -> Any:
        recorder = _active
        if recorder is None or not torch._C._is_tracing() or not isinstance(tensor, torch.Tensor):
            return method(tensor, *args, **kwargs)
        return recorder.convert(name, method, tensor, args, kwargs)

    conversion.__name__ = name
    return conversion


class _Patch:
    """Routes the conversion methods of torch.Tensor (and torch's functions that answer a Python bool about
    tensor values) through `recorder` while tracing. A patch, not a TorchFunctionMode: under a mode every
    traced op would carry the mode's source line."""

    def __init__(self, recorder: _Recorder) -> None:
        self.recorder = recorder
        self.saved: List[Tuple[Any, str, Any, bool]] = []

    def _replace(self, owner: Any, name: str) -> None:
        own = name in owner.__dict__
        original = getattr(owner, name)
        setattr(owner, name, _patched(name, original))
        self.saved.append((owner, name, original, own))

    def __enter__(self) -> None:
        global _active
        if _active is not None:
            raise RuntimeError("torch_tensorrt.compile was called while it traces a module (from its forward?)")
        _active = self.recorder
        try:
            for name in _CONVERSIONS + _VALUE_TESTS:
                self._replace(torch.Tensor, name)
            for name in _VALUE_TESTS:
                self._replace(torch, name)
        except BaseException:
            self.__exit__()
            raise

    def __exit__(self, *exc: Any) -> None:
        global _active
        for owner, name, original, own in reversed(self.saved):
            if own or owner is torch:
                setattr(owner, name, original)
            else:
                delattr(owner, name)
        self.saved = []
        _active = None


def _param_of(value: Any) -> Optional[int]:
    """The forward argument index of a graph input (input 0 is the module itself)."""
    if value.node().kind() == "prim::Param" and value.offset() > 0:
        return value.offset() - 1
    return None


def _ancestors(value: Any) -> Iterator[Any]:
    seen, stack = set(), [value]
    while stack:
        v = stack.pop()
        if v.unique() in seen:
            continue
        seen.add(v.unique())
        yield v
        stack.extend(v.node().inputs())


def _value_trace(tensor: torch.Tensor) -> Any:
    try:
        return torch._C._get_value_trace(tensor)
    except Exception:  # not in the trace
        return None


def _sizes_of(source: Any, dim: int) -> Set[Tuple[str, int, int]]:
    """The size dependencies of reading size `dim` of traced value `source`."""
    if _param_of(source) is not None:
        rank = source.type().dim() if isinstance(source.type(), torch._C.TensorType) else None
        if dim < 0 and rank is not None:
            dim += rank  # x.shape[-1]
        return {("size", _param_of(source), dim if dim >= 0 else _ANY_DIM)}
    return {("size", a, _ANY_DIM) for a in map(_param_of, _ancestors(source)) if a is not None}


def _size_depends(tensor: torch.Tensor, dim: int) -> Set[Tuple[str, int, int]]:
    source = _value_trace(tensor)
    return {("unknown", _ANY_DIM, _ANY_DIM)} if source is None else _sizes_of(source, dim)


def _depends(tensor: torch.Tensor) -> Set[Tuple[str, int, int]]:
    """What a traced tensor was computed from: ("value", arg, -1) for the values of forward
    argument `arg`, ("size", arg, dim) for one of its sizes (dim -1: some size), ("unknown", -1, -1)
    for a tensor the trace does not know."""
    start = _value_trace(tensor)
    if start is None:
        return {("unknown", _ANY_DIM, _ANY_DIM)}
    depends: Set[Tuple[str, int, int]] = set()
    seen, stack = set(), [start]
    while stack:
        v = stack.pop()
        if v.unique() in seen:
            continue
        seen.add(v.unique())
        node = v.node()
        arg = _param_of(v)
        if arg is not None:
            depends.add(("value", arg, _ANY_DIM))
            continue
        inputs = list(node.inputs())
        if node.kind() in _SHAPE_OF and inputs:
            source, rest = inputs[0], inputs[1:]
            dim = _ANY_DIM
            if node.kind() in ("aten::size", "aten::sym_size") and rest and rest[0].node().kind() == "prim::Constant":
                dim = rest[0].toIValue()
            depends.update(_sizes_of(source, dim if isinstance(dim, int) else _ANY_DIM))
            stack.extend(rest)
            continue
        stack.extend(inputs)
    return depends


def _dynamic_dims(spec: Any) -> Set[int]:
    """Dimensions of a forward argument whose size varies within its input range (-1: some
    dimension of a tuple or list argument)."""
    if isinstance(spec, Input):
        return {d for d, (lo, hi) in enumerate(zip(spec.min_shape, spec.max_shape)) if lo != hi}
    if isinstance(spec, (tuple, list)):
        return {_ANY_DIM} if any(_dynamic_dims(s) for s in spec) else set()
    return set()


def _refusal(conversion: _Conversion, args: Sequence[Any], names: Sequence[str]) -> Optional[str]:
    if not conversion.warned and _in_torch(conversion.filename):
        return None  # torch's own code, which converts without warning where it means to (its argument checks)
    for kind, arg, dim in sorted(conversion.depends, key=lambda d: (d[0] == "size", d)):  # sizes last
        name = f"argument '{names[arg]}'" if 0 <= arg < len(names) else "a forward argument"
        if kind == "unknown":
            if not conversion.warned:
                continue  # a tensor made outside the trace (a constant), which torch did not warn about
            return "the tensor is not in the trace, so what it depends on is unknown"
        if kind == "value":
            return f"its value depends on the values of {name}"
        if _in_torch(conversion.filename):
            continue  # torch's own argument checks on sizes, whose warnings torch hides itself
        dynamic = _dynamic_dims(args[arg]) if 0 <= arg < len(args) else {_ANY_DIM}
        if dynamic and (dim == _ANY_DIM or dim in dynamic or _ANY_DIM in dynamic):
            which = f"size {dim}" if dim != _ANY_DIM else "a size"
            return f"it depends on {which} of {name}, which is dynamic in its Input range"
    return None


def _in_torch(filename: str) -> bool:
    """Raised by torch's own library code (torch.nn's shape checks), which torch's own filter hides."""
    path = os.path.abspath(filename)
    return path.startswith(_TORCH_DIR + os.sep) and not path.startswith(os.path.join(_TORCH_DIR, "jit") + os.sep)


def _argument_names(module: torch.nn.Module, count: int) -> List[str]:
    import inspect

    try:
        params = list(inspect.signature(module.forward).parameters.values())
    except (TypeError, ValueError):
        params = []
    names = [p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return (names + [f"input_{i}" for i in range(len(names), count)])[:count]


def _another_value(x: torch.Tensor) -> torch.Tensor:
    """The example `x` changed in every element: negated for bool, one more otherwise."""
    return ~x if x.dtype == torch.bool else x + 1


def _same(a: Any, b: Any) -> bool:
    """Whether two results of the module agree (tensors within float rounding, NaNs equal; containers element-wise)."""
    if isinstance(a, torch.Tensor) or isinstance(b, torch.Tensor):
        if not (isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor)) or a.shape != b.shape or a.dtype != b.dtype:
            return False
        if not a.is_floating_point() and not a.is_complex():
            return torch.equal(a, b)
        return torch.allclose(a, b, rtol=1e-4, atol=1e-6, equal_nan=True)
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return a == b


def _unread_argument_that_matters(module: torch.nn.Module, traced: torch.jit.ScriptModule,
                                  examples: tuple) -> Optional[int]:
    """The index of a tensor argument the trace never reads while the module's result depends on its value (found
    by calling the module with another value of it: a different result or an exception), else None. An op's int
    argument given a 0-d tensor (x.roll(n)), range(n) or [x] * n consume the value on the host: the trace keeps it
    as a constant and does not read the argument."""
    params = list(traced.graph.inputs())[1:]  # input 0 is the module
    if len(params) != len(examples):
        return None
    unread = [i for i, (p, x) in enumerate(zip(params, examples)) if isinstance(x, torch.Tensor) and not p.uses()]
    if not unread:
        return None
    with torch.no_grad():
        reference = module(*examples)
        for i in unread:
            other = list(examples)
            other[i] = _another_value(examples[i])
            try:
                if not _same(reference, module(*other)):
                    return i
            except Exception:  # another value of it raised: the value matters too
                return i
    return None


def trace_checked(module: torch.nn.Module, examples: tuple, specs: Sequence[Any]) -> torch.jit.ScriptModule:
    """torch.jit.trace(module, examples), refused with a RuntimeError when the trace would keep a
    value or a dynamic size as a constant (see the module docstring); `specs` holds the Input or
    tensor of each forward argument."""
    with _buffers_kept(module):
        return _trace_checked(module, examples, specs)


@contextlib.contextmanager
def _buffers_kept(module: torch.nn.Module) -> Iterator[None]:
    """The module's buffers as they were once tracing (and the checks' calls) ran forward: a buffer forward updates in
    place (a step counter, a running mean) must start the compiled module's first call where the caller left it."""
    saved = [(b, b.detach().clone()) for b in module.buffers()]
    try:
        yield
    finally:
        with torch.no_grad():
            for live, before in saved:
                if live.shape == before.shape:
                    live.copy_(before)
                else:
                    live.set_(before)


def _trace_checked(module: torch.nn.Module, examples: tuple, specs: Sequence[Any]) -> torch.jit.ScriptModule:
    recorder = _Recorder()
    with _LOCK, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", TracerWarning)  # every occurrence, library ones included
        recorder.caught = caught
        with _Patch(recorder):
            # check_trace would retrace and rerun on the same inputs: it finds nondeterminism, not
            # the branches other inputs take, and refuses some models whose two traces differ harmlessly.
            traced = torch.jit.trace(module, examples, check_trace=False)
    names = _argument_names(module, len(examples))
    cls = type(module).__name__
    for conversion in recorder.conversions:
        reason = _refusal(conversion, specs, names)
        if reason is not None:
            said = (f"TracerWarning: '{conversion.message} might cause the trace to be incorrect'" if conversion.warned
                    else f"{conversion.message}, which torch did not warn about")
            raise RuntimeError(
                f"torch_tensorrt.compile refuses to trace {cls}: at {conversion.site()} the trace turned a tensor into "
                f"a Python value ({said}) and "
                f"{reason}, so the trace would give wrong results for inputs that take another path. "
                f"Make {cls} scriptable (torch.jit.script) and pass the ScriptModule, or, if every input takes that "
                f"path, trace it yourself with torch.jit.trace and pass the result"
            )
    unread = _unread_argument_that_matters(module, traced, examples)
    if unread is not None:
        raise RuntimeError(
            f"torch_tensorrt.compile refuses to trace {cls}: the trace does not read argument '{names[unread]}', yet "
            f"{cls} gives another result for another value of it (the trace kept the example's value as a constant: "
            f"an op's int argument, range() or a Python int made from it), so the trace would give wrong results for "
            f"other values. Make {cls} scriptable (torch.jit.script) and pass the ScriptModule, or, if every call "
            f"passes this value, trace it yourself with torch.jit.trace and pass the result"
        )
    kept = {(c.message, c.filename, c.lineno) for c in recorder.conversions if c.warned and not _in_torch(c.filename)}
    for message, filename, lineno in sorted(kept):
        warnings.warn_explicit(f"{message} might cause the trace to be incorrect; kept, since it depends only on "
                               "weights or on sizes fixed by the inputs", TracerWarning, filename, lineno)
    passed_on = set()
    for w in caught:
        key = (str(w.message), w.category, w.filename, w.lineno)
        if key in passed_on or (issubclass(w.category, TracerWarning) and _in_torch(w.filename)):
            continue
        passed_on.add(key)
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno, source=w.source)
    return traced
