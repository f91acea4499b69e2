"""Where a call's latency goes beyond the GPU's work: for perf-zoo models (bench/perf_zoo.py), the
engine's median latency (as perf_zoo measures it) beside the GPU time of its kernels per call and the
kernels' count (PyTorch's profiler: CUPTI sees the engine's kernels too), then each model's biggest
kernels. latency >> GPU time: the call waits on the host (launches, synchronization, idle gaps
between kernels); latency ~ GPU time: the kernels themselves are the work to speed up.

Usage (GPU): python bench/latency_gap.py --models resnet50,resnext50_32x4d --batches 1 --kernels 8
"""
import argparse
import collections
import sys

import torch
import torch_tensorrt
from torch.profiler import ProfilerActivity, profile

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from perf_zoo import MODELS, make_input, median_ms  # noqa: E402

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
    args = ap.parse_args()
    rows, details = [], []
    for name in args.models.split(","):
        case = MODELS[name]
        model = case.build().eval().cuda()
        for batch in [int(b) for b in args.batches.split(",")]:
            x = make_input(case, batch, "cuda", None)
            with torch.no_grad():
                traced = torch.jit.trace(model, x, check_trace=False)
            engine = torch_tensorrt.compile(traced, inputs=[x], enabled_precisions={torch.float32, torch.half})
            latency = median_ms(engine, x, "cuda", 10, 200, 3.0)
            totals = kernel_times(engine, x)
            gpu_ms = sum(t for t, _ in totals.values()) / CALLS / 1000
            kernels = sum(c for _, c in totals.values()) / CALLS
            rows.append(f"| {name} | {batch} | {latency:.3f} | {gpu_ms:.3f} | {latency - gpu_ms:.3f} | {kernels:.0f} |")
            print(rows[-1], flush=True)
            details.append(f"{name} batch {batch}:")
            for kname, (t, c) in sorted(totals.items(), key=lambda kv: -kv[1][0])[: args.kernels]:
                details.append(f"  {t / CALLS:8.1f} us/call {c / CALLS:5.1f}x  {kname[:110]}")
            del engine, traced
            torch.cuda.empty_cache()
        del model
    print("\n| model | batch | latency ms | GPU kernels ms | gap ms | kernels per call |")
    print("| --- | --- | --- | --- | --- | --- |")
    print("\n".join(rows))
    print("\n".join(details))


if __name__ == "__main__":
    main()
