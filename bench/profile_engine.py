"""Where an engine spends its GPU time: compiles one benchmark model and prints the kernels of
10 runs from PyTorch's profiler (CUPTI sees the engine's own kernels too), biggest first.

Usage: python bench/profile_engine.py --model resnet50 --batch 64 --precision fp16  (fp32 | fp16 | bf16 | int8 | fp8)
                                      [--layers 20] [--peer]
--model takes bench/perf_zoo.py's model names (bert_base, swin_t, ...; its default input sizes) and
bench/bench_models.py's (bert, resnet50, ...). With --layers N, also the N slowest layers of the engine's own
per-layer profile (torch_tensorrt.runtime.profile, a CUDA event after each layer) with the inspector's kind, dims,
precision and implementation or tactic: which layer of a kernel family is slow. With --peer, torch.compile's
kernels for the same model and input after the engine's (the comparison kernel by kernel).
"""
import argparse
import collections
import re
import subprocess

import torch
import torch_tensorrt
from torch.profiler import ProfilerActivity, profile

import perf_zoo
from bench_models import make_model


def load_model(name):
    """The model and an input maker (batch, device): perf_zoo's case of that name, else bench_models'."""
    if name in perf_zoo.MODELS:
        case = perf_zoo.MODELS[name]
        return case.build().eval(), lambda batch, device: perf_zoo.make_input(case, batch, device, None)
    return make_model(name)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="resnet50")
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--precision", default="fp16")
    ap.add_argument("--rows", type=int, default=25)
    ap.add_argument("--layers", type=int, default=0, help="also print the N slowest engine layers")
    ap.add_argument("--peer", action="store_true",
                    help="also torch.compile's kernels (mode 'default': reduce-overhead's kernels without its graph)")
    args = ap.parse_args()
    model, make_input = load_model(args.model)
    model = model.cuda()
    x = make_input(args.batch, "cuda")
    traced = torch.jit.trace(model, x, check_trace=False)
    unsupported = torch_tensorrt.ts.unsupported_operators(traced)
    print(f"{args.model} b{args.batch} {args.precision}: {len(unsupported)} unsupported op kinds")
    for u in unsupported:
        print("  ", u.split("\n")[0])
    quantized = {"int8": torch.int8, "fp8": torch.float8_e4m3fn}
    precisions = {torch.float32, torch.half} if args.precision in ("fp16", *quantized) else {torch.float32}
    if args.precision == "bf16":
        precisions = {torch.float32, torch.bfloat16}
    calibrator = None
    if args.precision in quantized:  # as bench_models.py: percentile calibration on two batches
        precisions.add(quantized[args.precision])
        calibrator = torch_tensorrt.ptq.DataLoaderCalibrator(
            [make_input(args.batch, "cuda") for _ in range(2)],
            algo_type=torch_tensorrt.ptq.CalibrationAlgo.PERCENTILE_CALIBRATION)
    engine = torch_tensorrt.compile(traced, inputs=[x], enabled_precisions=precisions, calibrator=calibrator)
    print("engines:", len(engine.graph.findAllNodes("tensorrt::execute_engine", True)))
    with torch.no_grad():
        # The warm-up calls in an NVTX range of their own: Nsight Compute's --nvtx-include "engine-calls/" then
        # profiles the engine's kernels of these calls, not the builder's tactic timing (scripts/gpu-perf-probe.sh).
        torch.cuda.nvtx.range_push("engine-calls")
        for _ in range(5):
            engine(x)
        torch.cuda.synchronize()
        torch.cuda.nvtx.range_pop()
        with profile(activities=[ProfilerActivity.CUDA]) as prof:
            for _ in range(10):
                engine(x)
            torch.cuda.synchronize()
    print_kernels(prof, 10, args.rows)
    print_gaps(prof, 10)
    # CUTLASS kernels' names are thousands of characters of templates; the table above cuts them before the tile
    # shape and schedule that tell the configurations apart. Each in short, with its time.
    for event in prof.key_averages():
        if "cutlass" in event.key:
            print(f"{event.device_time_total / 1000:9.3f} ms  {event.count:5d} calls  {cutlass_summary(event.key)}")
    if args.layers > 0:
        print_slowest_layers(engine, x, args.layers)
    if args.peer:
        del engine
        print_peer_kernels(model, x, args)


def print_kernels(prof, calls: int, rows: int) -> None:
    """Each kernel, memset and copy of the profiled calls with its GPU time and launches a call, biggest first, one
    narrow line each (PyTorch's own table spends 200 columns on host statistics the engine's kernels leave empty, and
    a round's output cut to its width lost the times). CUTLASS kernels in short (cutlass_summary)."""
    totals = collections.defaultdict(lambda: [0.0, 0])
    for event in prof.events():
        if event.device_type == torch.autograd.DeviceType.CUDA:
            entry = totals[event.name]
            entry[0] += event.time_range.end - event.time_range.start
            entry[1] += 1
    print(f"{'us a call':>10} {'a call':>7}  kernel ({len(totals)} kinds)")
    for name, (us, count) in sorted(totals.items(), key=lambda kv: -kv[1][0])[:rows]:
        shown = cutlass_summary(name) if "cutlass" in name else name[:110]
        print(f"{us / calls:10.1f} {count / calls:7.1f}  {shown}")


