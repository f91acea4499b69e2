"""torchtrtc flags with an effect to show: --embed-engine, --atol/--rtol, --custom-converters,
--custom-torch-ops, and refusals of what this build cannot do."""
import os
import shutil
import subprocess

import torch

from conftest import TOLERANCES, build_torch_library
from test_errors_and_models import torchtrtc

CPU = ["--device-type=cpu"]


def run(args):
    return subprocess.run(torchtrtc() + args, capture_output=True, text=True, timeout=600)


class Small(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 16, 3, padding=1)

    def forward(self, x):
        return torch.flatten(torch.relu(self.conv(x)), 1) * 2.0


def saved_small(tmp_path):
    torch.manual_seed(0)
    ts = torch.jit.trace(Small().eval(), torch.randn(1, 3, 8, 8))
    path = str(tmp_path / "small.ts")
    ts.save(path)
    return ts, path


def test_embed_engine_wraps_a_saved_engine(tmp_path):
    ts, src = saved_small(tmp_path)
    plan, out = str(tmp_path / "small.plan"), str(tmp_path / "wrapped.ts")
    assert run(CPU + ["--save-engine", src, plan, "(1,3,8,8)"]).returncode == 0
    r = run(["--embed-engine", plan, out])
    assert r.returncode == 0, r.stderr
    x = torch.randn(1, 3, 8, 8)
    torch.testing.assert_close(torch.jit.load(out)(x), ts(x), **TOLERANCES[torch.float32])
    r = run(["--embed-engine", "--save-engine", plan, out])
    assert r.returncode == 2 and "opposite directions" in r.stderr
    r = run(["--embed-engine", src, out + "2"])  # a TorchScript file is not a plan
    assert r.returncode == 1 and "invalid plan" in r.stderr and not os.path.exists(out + "2")


def test_accuracy_check_passes_or_writes_nothing(tmp_path, monkeypatch):
    # The reference CPU kernels: oneDNN's (the default) can match ATen's own oneDNN bit for bit.
    monkeypatch.setenv("TORCHTRT_CPU_KERNELS", "reference")
    _, src = saved_small(tmp_path)
    out = str(tmp_path / "checked.ts")
    r = run(CPU + ["--atol=1e-4", "--rtol=1e-4", src, out, "(2,3,8,8)"])
    assert r.returncode == 0, r.stderr
    assert "Accuracy check passed (atol=0.0001, rtol=0.0001): max abs diff" in r.stdout
    # Zero tolerance: the engine sums in another order than ATen, so the check fails.
    strict = str(tmp_path / "strict.ts")
    r = run(CPU + ["--atol=0", "--rtol=0", src, strict, "(2,3,8,8)"])
    assert r.returncode == 1 and "differs from TorchScript beyond atol=0, rtol=0" in r.stderr
    assert "max abs diff 0 " not in r.stderr  # the difference itself, not "0.000000"
    assert not os.path.exists(strict)
    r = run(CPU + ["--atol=-1", src, strict, "(2,3,8,8)"])
    assert r.returncode == 2 and "--atol must be a number >= 0, got '-1'" in r.stderr


def test_custom_converters_library_overrides_a_converter(seed_dir, tmp_path):
    src_cpp = tmp_path / "flatten_converter.cpp"
    shutil.copy(os.path.join(seed_dir, "flatten_converter.cpp"), src_cpp)
    lib = build_torch_library(str(src_cpp), tmp_path, "seed_flatten", link_torchtrt=True)
    ts, src = saved_small(tmp_path)
    out = str(tmp_path / "custom.ts")
    r = run(CPU + ["-w", f"--custom-converters={lib}", src, out, "(1,3,8,8)"])
    assert r.returncode == 0, r.stderr
    assert "aten::flatten.using_ints" in r.stderr  # the override is reported
    x = torch.randn(1, 3, 8, 8)
    torch.testing.assert_close(torch.jit.load(out)(x), ts(x), **TOLERANCES[torch.float32])
    r = run(CPU + ["--custom-converters=/nonexistent/libx.so", src, out, "(1,3,8,8)"])
    assert r.returncode == 1 and "cannot load '/nonexistent/libx.so'" in r.stderr


