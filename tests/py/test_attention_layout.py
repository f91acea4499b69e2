"""The head split's and merge's permutes around attention become the attention's strides on CUDA (the
builder's attention layout pass): a BERT-style self-attention block compiles to an engine whose attention
reads and writes [B, S, H, D] tensors, with no shuffle left that moves bytes, and computes what eager does.
On the CPU backend the pass does not run (its fast attention reads [B, H, S, D])."""
import pytest
import torch
import torch.nn.functional as F
import torch_tensorrt

from conftest import gpu_engines


class SelfAttention(torch.nn.Module):
    def __init__(self, hidden: int = 64, heads: int = 4):
        super().__init__()
        self.heads, self.size = heads, hidden // heads
        self.q, self.k, self.v, self.o = (torch.nn.Linear(hidden, hidden) for _ in range(4))

    def forward(self, x, mask):
        b, s, _ = x.shape

        def split(t):
            return t.view(b, s, self.heads, self.size).permute(0, 2, 1, 3)

        context = F.scaled_dot_product_attention(split(self.q(x)), split(self.k(x)), split(self.v(x)), attn_mask=mask)
        return self.o(context.permute(0, 2, 1, 3).reshape(b, s, -1))


def _inputs(device, dtype):
    torch.manual_seed(0)
    x = torch.randn(3, 10, 64, device=device, dtype=dtype)
    mask = torch.zeros(3, 1, 1, 10, device=device, dtype=dtype)
    mask[1, ..., 7:] = float("-inf")  # padding keys of the second sequence
    return x, mask


def _engine_layers(compiled):
    (engine,) = torch_tensorrt.ts.get_layer_info(compiled)
    return engine["layers"]


@pytest.mark.skipif(not gpu_engines(), reason="needs a GPU and the CUDA backend")
@pytest.mark.parametrize("dtype", [torch.half, torch.bfloat16])
def test_bert_attention_reads_its_heads_through_strides_on_cuda(dtype):
    torch.manual_seed(0)
    model = SelfAttention().eval().cuda().to(dtype)
    x, mask = _inputs("cuda", dtype)
    with torch.no_grad():
        expected = model(x, mask)
        compiled = torch_tensorrt.compile(torch.jit.trace(model, (x, mask)), inputs=[x, mask],
                                          enabled_precisions={dtype}, require_full_compilation=True)
        got = compiled(x, mask)
    layers = _engine_layers(compiled)
    (attention,) = [layer for layer in layers if layer["kind"] == "Attention"]
    assert attention["fused"].get("sequence_major") == "query,key,value,output", attention
    # What is left of the splits and the merge are reshapes: views of their input's memory.
    shuffles = [layer for layer in layers if layer["kind"] == "Shuffle"]
    assert shuffles and all(layer["implementation"] == "view of its input's memory" for layer in shuffles), shuffles
    torch.testing.assert_close(got.float(), expected.float(), atol=2e-2, rtol=2e-2)


def test_the_cpu_backend_keeps_heads_major_and_matches_eager():
    torch.manual_seed(0)
    model = SelfAttention().eval()
    x, mask = _inputs("cpu", torch.float32)
    with torch.no_grad():
        expected = model(x, mask)
        compiled = torch_tensorrt.compile(torch.jit.trace(model, (x, mask)), inputs=[x, mask], device="cpu",
                                          require_full_compilation=True)
        got = compiled(x, mask)
    layers = _engine_layers(compiled)
    (attention,) = [layer for layer in layers if layer["kind"] == "Attention"]
    assert "sequence_major" not in attention["fused"]
    # The head split's permutes stay (the CPU's attention reads [B, H, S, D]).
    assert any(layer["kind"] == "Shuffle" and layer["implementation"] != "view of its input's memory"
               for layer in layers)
    torch.testing.assert_close(got, expected, atol=1e-5, rtol=1e-5)
