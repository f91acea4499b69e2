"""Where a CPU engine spends its time: compiles one benchmark model for the CPU backend, times every
layer over a few calls (torch_tensorrt.runtime.profile, the host clock) and prints the time by layer
kind and implementation (from the engine inspector), then the slowest layers.

Usage: python bench/profile_cpu.py --model vit_b_16 --batch 8 --dtype bf16 [--calls 3] [--rows 15]
"""
import argparse
import collections

import torch
import torch_tensorrt

from bench_models import make_model


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="resnet50")
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--dtype", choices=["fp32", "bf16"], default="fp32")
    ap.add_argument("--calls", type=int, default=3)
    ap.add_argument("--rows", type=int, default=15)
    args = ap.parse_args()
    model, make_input = make_model(args.model)
    x = make_input(args.batch, "cpu")
    precisions = {torch.float32, torch.bfloat16} if args.dtype == "bf16" else {torch.float32}
    with torch.no_grad():
        traced = torch.jit.trace(model, x, check_trace=False)
        engine = torch_tensorrt.compile(traced, inputs=[x], enabled_precisions=precisions)
        engine(x)  # first call outside the profile
        with torch_tensorrt.runtime.profile(engine) as prof:
            for _ in range(args.calls):
                engine(x)
    # Each layer's kind and what runs it, by name, from the inspector.
    described = {}
    for info in torch_tensorrt.ts.get_layer_info(engine):
        for layer in info["layers"]:
            described[layer["name"]] = (layer.get("kind", "?"), layer.get("implementation", ""),
                                        layer.get("precision", ""))
    by_kind = collections.defaultdict(float)
    for layer in prof.layers:
        kind, impl, precision = described.get(layer.name, ("?", "", ""))
        by_kind[(kind, impl, precision)] += layer.total_ms / args.calls
    total = prof.total_ms / args.calls
    print(f"{args.model} batch {args.batch} {args.dtype}: {total:.2f} ms of layers a call")
    print(f"{'ms/call':>9} {'%':>5}  kind / implementation / precision")
    for (kind, impl, precision), ms in sorted(by_kind.items(), key=lambda kv: -kv[1]):
        print(f"{ms:9.2f} {100 * ms / total:5.1f}  {kind} / {impl or '-'} / {precision or '-'}")
    print("slowest layers:")
    for layer in sorted(prof.layers, key=lambda l: -l.total_ms)[:args.rows]:
        kind, impl, _ = described.get(layer.name, ("?", "", ""))
        print(f"{layer.total_ms / args.calls:9.2f}  {kind:<14} {impl[:40]:<40} {layer.name.splitlines()[0][:70]}")


if __name__ == "__main__":
    main()
