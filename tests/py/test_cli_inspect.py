"""torchtrtc --inspect [--json], --profile and --benchmark on a saved module and on a plan."""
import json
import re

import pytest
import torch

from conftest import onednn_plugin_built
from test_cli import Small, run  # the CLI runner and model test_cli.py uses


def compiled_files(tmp_path):
    torch.manual_seed(0)
    src = str(tmp_path / "small.ts")
    torch.jit.trace(Small().eval(), torch.randn(1, 3, 8, 8)).save(src)
    mod, plan = str(tmp_path / "small_trt.ts"), str(tmp_path / "small.plan")
    for extra, out in (([], mod), (["--save-engine"], plan)):
        r = run(["--device-type=cpu"] + extra + [src, out, "(1,3,8,8)"])
        assert r.returncode == 0, r.stderr
    return src, mod, plan


def test_inspect_prints_layers_fusions_and_memory_of_a_module_and_a_plan(tmp_path):
    _, mod, plan = compiled_files(tmp_path)
    # What runs it: oneDNN's primitive on the CPU backend's fast path (the default), or the engine's
    # reference kernel in a build without the plugin.
    runs = "oneDNN convolution " if onednn_plugin_built() else "engine kernel"
    for path in (mod, plan):
        r = run(["--inspect", path])
        assert r.returncode == 0, r.stderr
        assert "activation memory:" in r.stdout and "bytes" in r.stdout
        conv = [line for line in r.stdout.splitlines() if "Convolution" in line]
        # The ReLU folded into the convolution is named, never a number.
        assert len(conv) == 1 and "fused: bias + relu" in conv[0], r.stdout
        assert "runs: " + runs in conv[0], r.stdout
        r = run(["--inspect", "--json", path])
        assert r.returncode == 0, r.stderr
        engines = json.loads(r.stdout)
        assert len(engines) == 1 and engines[0]["backend"] == "cpu"
        assert engines[0]["activation_bytes"] > 0
        convs = [layer for layer in engines[0]["layers"] if layer["kind"] == "Convolution"]
        assert convs[0]["fused"]["activation"] == "relu" and convs[0]["tactics"] == []
        assert convs[0]["implementation"].startswith(runs), convs[0]


class SiluConv(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 4, 3)

    def forward(self, x):
        return torch.nn.functional.silu(self.conv(x))


def test_inspect_names_a_fused_silu(tmp_path):
    # silu converts as x * sigmoid(x); the builder makes it one SiLU and folds it into the convolution,
    # which the inspector names in text and JSON.
    torch.manual_seed(0)
    src, out = str(tmp_path / "silu.ts"), str(tmp_path / "silu_trt.ts")
    torch.jit.trace(SiluConv().eval(), torch.randn(1, 3, 8, 8)).save(src)
    r = run(["--device-type=cpu", src, out, "(1,3,8,8)"])
    assert r.returncode == 0, r.stderr
    r = run(["--inspect", out])
    assert r.returncode == 0, r.stderr
    conv = [line for line in r.stdout.splitlines() if "Convolution" in line]
    assert len(conv) == 1 and "fused: bias + silu" in conv[0], r.stdout
    r = run(["--inspect", "--json", out])
    layers = json.loads(r.stdout)[0]["layers"]
    assert [layer["fused"].get("activation") for layer in layers if layer["kind"] == "Convolution"] == ["silu"]
    assert not [layer for layer in layers if layer["kind"] in ("Activation", "ElementWise")], r.stdout


def test_profile_and_benchmark_print_layer_times_latency_and_throughput(tmp_path):
    _, mod, plan = compiled_files(tmp_path)
    r = run(["--profile", "--iterations=7", "--warmup=1", mod])
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].split()[:2] == ["Calls", "Total"] and lines[0].endswith("Layer")
    total = next(i for i, line in enumerate(lines) if line.endswith("Total"))
    rows = [line.split() for line in lines[1:total]]
    # One row per layer that ran (the convolution with its ReLU, the multiply), each run 7 times.
    assert len(rows) == 2 and all(row[0] == "7" for row in rows), r.stdout
    assert "aten::_convolution" in lines[1] and "aten::relu" in lines[1] and "aten::mul" in lines[2]
    assert float(lines[total].split()[0]) == pytest.approx(sum(float(row[1]) for row in rows), abs=1e-3)
    assert float(lines[total].split()[0]) > 0
    assert re.search(r"Latency over 7 runs \(ms\): min [\d.]+, mean [\d.]+, median [\d.]+, p90 [\d.]+, p99 [\d.]+",
                     r.stdout), r.stdout
    r = run(["--benchmark", "--iterations=5", plan])
    assert r.returncode == 0, r.stderr
    assert "Latency over 5 runs" in r.stdout and re.search(r"Throughput: [\d.]+ inferences/s", r.stdout)
    assert "Calls" not in r.stdout


def test_analysis_flags_refuse_what_they_cannot_use(tmp_path):
    src, mod, _ = compiled_files(tmp_path)
    r = run(["--inspect", src])  # not compiled
    assert r.returncode == 1 and "holds no Torch-TensorRT engine" in r.stderr
    r = run(["--json", mod])
    assert r.returncode == 2 and "--json goes with --inspect" in r.stderr
    r = run(["--inspect", mod, str(tmp_path / "out.ts")])
    assert r.returncode == 2 and "take only the module or engine file" in r.stderr
    r = run(["--inspect", str(tmp_path / "missing.ts")])
    assert r.returncode == 1 and "cannot read" in r.stderr
