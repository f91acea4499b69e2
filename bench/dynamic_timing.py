"""Where the time of a dynamic-shape engine goes: compile time, then for each input shape the first
call (which picks per-shape tactics and plans memory) and a repeated call, against TorchScript.

Usage: python bench/dynamic_timing.py [--model resnet18] [--device cuda]
"""
import argparse
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import zoo  # noqa: E402


def timed(fn):
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    start = time.perf_counter()
    out = fn()
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    return out, time.perf_counter() - start


def main() -> None:
    import torch_tensorrt

    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="resnet18")
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    args = ap.parse_args()
    build, _ = zoo.ZOO[args.model]
    low, opt, high, runs = zoo.dynamic_range(args.model)
    torch.manual_seed(0)
    model = build().eval()
    make = zoo._token_ids if args.model in zoo.TOKEN_INPUTS else torch.randn
    module = torch.jit.trace(model, make(opt), check_trace=False).to(args.device)
    dtype = torch.int64 if args.model in zoo.TOKEN_INPUTS else torch.float32
    spec = torch_tensorrt.Input(min_shape=low, opt_shape=opt, max_shape=high, dtype=dtype)
    compiled, seconds = timed(lambda: torch_tensorrt.compile(module, inputs=[spec], require_full_compilation=True))
    print(f"{args.model} on {args.device}: compile {seconds:.2f} s", flush=True)
    with torch.no_grad():
        for shape in runs + [runs[0]]:
            x = make(shape).to(args.device)
            _, first = timed(lambda: compiled(x))
            _, again = timed(lambda: compiled(x))
            _, script = timed(lambda: module(x))
            print(f"  {shape}: first call {first * 1e3:.1f} ms, again {again * 1e3:.2f} ms, TorchScript {script * 1e3:.2f} ms",
                  flush=True)


if __name__ == "__main__":
    main()
