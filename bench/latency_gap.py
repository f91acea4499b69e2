"""Where a call's latency goes beyond the GPU's work: for perf-zoo models (bench/perf_zoo.py), the
engine's median latency (as perf_zoo measures it) beside the GPU time of its kernels per call and the
kernels' count (PyTorch's profiler: CUPTI sees the engine's kernels too), then each model's biggest
kernels. latency >> GPU time: the call waits on the host (launches, synchronization, idle gaps
between kernels); latency ~ GPU time: the kernels themselves are the work to speed up.

With --peer, torch.compile(model.half(), mode="reduce-overhead") gets the same rows and kernel list
beside the engine's, so the two profiles compare kernel by kernel in one call.

Usage (GPU): python bench/latency_gap.py --models resnet50,resnext50_32x4d --batches 1 --kernels 8 [--peer]
"""
import argparse
import collections
import copy
import sys

import torch
import torch_tensorrt
from torch.profiler import ProfilerActivity, profile

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from perf_zoo import MODELS, make_input, median_ms, release  # noqa: E402

CALLS = 20


def kernel_times(engine, x):
    """{kernel name: (total us, count)} over CALLS calls, device-side kernel events only."""
    with torch.no_grad(), profile(activities=[ProfilerActivity.CUDA]) as prof:
        for _ in range(CALLS):
            engine(x)
        torch.cuda.synchronize()
    totals = collections.defaultdict(lambda: [0.0, 0])
    for event in prof.events():
        if event.device_type == torch.autograd.DeviceType.CUDA:
            entry = totals[event.name]
            entry[0] += event.device_time_total if hasattr(event, "device_time_total") else event.cuda_time_total
            entry[1] += 1
    return totals


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", required=True)
    ap.add_argument("--batches", default="1")
    ap.add_argument("--kernels", type=int, default=8, help="biggest kernels listed per case")
    ap.add_argument("--peer", action="store_true", help="also torch.compile(model.half(), mode='reduce-overhead')")
    args = ap.parse_args()
    rows, details = [], []

    def report(label, fn, x, batch):
        latency = median_ms(fn, x, "cuda", 10, 200, 3.0)
        totals = kernel_times(fn, x)
        gpu_ms = sum(t for t, _ in totals.values()) / CALLS / 1000
        kernels = sum(c for _, c in totals.values()) / CALLS
        rows.append(f"| {label} | {batch} | {latency:.3f} | {gpu_ms:.3f} | {latency - gpu_ms:.3f} | {kernels:.0f} |")
        print(rows[-1], flush=True)
        details.append(f"{label} batch {batch}:")
        for kname, (t, c) in sorted(totals.items(), key=lambda kv: -kv[1][0])[: args.kernels]:
            details.append(f"  {t / CALLS:8.1f} us/call {c / CALLS:5.1f}x  {kname[:110]}")

    for name in args.models.split(","):
        case = MODELS[name]
        model = case.build().eval().cuda()
        for batch in [int(b) for b in args.batches.split(",")]:
            x = make_input(case, batch, "cuda", None)
            with torch.no_grad():
                traced = torch.jit.trace(model, x, check_trace=False)
            engine = torch_tensorrt.compile(traced, inputs=[x], enabled_precisions={torch.float32, torch.half})
            report(name, engine, x, batch)
            del engine, traced
            torch.cuda.empty_cache()
            if args.peer:  # as perf_zoo's peer: the model in FP16, token ids left int64
                peer = torch.compile(copy.deepcopy(model).half(), mode="reduce-overhead", dynamic=False)
                px = x.half() if x.is_floating_point() else x
                with torch.no_grad():
                    for _ in range(3):  # compile, record the CUDA graph, replay
                        peer(px)
                    report(f"{name} (torch.compile RO)", peer, px, batch)
                del peer
                release("cuda")  # dynamo's caches and the CUDA-graph pool, as perf_zoo's peer
        del model
    print("\n| model | batch | latency ms | GPU kernels ms | gap ms | kernels per call |")
    print("| --- | --- | --- | --- | --- | --- |")
    print("\n".join(rows))
    print("\n".join(details))


if __name__ == "__main__":
    main()