OP_SOURCE = r"""
#include <ATen/ATen.h>
#include <torch/library.h>
at::Tensor twice(const at::Tensor& x) { return x.mul(2); }
TORCH_LIBRARY(tt_cli_test, m) { m.def("twice(Tensor x) -> Tensor", twice); }
"""


def test_custom_torch_ops_library_is_loaded_before_the_module(tmp_path):
    cpp = tmp_path / "twice.cpp"
    cpp.write_text(OP_SOURCE)
    lib = build_torch_library(str(cpp), tmp_path, "tt_cli_test_ops")
    torch.ops.load_library(lib)

    class UsesOp(torch.nn.Module):
        def forward(self, x):
            y = torch.sigmoid(x * 3.0 + 1.0) - 0.5
            return torch.tanh(torch.ops.tt_cli_test.twice(y) * 0.5 + 0.25) * 2.0

    model = torch.jit.script(UsesOp())
    src, out = str(tmp_path / "op.ts"), str(tmp_path / "op_trt.ts")
    model.save(src)
    r = run(CPU + [src, out, "(2,5)"])
    assert r.returncode == 1 and "cannot load" in r.stderr  # the op is unknown without the library
    r = run(CPU + [f"--custom-torch-ops={lib}", src, out, "(2,5)"])
    assert r.returncode == 0, r.stderr
    compiled = torch.jit.load(out)
    assert len(compiled.graph.findAllNodes("tensorrt::execute_engine", True)) == 2
    x = torch.randn(2, 5)
    torch.testing.assert_close(compiled(x), model(x), **TOLERANCES[torch.float32])


def test_int8_flags(tmp_path):
    import torch_tensorrt
    from torch_tensorrt.ptq import DataLoaderCalibrator

    model, src = saved_small(tmp_path)
    out = str(tmp_path / "o.ts")
    # A cache file without INT8, and INT8 on a model with neither fake-quantize nodes nor a cache.
    r = run(CPU + ["--calibration-cache-file=cache.bin", src, out, "(1,3,8,8)"])
    assert r.returncode == 2 and "add -p i8" in r.stderr
    r = run(CPU + ["-p", "i8", src, out, "(1,3,8,8)"])
    assert r.returncode == 1 and "no fake-quantize nodes" in r.stderr
    r = run(CPU + ["-p", "i8", "--calibration-cache-file", str(tmp_path / "missing.cache"), src, out, "(1,3,8,8)"])
    assert r.returncode == 1 and "missing.cache" in r.stderr and "is missing or empty" in r.stderr
    r = run(CPU + ["-p", "i9", src, out, "(1,3,8,8)"])
    assert r.returncode == 2 and "use f32, f16, bf16, i8 or fp8" in r.stderr
    # A cache written by a Python calibration drives the CLI's INT8 build.
    cache = str(tmp_path / "small.cache")
    ts = torch.jit.load(src)
    generator = torch.Generator().manual_seed(0)  # the bound below must not depend on earlier draws
    batches = [torch.randn(1, 3, 8, 8, generator=generator) for _ in range(3)]
    torch_tensorrt.ts.convert_method_to_trt_engine(ts, "forward", inputs=[torch_tensorrt.Input((1, 3, 8, 8))], device="cpu",
                                                   enabled_precisions={torch.float, torch.int8},
                                                   calibrator=DataLoaderCalibrator(batches, cache_file=cache))
    info = str(tmp_path / "layers.json")
    r = run(CPU + ["-p", "f32", "-p", "i8", f"--calibration-cache-file={cache}", f"--layer-info={info}", src, out, "(1,3,8,8)"])
    assert r.returncode == 0, r.stderr
    import json

    layers = [layer for engine in json.load(open(info)) for layer in engine["layers"]]
    assert any("int8" in layer["fused"] for layer in layers)
    # INT8 activations and weights against float32: measured max error 1.0% of the output's magnitude,
    # cosine 0.99995 (CPU, 2026-11-26); bounds 10% and 0.99.
    x = torch.randn(1, 3, 8, 8, generator=generator)
    got, want = torch.jit.load(out)(x), ts(x)
    assert (got - want).abs().max().item() <= 0.1 * want.abs().max().item()
    assert torch.nn.functional.cosine_similarity(got.flatten(), want.flatten(), 0).item() >= 0.99


