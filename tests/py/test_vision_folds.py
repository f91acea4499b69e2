"""Builder folds of vision networks, on torchvision's own models: EfficientNet's squeeze-and-excitation gates
become their projections' weights scaled per image (no multiply over the feature map left), and ConvNeXt's
layer scale folds into the MLP's second linear (its multiply gone); each model computes what eager does."""
import pytest
import torch
import torch_tensorrt
import torchvision


def _kinds(compiled):
    return [layer["kind"] for info in torch_tensorrt.ts.get_layer_info(compiled) for layer in info["layers"]]


def _compile(model, x):
    return torch_tensorrt.compile(torch.jit.trace(model, x), inputs=[x], device="cpu", require_full_compilation=True)


def _close(compiled, model, x):
    with torch.no_grad():
        expected, got = model(x), compiled(x)
    assert (got - expected).abs().max().item() <= 1e-4 * expected.abs().max().item()


def test_efficientnet_excitation_gates_fold_into_the_projections():
    torch.manual_seed(0)
    model = torchvision.models.efficientnet_b0().eval()
    x = torch.randn(2, 3, 224, 224)
    compiled = _compile(model, x)
    kinds = _kinds(compiled)
    # 16 MBConv blocks: each projection a product batched over the images; what multiplies is the small
    # [N, Cout, Cin] weights per image, not the feature maps.
    assert kinds.count("MatrixMultiply") == 17 and kinds.count("ElementWise") == 16, kinds
    for info in torch_tensorrt.ts.get_layer_info(compiled):
        for layer in info["layers"]:
            if layer["kind"] == "ElementWise":
                assert layer["outputs"][0]["dims"][0] == 2 and len(layer["outputs"][0]["dims"]) == 3, layer
    _close(compiled, model, x)


def test_convnext_layer_scale_folds_into_the_mlp():
    torch.manual_seed(0)
    model = torchvision.models.convnext_tiny().eval()
    x = torch.randn(1, 3, 224, 224)
    compiled = _compile(model, x)
    kinds = _kinds(compiled)
    # 18 blocks: the residual adds stay, the layer-scale multiplies are gone.
    assert kinds.count("ElementWise") == 18, kinds
    _close(compiled, model, x)
