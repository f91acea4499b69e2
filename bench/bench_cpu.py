"""CPU latency: the engine (fast CPU kernels on oneDNN, and optionally the reference kernels) against
PyTorch eager and TorchScript, in one run on the same cores, FP32 or BF16. Writes a Markdown table with
the CPU model and core count. The defaults are issue 25's benchmark: ResNet-18, ResNet-50, MobileNetV3,
EfficientNet-B0, ViT-B/16 and BERT-base (sequence 128) at batch 1 and 8.

Usage: python bench/bench_cpu.py [--models ...] [--batches 1,8] [--dtype fp32|bf16] [--reference]
                                 [--iters 20] [--budget-s 600] [--out FILE]
--dtype bf16: PyTorch runs the model converted to bfloat16 on bfloat16 inputs (eager and its trace); the
engine is compiled from the float32 trace with enabled_precisions {float32, bfloat16} and takes the
float32 inputs (it casts inside). The cosine of each against the float32 model is in the table.
--reference adds a column for the reference kernels (TORCHTRT_CPU_KERNELS=reference; slow).
Cases that would start past --budget-s are skipped and listed, so that a slow machine still gets a table.
"""
import argparse
import copy
import os
import platform
import statistics
import time

import torch
import torch_tensorrt

from bench_models import first, make_model


def medians_ms(calls, warmup, iters):
    """Median latency of each (function, input), their calls interleaved so that a busy machine slows all
    alike."""
    with torch.no_grad():
        for fn, x in calls:
            for _ in range(warmup):
                fn(x)
        times = [[] for _ in calls]
        for _ in range(iters):
            for (fn, x), t in zip(calls, times):
                start = time.perf_counter()
                fn(x)
                t.append((time.perf_counter() - start) * 1000)
    return [statistics.median(t) for t in times]


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def compile_engine(model, x, kernels, precisions):
    """Compiles (and runs) with TORCHTRT_CPU_KERNELS=kernels; the variable is read when a context is made."""
    saved = os.environ.get("TORCHTRT_CPU_KERNELS")
    os.environ["TORCHTRT_CPU_KERNELS"] = kernels
    try:
        traced = torch.jit.trace(model, x, check_trace=False)
        start = time.perf_counter()
        engine = torch_tensorrt.compile(traced, inputs=[x], enabled_precisions=precisions)
        return engine, time.perf_counter() - start
    finally:
        if saved is None:
            os.environ.pop("TORCHTRT_CPU_KERNELS", None)
        else:
            os.environ["TORCHTRT_CPU_KERNELS"] = saved


def cosine(a, b):
    return torch.nn.functional.cosine_similarity(a.flatten().double(), b.flatten().double(), 0).item()


def bench(name, batch, args):
    model, make_input = make_model(name)
    x = make_input(batch, "cpu")
    row = dict(model=name, batch=batch)
    bf16 = args.dtype == "bf16"
    precisions = {torch.float32, torch.bfloat16} if bf16 else {torch.float32}
    with torch.no_grad():
        ref = first(model(x)).float()
        engine, row["build_s"] = compile_engine(model, x, "fast", precisions)
        out = first(engine(x)).float()
        row["diff"] = (out - ref).abs().max().item()
        row["cos"] = cosine(out, ref)
        # The peer: the model in the benchmark's dtype on inputs of that dtype (token ids stay integers).
        peer = copy.deepcopy(model).to(torch.bfloat16) if bf16 else model
        px = x.to(torch.bfloat16) if bf16 and x.is_floating_point() else x
        row["peer_cos"] = cosine(first(peer(px)).float(), ref)
        scripted = torch.jit.trace(peer, px, check_trace=False)
        row["eager"], row["ts"], row["engine"] = medians_ms([(peer, px), (scripted, px), (engine, x)], args.warmup,
                                                            args.iters)
        del engine, scripted
        row["reference"] = float("nan")
        if args.reference:
            engine, _ = compile_engine(model, x, "reference", precisions)
            row["reference"] = medians_ms([(engine, x)], 1, max(3, args.iters // 5))[0]
            del engine
    row["speedup"] = row["ts"] / row["engine"]
    return row


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", default="resnet18,resnet50,mobilenet_v3_large,efficientnet_b0,vit_b_16,bert")
    ap.add_argument("--batches", default="1,8")
    ap.add_argument("--dtype", choices=["fp32", "bf16"], default="fp32")
    ap.add_argument("--reference", action="store_true")
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--iters", type=int, default=20)
    ap.add_argument("--budget-s", type=float, default=0, help="start no case after this many seconds (0: no limit)")
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    start = time.perf_counter()
    rows, skipped = [], []
    for name in args.models.split(","):
        for batch in (int(b) for b in args.batches.split(",")):
            if args.budget_s and time.perf_counter() - start > args.budget_s:
                skipped.append(f"{name} batch {batch}")
                continue
            row = bench(name, batch, args)
            rows.append(row)
            print(row, flush=True)
    lines = [
        f"CPU: {cpu_model()}, {os.cpu_count()} cores, torch {torch.__version__} ({torch.get_num_threads()} threads), "
        f"{args.dtype.upper()}, median of {args.iters} interleaved runs",
        "",
        "| model | batch | eager ms | TorchScript ms | engine ms | engine vs TorchScript | reference kernels ms "
        "| build s | max abs diff | cos engine / PyTorch |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(f"| {r['model']} | {r['batch']} | {r['eager']:.2f} | {r['ts']:.2f} | {r['engine']:.2f} | "
                     f"{r['speedup']:.2f}x | {r['reference']:.1f} | {r['build_s']:.1f} | {r['diff']:.1e} | "
                     f"{r['cos']:.5f} / {r['peer_cos']:.5f} |")
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
