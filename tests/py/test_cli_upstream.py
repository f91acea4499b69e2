"""Torch-TensorRT's documented torchtrtc command lines run unchanged (one test per example line of its
docs), and every flag spelling and alias of its CLI is accepted, each through the real binary."""
import json
import os
import shutil
import subprocess

import torch

from conftest import TOLERANCES, build_torch_library, gpu_engines
from test_errors_and_models import torchtrtc

# Upstream's examples: a dynamic range with spaces inside the spec, FP16 inputs and FP16 layers.
RANGE_F16 = "[(1,3,300,300); (1,3,512,512); (1, 3, 1024, 1024)]@f16%contiguous"
RANGE_FP16 = "[(1,3,300,300); (1,3,512,512); (1, 3, 1024, 1024)]@fp16%contiguous"


def run(args):
    return subprocess.run(torchtrtc() + args, capture_output=True, text=True, timeout=600)


def device():
    return "cuda" if gpu_engines() else "cpu"  # without -d, engines go to the GPU when one is visible


class Detector(torch.nn.Module):
    """A stand-in for upstream's ssd_traced.jit.pt: any H and W, a fixed-size result."""

    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 4, 3, stride=2, padding=1)

    def forward(self, x):
        return torch.relu(self.conv(x)).mean((2, 3))


def saved_detector(tmp_path, module=None):
    torch.manual_seed(0)
    model = torch.jit.script((module or Detector()).eval())
    path = str(tmp_path / "ssd_traced.jit.pt")
    model.save(path)
    return model, path


def check_fp16_range_result(model, out, out_dtype=torch.float16):
    compiled = torch.jit.load(out)
    for size in (300, 416):  # the min and a shape inside the range
        x = torch.randn(1, 3, size, size)
        got = compiled(x.half().to(device()))
        assert got.dtype == out_dtype
        torch.testing.assert_close(got.float().cpu(), model(x), **TOLERANCES[torch.float16])


def test_upstream_example_dynamic_range_f16(tmp_path):
    # torchtrtc tests/modules/ssd_traced.jit.pt ssd_trt.ts "[...]@f16%contiguous" -p f16
    model, src = saved_detector(tmp_path)
    out = str(tmp_path / "ssd_trt.ts")
    r = run([src, out, RANGE_F16, "-p", "f16"])
    assert r.returncode == 0, r.stderr
    assert r.stdout == f"Saved compiled module to {out}\n"
    check_fp16_range_result(model, out)


def test_upstream_readme_example_dynamic_range_fp16(tmp_path):
    # torchtrtc tests/modules/ssd_traced.jit.pt ssd_trt.ts "[...]@fp16%contiguous" -p f16
    model, src = saved_detector(tmp_path)
    out = str(tmp_path / "ssd_trt.ts")
    r = run([src, out, RANGE_FP16, "-p", "f16"])
    assert r.returncode == 0, r.stderr
    check_fp16_range_result(model, out)


OP_SOURCE = r"""
#include <ATen/ATen.h>
#include <torch/library.h>
at::Tensor twice(const at::Tensor& x) { return x.mul(2); }
TORCH_LIBRARY(tt_cli_upstream, m) { m.def("twice(Tensor x) -> Tensor", twice); }
"""


def test_upstream_example_custom_torch_ops(tmp_path):
    # torchtrtc tests/modules/ssd_traced.jit.pt ssd_trt.ts --custom-torch-ops=<lib.so> "[...]@fp16%contiguous" -p f16
    cpp = tmp_path / "twice.cpp"
    cpp.write_text(OP_SOURCE)
    lib = build_torch_library(str(cpp), tmp_path, "tt_cli_upstream_ops")
    torch.ops.load_library(lib)

    class WithOp(Detector):
        def forward(self, x):
            # The op stays in TorchScript, which runs the module on FP16 inputs: float32 weights need float32.
            return torch.ops.tt_cli_upstream.twice(torch.relu(self.conv(x.float()))).mean((2, 3))

    model, src = saved_detector(tmp_path, WithOp())
    out = str(tmp_path / "ssd_trt.ts")
    r = run([src, out, f"--custom-torch-ops={lib}", RANGE_FP16, "-p", "f16"])
    assert r.returncode == 0, r.stderr
    assert torch.jit.load(out).graph.findAllNodes("tt_cli_upstream::twice", True)  # runs in TorchScript
    check_fp16_range_result(model, out, out_dtype=torch.float32)  # the model's float32 tail


