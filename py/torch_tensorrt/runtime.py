"""Run-time settings shared by every compiled module in the process (Torch-TensorRT's
``torch_tensorrt.runtime``)."""
import contextlib
from dataclasses import dataclass
from typing import Dict, Iterator, List, Optional, Tuple

import torch


def set_cudagraphs_mode(enabled: bool) -> None:
    """CUDA graph mode for GPU engines: a call whose input shapes repeat the previous call's replays
    the engine's kernels as one captured CUDA graph (fewer launches: worth it at small batches).
    Inputs are copied into buffers the engine keeps and outputs are copied out, so results never
    alias between calls. A new shape runs normally and is captured for the next call. CPU engines
    are not affected."""
    torch.ops.tensorrt.set_cudagraphs_mode(bool(enabled))


def get_cudagraphs_mode() -> bool:
    """Whether CUDA graph mode is on."""
    return bool(torch.ops.tensorrt.get_cudagraphs_mode())


@contextlib.contextmanager
def enable_cudagraphs(module: Optional[torch.nn.Module] = None) -> Iterator[Optional[torch.nn.Module]]:
    """Turns CUDA graph mode on inside the ``with`` block (restoring the previous mode after it) and
    yields `module`: ``with torch_tensorrt.runtime.enable_cudagraphs(trt_mod) as m: m(x)``."""
    previous = get_cudagraphs_mode()
    set_cudagraphs_mode(True)
    try:
        yield module
    finally:
        set_cudagraphs_mode(previous)


def cuda_graph_launches(module: torch.jit.ScriptModule) -> int:
    """How many calls of the module's engines replayed a captured CUDA graph (summed over engines)."""
    total = 0
    for node in module.graph.findAllNodes("prim::GetAttr", True):
        if node.output().type().str().endswith("tensorrt.Engine"):
            total += int(module._c.getattr(node.s("name")).cuda_graph_launches())
    return total



def _engines(module: torch.nn.Module) -> List[Tuple[str, object]]:
    """The engines of a compiled module (every Engine attribute its graphs read, in it or its
    submodules), with their attribute paths."""
    if not isinstance(module, torch.jit.ScriptModule):
        raise TypeError("runtime.profile expects a module compiled by torch_tensorrt.compile (a TorchScript "
                        f"module), got {type(module).__name__}")
    engines, seen = [], set()
    for path, sub in module.named_modules():
        try:
            graph = sub.graph
        except (AttributeError, RuntimeError):  # a submodule without forward
            continue
        for node in graph.findAllNodes("prim::GetAttr", True):
            attr = node.s("name")
            if not node.output().type().str().endswith("tensorrt.Engine") or (path, attr) in seen:
                continue
            if not sub._c.hasattr(attr):
                continue
            seen.add((path, attr))
            engines.append((f"{path}.{attr}" if path else attr, sub._c.getattr(attr)))
    return engines


@dataclass
class LayerTime:
    """One layer's time over the profiled calls (fused layers are one entry, named as the engine
    names them; `engine` is the attribute holding the engine)."""
    engine: str
    name: str
    calls: int
    total_ms: float

    @property
    def avg_ms(self) -> float:
        return self.total_ms / self.calls if self.calls else 0.0


class Profile:
    """Per-layer times of a compiled module (``torch_tensorrt.runtime.profile``): ``layers`` in
    execution order, ``total_ms`` their sum, ``table()`` (also ``str(profile)``) a printable table
    like trtexec's --dumpProfile."""

    def __init__(self) -> None:
        self.layers: List[LayerTime] = []

    @property
    def total_ms(self) -> float:
        return sum(layer.total_ms for layer in self.layers)

    def as_dict(self) -> Dict[str, Dict[str, float]]:
        """{"engine/layer": {"calls", "total_ms", "avg_ms"}}."""
        return {f"{l.engine}/{l.name}": {"calls": l.calls, "total_ms": l.total_ms, "avg_ms": l.avg_ms}
                for l in self.layers}

    def table(self) -> str:
        # The layer name last: engines name layers after their TorchScript nodes, which are long.
        total = self.total_ms
        lines = [f"{'Calls':>6}  {'Total (ms)':>11}  {'Avg (ms)':>10}  {'%':>6}  Layer"]
        for l in self.layers:
            pct = 100.0 * l.total_ms / total if total > 0 else 0.0
            name = l.name.replace("\n", " ")
            lines.append(f"{l.calls:>6}  {l.total_ms:>11.4f}  {l.avg_ms:>10.4f}  {pct:>6.1f}  {name}")
        lines.append(f"{'':>6}  {total:>11.4f}  {'':>10}  {'':>6}  Total")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.table()

    def _collect(self, engines: List[Tuple[str, object]]) -> None:
        self.layers = []
        for path, engine in engines:
            names, calls, totals = engine.layer_times()
            self.layers += [LayerTime(path, n, int(c), float(t)) for n, c, t in zip(names, calls, totals)]


@contextlib.contextmanager
def profile(module: torch.nn.Module) -> Iterator[Profile]:
    """Times every layer of every engine of `module` for the calls inside the ``with`` block
    (TensorRT's IProfiler)::

        with torch_tensorrt.runtime.profile(trt_mod) as prof:
            trt_mod(x)
        print(prof.table())

    CPU engines time each layer on the host clock; GPU engines record a CUDA event after each layer
    (in a CUDA graph of the profiled call's own when the call repeats the previous one's shapes) and
    wait for each call's end, so the times add up to the call's engine time plus the events' own
    cost, not including what runs in TorchScript between engines. The profile's layers are filled in
    when the block ends."""
    engines = _engines(module)
    if not engines:
        raise ValueError("runtime.profile: the module holds no Torch-TensorRT engine (compile it with "
                         "torch_tensorrt.compile first)")
    result = Profile()
    for _, engine in engines:
        engine.enable_profiling(True)
    try:
        yield result
    finally:
        result._collect(engines)
        for _, engine in engines:
            engine.enable_profiling(False)
