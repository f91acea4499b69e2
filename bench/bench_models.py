"""Latency benchmark: the compiled engine against PyTorch eager, TorchScript and torch.compile,
measured in the same run on the same device, in FP32, FP16, BF16 and INT8. Writes a Markdown table
with the device's name.

FP16 baselines run the model converted with .half() on half inputs (what "TorchScript FP16" means);
the engine compiles the float32 module with enabled_precisions={torch.half} and takes the same
float32 inputs the user already has (its casts are inside the measured time). BF16 likewise with
.bfloat16() and enabled_precisions={torch.bfloat16}.

Usage: python bench/bench_models.py [--models resnet50,bert] [--batches 1,64]
                                    [--precisions fp32,fp16,bf16,int8] [--out FILE]
"""
import argparse
import copy
import datetime
import statistics
import time

import torch
import torch_tensorrt
import torchvision

BERT_SEQ = 128


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


def first(out):
    while isinstance(out, (tuple, list)):
        out = out[0]
    return out


def make_model(name):
    """(model, input maker) with random weights."""
    torch.manual_seed(0)
    if name in ("bert", "distilbert"):
        import transformers as T

        common = dict(torchscript=True, return_dict=False, attn_implementation="eager")
        if name == "bert":
            cfg = T.BertConfig(**common)
            model = T.BertModel(cfg).eval()
        else:
            cfg = T.DistilBertConfig(**common)
            model = T.DistilBertModel(cfg).eval()
        return model, lambda batch, device: torch.randint(0, cfg.vocab_size, (batch, BERT_SEQ), device=device)
    model = getattr(torchvision.models, name)().eval()
    return model, lambda batch, device: torch.randn(batch, 3, 224, 224, device=device)


def peak_mb(fn, x, device):
    """Peak memory PyTorch's allocator saw during one call, in MiB (the engine's own arena and
    weights are counted by device_used_mb)."""
    if device != "cuda":
        return float("nan")
    torch.cuda.synchronize()
    torch.cuda.reset_peak_memory_stats()
    with torch.no_grad():
        fn(x)
    torch.cuda.synchronize()
    return torch.cuda.max_memory_allocated() / 2**20


def device_used_mb(device):
    if device != "cuda":
        return float("nan")
    torch.cuda.synchronize()
    torch.cuda.empty_cache()
    free, total = torch.cuda.mem_get_info()
    return (total - free) / 2**20


def bench_case(model_name, model, make_input, batch, precision, device, compile_mode):
    if precision == "int8":
        return bench_int8(model_name, model, make_input, batch, device)
    # 16-bit rows: baselines run the model converted to that type on inputs of that type.
    reduced = {"fp16": torch.half, "bf16": torch.bfloat16}.get(precision)
    x = make_input(batch, device)
    model = model.to(device)
    base = copy.deepcopy(model).to(reduced) if reduced else model
    bx = x.to(reduced) if reduced and x.is_floating_point() else x
    row = dict(model=model_name, batch=batch, precision=precision)
    with torch.no_grad():
        scripted = torch.jit.trace(base, bx, check_trace=False)
        row["eager"] = median_ms(base, bx)
        row["ts"] = median_ms(scripted, bx)
        row["ts_peak_mb"] = peak_mb(scripted, bx, device)
        ref = first(base(bx)).float()
        del scripted
        # The engine: from the float32 module, FP16 (or BF16) allowed.
        fp32_traced = torch.jit.trace(model, x, check_trace=False)
        before = device_used_mb(device)
        start = time.perf_counter()
        engine = torch_tensorrt.compile(fp32_traced, inputs=[x],
                                        enabled_precisions={torch.float32, reduced} if reduced else {torch.float32})
        row["build_s"] = time.perf_counter() - start
        row["engine"] = median_ms(engine, x)
        row["engine_mb"] = device_used_mb(device) - before
        if device == "cuda":  # the same engine in CUDA graph mode (one graph launch per call)
            with torch_tensorrt.runtime.enable_cudagraphs():
                row["engine_graphs"] = median_ms(engine, x)
                graph_out = first(engine(x)).float()
            row["graph_diff"] = (graph_out - ref).abs().max().item()
        else:
            row["engine_graphs"] = row["graph_diff"] = float("nan")
        out = first(engine(x)).float()
        row["diff"] = (out - ref).abs().max().item()
        row["cosine"] = torch.nn.functional.cosine_similarity(out.flatten().double(), ref.flatten().double(), 0).item()
        del engine, fp32_traced
        compiled = torch.compile(base, mode=None if compile_mode == "default" else compile_mode)
        start = time.perf_counter()
        compiled(bx)
        row["compile_s"] = time.perf_counter() - start
        row["compile"] = median_ms(compiled, bx)
        del compiled
        torch._dynamo.reset()
    row["throughput"] = batch * 1000.0 / row["engine"]
    return row


