"""Latency benchmark: the compiled engine against PyTorch eager, TorchScript and torch.compile,
measured in the same run on the same device. Writes a Markdown table with the device's name.

Usage: python bench/bench_models.py [--models resnet18,resnet50] [--batches 1,32] [--out FILE]
"""
import argparse
import datetime
import statistics
import time

import torch
import torch_tensorrt
import torchvision


def median_ms(fn, x, warmup=10, iters=50):
    sync = torch.cuda.synchronize if x.is_cuda else (lambda: None)
    with torch.no_grad():
        for _ in range(warmup):
            fn(x)
        sync()
        times = []
        for _ in range(iters):
            start = time.perf_counter()
            fn(x)
            sync()
            times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", default="resnet18,resnet50")
    ap.add_argument("--batches", default="1,32")
    ap.add_argument("--compile-mode", default="default", help="torch.compile mode for the baseline")
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    device = "cuda" if torch.cuda.is_available() and torch_tensorrt._C.has_cuda_backend() else "cpu"
    name = torch.cuda.get_device_name() if device == "cuda" else "CPU"
    rows = []
    for model_name in args.models.split(","):
        torch.manual_seed(0)
        model = getattr(torchvision.models, model_name)().eval().to(device)
        for batch in [int(b) for b in args.batches.split(",")]:
            x = torch.randn(batch, 3, 224, 224, device=device)
            with torch.no_grad():
                scripted = torch.jit.trace(model, x)
                start = time.perf_counter()
                engine = torch_tensorrt.compile(scripted, inputs=[x])
                build_s = time.perf_counter() - start
                compiled = torch.compile(model, mode=None if args.compile_mode == "default" else args.compile_mode)
                start = time.perf_counter()
                compiled(x)
                compile_s = time.perf_counter() - start
                ref = model(x)
                diff = (engine(x) - ref).abs().max().item()
            row = dict(model=model_name, batch=batch, eager=median_ms(model, x), ts=median_ms(scripted, x),
                       compile=median_ms(compiled, x), engine=median_ms(engine, x), build_s=build_s, compile_s=compile_s, diff=diff)
            rows.append(row)
            print(row, flush=True)
    lines = [
        f"# Benchmark: {name}, {datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC",
        "",
        f"torch {torch.__version__}, torch_tensorrt {torch_tensorrt.__version__}; float32 (engine: TF32 matrix math, as TensorRT's default);",
        f"median of 50 runs after 10 warm-ups; torch.compile mode: {args.compile_mode}.",
        "",
        "| model | batch | eager ms | TorchScript ms | torch.compile ms | engine ms | engine build s | torch.compile first call s | max abs diff vs eager |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        lines.append(f"| {r['model']} | {r['batch']} | {r['eager']:.2f} | {r['ts']:.2f} | {r['compile']:.2f} | {r['engine']:.2f} | "
                     f"{r['build_s']:.2f} | {r['compile_s']:.1f} | {r['diff']:.1e} |")
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
