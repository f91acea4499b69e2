"""The model zoo: real architectures with random weights at sizes that keep CPU runs short.

Used by tests/py/test_model_zoo.py (compile with require_full_compilation=True and compare with
TorchScript) and by bench/model_zoo.py (writes docs/model_zoo.md). Random weights are made
realistic where the default initialisation would hide errors: batch-norm statistics are drawn at
random and zero-initialised classifier heads get random weights, so outputs are not all zero.
"""
import time
from typing import Any, Callable, Dict, List, Tuple

import torch
import torchvision


def _realistic(model: torch.nn.Module) -> torch.nn.Module:
    gen = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
                m.running_mean.copy_(torch.randn(m.running_mean.shape, generator=gen) * 0.1)
                m.running_var.copy_(torch.rand(m.running_var.shape, generator=gen) + 0.5)
                if m.weight is not None:
                    m.weight.copy_(torch.rand(m.weight.shape, generator=gen) + 0.5)
                    m.bias.copy_(torch.randn(m.bias.shape, generator=gen) * 0.1)
            elif isinstance(m, torch.nn.Linear) and m.weight.abs().max() == 0:
                m.weight.copy_(torch.randn(m.weight.shape, generator=gen) * 0.02)
    return model.eval()


def _tv(name: str, **kwargs) -> Callable[[], torch.nn.Module]:
    return lambda: _realistic(getattr(torchvision.models, name)(**kwargs))


class SegmentationLogits(torch.nn.Module):
    """fcn_resnet50 returns a dict; tracing wants tensors."""

    def __init__(self):
        super().__init__()
        self.net = _realistic(torchvision.models.segmentation.fcn_resnet50(weights=None, weights_backbone=None, aux_loss=False))

    def forward(self, x):
        return self.net(x)["out"]


class SmallUNet(torch.nn.Module):
    """Encoder-decoder with the ops segmentation and generative models use: group and instance
    norm, PReLU, transposed convolution, bilinear upsampling, skip concatenation, reflection pad."""

    def __init__(self):
        super().__init__()
        nn = torch.nn
        self.down1 = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.GroupNorm(4, 16), nn.PReLU(16))
        self.down2 = nn.Sequential(nn.Conv2d(16, 32, 3, stride=2, padding=1), nn.InstanceNorm2d(32, affine=True), nn.SiLU())
        self.up = nn.ConvTranspose2d(32, 16, 4, stride=2, padding=1)
        self.fuse = nn.Sequential(nn.ReflectionPad2d(1), nn.Conv2d(32, 16, 3), nn.GELU())
        self.head = nn.Conv2d(16, 5, 1)

    def forward(self, x):
        a = self.down1(x)
        b = self.down2(a)
        u = self.up(b) + torch.nn.functional.interpolate(b[:, :16], scale_factor=2.0, mode="bilinear", align_corners=False)
        return self.head(self.fuse(torch.cat([a, u], dim=1)))


def _transformer_encoder() -> torch.nn.Module:
    layer = torch.nn.TransformerEncoderLayer(d_model=64, nhead=4, dim_feedforward=128, batch_first=True)
    return torch.nn.TransformerEncoder(layer, num_layers=2, enable_nested_tensor=False).eval()


class PaddedTokens(torch.nn.Module):
    """An encoder called as deployments call it: token ids padded with 0 at the end of each sequence and
    the attention mask derived from them, so that every layer's attention reads a padding mask."""

    def __init__(self, encoder: torch.nn.Module):
        super().__init__()
        self.encoder = encoder

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        return self.encoder(ids, attention_mask=(ids != 0).to(torch.long))[0]


class CausalLM(torch.nn.Module):
    """A decoder with its causal mask built in plain tensor ops and passed as a 4-D additive mask:
    transformers 4.57 builds the mask with torch.vmap, which torch.jit.trace cannot record, and
    takes a 4-D mask as given."""

    def __init__(self, decoder: torch.nn.Module):
        super().__init__()
        self.decoder = decoder

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        n = ids.shape[1]
        mask = torch.full((n, n), torch.finfo(torch.float32).min, device=ids.device).triu(1)[None, None]
        return self.decoder(ids, attention_mask=mask)[0]


def _hf(kind: str) -> Callable[[], torch.nn.Module]:
    """Hugging Face models from the configs' defaults (BERT-base, ViT-base, T5-small, BART-large, GPT-2; random
    weights), with vocabularies cut to 1000 tokens so the embedding tables stay small in CI."""

    def build() -> torch.nn.Module:
        import transformers as T

        common = dict(torchscript=True, return_dict=False, attn_implementation="eager")
        if kind == "bert":
            return T.BertModel(T.BertConfig(vocab_size=1000, **common)).eval()
        if kind == "vit":
            return T.ViTModel(T.ViTConfig(image_size=64, **common), add_pooling_layer=False).eval()
        if kind == "t5_encoder":
            return T.T5EncoderModel(T.T5Config(vocab_size=1000, use_cache=False, **common)).eval()
        if kind == "bart_encoder":
            return T.BartModel(T.BartConfig(vocab_size=1000, use_cache=False, **common)).get_encoder().eval()
        if kind == "gpt2":
            return CausalLM(T.GPT2Model(T.GPT2Config(vocab_size=1000, **common))).eval()
        raise KeyError(kind)

    return build


