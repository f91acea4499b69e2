"""Torch-TensorRT's enums: EngineCapability and the dtype names."""
import enum
from typing import Any

import torch


class EngineCapability(enum.Enum):
    """What engines may be built for. STANDARD is every engine this library builds; SAFETY and
    DLA_STANDALONE (safety-certified runtimes, NVIDIA DLA) are refused with the reason."""

    STANDARD = 0
    SAFETY = 1
    DLA_STANDALONE = 2


class dtype:  # noqa: N801 (Torch-TensorRT's name)
    """Torch-TensorRT's dtype names, as the torch dtypes they stand for (usable wherever a torch dtype is)."""

    float = torch.float32
    float32 = torch.float32
    half = torch.float16
    float16 = torch.float16
    int8 = torch.int8
    int32 = torch.int32
    int64 = torch.int64
    long = torch.int64
    bool = torch.bool


def _native_dtype(t: torch.dtype) -> "Any":
    """A torch dtype as the C++ DataType (kUnknown for dtypes engines have no name for: the one
    check, CompileSpec.validate(), refuses it there with the option's message)."""
    from torch_tensorrt import _C

    return {
        torch.float32: _C.DataType.kFloat,
        torch.float16: _C.DataType.kHalf,
        torch.bfloat16: _C.DataType.kBFloat16,
        torch.int8: _C.DataType.kChar,
        torch.int32: _C.DataType.kInt,
        torch.int64: _C.DataType.kLong,
        torch.float64: _C.DataType.kDouble,
        torch.bool: _C.DataType.kBool,
        torch.float8_e4m3fn: _C.DataType.kFP8,
    }.get(t, _C.DataType.kUnknown)
