"""Issue 20: every OpInfo whose op has a converter, compiled one op at a time for the CPU engine and
compared with eager PyTorch (tests/py/conformance, scripts/gen_conformance.py). The default subset
(the first 4 samples of each (op, dtype), about a minute on 2 cores) runs here;
TORCHTRT_CONFORMANCE_FULL=1 also sweeps every sample (about 5 minutes), and
TORCHTRT_CONFORMANCE_JOBS=N spreads a sweep over N processes."""
import os
import sys

import pytest
import torch

from conftest import REPO

sys.path.insert(0, os.path.join(REPO, "scripts"))
import gen_conformance  # noqa: E402
from conformance import check  # noqa: E402

JOBS = int(os.environ.get("TORCHTRT_CONFORMANCE_JOBS", "1"))


@pytest.fixture(scope="module")
def subset():
    return gen_conformance.sweep(jobs=JOBS)


def _fail_on_mismatches(results):
    found = gen_conformance.mismatches(results)
    if found:
        pytest.fail(f"{len(found)} mismatches (engine vs eager):\n" + "\n".join(found), pytrace=False)


def test_subset_has_no_mismatch(subset):
    _fail_on_mismatches(subset)


def test_committed_page_is_current(subset):
    with open(gen_conformance.path()) as f:
        committed = f.read()
    assert committed == gen_conformance.render(subset), "docs/conformance.md is stale: run scripts/gen_conformance.py"


@pytest.mark.skipif(os.environ.get("TORCHTRT_CONFORMANCE_FULL") != "1", reason="TORCHTRT_CONFORMANCE_FULL=1 sweeps every sample")
def test_every_sample_has_no_mismatch():
    _fail_on_mismatches(gen_conformance.sweep(full=True, jobs=JOBS))


def test_compare_reports_dtype_shape_and_values():
    f = torch.tensor([1.0, 2.0, 3.0])
    assert check.compare([f], [f.clone()], torch.float32) is None
    assert "dtype int32, eager int64" in check.compare([torch.arange(3)], [torch.arange(3, dtype=torch.int32)], torch.int64)
    assert "shape [3, 1], eager [3]" in check.compare([f], [f.reshape(3, 1)], torch.float32)
    assert "1/3 values differ" in check.compare([torch.arange(3)], [torch.tensor([0, 1, 3])], torch.int64)
    off = f.clone()
    off[2] += 1e-3
    assert "worst at [2]" in check.compare([f], [off], torch.float32)
    assert check.compare([f.half()], [off.half()], torch.float16) is None  # 1e-3 on 3.0 is within half's tolerance
    nan = torch.tensor([float("nan"), float("inf")])
    assert check.compare([nan], [nan.clone()], torch.float32) is None
    assert check.compare([f], [f, f], torch.float32) == "returned 2 outputs, eager returns 1"


def test_tolerance_of_a_float_output_from_half_inputs_is_half():
    assert check.tolerance(torch.float32, torch.float16) == check.TOLERANCES[torch.float16]
    assert check.tolerance(torch.float32, torch.int64) == check.TOLERANCES[torch.float32]


def test_index_ties_and_the_float64_error_rule():
    x = torch.tensor([[1.0, 1.0, 2.0]])
    eager, engine = torch.tensor([[0, 1, 2]]), torch.tensor([[1, 0, 2]])
    assert check.compare([eager], [engine], torch.float32, ties_in=x) is None
    assert "values differ" in check.compare([eager], [engine], torch.float32)
    assert "values differ" in check.compare([eager], [torch.tensor([[0, 0, 2]])], torch.float32, ties_in=x)  # repeats
    used = []
    ref64 = [torch.tensor([1.0005], dtype=torch.float64)]  # eager is 5e-4 off: engine may be as far
    assert check.compare([torch.tensor([1.0])], [torch.tensor([1.001])], torch.float32, ref64=ref64, used=used) is None
    assert used == [check.BY_ERROR]
    assert "float64 reference" in check.compare([torch.tensor([1.0])], [torch.tensor([1.01])], torch.float32, ref64=ref64)


def test_float64_casts_are_widened_after_the_engine_and_float64_compute_is_refused():
    # Found (issue 20, OpInfos double / to): a cast to float64 was refused. Returned, it is exact after the
    # engine (float32/int32 widen exactly; int64 rounds as eager's cast); computed on, it is refused.
    import torch_tensorrt

    class Casts(torch.nn.Module):
        def forward(self, x, i):
            return x.double(), (i * 3).to(torch.float64), x + 1

    x = torch.randn(3, 5)
    i = torch.tensor([[2**53 + 1, -7, 123456789012345]], dtype=torch.int64)
    traced = torch.jit.trace(Casts().eval(), (x, i))
    compiled = torch_tensorrt.compile(traced, inputs=[x, i], require_full_compilation=True, device="cpu")
    got, want = compiled(x, i), traced(x, i)
    for g, w in zip(got, want):
        assert g.dtype == w.dtype and torch.equal(g, w)

    class Computed(torch.nn.Module):
        def forward(self, x):
            return x.double() * 3

    with pytest.raises(Exception, match="float64"):
        torch_tensorrt.compile(torch.jit.trace(Computed().eval(), (x,)), inputs=[x], require_full_compilation=True,
                               device="cpu")
