"""Swin's shifted-window attention adds its window mask through a 5-D view of the scores; the builder reads
it with batch B and windows x heads as heads, so every attention of torchvision's swin_t becomes one
Attention layer (none left as GEMMs + softmax) with the query's scaling folded into its scale, and the model
computes what eager does."""
import pytest
import torch
import torch_tensorrt
import torchvision

from conftest import gpu_engines

DEVICES = ["cpu"] + (["cuda"] if gpu_engines() else [])


@pytest.mark.parametrize("device", DEVICES)
def test_swin_t_fuses_every_attention_window_masks_included(device):
    torch.manual_seed(0)
    model = torchvision.models.swin_t().eval().to(device)
    x = torch.randn(1, 3, 224, 224, device=device)
    compiled = torch_tensorrt.compile(torch.jit.trace(model, x), inputs=[x], device=device,
                                      require_full_compilation=True, disable_tf32=True)
    kinds = [layer["kind"] for info in torch_tensorrt.ts.get_layer_info(compiled) for layer in info["layers"]]
    assert kinds.count("Attention") == 12 and kinds.count("SoftMax") == 0, kinds
    # The query's scaling (q * head_dim ** -0.5) is the attentions' own scale: only the 12 residual adds stay.
    assert kinds.count("ElementWise") == 12, kinds
    with torch.no_grad():
        expected, got = model(x), compiled(x)
    assert (got - expected).abs().max().item() < 1e-3 * expected.abs().max().item()
