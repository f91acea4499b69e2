"""Acceptance 3-5: unsupported-op errors, ResNet-18, and refused plans."""
import os
import subprocess
import sys
import warnings
from typing import List

import pytest
import torch
import torch_tensorrt
import torchvision

from conftest import TOLERANCES, gpu_engines


class Unsupported(torch.nn.Module):
    def forward(self, x):
        return torch.logcumsumexp(torch.relu(x), 1)


def test_unsupported_op_error_has_node_schema_and_source_line():
    x = torch.randn(2, 3)
    with pytest.raises(RuntimeError) as info:
        torch_tensorrt.compile(torch.jit.trace(Unsupported(), x), inputs=[x], require_full_compilation=True)
    msg = str(info.value)
    assert "Unable to convert node: %" in msg and "aten::logcumsumexp(" in msg
    assert "Schema: aten::logcumsumexp(Tensor self, int dim) -> Tensor" in msg
    assert "Converter for aten::logcumsumexp requested, but no such converter was found." in msg
    assert "test_errors_and_models.py:" in msg  # the Python source line


def torchtrtc():
    return [sys.executable, "-m", "_torchtrtc"]


def test_torchtrtc_writes_no_output_when_conversion_fails(tmp_path):
    x = torch.randn(2, 3)
    torch.jit.save(torch.jit.trace(Unsupported(), x), str(tmp_path / "in.ts"))
    out = tmp_path / "out.ts"
    r = subprocess.run(torchtrtc() + ["--require-full-compilation", str(tmp_path / "in.ts"), str(out), "(2,3)"],
                       capture_output=True, text=True)
    assert r.returncode == 1
    assert "Converter for aten::logcumsumexp requested, but no such converter was found." in r.stderr
    assert not out.exists() and not list(tmp_path.glob("out.ts*"))


