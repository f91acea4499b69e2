"""Builder folds of vision networks, on torchvision's own models: EfficientNet's squeeze-and-excitation gates
become their projections' weights scaled per image (no multiply over the feature map left), and ConvNeXt's
layer scale folds into the MLP's second linear (its multiply gone), DenseNet's batch norms after its concatenations
are one Scale layer each (with the ReLU after them); each model computes what eager does."""
import pytest
import torch
import torch_tensorrt
import torchvision
from conftest import onednn_plugin_built


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
    # The fold takes channels-last projections: on the CPU those of a build with the oneDNN plugin (the reference
    # kernels keep channels-first); the results are eager's either way.
    if not onednn_plugin_built():
        _close(compiled, model, x)
        pytest.skip("the CPU backend without its oneDNN plugin keeps convolutions channels-first: nothing to fold")
    # 16 MBConv blocks: the 8 whose images have at least twice as many pixels as the projection has outputs
    # (112x112 to 14x14) run it as a product batched over the images, multiplying the small [N, Cout, Cin] weights
    # per image instead of the feature map; the 8 late ones (7x7, 192-320 outputs) keep their multiply.
    assert kinds.count("MatrixMultiply") == 9 and kinds.count("ElementWise") == 16, kinds
    ranks = [len(layer["outputs"][0]["dims"]) for info in torch_tensorrt.ts.get_layer_info(compiled)
             for layer in info["layers"] if layer["kind"] == "ElementWise"]
    assert ranks.count(3) == 8 and ranks.count(4) == 8, ranks
    _close(compiled, model, x)


def test_convnext_layer_scale_folds_into_the_mlp():
    torch.manual_seed(0)
    model = torchvision.models.convnext_tiny().eval()
    x = torch.randn(1, 3, 224, 224)
    compiled = _compile(model, x)
    layers = [layer for info in torch_tensorrt.ts.get_layer_info(compiled) for layer in info["layers"]]
    kinds = [layer["kind"] for layer in layers]
    # 18 blocks: the layer-scale multiplies are gone; each residual add is a kernel of its own or, where the
    # channels-last layout cancels the model's permute between it and the MLP's second product (CUDA, the CPU's
    # oneDNN kernels), part of that product.
    in_products = sum(1 for layer in layers
                      if layer["kind"] == "MatrixMultiply" and layer.get("fused", {}).get("residual"))
    assert kinds.count("ElementWise") + in_products == 18, kinds
    assert in_products in (0, 18), kinds
    _close(compiled, model, x)


def test_densenet_batch_norms_after_concatenations_are_one_scale_each():
    torch.manual_seed(0)
    model = torchvision.models.densenet121().eval()
    x = torch.randn(1, 3, 224, 224)
    compiled = _compile(model, x)
    kinds = _kinds(compiled)
    # 58 dense layers' and 3 transitions' norms plus the last: a Scale each, no multiply and add left, and the
    # ReLU after each computed by its Scale.
    assert kinds.count("Scale") == 62 and kinds.count("ElementWise") == 0 and kinds.count("Activation") == 0, kinds
    _close(compiled, model, x)


def test_mobilenet_v2_relu6_folds_into_its_convolutions():
    torch.manual_seed(0)
    model = torchvision.models.mobilenet_v2().eval()
    x = torch.randn(2, 3, 224, 224)
    compiled = _compile(model, x)
    layers = [layer for info in torch_tensorrt.ts.get_layer_info(compiled) for layer in info["layers"]]
    kinds = [layer["kind"] for layer in layers]
    # 35 ReLU6 after convolutions: each a clip to [0, 6] computed by its convolution, none left on its own.
    assert kinds.count("Activation") == 0, kinds
    clipped = [layer for layer in layers if layer["kind"] == "Convolution"
               and layer.get("fused", {}).get("activation") == "clip"]
    assert len(clipped) == 35, kinds
    assert all(layer["fused"]["activation_parameters"] == {"alpha": 0, "beta": 6} for layer in clipped)
    _close(compiled, model, x)
