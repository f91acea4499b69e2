"""Input specification: a static shape or a min/opt/max range, with a dtype."""
from typing import Any, Optional, Sequence

import torch

_ALLOWED_DTYPES = {
    torch.float32: "float32",
    torch.float16: "float16",
    torch.bfloat16: "bfloat16",
    torch.int32: "int32",
    torch.int64: "int64",
    torch.int8: "int8",
    torch.bool: "bool",
}


class Input:
    """Describes one engine input.

    ``Input(shape=(1, 3, 224, 224))`` for a static shape, or
    ``Input(min_shape=..., opt_shape=..., max_shape=...)`` for a dynamic one; ``dtype`` is one
    of torch.float, torch.half, torch.int8, torch.int32, torch.int64, torch.bool.
    ``tensor_domain=(lo, hi)`` sets the values generated for this input, drawn from [lo, hi) (default
    [0, 2)): when partial compilation runs the module to learn shapes, and in the example tensor an
    ``nn.Module`` is traced with (token ids, for instance, must fall within the embedding table). ``format=torch.channels_last`` binds a 4-D
    input as [N, H, W, C] memory, so a ``channels_last`` tensor reaches the engine without a copy
    (a contiguous one is still accepted, at the cost of one); the default is torch.contiguous_format.
    """

    def __init__(
        self,
        shape: Optional[Sequence[int]] = None,
        min_shape: Optional[Sequence[int]] = None,
        opt_shape: Optional[Sequence[int]] = None,
        max_shape: Optional[Sequence[int]] = None,
        dtype: torch.dtype = torch.float32,
        **kwargs: Any,
    ) -> None:
        unknown = set(kwargs) - {"format", "tensor_domain"}
        if unknown:
            raise TypeError(f"Input got unexpected keyword arguments {sorted(unknown)}")
        fmt = kwargs.get("format", torch.contiguous_format)
        if fmt is None:
            fmt = torch.contiguous_format
        if fmt not in (torch.contiguous_format, torch.channels_last):
            raise ValueError(f"Input format {fmt} is not supported; use torch.contiguous_format or torch.channels_last")
        self.format = fmt
        domain = kwargs.get("tensor_domain", (0.0, 2.0))
        if isinstance(domain, (int, float)):
            domain = (float(domain), float(domain) + 1.0)
        if len(tuple(domain)) != 2 or not float(domain[0]) < float(domain[1]):
            raise ValueError(f"Input tensor_domain must be (lo, hi) with lo < hi, got {domain}")
        self.tensor_domain = (float(domain[0]), float(domain[1]))
        if dtype not in _ALLOWED_DTYPES:
            raise TypeError(f"Input dtype {dtype} is not supported; use one of {list(_ALLOWED_DTYPES)}")
        self.dtype = dtype
        if shape is not None:
            if any(v is not None for v in (min_shape, opt_shape, max_shape)):
                raise ValueError("Input takes either shape= or min_shape/opt_shape/max_shape, not both")
            self.shape = tuple(int(d) for d in shape)
            self.min_shape = self.opt_shape = self.max_shape = self.shape
        else:
            if min_shape is None or opt_shape is None or max_shape is None:
                raise ValueError("Input needs shape=, or all three of min_shape, opt_shape and max_shape")
            self.min_shape = tuple(int(d) for d in min_shape)
            self.opt_shape = tuple(int(d) for d in opt_shape)
            self.max_shape = tuple(int(d) for d in max_shape)
            if not (len(self.min_shape) == len(self.opt_shape) == len(self.max_shape)):
                raise ValueError(
                    f"Input min_shape {self.min_shape}, opt_shape {self.opt_shape} and max_shape {self.max_shape} must have the same rank"
                )
            for i, (lo, mid, hi) in enumerate(zip(self.min_shape, self.opt_shape, self.max_shape)):
                if not lo <= mid <= hi:
                    raise ValueError(f"Input dimension {i}: min {lo} <= opt {mid} <= max {hi} does not hold")
            self.shape = tuple(-1 if lo != hi else lo for lo, hi in zip(self.min_shape, self.max_shape))
        if any(d < 0 for d in self.min_shape):
            raise ValueError(f"Input shape {self.min_shape} has a negative dimension")

    @classmethod
    def from_tensor(cls, t: torch.Tensor) -> "Input":
        """The shape and dtype of an example tensor."""
        return cls(shape=tuple(t.shape), dtype=t.dtype)

    def is_dynamic(self) -> bool:
        """True when min and max shapes differ."""
        return self.min_shape != self.max_shape

    def _to_native(self) -> Any:
        """This input as the C++ Input (torch_tensorrt._C.Input) the compile spec holds."""
        from torch_tensorrt import _C
        from torch_tensorrt._enums import _native_dtype

        native = _C.Input(list(self.min_shape), list(self.opt_shape), list(self.max_shape), _native_dtype(self.dtype))
        channels_last = self.format == torch.channels_last
        native.format = _C.TensorFormat.kChannelsLast if channels_last else _C.TensorFormat.kContiguous
        native.tensor_domain = list(self.tensor_domain)
        return native

    def __repr__(self) -> str:
        if self.is_dynamic():
            return f"Input(min_shape={self.min_shape}, opt_shape={self.opt_shape}, max_shape={self.max_shape}, dtype={self.dtype})"
        return f"Input(shape={self.shape}, dtype={self.dtype})"
