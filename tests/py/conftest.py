import os
import pathlib
import shutil
import subprocess
import sys

import pytest
import torch

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# The seed's examples, verbatim; tests/seed holds copies that travel with the repository (CI
# and the GPU machine have no ../shared), and test_seed_copies_match checks them when it exists.
SEED = os.path.join(REPO, "tests", "seed")
SHARED_SEED = os.path.join(os.path.dirname(REPO), "shared", "seed")
BUILD = os.environ.get("TORCHTRT_BUILD_DIR", os.path.join(REPO, "build"))

# Tolerances per dtype for whole models compared with TorchScript. float32: the engine sums
# convolutions in another order than ATen; on ResNet-18 with random weights the measured max
# abs difference is ~3e-6 against outputs of magnitude ~1, so 1e-4 leaves a 30x margin.
TOLERANCES = {torch.float32: dict(rtol=1e-4, atol=1e-4), torch.float16: dict(rtol=1e-2, atol=1e-2)}
# float32 on the GPU with TF32 matrix math (the default, as in TensorRT): products round to a
# 10-bit mantissa (~5e-4 relative) before FP32 accumulation; 2e-3 covers LeNet-sized layers.
TF32_TOLERANCE = dict(rtol=2e-3, atol=2e-3)


def gpu_engines() -> bool:
    """True when engines can be built and run on a GPU here."""
    import torch_tensorrt

    return torch.cuda.is_available() and torch_tensorrt._C.has_cuda_backend()


def onednn_plugin_built() -> bool:
    """Whether this build has the CPU backend's oneDNN plugin (the GPU machine has no libdnnl-dev, so its
    CPU engines run the reference kernels). scripts/test.sh sets TORCHTRT_REQUIRE_ONEDNN=1: there a
    missing plugin fails the test instead of changing what it expects."""
    import torch_tensorrt

    if os.path.exists(os.path.join(torch_tensorrt.get_lib_dir(), "libtorchtrt_onednn.so")):
        return True
    if os.environ.get("TORCHTRT_REQUIRE_ONEDNN") == "1":
        pytest.fail("this build has no oneDNN plugin (libtorchtrt_onednn.so), which scripts/setup.sh installs")
    return False


def trained_qat(model: torch.nn.Module, activation, weight, example_shape) -> torch.nn.Module:
    """`model` (holding QuantStub / DeQuantStub) prepared for quantization-aware training with torch.ao's fake
    quantizers `activation` and `weight`, its observers run on 8 random batches of `example_shape`, then frozen (the
    scales fixed, as after training) in eval mode."""
    import torch.ao.quantization as tq

    model.qconfig = tq.QConfig(activation=activation, weight=weight)
    model.train()
    tq.prepare_qat(model, inplace=True)
    for _ in range(8):
        model(torch.randn(*example_shape))
    model.eval()
    model.apply(tq.disable_observer)
    return model


def run_python(code: str, cwd: str) -> subprocess.CompletedProcess:
    """Runs code in a fresh interpreter (only what the code imports is loaded)."""
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, timeout=600)


@pytest.fixture
def seed_dir():
    return SEED


def build_torch_library(source: str, out_dir: str, name: str, link_torchtrt: bool = False) -> str:
    """Compiles a C++ file into a shared library the way PyTorch C++ extensions are built. A library of the same
    source, flags and installed headers built before (by another test, or the other pytest-xdist worker) is reused
    from a cache in the temporary folder: the seed's converter is compiled once a run, not once a test (~12 s each)."""
    import hashlib
    import tempfile

    import torch.utils.cpp_extension as cpp_extension
    import torch_tensorrt

    include = torch_tensorrt.get_include_dir()
    flags = ["-shared", "-fPIC", "-std=c++17", "-O1", f"-I{include}", f"-I{os.path.join(include, 'torch_tensorrt')}"]
    flags += [f"-I{p}" for p in cpp_extension.include_paths()]
    flags += [f"-L{p}" for p in cpp_extension.library_paths()] + ["-ltorch", "-ltorch_cpu", "-lc10"]
    if link_torchtrt:
        flags += [f"-L{torch_tensorrt.get_lib_dir()}", "-ltorchtrt", f"-Wl,-rpath,{torch_tensorrt.get_lib_dir()}"]
    flags += [f"-D_GLIBCXX_USE_CXX11_ABI={int(torch._C._GLIBCXX_USE_CXX11_ABI)}"]
    # The key: the source, the flags and every installed header the source may include (a changed build is a miss).
    key = hashlib.sha256()
    key.update(pathlib.Path(source).read_bytes())
    key.update("\0".join(flags + [torch.__version__]).encode())
    for root, _, files in sorted(os.walk(include)):
        for f in sorted(files):
            key.update(f.encode())
            key.update(pathlib.Path(root, f).read_bytes())
    cache = os.path.join(tempfile.gettempdir(), "torchtrt-test-libraries", key.hexdigest()[:24])
    so = os.path.join(cache, f"lib{name}.so")
    for cached in (os.listdir(cache) if os.path.isdir(cache) else []):
        if cached.endswith(".so"):
            return os.path.join(cache, cached)
    os.makedirs(cache, exist_ok=True)
    partial = os.path.join(str(out_dir), f"lib{name}.so")
    r = subprocess.run(["g++", source, "-o", partial] + flags, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    # Into the cache under a name no other worker reads, then renamed: a reader sees a whole library or none.
    staged = f"{so}.{os.getpid()}.partial"
    shutil.copy(partial, staged)
    os.replace(staged, so)
    return so


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """The build installed as setup.py installs it into the package folder."""
    if not os.path.exists(os.path.join(BUILD, "cmake_install.cmake")):
        pytest.skip(f"no configured build folder at {BUILD}")
    prefix = str(tmp_path_factory.mktemp("pkg"))
    subprocess.run(["cmake", "--install", BUILD, "--prefix", prefix], check=True, capture_output=True)
    return prefix
