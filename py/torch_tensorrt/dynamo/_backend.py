"""``torch.compile(model, backend="torch_tensorrt")`` (also ``"tensorrt"``).

TorchDynamo hands the backend each graph it captured, with guards of its own: when they fail it
captures again and calls the backend again, as for any backend. Here each graph is exported
(``torch.export``) at the shapes of the call and compiled by the dynamo path; the compiled forms are
kept per input shape and dtype, so a graph dynamo marks dynamic gets one engine set per shape seen
(no guard on shapes is needed in the result). Options come through ``options={...}`` with the
keywords of ``torch_tensorrt.compile``.

TorchDynamo passes a module's parameters and buffers to the graph as inputs. They are frozen into
the engines as constants (as TensorRT builds weights into its engines): a batch norm then folds
into its convolution and the graph converts as one engine, where weights taken as run-time inputs
would split it at every op that needs constant operands. A call whose parameters are other tensors,
or were changed in place since the engines were built, builds them again with the new values.
"""
import copy
import importlib.abc
import importlib.util
import sys
import threading
import warnings
from typing import Any, Callable, Dict, List, Optional, Sequence, Set, Tuple

import torch

from torch_tensorrt import logging
from torch_tensorrt._Input import _ALLOWED_DTYPES  # what an engine input may be


def _key(args: Sequence[Any]) -> Tuple[Any, ...]:
    key = []
    for a in args:
        if isinstance(a, torch.Tensor):
            key.append(("t", tuple(a.shape), a.dtype, str(a.device)))
        else:
            key.append(("v", type(a).__name__, a if isinstance(a, (int, float, bool, str, type(None))) else id(a)))
    return tuple(key)


def _module_state_inputs(gm: torch.fx.GraphModule, example_inputs: Sequence[Any]) -> List[int]:
    """Positions of the graph inputs that are a module's parameters or buffers: TorchDynamo marks
    them as static inputs (and names their source), where the caller's tensors are neither."""
    from torch._dynamo.source import is_from_unspecialized_param_buffer_source

    positions = []
    placeholders = [n for n in gm.graph.nodes if n.op == "placeholder"]
    for i, (node, value) in enumerate(zip(placeholders, example_inputs)):
        if not isinstance(value, torch.Tensor):
            continue
        grapharg = node.meta.get("grapharg")
        source = getattr(grapharg, "source", None)
        from_module = source is not None and is_from_unspecialized_param_buffer_source(source)
        if from_module or getattr(value, "_dynamo_static_input_type", None) is not None:
            positions.append(i)
    return positions


def _frozen(gm: torch.fx.GraphModule, values: Dict[int, torch.Tensor]) -> torch.fx.GraphModule:
    """A copy of `gm` where the inputs at the positions of `values` are constants of those values."""
    graph = copy.deepcopy(gm.graph)
    root = torch.nn.Module()
    for name, child in gm.named_children():  # the branches of torch.cond, checkpointed bodies: get_attr targets
        root.add_module(name, child)
    placeholders = [n for n in graph.nodes if n.op == "placeholder"]
    for i, value in values.items():
        node = placeholders[i]
        # Named after the placeholder TorchDynamo gave it (l_self_buffers_steps_): a refusal naming it names the buffer.
        name = f"_frozen_{node.name}" if node.name.isidentifier() else f"_frozen_input_{i}"
        root.register_buffer(name, value.detach())
        with graph.inserting_before(node):
            constant = graph.get_attr(name)
        constant.meta = dict(node.meta)
        node.replace_all_uses_with(constant)
        graph.erase_node(node)
    graph.lint()
    return torch.fx.GraphModule(root, graph)