def print_gaps(prof, calls: int, rows: int = 8) -> None:
    """The GPU's idle time between the kernels of the profiled calls (the calls are queued back to back, so the span
    from the first kernel's start to the last one's end is what the wall time sees) and the largest gaps, each with
    the kernels on either side: the time no kernel's profile shows."""
    kernels = sorted((e.time_range.start, e.time_range.end, e.name) for e in prof.events()
                     if e.device_type == torch.autograd.DeviceType.CUDA and e.time_range.end > e.time_range.start)
    if not kernels:
        return
    busy, end, gaps = 0.0, kernels[0][0], []
    previous = ""
    for start, stop, name in kernels:
        if start > end:
            gaps.append((start - end, previous, name))
        busy += max(0.0, stop - max(start, end))
        end = max(end, stop)
        previous = name
    span = end - kernels[0][0]
    idle = span - busy
    print(f"GPU span {span / calls / 1000:.3f} ms a call, kernels busy {busy / calls / 1000:.3f} ms, idle "
          f"{idle / calls / 1000:.3f} ms in {len(gaps) / calls:.0f} gaps a call ({len(kernels) / calls:.0f} kernels)")
    for gap, before, after in sorted(gaps, reverse=True)[:rows]:
        print(f"  {gap:7.1f} us between {before[:60]} and {after[:60]}")


def print_peer_kernels(model, x, args, calls: int = 10) -> None:
    """torch.compile's kernels for the same model and input, kernel by kernel beside the engine's table: the model
    in FP16 (BF16 for --precision bf16), compiled in mode 'default', which runs the kernels reduce-overhead runs
    without capturing them in a CUDA graph (whose replay the profiler would show as one launch)."""
    dtype = torch.bfloat16 if args.precision == "bf16" else torch.half
    peer = torch.compile(model.to(dtype), mode="default", dynamic=False)
    px = x.to(dtype) if x.is_floating_point() else x
    with torch.no_grad():
        for _ in range(3):
            peer(px)
        torch.cuda.synchronize()
        with profile(activities=[ProfilerActivity.CUDA]) as prof:
            for _ in range(calls):
                peer(px)
            torch.cuda.synchronize()
    total = sum(e.device_time_total for e in prof.key_averages()) / 1000
    print(f"torch.compile (mode default, {dtype}): {total / calls:.3f} ms of kernels a call")
    print(prof.key_averages().table(sort_by="cuda_time_total", row_limit=args.rows, max_name_column_width=90))


def print_slowest_layers(engine, x, rows: int, calls: int = 10) -> None:
    """The engine's slowest layers over `calls` calls, each with what the inspector says of it."""
    described = {}
    for info in torch_tensorrt.ts.get_layer_info(engine):
        for layer in info.get("layers", []):
            described[layer["name"]] = layer
    with torch.no_grad(), torch_tensorrt.runtime.profile(engine) as prof:
        for _ in range(calls):
            engine(x)
        torch.cuda.synchronize()
    total = prof.total_ms
    print(f"engine layers: {len(prof.layers)}, {total / calls:.3f} ms a call (a CUDA event after each layer)")
    print(f"{'ms/call':>8} {'%':>5}  kind, input -> output dims, precision, implementation")
    for layer in sorted(prof.layers, key=lambda l: -l.total_ms)[:rows]:
        d = described.get(layer.name, {})
        dims = lambda ts: "+".join("x".join(str(v) for v in t.get("dims", [])) for t in ts)  # noqa: E731
        impl = d.get("implementation") or "; ".join(str(t.get("kernel", t.get("choice"))) for t in d.get("tactics", []))
        print(f"{layer.total_ms / calls:8.4f} {100 * layer.total_ms / total if total else 0:5.1f}  "
              f"{d.get('kind', '?')} {dims(d.get('inputs', []))} -> {dims(d.get('outputs', []))} "
              f"{d.get('precision', '')} {impl}"[:220])


def cutlass_summary(mangled: str) -> str:
    """The kind, tile shape, WGMMA instruction, schedule and epilogue activation out of a CUTLASS kernel's name."""
    try:
        name = subprocess.run(["c++filt"], input=mangled, capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        name = mangled
    kind = "convolution" if "ConvUniversal" in name else "GEMM"
    # Tile and cluster shapes are both 3-tuples of constants; the tile is the one that is not all ones.
    shapes = re.findall(r"cute::tuple<cute::C<(\d+)>, cute::C<(\d+)>, (?:cute::tuple<)?cute::C<(\d+)>", name)
    tiles = [t for t in shapes if t != ("1", "1", "1")]
    clusters = [t for t in shapes if t == ("1", "1", "1")] or [t for t in shapes[1:2]]
    mma = re.search(r"MMA_(\d+x\d+x\d+)_(\w+?)_", name)
    schedule = re.search(r"(KernelImplicitTmaWarpSpecializedSm90|KernelTmaWarpSpecialized(?:Cooperative|Pingpong)?)",
                         name)
    activation = re.search(r"(GeluErfEpilogue|StoredGeluQuotient)", name) or re.search(
        r"thread::(GELU|ReLu|Identity|SiLu|Sigmoid)", name) or re.search(r"thread\d+(GELU|ReLu|Identity|SiLu|Sigmoid)", name)
    parts = [f"CUTLASS {kind}", f"tile {'x'.join(tiles[0])}" if tiles else "",
             f"cluster {'x'.join(clusters[0])}" if clusters else "",
             f"WGMMA {mma.group(1)} {mma.group(2)}" if mma else "", schedule.group(1) if schedule else "",
             f"epilogue {activation.group(1)}" if activation else ""]
    return " ".join(p for p in parts if p)


if __name__ == "__main__":
    main()
