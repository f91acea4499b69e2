"""Micro-benchmark of the memory-bound layers (reductions, softmax, layer norm, short-K products with a GELU) against
PyTorch:
each case is a one-layer module compiled by torch_tensorrt (FP16 or BF16 in and out, so no casts
around the layer), run next to PyTorch eager and torch.compile on the same inputs.

Reported per case, per implementation: GPU time per call (the sum of the kernels' device time,
from the PyTorch profiler, averaged over the profiled calls), the wall time per call (median, CUDA
graphs for the engine and torch.compile's "reduce-overhead"), and the effective bandwidth (bytes
read + written by the layer / GPU time) against the device's peak, so a kernel far from memory speed
stands out. Results are checked against eager (max abs difference) before timing.

Usage: python bench/bench_kernels.py [--cases se_pool_nchw,softmax_bert] [--dtype fp16|bf16]
                                     [--iters 50] [--no-compile] [--out FILE]
"""
import argparse
import datetime
import statistics
import time

import torch
import torch_tensorrt


class Mean(torch.nn.Module):
    def __init__(self, dims, keepdim=True):
        super().__init__()
        self.dims, self.keepdim = dims, keepdim

    def forward(self, x):
        return x.mean(self.dims, keepdim=self.keepdim)


class Sum(torch.nn.Module):
    def __init__(self, dims):
        super().__init__()
        self.dims = dims

    def forward(self, x):
        return x.sum(self.dims)


class Amax(torch.nn.Module):
    def __init__(self, dims):
        super().__init__()
        self.dims = dims

    def forward(self, x):
        return x.amax(self.dims)


class MaskedSoftmax(torch.nn.Module):
    def forward(self, scores, mask):
        return torch.softmax(scores + mask, dim=-1)