def test_bf16_precision_flag(tmp_path):
    # -p bf16: the engine's layers compute in bfloat16, the module still returns float32, close to
    # the model (bfloat16's 8-bit significand: 5e-2 of the output's magnitude).
    ts, src = saved_small(tmp_path)
    out = str(tmp_path / "o.ts")
    info = str(tmp_path / "layers.json")
    r = run(CPU + ["-p", "bf16", f"--layer-info={info}", src, out, "(1,3,8,8)"])
    assert r.returncode == 0, r.stderr
    import json

    layers = [layer for engine in json.load(open(info)) for layer in engine["layers"]]
    assert any(o["dtype"] == "bfloat16" for layer in layers for o in layer["outputs"]), layers
    x = torch.randn(1, 3, 8, 8)
    y = torch.jit.load(out)(x)
    assert y.dtype == torch.float32
    torch.testing.assert_close(y, ts(x), rtol=5e-2, atol=5e-2)


def test_layer_info_writes_the_inspector_as_json(tmp_path):
    import json

    _, src = saved_small(tmp_path)
    out, info = str(tmp_path / "inspected.ts"), str(tmp_path / "layers.json")
    r = run(CPU + ["-p", "f16", "--layer-info", info, src, out, "(1,3,8,8)"])
    assert r.returncode == 0, r.stderr
    engines = json.load(open(info))
    assert len(engines) == 1 and engines[0]["backend"] == "cpu"
    layers = engines[0]["layers"]
    conv = [layer for layer in layers if layer["kind"] == "Convolution"]
    # conv + ReLU fused, computing in FP16 behind a cast of the float32 input.
    assert len(conv) == 1 and conv[0]["fused"] == {"bias": True, "activation": "relu"}
    assert conv[0]["outputs"][0]["dtype"] == "float16" and conv[0]["outputs"][0]["dims"] == [1, 16, 8, 8]
    assert layers[-1]["outputs"][0]["dtype"] == "float32"
    # The same from --save-engine.
    r = run(CPU + ["--save-engine", "--layer-info", info, src, str(tmp_path / "e.plan"), "(1,3,8,8)"])
    assert r.returncode == 0, r.stderr
    assert json.load(open(info))[0]["layers"][0]["kind"] == "Convolution"


def test_workspace_size_and_timing_iterations_flags(tmp_path):
    import json

    _, src = saved_small(tmp_path)
    info = str(tmp_path / "layers.json")
    r = run(CPU + ["--workspace-size=4096", "--num-avg-timing-iters", "2", "--layer-info", info, src,
                   str(tmp_path / "o.ts"), "(1,3,8,8)"])
    assert r.returncode == 0, r.stderr
    engine = json.load(open(info))[0]
    assert engine["workspace_limit"] == 4096 and engine["timing_iterations"] == 2, engine
    assert "change nothing" in r.stderr  # a CPU engine says so instead of ignoring them silently
    r = run(CPU + ["--num-avg-timing-iters=0", src, str(tmp_path / "p.ts"), "(1,3,8,8)"])
    assert r.returncode == 2 and "--num-avg-timing-iters must be an integer >= 1, got '0'" in r.stderr
    r = run(CPU + ["--workspace-size=lots", src, str(tmp_path / "p.ts"), "(1,3,8,8)"])
    assert r.returncode == 2 and "--workspace-size must be an integer >= 0" in r.stderr


