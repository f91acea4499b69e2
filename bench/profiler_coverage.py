"""How much of a call the per-layer profiler accounts for (issue 27: the layers' times add up to
within 10% of the measured latency). For each model: the median latency of unprofiled calls, then
the same number of calls inside torch_tensorrt.runtime.profile, and the ratio of the profiled layers'
time per call to that latency. Prints one markdown row per case.

Usage: python bench/profiler_coverage.py --device cuda --models resnet50,bert --batch 8
"""
import argparse
import statistics
import time

import torch
import torch_tensorrt

from bench_models import make_model


def synchronize(device: str) -> None:
    if device == "cuda":
        torch.cuda.synchronize()


def median_latency_ms(fn, x, device: str, iters: int) -> float:
    times = []
    for _ in range(iters):
        synchronize(device)
        start = time.perf_counter()
        fn(x)
        synchronize(device)
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


def measure(name: str, device: str, batch: int, precision: str, iters: int) -> dict:
    model, make_input = make_model(name)
    model = model.to(device)
    x = make_input(batch, device)
    traced = torch.jit.trace(model, x, check_trace=False)
    precisions = {torch.float32, torch.half} if precision == "fp16" else {torch.float32}
    with torch_tensorrt.logging.no_progress():
        engine = torch_tensorrt.compile(traced, inputs=[x], enabled_precisions=precisions, device=device)
    with torch.no_grad():
        for _ in range(5):
            engine(x)
        latency = median_latency_ms(engine, x, device, iters)
        with torch_tensorrt.runtime.profile(engine) as prof:
            profiled = median_latency_ms(engine, x, device, iters)
    layers_ms = prof.total_ms / iters
    return {"model": name, "device": device, "batch": batch, "precision": precision, "latency_ms": latency,
            "profiled_call_ms": profiled, "layers_ms": layers_ms, "layers": len(prof.layers),
            "ratio": layers_ms / latency}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--models", default="resnet50,bert")
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--precision", default=None, help="fp32 | fp16 (default: fp16 on cuda, fp32 on cpu)")
    ap.add_argument("--iters", type=int, default=30)
    args = ap.parse_args()
    precision = args.precision or ("fp16" if args.device == "cuda" else "fp32")
    device_name = torch.cuda.get_device_name() if args.device == "cuda" else f"CPU, {torch.get_num_threads()} threads"
    print(f"device: {device_name}")
    print("| model | device | batch | precision | latency (ms) | profiled call (ms) | layers' sum per call (ms) "
          "| layers | sum / latency |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for name in args.models.split(","):
        r = measure(name, args.device, args.batch, precision, args.iters)
        print(f"| {r['model']} | {r['device']} | {r['batch']} | {r['precision']} | {r['latency_ms']:.3f} | "
              f"{r['profiled_call_ms']:.3f} | {r['layers_ms']:.3f} | {r['layers']} | {r['ratio']:.3f} |", flush=True)


if __name__ == "__main__":
    main()