class Softmax(torch.nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.dim = dim

    def forward(self, x):
        return torch.softmax(x, dim=self.dim)


class AddLayerNorm(torch.nn.Module):
    """BERT's residual add + layer norm (the engine fuses the add into the norm)."""

    def __init__(self, hidden):
        super().__init__()
        self.norm = torch.nn.LayerNorm(hidden)

    def forward(self, x, residual):
        return self.norm(x + residual)


class LinearGelu(torch.nn.Module):
    """A transformer's or ConvNeXt's MLP up-projection: Linear + exact GELU (the engine's product with the GELU in
    its epilogue; K = 96 at ConvNeXt's first stage makes it a pass over memory more than a product)."""

    def __init__(self, k, n):
        super().__init__()
        self.linear = torch.nn.Linear(k, n)

    def forward(self, x):
        return torch.nn.functional.gelu(self.linear(x))


class LayerNorm(torch.nn.Module):
    def __init__(self, hidden):
        super().__init__()
        self.norm = torch.nn.LayerNorm(hidden)

    def forward(self, x):
        return self.norm(x)


def cases(dtype, device):
    """name -> (module, inputs, bytes moved by the layer)."""

    def rand(*shape):
        return torch.randn(*shape, device=device, dtype=dtype)

    def nbytes(*tensors):
        return sum(t.numel() * t.element_size() for t in tensors)

    out = {}

    def add(name, module, inputs, out_numel):
        module = module.to(device=device, dtype=dtype).eval()
        elem = torch.tensor([], dtype=dtype).element_size()
        out[name] = (module, inputs, nbytes(*inputs) + out_numel * elem)

    # EfficientNet-B3 squeeze-and-excitation pools: the first stage's (the slow case) and a late one.
    add("se_pool_nchw", Mean((2, 3)), [rand(8, 40, 150, 150)], 8 * 40)
    add("se_pool_nhwc", Mean((1, 2)), [rand(8, 150, 150, 40)], 8 * 40)
    add("se_pool_late_nchw", Mean((2, 3)), [rand(8, 816, 19, 19)], 8 * 816)
    add("se_pool_late_nhwc", Mean((1, 2)), [rand(8, 19, 19, 816)], 8 * 816)
    add("global_pool_resnet", Mean((2, 3), keepdim=False), [rand(64, 2048, 7, 7)], 64 * 2048)
    add("row_sum", Sum(-1), [rand(4096, 4096)], 4096)
    add("full_sum", Sum((0, 1)), [rand(4096, 4096)], 1)
    add("amax_dim1", Amax(1), [rand(64, 3136, 96)], 64 * 96)
    # BERT-base batch 64, seq 128: attention probabilities with the padding mask, and add + layer norm.
    add("softmax_bert", MaskedSoftmax(), [rand(64, 12, 128, 128), rand(64, 1, 1, 128)], 64 * 12 * 128 * 128)
    add("softmax_long_rows", Softmax(-1), [rand(256, 8192)], 256 * 8192)
    add("softmax_dim1", Softmax(1), [rand(64, 1000, 49)], 64 * 1000 * 49)
    add("add_layernorm_bert", AddLayerNorm(768), [rand(64, 128, 768), rand(64, 128, 768)], 64 * 128 * 768)
    add("layernorm_4096", LayerNorm(4096), [rand(8192, 4096)], 8192 * 4096)
    # MLP up-projections with exact GELU at batch 64: ConvNeXt-T's first and third stages (channels-last rows),
    # BERT-base's FFN (bytes: input, output and weights).
    add("linear_gelu_convnext_s1", LinearGelu(96, 384), [rand(64, 56, 56, 96)], 64 * 56 * 56 * 384 + 96 * 384)
    add("linear_gelu_convnext_s3", LinearGelu(384, 1536), [rand(64, 14, 14, 384)], 64 * 14 * 14 * 1536 + 384 * 1536)
    add("linear_gelu_bert", LinearGelu(768, 3072), [rand(64, 128, 768)], 64 * 128 * 3072 + 768 * 3072)
    return out


def wall_ms(fn, inputs, iters):
    with torch.no_grad():
        for _ in range(5):
            fn(*inputs)
        torch.cuda.synchronize()
        times = []
        for _ in range(iters):
            start = time.perf_counter()
            fn(*inputs)
            torch.cuda.synchronize()
            times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def gpu_ms(fn, inputs, iters):
    """Device time of the kernels one call launches, averaged over `iters` profiled calls (memcpy
    and memset activity included: copies an implementation makes count against it)."""
    from torch.profiler import ProfilerActivity, profile

    with torch.no_grad():
        for _ in range(3):
            fn(*inputs)
        torch.cuda.synchronize()
        with profile(activities=[ProfilerActivity.CUDA]) as prof:
            for _ in range(iters):
                fn(*inputs)
            torch.cuda.synchronize()
    total_us, kernels = 0.0, {}
    for event in prof.events():
        if event.device_type == torch.autograd.DeviceType.CUDA:
            total_us += event.device_time
            kernels[event.name] = kernels.get(event.name, 0.0) + event.device_time
    top = sorted(kernels.items(), key=lambda kv: -kv[1])[:2]
    return total_us / iters / 1000, "; ".join(f"{name[:60]} {t / iters:.1f}us" for name, t in top)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", default="", help="comma-separated case names (default: all)")
    parser.add_argument("--dtype", default="fp16", choices=["fp16", "bf16"])
    parser.add_argument("--iters", type=int, default=50)
    parser.add_argument("--peak-gbs", type=float, default=4800.0, help="the device's DRAM bandwidth (H200: 4800)")
    parser.add_argument("--no-compile", action="store_true", help="skip torch.compile")
    parser.add_argument("--out", default="", help="also write the Markdown table here")
    args = parser.parse_args()
    if not torch.cuda.is_available() or not torch_tensorrt._C.has_cuda_backend():
        raise SystemExit("bench_kernels needs a GPU and a torch_tensorrt build with the CUDA backend")
    dtype = torch.half if args.dtype == "fp16" else torch.bfloat16
    all_cases = cases(dtype, "cuda")
    names = [n for n in args.cases.split(",") if n] or list(all_cases)
    lines = [
        f"# Memory-bound kernels, {torch.cuda.get_device_name()} ({args.dtype}), "
        f"{datetime.date.today().isoformat()}",
        "",
        f"torch {torch.__version__}, torch_tensorrt {torch_tensorrt.__version__}. GPU time: kernels' device time per "
        "call (profiler); wall: median per call (engine in CUDA graph mode, torch.compile reduce-overhead); "
        f"BW: (bytes in + out) / GPU time, % of {args.peak_gbs:.0f} GB/s.",
        "",
        "| case | impl | GPU time (us) | wall (us) | BW (GB/s) | % peak | max abs diff | top kernels |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    print("\n".join(lines), flush=True)
    for name in names:
        module, inputs, moved = all_cases[name]
        with torch.no_grad():
            ref = module(*inputs).float()
        impls = [("eager", module, None)]
        traced = torch.jit.trace(module, tuple(inputs), check_trace=False)
        engine = torch_tensorrt.compile(traced, inputs=list(inputs), enabled_precisions={torch.float32, dtype})
        impls.append(("engine", engine, "graphs"))
        if not args.no_compile:
            impls.append(("torch.compile", torch.compile(module, mode="reduce-overhead"), None))
        for impl, fn, mode in impls:
            with torch.no_grad():
                out = fn(*inputs)
                out = (out[0] if isinstance(out, (tuple, list)) else out).float()
            diff = (out - ref).abs().max().item()
            kernel_ms, top = gpu_ms(fn, inputs, args.iters)
            if mode == "graphs":
                with torch_tensorrt.runtime.enable_cudagraphs():
                    wall = wall_ms(fn, inputs, args.iters)
            else:
                wall = wall_ms(fn, inputs, args.iters)
            gbs = moved / (kernel_ms * 1e-3) / 1e9 if kernel_ms > 0 else float("nan")
            row = (f"| {name} | {impl} | {kernel_ms * 1000:.1f} | {wall * 1000:.1f} | {gbs:.0f} | "
                   f"{100 * gbs / args.peak_gbs:.0f}% | {diff:.3g} | {top} |")
            lines.append(row)
            print(row, flush=True)
        del engine, traced
        torch._dynamo.reset()
    if args.out:
        with open(args.out, "w") as f:
            f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