def test_flags_for_features_this_build_lacks(tmp_path):
    _, src = saved_small(tmp_path)
    out = str(tmp_path / "o.ts")
    for flag, needle in [("--sparse-weights", "sparse_weights=true needs 2:4"),
                         ("--capability=safety", "capability kSAFETY"),
                         ("--capability=dla_standalone", "NVIDIA DLA")]:
        r = run(CPU + [flag, src, out, "(1,3,8,8)"])
        assert r.returncode == 1 and needle in r.stderr, (flag, r.stderr)
    r = run(CPU + ["--capability=fast", src, out, "(1,3,8,8)"])
    assert r.returncode == 2 and "standard, safety or dla_standalone" in r.stderr
    assert run(CPU + ["--capability=standard", src, out, "(1,3,8,8)"]).returncode == 0
    assert run(CPU + ["--allow-shape-tensors", src, out, "(1,3,8,8)"]).returncode == 0  # always on


class CliHead(torch.nn.Module):
    def forward(self, x):
        return torch.sigmoid(x) * 2.0 + 1.0


class CliWithHead(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.head = CliHead()

    def forward(self, x):
        return self.head(torch.relu(x) * 3.0 - 1.0)


class CliDouble(torch.nn.Module):
    def forward(self, x):
        return (x.double() * 2.0 + 1.0).float()


def _engines(path):
    return len(torch.jit.load(path).graph.findAllNodes("tensorrt::execute_engine", True))


def test_torch_executed_mod_and_truncate_long_double_flags(tmp_path):
    src, out = str(tmp_path / "head.ts"), str(tmp_path / "head_trt.ts")
    torch.jit.script(CliWithHead()).save(src)
    assert run(CPU + ["--min-block-size=1", src, out, "(2,3)"]).returncode == 0
    whole = torch.jit.load(out)
    assert _engines(out) == 1 and not whole.graph.findAllNodes("aten::sigmoid", True)
    r = run(CPU + ["--min-block-size=1", f"--torch-executed-mod={CliHead.__module__}.CliHead", src, out, "(2,3)"])
    assert r.returncode == 0, r.stderr
    split = torch.jit.load(out)
    assert _engines(out) == 1 and len(split.graph.findAllNodes("aten::sigmoid", True)) == 1
    x = torch.randn(2, 3)
    torch.testing.assert_close(split(x), CliWithHead()(x))

    src, out = str(tmp_path / "double.ts"), str(tmp_path / "double_trt.ts")
    torch.jit.script(CliDouble()).save(src)
    assert run(CPU + ["--min-block-size=1", src, out, "(2,3)"]).returncode == 0
    assert _engines(out) == 0  # float64 has no engine type
    assert run(CPU + ["--min-block-size=1", "--truncate-long-double", src, out, "(2,3)"]).returncode == 0
    assert _engines(out) == 1
    torch.testing.assert_close(torch.jit.load(out)(x), x * 2.0 + 1.0)


def test_a_range_spec_without_a_suffix_is_one_spec(tmp_path):
    # CLI11 split a bracketed argument at its commas as a list: "[(1,3,8,8);...]" failed with "shape '(1' must be
    # written as (d0,d1,...)" unless @dtype or %format followed.
    _, src = saved_small(tmp_path)
    out = str(tmp_path / "ranged.ts")
    r = run(CPU + [src, out, "[(1,3,8,8); (2,3,8,8); (4,3,8,8)]"])
    assert r.returncode == 0, r.stderr
    assert torch.jit.load(out)(torch.randn(3, 3, 8, 8)).shape == (3, 1024)


def test_a_write_that_fails_part_way_reports_and_leaves_nothing(tmp_path):
    # A full disk, simulated by a file size limit: PyTorch's archive writer threw from its destructor on the failing
    # stream, and torchtrtc aborted (exit 134) leaving its temporary file.
    import resource
    import signal

    _, src = saved_small(tmp_path)
    out_dir = tmp_path / "out"
    out_dir.mkdir()

    def small_files():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))

    r = subprocess.run(torchtrtc() + CPU + [src, str(out_dir / "small_trt.ts"), "(1,3,8,8)"], capture_output=True,
                       text=True, timeout=600, preexec_fn=small_files)
    assert r.returncode == 1, r.stderr
    assert "torchtrtc: writing '" in r.stderr and "failed: File too large" in r.stderr
    assert list(out_dir.iterdir()) == []