def test_upstream_example_custom_converters(seed_dir, tmp_path):
    # torchtrtc tests/modules/ssd_traced.jit.pt ssd_trt.ts --custom-converters=<lib.so> "[...]@fp16%contiguous" -p f16
    src_cpp = tmp_path / "flatten_converter.cpp"
    shutil.copy(os.path.join(seed_dir, "flatten_converter.cpp"), src_cpp)
    lib = build_torch_library(str(src_cpp), tmp_path, "seed_flatten_upstream", link_torchtrt=True)

    class Flattens(Detector):
        def forward(self, x):
            # The batch is 1 over the whole range: the flattened tensor is static, as the seed's converter needs.
            return torch.flatten(torch.relu(self.conv(x)).mean((2, 3)), 0) * 2.0

    model, src = saved_detector(tmp_path, Flattens())
    out = str(tmp_path / "ssd_trt.ts")
    r = run([src, out, f"--custom-converters={lib}", RANGE_FP16, "-p", "f16"])
    assert r.returncode == 0, r.stderr
    assert "Converter for aten::flatten.using_ints overridden" in r.stderr  # the library's converter is used
    check_fp16_range_result(model, out)


def test_upstream_spec_example_nhwc_with_spaces(tmp_path):
    # The input-spec example of upstream's --help: "(3, 3, 32, 32)@f16%NHWC".
    model, src = saved_detector(tmp_path)
    out, info = str(tmp_path / "nhwc.ts"), str(tmp_path / "layers.json")
    r = run([src, out, "(3, 3, 32, 32)@f16%NHWC", "-p", "fp16", f"--layer-info={info}"])
    assert r.returncode == 0, r.stderr
    assert json.load(open(info))[0]["layers"][0]["inputs"][0]["dims"] == [3, 32, 32, 3]  # bound as N, H, W, C
    x = torch.randn(3, 3, 32, 32)
    got = torch.jit.load(out)(x.half().to(device()).contiguous(memory_format=torch.channels_last))
    torch.testing.assert_close(got.float().cpu(), model(x), **TOLERANCES[torch.float16])