class _ShapeCache:
    """Compiles `gm` for each distinct input signature on first use, with the inputs at `frozen`
    (a module's parameters and buffers) taken as constants."""

    def __init__(self, gm: torch.fx.GraphModule, options: Dict[str, Any], frozen: Sequence[int] = ()) -> None:
        self.original, self.options, self.frozen = gm, options, list(frozen)
        self.frozen_set = set(self.frozen)
        self.gm = gm
        self.state: List[Tuple[torch.Tensor, int]] = []  # the frozen tensors and their versions
        self.compiled: Dict[Tuple[Any, ...], Callable[..., Any]] = {}
        self.lock = threading.Lock()

    def _state_changed(self, args: Sequence[Any]) -> bool:
        # Another tensor, an in-place change (its version), or new memory (`p.data = t`). A write through `p.data`
        # (`p.data.mul_(2)`) changes neither: docs/dynamo.md says to update weights in place or compile again.
        return any(args[i] is not t or t._version != v or t.data_ptr() != ptr
                   for i, (t, v, ptr) in zip(self.frozen, self.state))

    def _freeze(self, args: Sequence[Any]) -> None:
        if self.state:
            _warn("torch_tensorrt backend: a parameter or buffer of the compiled module is another tensor or was "
                  "changed in place since its engines were built; building them again with the new values")
        elif torch.is_grad_enabled() and any(args[i].requires_grad for i in self.frozen):
            _warn("torch_tensorrt backend: the compiled module's parameters are built into its graphs as constants, so "
                  "no gradient reaches them (their .grad stays None); it computes inference: call it under "
                  "torch.no_grad() or torch.inference_mode(), and train with another backend")
        gm = _frozen(self.original, {i: args[i] for i in self.frozen})  # before the state: a failure keeps the old one
        self.gm = gm
        self.state = [(args[i], args[i]._version, args[i].data_ptr()) for i in self.frozen]
        self.compiled = {}

    def __call__(self, *args: Any) -> Any:
        if self.frozen and (not self.state or self._state_changed(args)):
            with self.lock:
                if not self.state or self._state_changed(args):
                    self._freeze(args)
        live = [a for i, a in enumerate(args) if i not in self.frozen_set] if self.frozen else list(args)
        key = _key(live)
        fn = self.compiled.get(key)
        if fn is None:
            with self.lock:
                fn = self.compiled.get(key) or self._compile(live)
                self.compiled[key] = fn
        return fn(*live)

    def _in_pytorch(self, why: str) -> Callable[..., Any]:
        """The captured graph as it is (run by PyTorch), with a warning saying why."""
        _warn(f"torch_tensorrt backend: a captured graph runs in PyTorch: {why}")
        return self.gm

    def _compile(self, args: Sequence[Any]) -> Callable[..., Any]:
        from torch_tensorrt import dynamo

        options = dict(self.options)
        precisions = options.pop("enabled_precisions", None)
        options.pop("inputs", None)  # the call's tensors are the inputs
        options.pop("dynamic_shapes", None)
        full = options.get("require_full_compilation")
        # Graphs the engines cannot take run in PyTorch (checked before the export, which they would only cost): a
        # higher-order op's subgraphs (torch.cond, checkpoints), tensors of a type engines do not take as inputs (a
        # Python float TorchDynamo passes as a float64 tensor when it changes between calls, a uint8 image).
        higher = sorted({str(n.target) for n in self.gm.graph.nodes
                         if n.op == "call_function" and isinstance(n.target, torch._ops.HigherOrderOperator)})
        if higher and not full:
            return self._in_pytorch(f"it holds {', '.join(higher)} (a higher-order op's subgraphs), which the dynamo "
                                    "path does not convert")
        unheld = sorted({str(a.dtype) for a in args if isinstance(a, torch.Tensor) and a.dtype not in _ALLOWED_DTYPES})
        if unheld and not full:
            return self._in_pytorch(f"it takes {', '.join(unheld)} tensors, which engines do not take as inputs")
        try:
            ep = torch.export.export(self.gm, tuple(args), strict=False)
        except Exception as e:  # noqa: BLE001 (a graph export cannot take runs as written)
            if full:
                raise
            return self._in_pytorch(f"torch.export failed on it: {_first(e)}")
        if precisions and torch.int8 in precisions and not dynamo._has_fake_quantize(ep):
            # A quantization-aware model's piece between graph breaks without fake-quantize nodes has no INT8 scales:
            # it computes in its float precisions (the model's other pieces keep INT8).
            _warn("torch_tensorrt backend: a captured graph without fake-quantize nodes computes in its float "
                  "precisions: int8 needs a quantization-aware model's scales")
            precisions = set(precisions) - {torch.int8}
        compiled = dynamo.compile(ep, enabled_precisions=precisions, **options)
        flat_out = _returns_flat(self.gm)

        def run(*call_args: Any) -> Any:
            out = compiled(*call_args)
            return list(out) if flat_out == "list" else out

        run.module = compiled  # type: ignore[attr-defined]  # what the graph became (tests count its engines)
        return run


