"""The main job: compile a torchvision ResNet-18 (random weights) with the Python API and with
torchtrtc, run both, and report agreement with TorchScript, build time, layer count and latency."""
import os
import statistics
import subprocess
import sys
import tempfile
import time

import torch
import torch_tensorrt
import torchvision


def median_latency_ms(fn, x, warmup=3, iters=20):
    sync = torch.cuda.synchronize if x.is_cuda else (lambda: None)
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


def agreement(expected, actual):
    cos = torch.nn.functional.cosine_similarity(expected.flatten(), actual.flatten(), dim=0).item()
    return f"max abs diff {(expected - actual).abs().max().item():.2e}, cosine {cos:.6f}"


def main():
    torch.manual_seed(0)
    device = "cuda" if torch.cuda.is_available() and os.environ.get("TORCHTRT_DEMO_CPU") is None else "cpu"
    on_gpu = device == "cuda" and torch_tensorrt._C.has_cuda_backend()
    device = "cuda" if on_gpu else "cpu"
    x = torch.randn(1, 3, 224, 224, device=device)
    model = torchvision.models.resnet18().eval().to(device)
    scripted = torch.jit.trace(model, x)
    where = torch.cuda.get_device_name() if on_gpu else f"{os.cpu_count()} CPU cores"
    print(f"torch {torch.__version__}, torch_tensorrt {torch_tensorrt.__version__}, engine backend: {device} ({where})")

    start = time.perf_counter()
    compiled = torch_tensorrt.compile(scripted, inputs=[torch_tensorrt.Input(shape=x.shape)], enabled_precisions={torch.float})
    build_s = time.perf_counter() - start
    engine = getattr(compiled, "__torch___torch_tensorrt_engine")
    print(f"Python API: built in {build_s:.2f} s, engine has {engine.num_layers()} layers")

    with tempfile.TemporaryDirectory() as tmp:
        src, dst = os.path.join(tmp, "resnet18.ts"), os.path.join(tmp, "resnet18_trt.ts")
        torch.jit.save(scripted, src)
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "torch_tensorrt._cli", src, dst, "(1,3,224,224)", "-p", "f32"], check=True)
        print(f"torchtrtc: built in {time.perf_counter() - start:.2f} s (including process start and loading)")
        from_cli = torch.jit.load(dst)

    with torch.no_grad():
        expected = scripted(x)
        print("Python API vs TorchScript:", agreement(expected, compiled(x)))
        print("torchtrtc  vs TorchScript:", agreement(expected, from_cli(x)))
        ts_ms = median_latency_ms(scripted, x)
        trt_ms = median_latency_ms(compiled, x)
    print(f"median latency on {where} (batch 1, float32): TorchScript {ts_ms:.2f} ms, engine {trt_ms:.2f} ms")


if __name__ == "__main__":
    main()
