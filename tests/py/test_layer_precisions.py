"""Per-layer precision the user steers (compile option layer_precisions, torchtrtc --layer-precision),
shown per layer by the engine inspector; and FP8 (torch.float8_e4m3fn) refused without its scales."""
import pytest
import torch
import torch_tensorrt

from test_cli import run


class Head(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(16, 32)
        self.fc2 = torch.nn.Linear(32, 8)

    def forward(self, x):
        return torch.softmax(self.fc2(torch.relu(self.fc1(x))), -1)


def _head():
    torch.manual_seed(0)
    return torch.jit.script(Head().eval())


def _compile(**options):
    return torch_tensorrt.compile(_head(), inputs=[torch.randn(4, 16)], device="cpu", min_block_size=1,
                                  enabled_precisions={torch.float, torch.half}, **options)


def _layers(compiled, kind):
    (engine,) = torch_tensorrt.ts.get_layer_info(compiled)
    return [layer for layer in engine["layers"] if layer["kind"] == kind]


@pytest.mark.parametrize("key", ["aten::softmax", "*aten::softmax(*"])
def test_softmax_pinned_to_float32_in_an_fp16_engine(key):
    x = torch.randn(4, 16)
    expected = _head()(x)
    unpinned = _compile()
    assert [layer["precision"] for layer in _layers(unpinned, "SoftMax")] == ["float16"]
    pinned = _compile(layer_precisions={key: torch.float32})
    (softmax,) = _layers(pinned, "SoftMax")
    assert softmax["precision"] == "float32" and softmax["pinned_precision"] == "float32"
    assert softmax["inputs"][0]["dtype"] == "float32"
    # The products around it still compute in half.
    assert {layer["precision"] for layer in _layers(pinned, "MatrixMultiply")} == {"float16"}
    y = pinned(x)
    torch.testing.assert_close(y, expected, atol=1e-2, rtol=1e-2)
    # A float32 softmax: each row sums to 1 within float32 rounding (a half softmax's rows do not).
    torch.testing.assert_close(y.sum(-1), torch.ones(4), atol=1e-6, rtol=0)


def test_layer_precisions_refuses_what_it_cannot_hold():
    with pytest.raises(TypeError, match="layer_precisions takes a dict"):
        _compile(layer_precisions=["aten::softmax"])
    with pytest.raises(TypeError, match=r"layer_precisions\['aten::softmax'\] must be a torch dtype"):
        _compile(layer_precisions={"aten::softmax": "fp32"})
    with pytest.raises(ValueError, match=r"layer_precisions\['aten::softmax'\] is torch.bfloat16, which "
                                         r"enabled_precisions does not contain"):
        _compile(layer_precisions={"aten::softmax": torch.bfloat16})
    x = torch.randn(4, 16)
    with pytest.raises(ValueError, match="layer_precisions is not available on the dynamo path"):
        torch_tensorrt.dynamo.compile(torch.export.export(Head().eval(), (x,)), inputs=[x], device="cpu",
                                      layer_precisions={"aten::softmax": torch.float32})


def test_fp8_without_a_calibrator_is_refused():
    with pytest.raises(Exception, match="needs per-tensor scales"):
        torch_tensorrt.compile(_head(), inputs=[torch.randn(4, 16)], device="cpu", require_full_compilation=True,
                               enabled_precisions={torch.float, torch.float8_e4m3fn})


def test_cli_layer_precision_flag_and_inspect(tmp_path):
    src, out = str(tmp_path / "head.ts"), str(tmp_path / "head_trt.ts")
    _head().save(src)
    r = run(["--device-type=cpu", "--mbs=1", "-p", "f16", "--layer-precision", "aten::softmax=fp32", src, out, "(4,16)"])
    assert r.returncode == 0, r.stderr
    # The text inspector (the JSON one is get_layer_info's, above): each layer's precision and pin.
    r = run(["--inspect", out])
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert any("SoftMax" in line and "precision=float32 (pinned float32)" in line for line in lines), r.stdout
    assert any("MatrixMultiply" in line and "precision=float16" in line for line in lines), r.stdout
    r = run(["--device-type=cpu", "--layer-precision", "aten::softmax", src, out, "(4,16)"])
    assert r.returncode == 2 and "--layer-precision 'aten::softmax' must be KEY=PRECISION" in r.stderr
    r = run(["--device-type=cpu", "-p", "fp8", src, out, "(4,16)"])
    assert r.returncode != 0 and "needs per-tensor scales" in r.stderr, r.stderr
