"""Device specification: where an engine runs."""
from typing import Any, Optional

import torch


class Device:
    """A target device, as Torch-TensorRT's ``torch_tensorrt.Device``.

    ``Device("cuda:1")``, ``Device(torch.device("cpu"))``, ``Device(gpu_id=0)`` or
    ``Device(device_type="cpu")``. ``allow_gpu_fallback`` is accepted for compatibility (it concerns
    DLA, which this library does not target). Pass it as ``compile(..., device=...)``.
    """

    def __init__(self, spec: Optional[Any] = None, gpu_id: Optional[int] = None, device_type: Optional[str] = None,
                 allow_gpu_fallback: bool = False) -> None:
        if spec is not None:
            d = spec if isinstance(spec, torch.device) else torch.device(spec)
            device_type, gpu_id = d.type, (d.index or 0) if d.type == "cuda" else 0
        device_type = device_type or "cuda"
        if device_type == "gpu":
            device_type = "cuda"
        if device_type not in ("cuda", "cpu"):
            raise ValueError(f"device type {device_type!r} is not supported; engines run on cuda or cpu")
        gpu_id = 0 if gpu_id is None else int(gpu_id)
        if gpu_id < 0:
            raise ValueError(f"gpu_id must be >= 0, got {gpu_id}")
        self.device_type = device_type
        self.gpu_id = gpu_id
        self.allow_gpu_fallback = bool(allow_gpu_fallback)

    def to_torch(self) -> torch.device:
        """The torch.device this stands for."""
        return torch.device("cuda", self.gpu_id) if self.device_type == "cuda" else torch.device("cpu")

    def _to_native(self) -> Any:
        """This device as the C++ Device (torch_tensorrt._C.Device) the compile spec holds."""
        from torch_tensorrt import _C

        kind = _C.Device.DeviceType.kGPU if self.device_type == "cuda" else _C.Device.DeviceType.kCPU
        native = _C.Device(kind, self.gpu_id)
        native.allow_gpu_fallback = self.allow_gpu_fallback
        return native

    def __repr__(self) -> str:
        return f"Device(type={self.device_type}, gpu_id={self.gpu_id})"


def set_device(gpu_id: int) -> None:
    """Makes GPU ``gpu_id`` the current CUDA device (torch.cuda.set_device with a clear error)."""
    count = torch.cuda.device_count()
    if not 0 <= gpu_id < count:
        raise ValueError(f"set_device({gpu_id}): {count} CUDA GPU(s) are visible; pass an id from 0 to {count - 1}")
    torch.cuda.set_device(gpu_id)