def bench_int8(model_name, model, make_input, batch, device):
    """The engine with INT8 convolutions and products by weights (FP16 elsewhere), calibrated (99.99th percentile) on two
    batches of the benchmark's input distribution. Baselines have no INT8 form: compare with the fp16
    row of the same run."""
    x = make_input(batch, device)
    model = model.to(device)
    row = dict(model=model_name, batch=batch, precision="int8")
    nan = float("nan")
    row.update(eager=nan, ts=nan, compile=nan, compile_s=nan, ts_peak_mb=nan)
    with torch.no_grad():
        ref = first(model(x)).float()
        traced = torch.jit.trace(model, x, check_trace=False)
        calibrator = torch_tensorrt.ptq.DataLoaderCalibrator([make_input(batch, device) for _ in range(2)],
                                                            algo_type=torch_tensorrt.ptq.CalibrationAlgo.PERCENTILE_CALIBRATION)
        before = device_used_mb(device)
        start = time.perf_counter()
        engine = torch_tensorrt.compile(traced, inputs=[x], enabled_precisions={torch.float32, torch.half, torch.int8},
                                        calibrator=calibrator)
        row["build_s"] = time.perf_counter() - start
        row["engine"] = median_ms(engine, x)
        row["engine_mb"] = device_used_mb(device) - before
        if device == "cuda":
            with torch_tensorrt.runtime.enable_cudagraphs():
                row["engine_graphs"] = median_ms(engine, x)
        else:
            row["engine_graphs"] = nan
        out = first(engine(x)).float()
        row["diff"] = (out - ref).abs().max().item()
        row["cosine"] = torch.nn.functional.cosine_similarity(out.flatten().double(), ref.flatten().double(), 0).item()
    row["throughput"] = batch * 1000.0 / row["engine"]
    return row


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", default="resnet50,bert")
    ap.add_argument("--batches", default="1,64")
    ap.add_argument("--precisions", default="fp32,fp16,int8")
    ap.add_argument("--compile-mode", default="default", help="torch.compile mode for the baseline")
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    device = "cuda" if torch.cuda.is_available() and torch_tensorrt._C.has_cuda_backend() else "cpu"
    name = torch.cuda.get_device_name() if device == "cuda" else "CPU"
    rows = []
    for model_name in args.models.split(","):
        model, make_input = make_model(model_name)
        for precision in args.precisions.split(","):
            for batch in [int(b) for b in args.batches.split(",")]:
                try:
                    row = bench_case(model_name, model, make_input, batch, precision, device, args.compile_mode)
                except Exception as e:  # one failing case must not hide the others
                    row = dict(model=model_name, batch=batch, precision=precision, error=str(e).split("\n")[0][:200])
                rows.append(row)
                print(row, flush=True)
    lines = [
        f"# Benchmark: {name}, {datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC",
        "",
        f"torch {torch.__version__}, torch_tensorrt {torch_tensorrt.__version__}. fp32: TF32 matrix math in every",
        "column (PyTorch's and TensorRT's default for convolutions). fp16: baselines run model.half() on half inputs;",
        "the engine compiles the float32 module with enabled_precisions={float32, half} and takes float32 inputs.",
        "bf16: the same with model.bfloat16() and enabled_precisions={float32, bfloat16}.",
        f"Median of 50 runs after 10 warm-ups; torch.compile mode: {args.compile_mode}. Memory: TorchScript's peak",
        "allocation in one call, and the device memory the engine holds (weights, arena) after its runs.",
        "CUDA graphs: torch_tensorrt.runtime.enable_cudagraphs() (inputs copied in, outputs copied out, included).",
        "int8: INT8 convolutions and linear layers, FP16 elsewhere, percentile calibration on two batches; PyTorch has no",
        "comparable INT8 baseline, so compare with the fp16 row; max abs diff and cosine are against the FP32 model.",
        "",
        "| model | precision | batch | eager ms | TorchScript ms | torch.compile ms | engine ms |"
        " engine + CUDA graphs ms | engine samples/s | engine build s | torch.compile first call s |"
        " TorchScript peak MiB | engine MiB | max abs diff | cosine |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['model']} | {r['precision']} | {r['batch']} | error: {r['error']} |")
            continue
        lines.append(
            f"| {r['model']} | {r['precision']} | {r['batch']} | {r['eager']:.2f} | {r['ts']:.2f} | {r['compile']:.2f} | "
            f"{r['engine']:.2f} | {r['engine_graphs']:.2f} | {r['throughput']:.0f} | {r['build_s']:.2f} | {r['compile_s']:.1f} | "
            f"{r['ts_peak_mb']:.0f} | {r['engine_mb']:.0f} | {r['diff']:.1e} | {r['cosine']:.5f} |")
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