def test_torchtrtc_compiles_and_checks_flags(tmp_path):
    class Small(torch.nn.Module):
        def forward(self, x):
            return torch.relu(x) + 1

    x = torch.randn(1, 3, 8, 8)
    torch.jit.save(torch.jit.trace(Small(), x), str(tmp_path / "in.ts"))
    if gpu_engines():
        x = x.cuda()  # torchtrtc targets the GPU when one is visible
    r = subprocess.run(torchtrtc() + ["-p", "f32", "-v", str(tmp_path / "in.ts"), str(tmp_path / "out.ts"), "(1,3,8,8)"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    m = torch.jit.load(str(tmp_path / "out.ts"))
    torch.testing.assert_close(m(x), torch.relu(x) + 1)
    r = subprocess.run(torchtrtc() + ["--check-method-support", str(tmp_path / "in.ts")], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    r = subprocess.run(torchtrtc() + ["--no-such-flag", "a.ts", "b.ts", "(1,2)"], capture_output=True, text=True)
    assert r.returncode == 2 and "unknown flag '--no-such-flag'" in r.stderr
    r = subprocess.run(torchtrtc() + [str(tmp_path / "in.ts"), str(tmp_path / "o.ts"), "(1,x,8)"], capture_output=True, text=True)
    assert r.returncode == 2 and "'x' is not a non-negative integer dimension" in r.stderr
    r = subprocess.run(torchtrtc() + ["--device-type=cpu", str(tmp_path / "in.ts"), str(tmp_path / "cpu.ts"), "(1,3,8,8)"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    torch.testing.assert_close(torch.jit.load(str(tmp_path / "cpu.ts"))(x.cpu()), torch.relu(x.cpu()) + 1)
    r = subprocess.run(torchtrtc() + ["--gpu-id", "-1", "a.ts", "b.ts", "(1,2)"], capture_output=True, text=True)
    assert r.returncode == 2 and "--gpu-id must be an integer >= 0" in r.stderr


def test_resnet18_matches_torchscript():
    torch.manual_seed(0)
    model = torchvision.models.resnet18().eval()
    x = torch.randn(2, 3, 224, 224)
    ts = torch.jit.trace(model, x)
    trt = torch_tensorrt.compile(ts, inputs=[torch_tensorrt.Input(shape=(2, 3, 224, 224))])
    expected, actual = ts(x), trt(x)
    cosine = torch.nn.functional.cosine_similarity(expected.flatten(), actual.flatten(), dim=0).item()
    assert cosine >= 0.9999
    torch.testing.assert_close(actual, expected, **TOLERANCES[torch.float32])


def _engine_module(tmp_path):
    x = torch.randn(1, 4)
    ts = torch.jit.trace(torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU()).eval(), x)
    plan = torch_tensorrt.ts.convert_method_to_trt_engine(ts, "forward", inputs=[x])
    return plan, x, ts


@pytest.mark.parametrize("damage", ["truncate", "bitflip", "version"])
def test_damaged_plans_are_refused_from_python_and_jit_load(tmp_path, damage):
    plan, x, ts = _engine_module(tmp_path)
    good = torch_tensorrt.ts.embed_engine_in_new_module(plan)
    torch.testing.assert_close(good(x), ts(x), **TOLERANCES[torch.float32])
    b = bytearray(plan)
    if damage == "truncate":
        b = b[: len(b) // 2]
        expected = "truncated"
    elif damage == "bitflip":
        b[len(b) // 2] ^= 0x04
        expected = "corrupted"
    else:
        import zlib

        b[8:12] = (999).to_bytes(4, "little")  # a format from a far newer release
        b[28:32] = zlib.crc32(bytes(b[:28])).to_bytes(4, "little")
        expected = r"'format_version' is 999, but this runtime reads versions 1 to \d+"
    with pytest.raises(RuntimeError, match=expected):
        torch_tensorrt.ts.embed_engine_in_new_module(bytes(b))
    # The same damage inside a saved module is refused by torch.jit.load.
    torch.jit.save(good, str(tmp_path / "good.ts"))
    import zipfile

    src = zipfile.ZipFile(tmp_path / "good.ts")
    with zipfile.ZipFile(tmp_path / "bad.ts", "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if plan in data:
                data = data.replace(plan, bytes(b) + b"\0" * (len(plan) - len(b)) if len(b) < len(plan) else bytes(b))
            dst.writestr(item, data)
    with pytest.raises(RuntimeError, match="invalid plan"):
        torch.jit.load(str(tmp_path / "bad.ts"))


def test_layer_info_of_a_compiled_module():
    """torch_tensorrt.ts.get_layer_info: the engine inspector per engine, as dicts or text."""
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.ReLU(), torch.nn.LayerNorm(16)).eval()
    x = torch.randn(4, 8)
    compiled = torch_tensorrt.compile(torch.jit.trace(model, x), inputs=[x])
    (info,) = torch_tensorrt.ts.get_layer_info(compiled)
    kinds = [layer["kind"] for layer in info["layers"]]
    assert "MatrixMultiply" in kinds and "Normalization" in kinds and "ElementWise" not in kinds, kinds
    mm = next(layer for layer in info["layers"] if layer["kind"] == "MatrixMultiply")
    assert mm["fused"] == {"bias": True, "activation": "relu"}, mm
    (text,) = torch_tensorrt.ts.get_layer_info(compiled, as_json=False)
    assert "MatrixMultiply" in text and "Normalization" in text


def test_workspace_size_and_timing_iterations_reach_the_engine(capfd):
    """Both options go into the plan (the inspector shows them) and steer the CUDA backend's
    tactic choice (tests/engine/cuda_backend_test.cpp); a CPU engine says they change nothing."""
    model = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.ReLU()).eval()
    device = "cuda" if torch.cuda.is_available() and torch_tensorrt._C.has_cuda_backend() else "cpu"
    x = torch.randn(1, 3, 8, 8, device=device)
    ts = torch.jit.trace(model.to(device), x)
    with torch_tensorrt.logging.warnings():
        compiled = torch_tensorrt.compile(ts, inputs=[x], workspace_size=1 << 20, num_avg_timing_iters=3)
    (info,) = torch_tensorrt.ts.get_layer_info(compiled)
    assert info["workspace_limit"] == 1 << 20 and info["timing_iterations"] == 3, info
    err = capfd.readouterr().err
    if device == "cpu":
        assert "workspace_size and num_avg_timing_iters shape the CUDA backend" in err
    else:
        assert "workspace_size" not in err
    (default,) = torch_tensorrt.ts.get_layer_info(torch_tensorrt.compile(ts, inputs=[x]))
    assert default["workspace_limit"] == 0 and default["timing_iterations"] == 1, default


class ShapeDrivenLogic(torch.nn.Module):
    """Python control flow over sizes, as scripted models have it: a loop over x.shape filling a
    list, list slicing / extend / sum / max, a warning, a dtype check and an assert."""

    def forward(self, x):
        dims: List[int] = []
        for d in x.shape:
            dims.append(d * 2)
        tail = dims[1:]
        if x.is_floating_point():
            warnings.warn("a float input")
        sizes = list(x.size())
        sizes.extend([1])
        assert x.dim() == 4, "expected NCHW"
        y = x.reshape(x.shape[0], -1)
        return y.sum(1) * float(len(tail)) + float(sizes[-1]) + float(max(dims)) + float(sum(dims))


def test_loops_lists_warnings_and_asserts_over_sizes_compile_whole():
    model = torch.jit.script(ShapeDrivenLogic())
    x = torch.randn(2, 3, 4, 5)
    compiled = torch_tensorrt.compile(model, inputs=[x], require_full_compilation=True)
    assert len(compiled.graph.findAllNodes("tensorrt::execute_engine", True)) == 1
    torch.testing.assert_close(compiled(x), model(x), **TOLERANCES[torch.float32])
    # The assert fails for a 3-D input: the model's message, at compile time.
    with pytest.raises(RuntimeError, match="expected NCHW"):
        torch_tensorrt.compile(model, inputs=[torch.randn(2, 3, 4)], require_full_compilation=True)


class _Nested(torch.nn.Module):
    def forward(self, x):
        return x + 1, (x * 2, x - 1)


class _ScaledBy(torch.nn.Module):
    def forward(self, x, s: float):
        return x * s


class _Doubled(torch.nn.Module):
    def forward(self, x):
        return x * 2


def test_refusals_name_what_was_wrong_and_what_to_do():
    # An audit of run-time inputs and compile settings found these answered with messages about the compiler's
    # internals (a plan's "invalid field 'dims'", "a converter asked for a tensor", "unsupported memory format").
    def compile_(module, inputs, full=True):
        return torch_tensorrt.compile(torch.jit.script(module), inputs=inputs, device="cpu", min_block_size=1,
                                      require_full_compilation=full)

    with pytest.raises(RuntimeError, match=r"Input 0 has a dimension of 2147483712 in its shape range .*; engines "
                                           r"take dimensions up to 2147483647 \(2\^31 - 1\)"):
        compile_(_Doubled(), [torch_tensorrt.Input(min_shape=[1], opt_shape=[64], max_shape=[2**31 + 64])])
    with pytest.raises(RuntimeError, match=r"engines take dimensions up to 2147483647"):  # before any shape analysis
        compile_(_Doubled(), [torch_tensorrt.Input(shape=[2**31, 3])], full=False)  # (which allocated 24 GiB)
    with pytest.raises(RuntimeError, match=r"forward returns a nested tuple or list .*; one engine returns a flat "
                                           r"tuple of tensors. require_full_compilation=False"):
        compile_(_Nested(), [torch.randn(2, 3)])
    nested = compile_(_Nested(), [torch.randn(2, 3)], full=False)
    x = torch.randn(2, 3)
    assert [t.tolist() for t in (nested(x)[0], *nested(x)[1])] == [(x + 1).tolist(), (x * 2).tolist(), (x - 1).tolist()]
    with pytest.raises(RuntimeError, match=r"forward argument 1 \(%s.*\) has type float but is given one Input; "
                                           r"compiled modules take tensors"):
        compile_(_ScaledBy(), [torch.randn(2, 3), torch_tensorrt.Input(())], full=False)
    doubled = compile_(_Doubled(), [torch.randn(2, 3)])
    with pytest.raises(RuntimeError, match=r"input 0 \('input_0'\) of engine '.*' is a Sparse tensor; engines take "
                                           r"dense \(strided\) tensors: pass tensor.to_dense\(\)"):
        doubled(torch.randn(2, 3).to_sparse())
    indexed = compile_(_Indexed(), [torch.arange(12.0).view(4, 3), torch.tensor([0, 1])])
    with pytest.raises(RuntimeError, match="index -5 is out of range for an axis of size 4"):
        indexed(torch.arange(12.0).view(4, 3), torch.tensor([-5, 0]))  # the caller's index, not -1 after wrapping


class _Indexed(torch.nn.Module):
    def forward(self, x, i):
        return x[i]
