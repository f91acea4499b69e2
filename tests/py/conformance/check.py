"""Per-dtype tolerances and the comparison of engine outputs with eager PyTorch."""
from typing import Dict, List, Optional, Sequence

import torch

# Tolerances for floating-point outputs, keyed by dtype; |engine - eager| <= atol + rtol * |eager|,
# NaN equal to NaN, infinities equal in sign. Integer and bool outputs must match exactly.
# OpInfo samples are small (dims of 5-20) with values in make_tensor's default range [-9, 9].
TOLERANCES: Dict[torch.dtype, Dict[str, float]] = {
    # eps 1.2e-7. The engine uses other libm routines than ATen (SLEEF, a few ulp apart) and other
    # summation orders: an n-term sum differs by up to ~n eps of the sum of |terms|, 2.4e-6 of it
    # for OpInfo's <= 20-term reductions. rtol 1e-5 (~80 ulp) covers both; atol 1e-5 covers results
    # that cancel to near zero. Ill-conditioned samples fall to the float64 error rule below.
    torch.float32: dict(rtol=1e-5, atol=1e-5),
    # eps 9.8e-4. Eager CPU rounds to half after each ATen kernel; the engine may compute in fp32
    # and round once, so the two differ by ~1 ulp per rounding: 4 eps relative. atol 1e-2 is one
    # rounding of an intermediate of magnitude ~9 (eps * 9 = 8.8e-3), for results that cancel.
    torch.float16: dict(rtol=4 * 2.0 ** -10, atol=1e-2),
    # eps 7.8e-3: the same reasoning as float16 with bfloat16's 8-bit mantissa (eps * 9 = 7e-2).
    torch.bfloat16: dict(rtol=4 * 2.0 ** -7, atol=8e-2),
}


def tolerance(out_dtype: torch.dtype, sample_dtype: torch.dtype) -> Dict[str, float]:
    """The looser of the output's and the inputs' tolerances: a float32 output computed from half
    inputs (softmax with dtype=) carries the inputs' rounding."""
    tols = [TOLERANCES[d] for d in (out_dtype, sample_dtype) if d in TOLERANCES]
    if not tols:
        return TOLERANCES[torch.float32]
    return max(tols, key=lambda t: t["rtol"])


def _fmt(value: torch.Tensor) -> str:
    v = value.item()
    return f"{v:.4g}" if isinstance(v, float) else str(v)


def _index(flat: int, shape: Sequence[int]) -> List[int]:
    idx = []
    for dim in reversed(shape):
        idx.append(flat % dim)
        flat //= dim
    return list(reversed(idx))


def _picks_same(x: torch.Tensor, e: torch.Tensor, a: torch.Tensor) -> bool:
    """True when index tensor `a` selects the same values of `x` as `e` along some dimension, with
    no index repeated: equal values taken in another order."""
    if a.dim() != x.dim() or a.dtype != torch.int64 or a.numel() == 0:
        return False
    for d in range(x.dim()):
        if any(a.shape[i] != x.shape[i] for i in range(x.dim()) if i != d):
            continue
        if bool(((a < 0) | (a >= x.shape[d])).any()):
            continue
        ordered = a.sort(dim=d).values
        if a.shape[d] > 1 and bool((ordered.diff(dim=d) == 0).any()):
            continue
        picked, wanted = x.gather(d, a), x.gather(d, e)
        if x.is_floating_point():
            picked, wanted = picked.nan_to_num(0.0), wanted.nan_to_num(0.0)
        if torch.equal(picked, wanted):
            return True
    return False


def _close(e: torch.Tensor, a: torch.Tensor, tol: Dict[str, float]) -> torch.Tensor:
    return torch.isclose(a.double(), e.double(), rtol=tol["rtol"], atol=tol["atol"], equal_nan=True)


# When eager's own float64-measured error is large (ill-conditioned samples: softmax of logits in
# the hundreds, long matmul chains), elementwise tolerances flag engines that are no less accurate
# than eager. An output then also passes when its RMS error against eager run in float64 is at most
# ERROR_MULTIPLIER times eager's own plus atol / 10, and its NaNs and infinities are eager's: the
# rule of torch._dynamo.utils.same(fp64_ref=...), which PyTorch's compiler accuracy checks use.
ERROR_MULTIPLIER = 2.0
BY_ERROR = "float64 error rule"


