"""Where an engine spends its GPU time: compiles one benchmark model and prints the kernels of
10 runs from PyTorch's profiler (CUPTI sees the engine's own kernels too), biggest first.

Usage: python bench/profile_engine.py --model resnet50 --batch 64 --precision fp16  (fp32 | fp16 | int8)
--model takes bench/perf_zoo.py's model names (bert_base, swin_t, ...; its default input sizes) and
bench/bench_models.py's (bert, resnet50, ...).
"""
import argparse

import torch
import torch_tensorrt
from torch.profiler import ProfilerActivity, profile

import perf_zoo
from bench_models import make_model


def load_model(name):
    """The model and an input maker (batch, device): perf_zoo's case of that name, else bench_models'."""
    if name in perf_zoo.MODELS:
        case = perf_zoo.MODELS[name]
        return case.build().eval(), lambda batch, device: perf_zoo.make_input(case, batch, device, None)
    return make_model(name)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="resnet50")
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--precision", default="fp16")
    ap.add_argument("--rows", type=int, default=25)
    args = ap.parse_args()
    model, make_input = load_model(args.model)
    model = model.cuda()
    x = make_input(args.batch, "cuda")
    traced = torch.jit.trace(model, x, check_trace=False)
    unsupported = torch_tensorrt.ts.unsupported_operators(traced)
    print(f"{args.model} b{args.batch} {args.precision}: {len(unsupported)} unsupported op kinds")
    for u in unsupported:
        print("  ", u.split("\n")[0])
    precisions = {torch.float32, torch.half} if args.precision in ("fp16", "int8") else {torch.float32}
    calibrator = None
    if args.precision == "int8":  # as bench_models.py: percentile calibration on two batches
        precisions.add(torch.int8)
        calibrator = torch_tensorrt.ptq.DataLoaderCalibrator(
            [make_input(args.batch, "cuda") for _ in range(2)],
            algo_type=torch_tensorrt.ptq.CalibrationAlgo.PERCENTILE_CALIBRATION)
    engine = torch_tensorrt.compile(traced, inputs=[x], enabled_precisions=precisions, calibrator=calibrator)
    print("engines:", len(engine.graph.findAllNodes("tensorrt::execute_engine", True)))
    with torch.no_grad():
        for _ in range(5):
            engine(x)
        torch.cuda.synchronize()
        with profile(activities=[ProfilerActivity.CUDA]) as prof:
            for _ in range(10):
                engine(x)
            torch.cuda.synchronize()
    print(prof.key_averages().table(sort_by="cuda_time_total", row_limit=args.rows, max_name_column_width=90))


if __name__ == "__main__":
    main()
