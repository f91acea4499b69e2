"""Run-time settings shared by every compiled module in the process (Torch-TensorRT's
``torch_tensorrt.runtime``)."""
import contextlib
from typing import Iterator, Optional

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
