"""INT8 post-training quantization: calibrators for ``compile(..., enabled_precisions={torch.int8}, calibrator=...)``.

The builder runs an FP32 copy of the engine on the calibrator's batches, observes the input of
every convolution, and turns what it saw into INT8 scales with the chosen algorithm. The scales
can be written to a cache file; a later build with ``use_cache=True`` (or a :class:`CacheCalibrator`)
reads them and needs no data.
"""
import enum
import os
from typing import Any, List, Optional

import torch

from torch_tensorrt import _C


class CalibrationAlgo(enum.Enum):
    """How observed values become scales (threshold / 127)."""

    #: Legacy calibration (computed as entropy calibration in this engine).
    LEGACY_CALIBRATION = 0
    #: The threshold whose 128-level quantization loses least information (KL divergence).
    ENTROPY_CALIBRATION = 1
    #: Entropy calibration (TensorRT's default, and this one's).
    ENTROPY_CALIBRATION_2 = 2
    #: The largest absolute value observed.
    MINMAX_CALIBRATION = 3
    #: The 99.99th percentile of absolute values (this engine's addition).
    PERCENTILE_CALIBRATION = 4


def _batch_tensors(batch: Any, n_inputs: Optional[int] = None) -> List[torch.Tensor]:
    """The engine inputs of one data-loader batch: a tensor, or the first ``n_inputs`` tensors of a tuple or list
    (the module's inputs, then labels, which are not read; one when the number of inputs is not known)."""
    if isinstance(batch, torch.Tensor):
        return [batch]
    if isinstance(batch, (tuple, list)) and batch and isinstance(batch[0], torch.Tensor):
        leading = list(batch[: max(1, n_inputs or 1)])
        if not all(isinstance(t, torch.Tensor) for t in leading):
            raise TypeError(
                f"a calibration batch for a module of {n_inputs} inputs must start with {n_inputs} tensors, got "
                f"({', '.join(type(t).__name__ for t in batch)})"
            )
        return leading
    if isinstance(batch, dict) and "data" in batch:
        return [batch["data"]]
    raise TypeError(
        f"calibration batches must be tensors or (data, labels) pairs, got {type(batch).__name__}; "
        "wrap the data loader so each batch yields the module's input tensor first"
    )


class DataLoaderCalibrator:
    """Calibrates with the batches of a data loader (each batch: the module's input, or (input, labels)).

    Args:
        dataloader: any iterable of batches, usually a ``torch.utils.data.DataLoader``.
        cache_file: where the scales are written ("" for none).
        use_cache: read the scales from ``cache_file`` when it exists instead of running the data.
        algo_type: a :class:`CalibrationAlgo` (default ENTROPY_CALIBRATION_2).
        device: accepted for Torch-TensorRT compatibility; batches go where the engine is built.
    """

    def __init__(
        self,
        dataloader: Any,
        cache_file: str = "",
        use_cache: bool = False,
        algo_type: CalibrationAlgo = CalibrationAlgo.ENTROPY_CALIBRATION_2,
        device: Optional[Any] = None,
    ) -> None:
        if not isinstance(algo_type, CalibrationAlgo):
            raise TypeError(f"algo_type must be a torch_tensorrt.ptq.CalibrationAlgo, got {algo_type!r}")
        if use_cache and not cache_file:
            raise ValueError("use_cache=True needs a cache_file")
        self.dataloader = dataloader
        self.cache_file = str(cache_file)
        self.use_cache = bool(use_cache)
        self.algo_type = algo_type
        self.device = device

    def _native(self, n_inputs: Optional[int] = None) -> Any:
        if self.use_cache and os.path.exists(self.cache_file) and os.path.getsize(self.cache_file) > 0:
            # The cache serves the build; no data is read.
            return _C.make_tensor_calibrator([], self.algo_type.value, self.cache_file, True, False)
        batches = iter(self.dataloader)

        def next_batch() -> Optional[List[torch.Tensor]]:
            # One batch at a time, as the builder asks: the data loader is never held in memory whole.
            try:
                return _batch_tensors(next(batches), n_inputs)
            except StopIteration:
                return None

        return _C.make_stream_calibrator(next_batch, self.algo_type.value, self.cache_file, self.use_cache)


class CacheCalibrator:
    """Builds from a cache file written by an earlier calibration, with no data."""

    def __init__(self, cache_file: str, algo_type: CalibrationAlgo = CalibrationAlgo.ENTROPY_CALIBRATION_2) -> None:
        if not cache_file:
            raise ValueError("CacheCalibrator needs a cache_file")
        self.cache_file = str(cache_file)
        self.algo_type = algo_type

    def _native(self, n_inputs: Optional[int] = None) -> Any:
        if not os.path.exists(self.cache_file):
            raise FileNotFoundError(
                f"the INT8 calibration cache {self.cache_file!r} does not exist; calibrate once with a "
                "DataLoaderCalibrator(..., cache_file=...) to write it"
            )
        return _C.make_tensor_calibrator([], self.algo_type.value, self.cache_file, True, True)


__all__ = ["CalibrationAlgo", "DataLoaderCalibrator", "CacheCalibrator"]
