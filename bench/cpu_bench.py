"""The issue-25 CPU benchmark in one run: ResNet-18, ResNet-50, MobileNetV3 (large), EfficientNet-B0,
ViT-B/16 and BERT-base (sequence 128), batch 1 and 8, FP32; the engine (default CPU kernels: oneDNN)
against PyTorch eager and TorchScript on the same cores, calls interleaved (bench_cpu.py measures).
Prints a Markdown table with the CPU model and core count (lscpu) for docs/performance.md.

Usage: python bench/cpu_bench.py [--models ...] [--batches 1,8] [--iters 10] [--budget-s 600] [--out FILE]
Models past the time budget are skipped (and listed), so that a slow machine still gets a table.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import torch  # noqa: E402

from bench_cpu import bench  # noqa: E402

MODELS = "resnet18,resnet50,mobilenet_v3_large,efficientnet_b0,vit_b_16,bert"


def lscpu():
    """(model name, cores) as lscpu reports them."""
    try:
        fields = dict(line.split(":", 1) for line in subprocess.check_output(["lscpu"], text=True).splitlines()
                      if ":" in line)
        return fields.get("Model name", "?").strip(), fields.get("CPU(s)", "?").strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown CPU", str(os.cpu_count())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", default=MODELS)
    ap.add_argument("--batches", default="1,8")
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--iters", type=int, default=10)
    ap.add_argument("--budget-s", type=float, default=600)
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    args.reference = False
    start = time.perf_counter()
    rows, skipped = [], []
    for name in args.models.split(","):
        for batch in (int(b) for b in args.batches.split(",")):
            if time.perf_counter() - start > args.budget_s:
                skipped.append(f"{name} batch {batch}")
                continue
            row = bench(name, batch, args)
            rows.append(row)
            print(row, flush=True)
    cpu, cores = lscpu()
    lines = [
        f"CPU: {cpu}, {cores} CPUs (lscpu), torch {torch.__version__} ({torch.get_num_threads()} threads), FP32, "
        f"median of {args.iters} interleaved runs after {args.warmup} warm-ups, random weights",
        "",
        "| model | batch | eager ms | TorchScript ms | engine ms | engine vs TorchScript | build s | max abs diff |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(f"| {r['model']} | {r['batch']} | {r['eager']:.2f} | {r['ts']:.2f} | {r['engine']:.2f} | "
                     f"{r['speedup']:.2f}x | {r['build_s']:.1f} | {r['diff']:.1e} |")
    if rows:
        ratios = [r["speedup"] for r in rows]
        lines += ["", f"{len(rows)} cases: median engine speed-up over TorchScript {statistics.median(ratios):.2f}x, "
                      f"at least as fast in {sum(x >= 1 for x in ratios)}, slowest {min(ratios):.2f}x"]
    if skipped:
        lines += ["", "not measured (time budget): " + ", ".join(skipped)]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
