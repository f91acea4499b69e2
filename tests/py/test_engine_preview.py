"""torch_tensorrt.ts.describe_engine_layers: the layers an engine will run, without building it. On the CPU it
lists what get_layer_info of the compiled module lists; with device="cuda" it needs no GPU, so a GPU engine's layout
and fusions are checked on any machine: a transformer encoder's attention reads its heads through strides and no
layer copies bytes, DistilBERT's default-mask masked_fill leaves its attention fused, a ResNet block runs
channels-last with its residual add and ReLU inside the convolution."""
import pytest
import torch
import torch_tensorrt
from conftest import gpu_engines

VIEW = "view of its input's memory"
needs_cuda_backend = pytest.mark.skipif(not torch_tensorrt._C.has_cuda_backend(),
                                        reason="this build has no CUDA backend to describe")


def _copies(doc):
    """Layers that only move bytes and still run a kernel (not a view), besides the output's cast."""
    return [layer for layer in doc["layers"]
            if layer["kind"] in ("Shuffle", "Slice", "Concatenation", "Identity") and layer["implementation"] != VIEW
            and not layer["name"].endswith("[precision]")]


class Block(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.a = torch.nn.Conv2d(8, 8, 3, padding=1)
        self.b = torch.nn.Conv2d(8, 8, 3, padding=1)

    def forward(self, x):
        y = torch.relu(self.a(x))
        return torch.relu(self.b(y) + x)


def test_the_cpu_preview_lists_what_the_compiled_engine_runs():
    torch.manual_seed(0)
    model, x = Block().eval(), torch.randn(2, 8, 16, 16)
    traced = torch.jit.trace(model, x)
    doc = torch_tensorrt.ts.describe_engine_layers(traced, inputs=[x], device="cpu")
    compiled = torch_tensorrt.compile(traced, inputs=[x], device="cpu", require_full_compilation=True)
    (engine,) = torch_tensorrt.ts.get_layer_info(compiled)
    keys = ("name", "kind", "outputs", "precision", "fused")
    assert [[layer[k] for k in keys] for layer in doc["layers"]] == [[layer[k] for k in keys] for layer in engine["layers"]]
    assert doc["backend"] == "cpu" and all(not layer["tactics"] for layer in doc["layers"])


def test_inputs_are_required():
    traced = torch.jit.trace(Block().eval(), torch.randn(1, 8, 4, 4))
    with pytest.raises(ValueError, match="describe_engine_layers needs inputs"):
        torch_tensorrt.ts.describe_engine_layers(traced)


@needs_cuda_backend
def test_a_resnet_block_on_cuda_runs_channels_last_with_its_epilogue_fused():
    torch.manual_seed(0)
    x = torch.randn(2, 8, 16, 16)
    traced = torch.jit.trace(Block().eval(), x)
    doc = torch_tensorrt.ts.describe_engine_layers(traced, inputs=[x], enabled_precisions={torch.float, torch.half},
                                                   device="cuda")
    assert doc["backend"] == "cuda"
    if not torch.cuda.is_available():
        assert doc["device"] == "no GPU visible: layers previewed for sm_90"
    convolutions = [layer for layer in doc["layers"] if layer["kind"] == "Convolution"]
    assert len(convolutions) == 2 and all(c["fused"].get("layout") == "NHWC" and c["precision"] == "float16"
                                          for c in convolutions), convolutions
    assert convolutions[1]["fused"].get("residual") and convolutions[1]["fused"].get("activation") == "relu"
    assert not [layer for layer in doc["layers"] if layer["kind"] in ("ElementWise", "Activation")]


def _hf(kind):
    transformers = pytest.importorskip("transformers")
    common = dict(torchscript=True, return_dict=False, attn_implementation="eager")
    if kind == "bert":
        cfg = transformers.BertConfig(hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                                      intermediate_size=128, vocab_size=100, **common)
        net = transformers.BertModel(cfg, add_pooling_layer=False)
    else:
        cfg = transformers.DistilBertConfig(dim=64, n_layers=2, n_heads=4, hidden_dim=128, vocab_size=100, **common)
        net = transformers.DistilBertModel(cfg)

    class FirstOutput(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.net = net.eval()

        def forward(self, ids):
            return self.net(ids)[0]

    ids = torch.randint(1, 100, (2, 16))
    with torch.no_grad():
        return torch.jit.trace(FirstOutput().eval(), ids, check_trace=False), ids


@needs_cuda_backend
@pytest.mark.parametrize("kind", ["bert", "distilbert"])
def test_a_transformer_encoder_on_cuda_fuses_its_attention_and_copies_nothing(kind):
    traced, ids = _hf(kind)
    doc = torch_tensorrt.ts.describe_engine_layers(traced, inputs=[ids], enabled_precisions={torch.float, torch.half},
                                                   device="cuda")
    kinds = [layer["kind"] for layer in doc["layers"]]
    attentions = [layer for layer in doc["layers"] if layer["kind"] == "Attention"]
    assert len(attentions) == 2, kinds
    # The head split and merge are the attention's strides (DistilBERT's query too, once its division by
    # sqrt(head size) is the attention's scale); no softmax, no masked_fill, no permute left.
    assert all(a["fused"].get("sequence_major") == "query,key,value,output" for a in attentions), attentions
    assert "SoftMax" not in kinds and "Select" not in kinds, kinds
    assert not _copies(doc), _copies(doc)


@pytest.mark.skipif(not gpu_engines(), reason="needs a GPU and the CUDA backend")
def test_the_cuda_preview_is_what_the_gpu_engine_runs():
    traced, ids = _hf("bert")
    doc = torch_tensorrt.ts.describe_engine_layers(traced, inputs=[ids], enabled_precisions={torch.float, torch.half},
                                                   device="cuda")
    compiled = torch_tensorrt.compile(traced, inputs=[ids.cuda()], enabled_precisions={torch.float, torch.half},
                                      require_full_compilation=True)
    (engine,) = torch_tensorrt.ts.get_layer_info(compiled)
    keys = ("name", "kind", "outputs", "precision", "fused")
    assert [[layer[k] for k in keys] for layer in doc["layers"]] == [[layer[k] for k in keys] for layer in engine["layers"]]


def test_distilbert_with_a_padding_mask_fuses_its_attention_and_matches_eager():
    """DistilBERT's masked_fill(mask == 0, finfo.min) over a run-time padding mask becomes an additive mask of the
    fused attention (the builder's masked-fill fold): the same numbers as eager, a sequence of padding only
    included (uniform weights, as masked_fill's equal scores give), on the CPU and in the CUDA preview."""
    transformers = pytest.importorskip("transformers")
    import sys
    import os
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "bench"))
    from zoo import PaddedTokens

    torch.manual_seed(0)
    cfg = transformers.DistilBertConfig(dim=64, n_layers=2, n_heads=4, hidden_dim=128, vocab_size=100,
                                        torchscript=True, return_dict=False, attn_implementation="eager")
    model = PaddedTokens(transformers.DistilBertModel(cfg).eval()).eval()
    ids = torch.randint(1, 100, (3, 16))
    ids[1, 10:] = 0  # padded
    ids[2, :] = 0  # padding only
    with torch.no_grad():
        traced = torch.jit.trace(model, ids, check_trace=False)
        expected = model(ids)
    compiled = torch_tensorrt.compile(traced, inputs=[ids], device="cpu", require_full_compilation=True)
    kinds = [layer["kind"] for layer in torch_tensorrt.ts.get_layer_info(compiled)[0]["layers"]]
    assert kinds.count("Attention") == 2 and "SoftMax" not in kinds, kinds
    with torch.no_grad():
        torch.testing.assert_close(compiled(ids), expected, atol=1e-5, rtol=1e-5)
    if torch_tensorrt._C.has_cuda_backend():
        doc = torch_tensorrt.ts.describe_engine_layers(traced, inputs=[ids], enabled_precisions={torch.float, torch.half},
                                                       device="cuda")
        assert [layer["kind"] for layer in doc["layers"]].count("Attention") == 2


def test_the_layer_census_counts_a_zoo_models_kernels_and_copies():
    """bench/layer_census.py: per model, the layers that run a kernel and those that only move bytes."""
    import sys
    import os
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "bench"))
    import layer_census

    row = layer_census.census("mobilenet_v2", 1, "cpu", torch.half)
    assert row["kernels"]["Convolution"] == 52, row
    assert set(row["moves"]) <= set(layer_census.MOVES_BYTES), row
    assert sum(row["moves"].values()) <= sum(row["kernels"].values())
    table = layer_census.markdown([row, dict(model="broken", batch=1, error="no converter")])
    assert "| mobilenet_v2 | 1 |" in table and "| broken | 1 | error: no converter" in table