def _token_ids(shape: Tuple[int, ...]) -> torch.Tensor:
    return torch.randint(0, 1000, shape, generator=torch.Generator().manual_seed(1))


# name -> (constructor, input shape)
ZOO: Dict[str, Tuple[Callable[[], torch.nn.Module], Tuple[int, ...]]] = {
    "resnet18": (_tv("resnet18"), (1, 3, 64, 64)),
    "resnet50": (_tv("resnet50"), (1, 3, 64, 64)),
    "mobilenet_v2": (_tv("mobilenet_v2"), (1, 3, 64, 64)),
    "mobilenet_v3_large": (_tv("mobilenet_v3_large"), (1, 3, 64, 64)),
    "efficientnet_b0": (_tv("efficientnet_b0"), (1, 3, 64, 64)),
    "densenet121": (_tv("densenet121"), (1, 3, 64, 64)),
    "vgg16": (_tv("vgg16"), (1, 3, 32, 32)),
    "squeezenet1_1": (_tv("squeezenet1_1"), (1, 3, 64, 64)),
    "shufflenet_v2_x1_0": (_tv("shufflenet_v2_x1_0"), (1, 3, 64, 64)),
    "regnet_y_400mf": (_tv("regnet_y_400mf"), (1, 3, 64, 64)),
    "convnext_tiny": (_tv("convnext_tiny"), (1, 3, 64, 64)),
    "googlenet": (_tv("googlenet", aux_logits=False, init_weights=False), (1, 3, 64, 64)),
    "inception_v3": (_tv("inception_v3", aux_logits=False, init_weights=False), (1, 3, 75, 75)),
    "vit_b_16": (_tv("vit_b_16", image_size=64), (1, 3, 64, 64)),
    "swin_t": (_tv("swin_t"), (1, 3, 64, 64)),
    "fcn_resnet50": (SegmentationLogits, (1, 3, 64, 64)),
    "nn.TransformerEncoder": (_transformer_encoder, (2, 16, 64)),
    "small_unet": (lambda: _realistic(SmallUNet()), (1, 3, 32, 32)),
}

# Hugging Face transformers; only with the pinned version (the GPU machine's image has transformers
# 5, whose BERT traces to aten::gather, which has no converter yet).
HF_MODELS = {
    "hf_bert_base": (_hf("bert"), (1, 16)),
    "hf_vit_base": (_hf("vit"), (1, 3, 64, 64)),
    "hf_t5_small_encoder": (_hf("t5_encoder"), (1, 16)),
    "hf_bart_large_encoder": (_hf("bart_encoder"), (1, 16)),
    "hf_gpt2": (_hf("gpt2"), (1, 16)),
}
TOKEN_INPUTS = {"hf_bert_base", "hf_t5_small_encoder", "hf_bart_large_encoder", "hf_gpt2"}
PINNED_TRANSFORMERS = "4.57.6"  # as requirements.txt; other versions trace these models into other graphs
try:
    import transformers

    if transformers.__version__ == PINNED_TRANSFORMERS:
        ZOO.update(HF_MODELS)
except ImportError:
    pass


def traced(name: str) -> Tuple[torch.jit.ScriptModule, torch.Tensor]:
    """The zoo model traced with a fixed random input."""
    build, shape = ZOO[name]
    torch.manual_seed(0)
    model = build()
    x = _token_ids(shape) if name in TOKEN_INPUTS else torch.randn(shape, generator=torch.Generator().manual_seed(1))
    # Traced with autograd on, as users usually do (under no_grad, nn.TransformerEncoder traces into
    # its fused fast-path op instead of the ops it is made of).
    module = torch.jit.trace(model, x, check_trace=False)
    return module, x


def _first(output: Any) -> torch.Tensor:
    """The main output: a tensor, the first of a tuple/list (Hugging Face's last hidden state)."""
    while isinstance(output, (tuple, list)):
        output = output[0]
    return output


def engine_layers(compiled: torch.jit.ScriptModule) -> int:
    """Layers after the builder, summed over the module's engines."""
    total = 0
    for node in compiled.graph.findAllNodes("prim::GetAttr", True):
        if node.output().type().str().endswith("tensorrt.Engine"):
            total += compiled._c.getattr(node.s("name")).num_layers()
    return total