def _warn(message: str) -> None:
    warnings.warn(message, UserWarning)
    logging.log(logging.Level.Warning, message)


def _returns_flat(gm: torch.fx.GraphModule) -> str:
    output = next(n for n in reversed(gm.graph.nodes) if n.op == "output")
    return "list" if isinstance(output.args[0], list) else "tuple"


def _first(e: BaseException) -> str:
    lines = [line.strip() for line in str(e).splitlines() if line.strip()]
    return lines[0] if lines else type(e).__name__


def torch_tensorrt_backend(gm: torch.fx.GraphModule, example_inputs: Sequence[Any],
                           options: Optional[Dict[str, Any]] = None, **kwargs: Any) -> Callable[..., Any]:
    """The torch.compile backend: `options` holds torch_tensorrt.compile keywords."""
    from torch_tensorrt import dynamo

    merged = dict(options or {})
    merged.update(kwargs)
    settings = {k: v for k, v in merged.items() if k not in ("enabled_precisions", "inputs", "dynamic_shapes")}
    dynamo.check_settings(settings)  # refuse a wrong option at compile time, not at the first call
    return _ShapeCache(gm, merged, _module_state_inputs(gm, example_inputs))


def compile_with_graph_breaks(module: torch.nn.Module, inputs: Sequence[Any], enabled_precisions: Optional[Set[torch.dtype]],
                              dynamic_shapes: Any, settings: Dict[str, Any]) -> torch.nn.Module:
    """torch.compile(module, backend=torch_tensorrt_backend), run once on example inputs so the path
    they take is compiled now (other paths compile when first taken)."""
    from torch_tensorrt import dynamo

    options = dict(settings)
    options["enabled_precisions"] = enabled_precisions
    compiled = torch.compile(module, backend=torch_tensorrt_backend, options=options, dynamic=False)
    first = next(iter(list(module.parameters()) + list(module.buffers())), None)
    device = first.device if first is not None else None
    args = tuple(dynamo._example(s, device) for s in inputs)
    with torch.no_grad():
        compiled(*args)
    return compiled


def _register() -> None:
    from torch._dynamo.backends.registry import _COMPILER_FNS, register_backend

    for name in ("torch_tensorrt", "tensorrt"):
        if _COMPILER_FNS.get(name) is not torch_tensorrt_backend:
            _COMPILER_FNS.pop(name, None)  # torch lists "tensorrt" as a placeholder for this package
            register_backend(torch_tensorrt_backend, name=name)


_REGISTRY = "torch._dynamo.backends.registry"


class _RegisterOnImport(importlib.abc.MetaPathFinder):
    """Registers the backends when TorchDynamo's backend registry is first imported (torch.compile
    imports it), so that ``import torch_tensorrt`` does not pay for importing TorchDynamo."""

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if fullname != _REGISTRY:
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(fullname)
        if spec is None or spec.loader is None:
            return spec
        loader = spec.loader

        class _Loader(importlib.abc.Loader):
            def create_module(self, spec: Any) -> Any:
                return loader.create_module(spec)

            def exec_module(self, module: Any) -> None:
                loader.exec_module(module)
                _register()

        spec.loader = _Loader()
        return spec


if _REGISTRY in sys.modules:
    _register()
else:
    sys.meta_path.insert(0, _RegisterOnImport())