def _rms_error_ok(e: torch.Tensor, a: torch.Tensor, ref64: torch.Tensor, tol: Dict[str, float]) -> bool:
    e, a, r = e.double(), a.double(), ref64.double().flatten()
    if r.shape != e.shape:
        return False
    finite = torch.isfinite(e) & torch.isfinite(r)
    if not torch.equal(torch.isfinite(a), torch.isfinite(e)) or not torch.equal(a[~torch.isfinite(e)].nan_to_num(0.0),
                                                                               e[~torch.isfinite(e)].nan_to_num(0.0)):
        return False
    if not bool(finite.any()):
        return True
    rms = lambda x: float(((x[finite] - r[finite]) ** 2).mean().sqrt())  # noqa: E731
    return rms(a) <= ERROR_MULTIPLIER * rms(e) + tol["atol"] / 10


def compare(expected: Sequence[torch.Tensor], actual: Sequence[object], sample_dtype: torch.dtype,
            values: bool = True, others: Sequence[Sequence[torch.Tensor]] = (),
            ties_in: Optional[torch.Tensor] = None, ref64: Optional[Sequence[torch.Tensor]] = None,
            used: Optional[List[str]] = None) -> Optional[str]:
    """None when `actual` matches eager's `expected`, else what differs (every output checked).

    A floating-point value also passes when it is close to the same value of one of `others`
    (other valid references: eager in float32 for half inputs); a floating-point output passes by
    the float64 error rule above given `ref64` (eager in float64); `used` collects the rules that
    passed an output. With `ties_in` (the input of a sort or topk), an index output also passes
    when it picks the same values of it."""
    if len(actual) != len(expected):
        return f"returned {len(actual)} outputs, eager returns {len(expected)}"
    problems = []
    for i, (e, a) in enumerate(zip(expected, actual)):
        if not isinstance(a, torch.Tensor):
            problems.append(f"output {i} is a {type(a).__name__}, eager returns a tensor")
            continue
        if tuple(a.shape) != tuple(e.shape):
            problems.append(f"output {i}: shape {list(a.shape)}, eager {list(e.shape)}")
            continue
        if a.dtype != e.dtype:
            problems.append(f"output {i}: dtype {str(a.dtype).replace('torch.', '')}, eager {str(e.dtype).replace('torch.', '')}")
        if not values or e.numel() == 0:
            continue
        a = a.detach().to(e.dtype)
        ef, af = e.detach().flatten(), a.flatten()
        if e.is_floating_point():
            tol = tolerance(e.dtype, sample_dtype)
            ok = _close(ef, af, tol)
            for other in others:
                ok |= _close(other[i].flatten(), af, tol)
            if bool(ok.all()):
                continue
            if ref64 is not None and _rms_error_ok(ef, af, ref64[i], tol):
                if used is not None:
                    used.append(BY_ERROR)
                continue
            diff = (af.double() - ef.double()).abs().nan_to_num(nan=float("inf"))
            diff[ok] = -1.0
            worst = int(diff.argmax())
            problems.append(
                f"output {i}: {int((~ok).sum())}/{e.numel()} values outside rtol {tol['rtol']:.3g} atol {tol['atol']:.3g}; "
                f"worst at {_index(worst, e.shape)}: {_fmt(af[worst])}, eager {_fmt(ef[worst])}"
                + (f", float32 reference {_fmt(others[0][i].flatten()[worst])}" if others else "")
                + (f", float64 reference {_fmt(ref64[i].flatten()[worst])}" if ref64 is not None else ""))
        else:
            bad = af != ef
            if not bool(bad.any()) or (ties_in is not None and _picks_same(ties_in, e, a)):
                continue
            first = int(bad.nonzero()[0, 0])
            problems.append(f"output {i}: {int(bad.sum())}/{e.numel()} values differ (exact compare); "
                            f"first at {_index(first, e.shape)}: {_fmt(af[first])}, eager {_fmt(ef[first])}")
    return "; ".join(problems) if problems else None
