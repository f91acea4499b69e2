"""Torch-TensorRT: compile TorchScript modules into optimized inference engines.

``import torch_tensorrt`` loads the runtime, so modules compiled and saved with it load with
``torch.jit.load`` in any process that imports this package.
"""
import ctypes
import os

import torch

_HERE = os.path.dirname(os.path.abspath(__file__))
_LIB_DIR = os.path.join(_HERE, "lib")


def _check_torch_version() -> None:
    # libtorch has no stable C++ ABI across minor releases: the native libraries of a build for
    # another minor fail to load with an undefined symbol, or crash later. Say so before loading.
    try:
        from torch_tensorrt._torch_built_with import TORCH_VERSION as built
    except ImportError:
        return  # a source tree whose native libraries were copied in by hand records no version
    found = torch.__version__.split("+")[0]
    major, minor = built.split(".")[:2]
    if found.split(".")[:2] != [major, minor]:
        raise ImportError(
            f"torch_tensorrt was built for torch {built} but torch {found} is installed "
            f"({os.path.dirname(torch.__file__)}); its native libraries work only with torch {major}.{minor}.x. "
            f"Install that (pip install 'torch>={major}.{minor},<{major}.{int(minor) + 1}') or rebuild "
            f"torch_tensorrt against this torch (pip install --no-build-isolation .)."
        )


def _load_native_libraries() -> None:
    # The runtime library registers tensorrt::execute_engine and the Engine class; load it
    # globally so custom converter libraries loaded later resolve against the same registry.
    for name in ("libtorchtrt_runtime.so", "libtorchtrt.so"):
        path = os.path.join(_LIB_DIR, name)
        if not os.path.exists(path):
            raise ImportError(f"torch_tensorrt is not built: {path} is missing; run `pip install .` in the repository")
        ctypes.CDLL(path, mode=ctypes.RTLD_GLOBAL)


def _point_at_cupti() -> None:
    # The profiler times CUDA layers from CUPTI's records (docs/runtime.md); PyTorch's CUDA wheels bring
    # libcupti in the nvidia packages, outside the loader's path: name the one of torch's CUDA major
    # unless the user did (a libcupti the process has loaded already still comes first).
    if os.environ.get("TORCHTRT_CUPTI_LIBRARY") or not torch.version.cuda:
        return
    wanted = "libcupti.so." + torch.version.cuda.split(".")[0]
    try:
        import nvidia

        for root in nvidia.__path__:
            for sub in sorted(os.listdir(root)):
                path = os.path.join(root, sub, "lib", wanted)
                if os.path.exists(path):
                    os.environ["TORCHTRT_CUPTI_LIBRARY"] = path
                    return
    except (ImportError, OSError):
        return


_check_torch_version()
_point_at_cupti()
_load_native_libraries()

from torch_tensorrt import _C  # noqa: E402
from torch_tensorrt import logging, ptq, runtime, ts  # noqa: E402
from torch_tensorrt._compile import compile, convert_method_to_trt_engine  # noqa: E402
from torch_tensorrt._Device import Device, set_device  # noqa: E402
from torch_tensorrt._enums import EngineCapability, dtype  # noqa: E402
from torch_tensorrt._Input import Input  # noqa: E402
from torch_tensorrt._version import __version__  # noqa: E402
from torch_tensorrt import dynamo  # noqa: E402  (registers the torch.compile backends and the segment op)
from torch_tensorrt.dynamo._save import load, save  # noqa: E402


def get_build_info() -> str:
    """Version, backends and libtorch of this build."""
    return _C.get_build_info()


def dump_build_info() -> None:
    """Prints :func:`get_build_info`."""
    print(get_build_info())


def get_include_dir() -> str:
    """Folder holding ``torch_tensorrt/torch_tensorrt.h`` and the core headers for custom converters."""
    return os.path.join(_HERE, "include")


def get_lib_dir() -> str:
    """Folder holding libtorchtrt.so and libtorchtrt_runtime.so."""
    return _LIB_DIR


__all__ = [
    "Device",
    "EngineCapability",
    "Input",
    "dtype",
    "set_device",
    "compile",
    "convert_method_to_trt_engine",
    "dump_build_info",
    "get_build_info",
    "get_include_dir",
    "get_lib_dir",
    "logging",
    "ptq",
    "runtime",
    "ts",
    "dynamo",
    "save",
    "load",
    "__version__",
]