def op_count(module: torch.jit.ScriptModule) -> int:
    """TorchScript ops of the inlined forward (constants and attribute reads excluded)."""
    g = module.inlined_graph
    skip = {"prim::Constant", "prim::GetAttr"}
    return sum(1 for n in _all_nodes(g.block()) if n.kind() not in skip)


def _all_nodes(block):
    for n in block.nodes():
        yield n
        for b in n.blocks():
            yield from _all_nodes(b)


def evaluate(name: str, device: str = "cpu", precision: torch.dtype = torch.float32) -> Dict[str, Any]:
    """Compiles one zoo model (whole, else partially) with `precision` enabled and compares it with
    TorchScript in float32."""
    import torch_tensorrt

    precisions = {torch.float32} if precision == torch.float32 else {torch.float32, precision}
    module, x = traced(name)
    module, x = module.to(device), x.to(device)
    result: Dict[str, Any] = {"model": name, "input": tuple(x.shape), "ops": op_count(module)}
    missing = [u.split("\n")[0] for u in torch_tensorrt.ts.unsupported_operators(module)]
    start = time.perf_counter()
    try:
        compiled = torch_tensorrt.compile(module, inputs=[x], require_full_compilation=True,
                                          enabled_precisions=precisions)
        result["status"] = "full"
    except RuntimeError as e:
        result["full_error"] = str(e).split("\n")[0]
        compiled = torch_tensorrt.compile(module, inputs=[x], enabled_precisions=precisions)
        result["status"] = "partial"
    result["compile_s"] = time.perf_counter() - start
    result["missing"] = missing
    result["engines"] = len(compiled.graph.findAllNodes("tensorrt::execute_engine", True))
    result["layers"] = engine_layers(compiled)
    with torch.no_grad():
        expected, actual = _first(module(x)), _first(compiled(x))
    result["expected"], result["actual"] = expected, actual
    result["max_abs_diff"] = (actual - expected).abs().max().item()
    result["magnitude"] = expected.abs().max().item()
    result["cosine"] = torch.nn.functional.cosine_similarity(actual.flatten().double(), expected.flatten().double(), 0).item()
    return result


def dynamic_range(name: str) -> Tuple[Tuple[int, ...], Tuple[int, ...], Tuple[int, ...], List[Tuple[int, ...]]]:
    """(min, opt, max) input shapes with a dynamic batch (1-4) and, for token inputs and
    nn.TransformerEncoder, a dynamic sequence length (4-32), plus the shapes a check runs at."""
    shape = ZOO[name][1]
    if name in TOKEN_INPUTS or name == "nn.TransformerEncoder":
        rest = tuple(shape[2:])
        runs = [(1, 4), (3, 9), (4, 32)]
        return (1, 4) + rest, (2, 16) + rest, (4, 32) + rest, [r + rest for r in runs]
    rest = tuple(shape[1:])
    return (1,) + rest, (2,) + rest, (4,) + rest, [(1,) + rest, (3,) + rest]


def evaluate_dynamic(name: str, device: str = "cpu") -> Dict[str, Any]:
    """Compiles one zoo model whole for a range of input shapes (dynamic_range) and compares it with
    TorchScript at several shapes of the range: the largest error relative to the output's
    magnitude, and the lowest cosine."""
    import torch_tensorrt

    build, _ = ZOO[name]
    low, opt, high, runs = dynamic_range(name)
    torch.manual_seed(0)
    model = build()
    make = _token_ids if name in TOKEN_INPUTS else (lambda s: torch.randn(s, generator=torch.Generator().manual_seed(1)))
    module = torch.jit.trace(model, make(opt), check_trace=False).to(device)
    dtype = torch.int64 if name in TOKEN_INPUTS else torch.float32
    spec = torch_tensorrt.Input(min_shape=low, opt_shape=opt, max_shape=high, dtype=dtype)
    compiled = torch_tensorrt.compile(module, inputs=[spec], require_full_compilation=True)
    result: Dict[str, Any] = {"model": name, "range": (low, high), "relative_error": 0.0, "cosine": 1.0,
                              "engines": len(compiled.graph.findAllNodes("tensorrt::execute_engine", True))}
    with torch.no_grad():
        for shape in runs:
            x = make(shape).to(device)
            expected, actual = _first(module(x)), _first(compiled(x))
            assert actual.shape == expected.shape, (shape, actual.shape, expected.shape)
            error = (actual - expected).abs().max().item() / max(1.0, expected.abs().max().item())
            cosine = torch.nn.functional.cosine_similarity(actual.flatten().double(), expected.flatten().double(), 0).item()
            result["relative_error"] = max(result["relative_error"], error)
            result["cosine"] = min(result["cosine"], cosine)
    return result
