"""Swin's shifted-window attention adds its window mask through a 5-D view of the scores; the builder reads
it with batch B and windows x heads as heads, so every attention of torchvision's swin_t becomes one
Attention layer (none left as GEMMs + softmax) with the query's scaling folded into its scale, the residual adds
join the output projections, and the model computes what eager does."""
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
    # The query's scaling (q * head_dim ** -0.5) is the attentions' own scale, and the 12 residual adds after the
    # window reverse are the output projections' (the reverse, which moves whole rows, runs before the projection).
    assert kinds.count("ElementWise") == 0, kinds
    with torch.no_grad():
        expected, got = model(x), compiled(x)
    assert (got - expected).abs().max().item() < 1e-3 * expected.abs().max().item()


@pytest.mark.skipif(not torch_tensorrt._C.has_cuda_backend(), reason="this build has no CUDA backend to describe")
def test_swin_t_on_cuda_reads_its_packed_qkv_through_strides():
    """The packed Q/K/V projection's permute(2, 0, 3, 1, 4) copied the whole product before every attention; in
    a CUDA engine the product is stacked by head blocks and every window attention, the shifted windows' read per
    window with their mask repeating every nW batches, reads Q, K, V and writes its output through strides: no
    copy between the Q/K/V product and the output projection."""
    torch.manual_seed(0)
    x = torch.randn(1, 3, 224, 224)
    with torch.no_grad():
        traced = torch.jit.trace(torchvision.models.swin_t().eval(), x, check_trace=False)
    doc = torch_tensorrt.ts.describe_engine_layers(traced, inputs=[x], enabled_precisions={torch.float, torch.half},
                                                   device="cuda")
    attentions = [layer for layer in doc["layers"] if layer["kind"] == "Attention"]
    assert [a["fused"].get("sequence_major") for a in attentions].count("query,key,value,output") == 12, attentions
    assert sum(len(a["inputs"][3]["dims"]) == 5 for a in attentions if len(a["inputs"]) == 4) == 5, attentions
    stacked = [layer for layer in doc["layers"] if layer["name"].endswith("[3 head blocks stacked]")]
    # Each shifted block's roll and window cut (and, after the attention, the window reverse and roll back) is one
    # gather of rows by a constant table: 5 shifted blocks, 10 gathers, no wrapping slice left.
    kinds = [layer["kind"] for layer in doc["layers"] if layer["implementation"] != "view of its input's memory"]
    assert kinds.count("Gather") == 10 and "Slice" not in kinds, kinds
    assert len(stacked) == 12 and all(s["outputs"][0]["dims"][0] == 3 for s in stacked), stacked
