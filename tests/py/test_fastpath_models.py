"""Issue 20 acceptance: models traced in inference (eval mode, under torch.no_grad()) that PyTorch
runs on its fused fast path compile whole (require_full_compilation=True) and match TorchScript:
nn.TransformerEncoder (aten::_transformer_encoder_layer_fwd; with a key padding mask also its
nested-tensor packing), nn.MultiheadAttention (aten::_native_multi_head_attention), and torchvision's
swin_v2_t (qkv_bias[E:2E].zero_(), written into a view)."""
import pytest
import torch
import torchvision

import torch_tensorrt
from conftest import TOLERANCES, gpu_engines

# As tests/py/test_model_zoo.py: the largest difference relative to the output's magnitude (at
# least 1), float32 on the CPU. On the GPU both sides use TF32 matrix math (~5e-4 relative per
# product), so the zoo's bound for TF32 models applies.
CPU_RELATIVE_ERROR = TOLERANCES[torch.float32]["atol"]
TF32_MODEL_RELATIVE_ERROR = 5e-3
DEVICES = ["cpu"] + (["cuda"] if gpu_engines() else [])


def relative_error(actual: torch.Tensor, expected: torch.Tensor) -> float:
    return ((actual - expected).abs().max() / max(1.0, expected.abs().max().item())).item()


def trace_in_inference(model: torch.nn.Module, *inputs: torch.Tensor) -> torch.jit.ScriptModule:
    """What users get from tracing a deployed model: eval mode and autograd off, the fast path."""
    with torch.no_grad():
        return torch.jit.trace(model.eval(), inputs, check_trace=False)


def fused_ops(module: torch.jit.ScriptModule) -> set:
    return {n.kind() for n in module.inlined_graph.nodes()} & {
        "aten::_transformer_encoder_layer_fwd", "aten::_native_multi_head_attention", "aten::_nested_tensor_from_mask"}


def bound(device: str) -> float:
    return CPU_RELATIVE_ERROR if device == "cpu" else TF32_MODEL_RELATIVE_ERROR


def compile_whole(module, inputs):
    compiled = torch_tensorrt.compile(module, inputs=inputs, require_full_compilation=True)
    assert len(compiled.graph.findAllNodes("tensorrt::execute_engine", True)) == 1
    return compiled


def encoder(norm_first: bool, activation: str, **kwargs) -> torch.nn.Module:
    torch.manual_seed(0)
    layer = torch.nn.TransformerEncoderLayer(d_model=64, nhead=4, batch_first=True, norm_first=norm_first,
                                             activation=activation)
    return torch.nn.TransformerEncoder(layer, 2, **kwargs).eval()


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("activation", ["relu", "gelu"])
def test_transformer_encoder_fast_path_compiles_whole(norm_first, activation, device):
    x = torch.randn(2, 16, 64)
    module = trace_in_inference(encoder(norm_first, activation), x).to(device)
    x = x.to(device)
    assert "aten::_transformer_encoder_layer_fwd" in fused_ops(module)
    compiled = compile_whole(module, [x])
    with torch.no_grad():
        assert relative_error(compiled(x), module(x)) <= bound(device)


class EncoderWithPadding(torch.nn.Module):
    def __init__(self, norm_first: bool):
        super().__init__()
        self.encoder = encoder(norm_first, "gelu")

    def forward(self, x, padding):
        return self.encoder(x, src_key_padding_mask=padding)


def padding_mask(lengths, total):
    return torch.arange(total)[None, :] >= torch.tensor(lengths)[:, None]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("norm_first", [False, True])
def test_transformer_encoder_with_key_padding_mask(norm_first, device):
    # Post-norm layers take PyTorch's nested-tensor path (the batch packed by length, padded back with
    # zeros); pre-norm ones get the mask as a key padding mask.
    x, mask = torch.randn(3, 12, 64), padding_mask([12, 7, 3], 12)
    module = trace_in_inference(EncoderWithPadding(norm_first), x, mask).to(device)
    x = x.to(device)
    assert ("aten::_nested_tensor_from_mask" in fused_ops(module)) == (not norm_first)
    compiled = compile_whole(module, [x, mask.to(device)])
    with torch.no_grad():
        for lengths in ([12, 7, 3], [5, 12, 1]):
            mask = padding_mask(lengths, 12).to(device)
            assert relative_error(compiled(x, mask), module(x, mask)) <= bound(device)


@pytest.mark.parametrize("device", DEVICES)
def test_transformer_encoder_with_dynamic_batch_and_length(device):
    module = trace_in_inference(encoder(False, "relu"), torch.randn(2, 16, 64)).to(device)
    spec = torch_tensorrt.Input(min_shape=(1, 4, 64), opt_shape=(2, 16, 64), max_shape=(4, 32, 64))
    compiled = compile_whole(module, [spec])
    with torch.no_grad():
        for shape in [(1, 4, 64), (3, 9, 64), (4, 32, 64)]:
            x = torch.randn(shape, device=device)
            assert relative_error(compiled(x), module(x)) <= bound(device)


class SelfAttention(torch.nn.Module):
    def __init__(self, need_weights: bool, average: bool):
        super().__init__()
        torch.manual_seed(0)
        self.attn = torch.nn.MultiheadAttention(32, 4, batch_first=True)
        self.need_weights, self.average = need_weights, average

    def forward(self, x, padding):
        out, weights = self.attn(x, x, x, key_padding_mask=padding, need_weights=self.need_weights,
                                 average_attn_weights=self.average)
        return (out, weights) if self.need_weights else out


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("need_weights,average", [(False, True), (True, True), (True, False)])
def test_multihead_attention_fast_path_compiles_whole(need_weights, average, device):
    x, mask = torch.randn(2, 10, 32), padding_mask([10, 6], 10)
    module = trace_in_inference(SelfAttention(need_weights, average), x, mask).to(device)
    x, mask = x.to(device), mask.to(device)
    assert "aten::_native_multi_head_attention" in fused_ops(module)
    compiled = compile_whole(module, [x, mask])
    with torch.no_grad():
        expected, actual = module(x, mask), compiled(x, mask)
    if not need_weights:
        expected, actual = (expected,), (actual,)
    for a, e in zip(actual, expected):
        assert a.shape == e.shape
        assert relative_error(a, e) <= bound(device)


@pytest.mark.parametrize("device", DEVICES)
def test_swin_v2_t_compiles_whole_and_matches(device):
    torch.manual_seed(0)
    model = torchvision.models.swin_v2_t(weights=None).eval()
    x = torch.randn(1, 3, 224, 224, generator=torch.Generator().manual_seed(1))
    module = trace_in_inference(model, x).to(device)
    x = x.to(device)
    compiled = compile_whole(module, [x])
    with torch.no_grad():
        error = relative_error(compiled(x), module(x))
    assert error <= bound(device), error
