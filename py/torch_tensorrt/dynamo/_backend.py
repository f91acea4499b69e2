"""``torch.compile(model, backend="torch_tensorrt")`` (also ``"tensorrt"``).

TorchDynamo hands the backend each graph it captured, with guards of its own: when they fail it
captures again and calls the backend again, as for any backend. Here each graph is exported
(``torch.export``) at the shapes of the call and compiled by the dynamo path; the compiled forms are
kept per input shape and dtype, so a graph dynamo marks dynamic gets one engine set per shape seen
(no guard on shapes is needed in the result). Options come through ``options={...}`` with the
keywords of ``torch_tensorrt.compile``.
"""
import importlib.abc
import importlib.util
import sys
import threading
import warnings
from typing import Any, Callable, Dict, Optional, Sequence, Set, Tuple

import torch

from torch_tensorrt import logging


def _key(args: Sequence[Any]) -> Tuple[Any, ...]:
    key = []
    for a in args:
        if isinstance(a, torch.Tensor):
            key.append(("t", tuple(a.shape), a.dtype, str(a.device)))
        else:
            key.append(("v", type(a).__name__, a if isinstance(a, (int, float, bool, str, type(None))) else id(a)))
    return tuple(key)


class _ShapeCache:
    """Compiles `gm` for each distinct input signature on first use."""

    def __init__(self, gm: torch.fx.GraphModule, options: Dict[str, Any]) -> None:
        self.gm, self.options = gm, options
        self.compiled: Dict[Tuple[Any, ...], Callable[..., Any]] = {}
        self.lock = threading.Lock()

    def __call__(self, *args: Any) -> Any:
        key = _key(args)
        fn = self.compiled.get(key)
        if fn is None:
            with self.lock:
                fn = self.compiled.get(key) or self._compile(args)
                self.compiled[key] = fn
        return fn(*args)

    def _compile(self, args: Sequence[Any]) -> Callable[..., Any]:
        from torch_tensorrt import dynamo

        options = dict(self.options)
        precisions = options.pop("enabled_precisions", None)
        options.pop("inputs", None)  # the call's tensors are the inputs
        options.pop("dynamic_shapes", None)
        try:
            ep = torch.export.export(self.gm, tuple(args), strict=False)
        except Exception as e:  # noqa: BLE001 (a graph export cannot take runs as written)
            if options.get("require_full_compilation"):
                raise
            message = f"torch_tensorrt backend: a captured graph runs in PyTorch, torch.export failed on it: {_first(e)}"
            warnings.warn(message, UserWarning)
            logging.log(logging.Level.Warning, message)
            return self.gm
        compiled = dynamo.compile(ep, enabled_precisions=precisions, **options)
        flat_out = _returns_flat(self.gm)

        def run(*call_args: Any) -> Any:
            out = compiled(*call_args)
            return list(out) if flat_out == "list" else out

        return run


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
    return _ShapeCache(gm, merged)


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
