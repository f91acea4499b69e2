"""INT8 accuracy beside FP32 (issue 23's accuracy rows): the small CNN that tests/py/test_int8.py trains on generated
digits, its FP32 top-1 on the held-out split, and the top-1 of its INT8 engine for each calibration algorithm, on
each backend present (the CPU, and CUDA where a GPU is). The test asserts each within one point of FP32; this prints
the numbers for docs/performance.md.

Usage: python bench/int8_accuracy.py [--devices cpu,cuda]
"""
import argparse
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "py"))
from test_int8 import SIZE, _accuracy, _loader, train_small_cnn  # noqa: E402  (the test's model, data, loader)


def main() -> None:
    import torch_tensorrt
    from torch_tensorrt.ptq import CalibrationAlgo, DataLoaderCalibrator

    ap = argparse.ArgumentParser()
    ap.add_argument("--devices", default="cpu,cuda" if torch.cuda.is_available() else "cpu")
    args = ap.parse_args()
    model, test_x, test_y, fp32 = train_small_cnn()
    print(f"FP32 model (eager, CPU): top-1 {100 * fp32:.2f}% on {len(test_x)} held-out images\n")
    print("| device | calibration | INT8 top-1 | vs FP32 (points) | INT8 layers |")
    print("| --- | --- | --- | --- | --- |")
    for device in args.devices.split(","):
        model = model.to(device)
        ts = torch.jit.trace(model, test_x[:100].to(device))
        # As the test: batches of 1 to 100 (the calibrator's are 32, the accuracy's 100).
        spec = torch_tensorrt.Input(min_shape=(1, 1, SIZE, SIZE), opt_shape=(100, 1, SIZE, SIZE),
                                    max_shape=(100, 1, SIZE, SIZE))
        for algo in CalibrationAlgo:
            compiled = torch_tensorrt.compile(
                ts, inputs=[spec], enabled_precisions={torch.float, torch.int8}, device=device,
                calibrator=DataLoaderCalibrator(_loader(), algo_type=algo), require_full_compilation=True)
            layers = sum(1 for info in torch_tensorrt.ts.get_layer_info(compiled) for layer in info["layers"]
                         if "int8" in layer["fused"])
            acc = _accuracy(compiled, test_x, test_y, device)
            print(f"| {device} | {algo.name} | {100 * acc:.2f}% | {100 * (acc - fp32):+.2f} | {layers} |", flush=True)
        model = model.to("cpu")


if __name__ == "__main__":
    main()
