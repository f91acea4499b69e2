"""Host memory of compiling and loading a model with large weights (issue 28: a model's weights are
held once). Compiles a bias-free Linear of --mb megabytes of float32 weights on the CPU backend and
reports, above the process's resident memory with the model loaded:
  - the compile's peak (the kernel's high-water mark, reset through /proc/self/clear_refs),
  - what the compiled module holds once the compile's temporaries are gone,
  - in a fresh process: the peak and the held memory of torch.jit.load of the saved module.
With --trace, a sampling thread prints the resident memory every 50 ms beside the compile's phase
lines, to see which phase holds what.

Usage: python bench/compile_memory.py --mb 256
"""
import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time

import torch
import torch_tensorrt

PAGE = os.sysconf("SC_PAGE_SIZE")


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE / 2**20


def peak_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def reset_peak() -> None:
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # resets the peak resident set size to the current one


LOAD = """
import os, sys, torch, torch_tensorrt
def field(name):
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith(name):
                return int(line.split()[1]) / 1024
with open('/proc/self/clear_refs', 'w') as f:
    f.write('5')
before = field('VmRSS:')
m = torch.jit.load(sys.argv[1])
print(field('VmHWM:') - before, field('VmRSS:') - before)
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=int, default=256, help="weights in MiB (a square Linear)")
    ap.add_argument("--trace", action="store_true")
    args = ap.parse_args()
    n = int((args.mb * 2**20 / 4) ** 0.5)
    torch.manual_seed(0)
    model = torch.jit.trace(torch.nn.Linear(n, n, bias=False).eval(), torch.randn(1, n))
    weights_mb = n * n * 4 / 2**20
    x = torch.randn(1, n)
    samples = []
    stop = threading.Event()

    def sample():
        start = time.perf_counter()
        while not stop.is_set():
            samples.append((time.perf_counter() - start, rss_mb()))
            time.sleep(0.05)

    reset_peak()
    before = rss_mb()
    sampler = threading.Thread(target=sample, daemon=True) if args.trace else None
    if sampler:
        sampler.start()
    compiled = torch_tensorrt.compile(model, inputs=[torch_tensorrt.Input((1, n))], device="cpu")
    stop.set()
    if sampler:
        sampler.join()
    compile_peak = peak_mb() - before
    held = rss_mb() - before
    torch.testing.assert_close(compiled(x), model(x), rtol=1e-4, atol=1e-4)
    if args.trace:
        for t, r in samples:
            print(f"  {t:7.2f} s  {r - before:8.0f} MB")
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "m.ts")
        torch.jit.save(compiled, path)
        del compiled
        out = subprocess.run([sys.executable, "-c", LOAD, path], capture_output=True, text=True, check=True)
        load_peak, load_held = (float(v) for v in out.stdout.split())
    print(f"weights {weights_mb:.0f} MB (Linear {n}x{n}), above the process with the model loaded:")
    print(f"  compile: peak +{compile_peak:.0f} MB ({compile_peak / weights_mb:.2f}x), compiled module holds "
          f"+{held:.0f} MB")
    print(f"  torch.jit.load in a fresh process: peak +{load_peak:.0f} MB ({load_peak / weights_mb:.2f}x), holds "
          f"+{load_held:.0f} MB ({load_held / weights_mb:.2f}x)")


if __name__ == "__main__":
    main()
