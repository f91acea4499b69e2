"""First call of a saved engine module in a fresh process against its steady latency (issue 21: a plan loaded in
a fresh process runs its first call within 3x its steady latency; a loaded engine times no tactic and, with
TORCHTRT_CUDNN_RUNTIME_FUSION=1, compiles no cuDNN graph plan its plan file carries).

Run in a process of its own (perf_zoo.py --fresh-load does that after saving each case's engine):
  python bench/fresh_load.py MODULE.ts INPUT.pt [--device cuda] [--iters 20] [--op-split]
Prints one JSON line: load_s (torch.jit.load), first_ms (the first call, synchronized), first_gpu_ms (the GPU time
between CUDA events around it: against first_ms it says whether the host or the device took the time),
second_ms, steady_ms (median of the calls after those), first_over_steady. With --op-split the first call runs
under PyTorch's profiler (CPU events only, started before the call) and first_engine_op_ms is the host time of its
tensorrt::execute_engine ops, which separates the engine's own first run from TorchScript's first run of the module
around it; the profiler's own first-use costs then add to first_ms, so perf_zoo.py takes first_ms from a run
without it and the split from a second process. With --busy-gpu-ms N the GPU multiplies matrices for N ms right
before the first call: the GPU's clocks drop while a fresh process loads (seconds of host work), and a first call
on a busy GPU tells that apart from the engine's own first-call work.
"""
import argparse
import json
import statistics
import time

import torch
import torch_tensorrt  # noqa: F401  (registers the engine class the module holds)


def timed_ms(module: torch.jit.ScriptModule, x: torch.Tensor, device: str, gpu_ms: list = None) -> float:
    """Wall time of one synchronized call; with gpu_ms, also the GPU time between events around it (appended)."""
    events = None
    if device == "cuda":
        torch.cuda.synchronize()
        if gpu_ms is not None:
            events = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    start = time.perf_counter()
    if events:
        events[0].record()
    module(x)
    if events:
        events[1].record()
    if device == "cuda":
        torch.cuda.synchronize()
    wall = (time.perf_counter() - start) * 1000
    if events:
        gpu_ms.append(events[0].elapsed_time(events[1]))
    return wall


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("module")
    ap.add_argument("input")
    ap.add_argument("--device", default="cuda", choices=["cuda", "cpu"])
    ap.add_argument("--iters", type=int, default=20)
    ap.add_argument("--op-split", action="store_true", help="profile the first call (first_engine_op_ms)")
    ap.add_argument("--busy-gpu-ms", type=float, default=0.0,
                    help="keep the GPU busy this long right before the first call (its clocks up)")
    args = ap.parse_args()
    start = time.perf_counter()
    module = torch.jit.load(args.module, map_location=args.device)
    load_s = time.perf_counter() - start
    x = torch.load(args.input).to(args.device)
    first_gpu = []
    if args.busy_gpu_ms > 0 and args.device == "cuda":
        a = torch.randn(4096, 4096, device="cuda", dtype=torch.half)
        until = time.perf_counter() + args.busy_gpu_ms / 1000
        while time.perf_counter() < until:
            a = (a @ a).clamp_(-1, 1)
            torch.cuda.synchronize()
        del a
    with torch.no_grad():
        engine_op_ms = None
        if args.op_split:
            with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as prof:
                first = timed_ms(module, x, args.device, first_gpu)
            engine_op_ms = sum(e.cpu_time_total for e in prof.key_averages()
                               if e.key == "tensorrt::execute_engine") / 1000
        else:
            first = timed_ms(module, x, args.device, first_gpu)
        second = timed_ms(module, x, args.device)
        steady = statistics.median(timed_ms(module, x, args.device) for _ in range(max(3, args.iters)))
    print(json.dumps(dict(load_s=load_s, first_ms=first, first_gpu_ms=first_gpu[0] if first_gpu else None,
                          first_engine_op_ms=engine_op_ms, second_ms=second, steady_ms=steady,
                          first_over_steady=first / steady)))


if __name__ == "__main__":
    main()
