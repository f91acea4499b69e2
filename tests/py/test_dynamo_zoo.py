"""Issue 26 acceptance: every zoo model (bench/zoo.py, random weights) compiles through
ir="dynamo" into one engine and matches eager PyTorch; a subset also through
torch.compile(backend="torch_tensorrt")."""
import contextlib
import os
import sys

import pytest
import torch

import torch_tensorrt

from conftest import REPO, gpu_engines

sys.path.insert(0, os.path.join(REPO, "bench"))
import zoo  # noqa: E402

DEVICES = ["cpu"] + (["cuda"] if gpu_engines() else [])
# FP32 on both devices: on the GPU the engine is built with disable_tf32 and eager runs without TF32
# (strict_fp32), so both sides compute in float32 and the bound is the CPU's.
BOUND = 1e-4
# On the GPU the engines are built without TF32 (Torch-TensorRT's keyword), to compare in float32.
STRICT = {"cpu": {}, "cuda": {"disable_tf32": True}}


@contextlib.contextmanager
def strict_fp32():
    """Eager PyTorch without TF32 (cuDNN convolutions default to it)."""
    matmul = torch.backends.cuda.matmul.allow_tf32
    torch.backends.cuda.matmul.allow_tf32 = False
    try:
        with torch.backends.cudnn.flags(enabled=True, allow_tf32=False):
            yield
    finally:
        torch.backends.cuda.matmul.allow_tf32 = matmul


# The Hugging Face models at any installed transformers version: the zoo pins the version because
# tracing turns other versions' Python into other graphs; export compares with eager whatever it is.
try:
    import transformers  # noqa: F401

    MODELS = {**zoo.ZOO, **zoo.HF_MODELS}
except ImportError:
    MODELS = dict(zoo.ZOO)


def model_and_input(name, device):
    build, shape = MODELS[name]
    torch.manual_seed(0)
    model = build().eval().to(device)
    if name in zoo.TOKEN_INPUTS:
        x = zoo._token_ids(shape)
    else:
        x = torch.randn(shape, generator=torch.Generator().manual_seed(1))
    return model, x.to(device)


def relative_error(compiled, model, x):
    with torch.no_grad(), strict_fp32():
        expected, actual = zoo._first(model(x)), zoo._first(compiled(x))
    assert actual.shape == expected.shape and actual.dtype == expected.dtype
    return float((actual - expected).abs().max() / expected.abs().max().clamp_min(1e-12))


# The whole zoo takes ~15 minutes on a 2-core CI machine: by default one model of each family
# (a CNN with residuals, depthwise + squeeze-and-excitation, a vision transformer, a Hugging Face
# encoder); TORCHTRT_DYNAMO_ZOO_FULL=1 runs every model.
QUICK = ["resnet18", "efficientnet_b0", "swin_t", "hf_bert_base"]
NAMES = list(MODELS) if os.environ.get("TORCHTRT_DYNAMO_ZOO_FULL") else [n for n in QUICK if n in MODELS]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("name", NAMES)
def test_zoo_model_through_ir_dynamo_matches_eager(name, device):
    model, x = model_and_input(name, device)
    compiled = torch_tensorrt.compile(model, ir="dynamo", inputs=[x], **STRICT[device])
    segments = [n for n in compiled.graph.nodes if n.target is torch.ops.torch_tensorrt.execute_segment.default]
    assert len(segments) == 1, compiled.graph
    assert relative_error(compiled, model, x) <= BOUND


# By default a CNN, a PyTorch transformer and a Hugging Face encoder; with TORCHTRT_DYNAMO_ZOO_FULL=1 every model.
TORCH_COMPILE_MODELS = NAMES if os.environ.get("TORCHTRT_DYNAMO_ZOO_FULL") else (
    ["resnet18", "nn.TransformerEncoder"] + (["hf_bert_base"] if "hf_bert_base" in MODELS else []))


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("name", TORCH_COMPILE_MODELS)
def test_zoo_model_through_torch_compile_matches_eager(name, device):
    torch._dynamo.reset()
    model, x = model_and_input(name, device)
    compiled = torch.compile(model, backend="torch_tensorrt", options=STRICT[device])
    assert relative_error(compiled, model, x) <= BOUND
