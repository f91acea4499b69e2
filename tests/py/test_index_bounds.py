"""Indices outside their dimension, which PyTorch refuses: the CPU engine refuses them too, naming the layer and the
index; CUDA engines (whose kernels cannot report without a synchronization) read zeros and drop the update, as
docs/runtime.md says. An audit found `x[i, j]` with j past its own dimension reading the next row's element (the
position merged over both dims was in range), and index_add / index_copy / one_hot wrapping negative indices."""
import pytest
import torch
import torch.nn.functional as F
import torch_tensorrt
from torch import nn

from conftest import gpu_engines

DEVICES = ["cpu"] + (["cuda"] if gpu_engines() else [])


class Fn(nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, *args):
        return self.fn(*args)


def compiled(fn, examples, device, inputs=None):
    traced = torch.jit.trace(Fn(fn), tuple(examples))
    return torch_tensorrt.compile(traced, inputs=inputs or list(examples), device=device,
                                  require_full_compilation=True, min_block_size=1)


def rows_by_cols(device):
    return torch.arange(12.0, device=device).view(4, 3)


def longs(values, device):
    return torch.tensor(values, device=device)


CASES = [
    # name, fn, data, examples (in range), out-of-range call's indices, what CUDA gives for them
    ("x[i, j], j past dim 1", lambda x, i, j: x[i, j], rows_by_cols, ([0, 1], [1, 2]), ([0, 1], [3, 0]), [0.0, 3.0]),
    ("x[i, j], j below -size", lambda x, i, j: x[i, j], rows_by_cols, ([0, 1], [1, 2]), ([0, 1], [-4, 0]),
     [0.0, 3.0]),
    ("x[i, j], i past dim 0", lambda x, i, j: x[i, j], rows_by_cols, ([0, 1], [1, 2]), ([4, 1], [0, 0]), [0.0, 3.0]),
]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("name, fn, make, good, bad, cuda_result", CASES, ids=[c[0] for c in CASES])
def test_several_index_tensors_are_checked_each_against_its_own_dimension(device, name, fn, make, good, bad,
                                                                          cuda_result):
    x = make(device)
    examples = [x] + [longs(v, device) for v in good]
    engine = compiled(fn, examples, device)
    torch.testing.assert_close(engine(*examples), fn(*examples), rtol=0, atol=0)
    wrapped = [x, longs([-4, -1], device), longs([-3, -1], device)]  # negative indices in range count from the end
    torch.testing.assert_close(engine(*wrapped), fn(*wrapped), rtol=0, atol=0)
    call = [x] + [longs(v, device) for v in bad]
    with pytest.raises((IndexError, RuntimeError)):
        fn(*[t.cpu() for t in call])  # eager refuses
    if device == "cpu":
        with pytest.raises(RuntimeError, match="is out of range for an axis of size 12"):
            engine(*call)
    else:
        assert engine(*call).tolist() == cuda_result


@pytest.mark.parametrize("device", DEVICES)
def test_a_dynamic_row_of_several_indices_is_checked_against_its_run_time_size(device):
    fn = lambda x, i, j: x[i, j]  # noqa: E731
    spec = torch_tensorrt.Input(min_shape=(1, 1), opt_shape=(4, 3), max_shape=(8, 6))
    index = torch_tensorrt.Input(shape=(2,), dtype=torch.long)
    x = rows_by_cols(device)
    engine = compiled(fn, [x, longs([0, 1], device), longs([1, 2], device)], device, inputs=[spec, index, index])
    narrow = x[:, :2].contiguous()
    i, j = longs([0, 1], device), longs([2, 0], device)  # 2 is past the run-time width 2
    if device == "cpu":
        with pytest.raises(RuntimeError, match="is out of range for an axis of size 8"):
            engine(narrow, i, j)
    else:
        assert engine(narrow, i, j).tolist() == [0.0, 3.0]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("op", ["index_add", "index_copy"])
def test_index_add_and_index_copy_refuse_negative_indices(device, op):
    fn = lambda x, i, s: getattr(x, op)(0, i, s)  # noqa: E731
    x, s = torch.zeros(5, device=device), torch.ones(2, device=device)
    engine = compiled(fn, [x, longs([0, 3], device), s], device)
    torch.testing.assert_close(engine(x, longs([4, 1], device), s), fn(x, longs([4, 1], device), s))
    with pytest.raises((IndexError, RuntimeError)):
        fn(x.cpu(), longs([-1, 0], "cpu"), s.cpu())  # eager refuses a negative index
    if device == "cpu":
        with pytest.raises(RuntimeError, match="index -1 is out of range for an axis of size 5"):
            engine(x, longs([-1, 0], device), s)
    else:  # the negative index's update is dropped
        assert engine(x, longs([-1, 0], device), s).tolist() == [1.0, 0.0, 0.0, 0.0, 0.0]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("classes", [[-1, 0, 1], [4, 0, 1]], ids=["negative", "past num_classes"])
def test_one_hot_refuses_a_class_outside_num_classes(device, classes):
    fn = lambda i: F.one_hot(i, 4)  # noqa: E731
    engine = compiled(fn, [longs([0, 1, 3], device)], device)
    torch.testing.assert_close(engine(longs([3, 0, 2], device)), fn(longs([3, 0, 2], device)))
    with pytest.raises(RuntimeError, match="Class values must be"):
        fn(longs(classes, "cpu"))
    if device == "cpu":
        with pytest.raises(RuntimeError, match=f"index {classes[0]} is out of range for an axis of size 4"):
            engine(longs(classes, device))
    else:  # a row of zeros
        assert engine(longs(classes, device)).tolist() == [[0, 0, 0, 0], [1, 0, 0, 0], [0, 1, 0, 0]]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dynamic", [False, True])
def test_scatter_add_reads_the_leading_part_of_a_larger_src(device, dynamic):
    # PyTorch asks only index.size(d) <= src.size(d); with dynamic shapes the engine refused such a call at run time.
    fn = lambda x, i, s: x.scatter_add(0, i, s)  # noqa: E731
    x, i = torch.zeros(2, 3, device=device), longs([[1, 0]], device)
    s = torch.arange(1.0, 7.0, device=device).view(2, 3)
    spec = None
    if dynamic:
        spec = [torch_tensorrt.Input(min_shape=[1, 1], opt_shape=[2, 3], max_shape=[8, 8]),
                torch_tensorrt.Input(min_shape=[1, 1], opt_shape=[2, 3], max_shape=[8, 8], dtype=torch.long),
                torch_tensorrt.Input(min_shape=[1, 1], opt_shape=[2, 3], max_shape=[8, 8])]
    engine = compiled(fn, [x, i, s], device, inputs=spec)
    torch.testing.assert_close(engine(x, i, s), fn(x, i, s))