class Headed(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.head = Head()

    def forward(self, x):
        return self.head(torch.relu(x * 3.0 - 1.0) + 0.5)


class Head(torch.nn.Module):
    def forward(self, x):
        return torch.sigmoid(x) * 2.0 + 1.0


def engines(path):
    return len(torch.jit.load(path).graph.findAllNodes("tensorrt::execute_engine", True))


def test_upstream_aliases_take_effect(tmp_path):
    src, out, info = str(tmp_path / "h.ts"), str(tmp_path / "h_trt.ts"), str(tmp_path / "layers.json")
    model = torch.jit.script(Headed())
    model.save(src)
    # --mbs, --teo: relu stays in TorchScript, splitting the rest into two engines.
    r = run(["-d", "cpu", "--mbs", "1", "--teo", "aten::relu", src, out, "(2, 3)@fp32"])
    assert r.returncode == 0, r.stderr
    assert engines(out) == 2 and torch.jit.load(out).graph.findAllNodes("aten::relu", True)
    x = torch.randn(2, 3)
    torch.testing.assert_close(torch.jit.load(out)(x), model(x))
    # --tem keeps the head module in TorchScript; --enable-precision=half computes the rest in FP16.
    r = run(["--device-type=cpu", "--mbs=1", f"--tem={Head.__module__}.Head", "--enable-precision=half",
             "--engine-capability=standard", f"--layer-info={info}", src, out, "(2,3)"])
    assert r.returncode == 0, r.stderr
    assert engines(out) == 1 and torch.jit.load(out).graph.findAllNodes("aten::sigmoid", True)
    layers = json.load(open(info))[0]["layers"]
    assert json.load(open(info))[0]["backend"] == "cpu"
    assert any(o["dtype"] == "float16" for layer in layers for o in layer["outputs"]), layers
    torch.testing.assert_close(torch.jit.load(out)(x), model(x), **TOLERANCES[torch.float16])


def test_every_upstream_spelling_is_accepted(tmp_path):
    class Supported(torch.nn.Module):
        def forward(self, x):
            return torch.relu(x) + 1

    class Unsupported(torch.nn.Module):
        def forward(self, x):
            return torch.logcumsumexp(x, 0)  # no converter

    src, bad = str(tmp_path / "m.ts"), str(tmp_path / "bad.ts")
    torch.jit.script(Supported()).save(src)
    torch.jit.script(Unsupported()).save(bad)
    # Every flag of upstream's documented CLI (current and older releases) on one command line;
    # --check-method-support=forward stops after parsing and checking.
    flags = ["-v", "-w", "--i", "--info", "-i", "--build-debuggable-engine", "--use-strict-types",
             "--allow-gpu-fallback", "--require-full-compilation", "--disable-tf32", "--sparse-weights",
             "-p", "float", "-pfp32", "--enable-precision=half", "--enabled-precision", "float16", "-p", "int8",
             "-p", "char", "-p", "i8", "-d", "gpu", "--device-type=cpu", "--gpu-id=0", "--dla-core=0",
             "--engine-capability=standard", "--calibration-cache-file=c.cache", "--teo=aten::relu",
             "--torch-executed-op", "aten::add", "--torch-executed-ops=aten::mul", "--tem=a.B",
             "--torch-executed-mod=c.D", "--torch-executed-mods", "e.F", "--mbs=2", "--min-block-size", "3",
             "--embed-engine", "--num-min-timing-iter=2", "--num-avg-timing-iters=2", "--workspace-size=1024",
             "--dla-sram-size=1", "--dla-local-dram-size=1", "--dla-global-dram-size=1", "--max-batch-size=4",
             "-t", "1e-3", "--threshold=1e-3", "--atol=1e-8", "--rtol=1e-5", "--no-threshold-check",
             "--truncate-long-double", "--truncate", "--truncate-64bit", "--save-engine",
             "--custom-torch-ops", "/nonexistent/a.so", "--custom-converters=/nonexistent/b.so"]
    r = run(flags + ["--check-method-support=forward", "--", src])
    # Accepted: the run goes as far as loading the libraries, which do not exist.
    assert r.returncode == 1 and "cannot load '/nonexistent/a.so'" in r.stderr, r.stderr
    for note in ("--use-strict-types", "--num-min-timing-iter", "--max-batch-size", "--dla-"):
        assert note in r.stderr  # accepted, and said to change nothing here
    r = run(["--check-method-support=forward", src])
    assert r.returncode == 0 and "The method is supported end to end" in r.stdout, r.stderr
    for spelling in ("--check-method-support=forward", "--check-method-op-support=forward",
                     "--check-support=forward", "--supported=forward", "--is-supported=forward"):
        r = run([spelling, bad])
        assert r.returncode == 1 and "aten::logcumsumexp" in r.stderr, (spelling, r.stderr)
    r = run(["--check-method-support", src])  # bare: forward
    assert r.returncode == 0, r.stderr
    r = run(["--check-method-support=nosuch", src])  # the name reaches the check
    assert r.returncode == 1 and "the module has no method 'nosuch'" in r.stderr, r.stderr


def test_version_help_and_refusals(tmp_path):
    r = run(["--version"])
    assert r.returncode == 0 and r.stdout.startswith("torchtrtc Torch-TensorRT version: ")
    assert f"Libtorch: {torch.__version__.split('+')[0]}" in r.stdout
    r = run(["--help"])
    assert r.returncode == 0
    examples = r.stdout.split("Examples:\n")[1]
    assert examples.count("  torchtrtc ") >= 5 and RANGE_FP16 in examples
    for spelling in ("--enable-precision", "--device-type", "--engine-capability", "--teo", "--tem", "--mbs",
                     "--check-method-support", "--truncate-64bit", "--threshold", "--custom-converters"):
        assert spelling in r.stdout, spelling
    _, src = saved_detector(tmp_path)
    out = str(tmp_path / "o.ts")
    r = run(["-d", "dla", src, out, "(1,3,8,8)"])
    assert r.returncode == 1 and "no NVIDIA DLA backend" in r.stderr and not os.path.exists(out)
    r = run(["-p", "fp64", src, out, "(1,3,8,8)"])
    assert r.returncode == 2 and "precision 'fp64' is not available" in r.stderr
    r = run(["--engine-capability=fast", src, out, "(1,3,8,8)"])
    assert r.returncode == 2 and "--engine-capability must be standard, safety or dla_standalone" in r.stderr
    r = run([src, out, "(1, 3, 8, 8)@f16%NCDHW"])
    assert r.returncode == 2 and "format 'NCDHW' is not supported" in r.stderr
    r = run(["--mbs"])
    assert r.returncode == 2 and "flag --mbs needs a value" in r.stderr, r.stderr


def test_warnings_flag_silences_warnings(tmp_path):
    # Upstream's -w: warnings off (errors only). Without a GPU the default device warns that it falls back.
    _, src = saved_detector(tmp_path)
    r = run(["-w", src, str(tmp_path / "o.ts"), "(1,3,8,8)"])
    assert r.returncode == 0 and "Warning" not in r.stderr, r.stderr
    r = run(["--i", src, str(tmp_path / "o.ts"), "(1,3,8,8)"])
    assert r.returncode == 0 and "Info" in r.stderr, r.stderr
