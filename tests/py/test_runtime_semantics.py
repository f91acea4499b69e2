"""Where a compiled module could differ from TorchScript at run time (issue 28): autograd, in-place writes
into the caller's tensors, and the names of forward's arguments."""
import os

import pytest
import torch
import torch_tensorrt

from conftest import REPO, TOLERANCES, run_python


class Double(torch.nn.Module):
    def forward(self, image):
        return image * 2 + 1


def test_outputs_are_detached_and_a_grad_input_is_warned_about_once():
    # A fresh interpreter: the warning is said once per process (traced: `python -c` has no source to script).
    code = (
        "import torch, torch_tensorrt\n"
        "class Double(torch.nn.Module):\n"
        "    def forward(self, x):\n"
        "        return x * 2\n"
        "ts = torch.jit.trace(Double().eval(), torch.randn(2, 3))\n"
        "m = torch_tensorrt.compile(ts, inputs=[torch_tensorrt.Input((2, 3))])\n"
        "x = torch.randn(2, 3, requires_grad=True)\n"
        "outs = [m(x) for _ in range(3)]\n"
        "print('requires_grad', [o.requires_grad for o in outs], 'grad_fn', [o.grad_fn for o in outs])\n"
        "print('equal', all(torch.equal(o, x.detach() * 2) for o in outs))\n"
        "with torch.no_grad():\n"
        "    m(x)\n"
    )
    r = run_python(code, REPO)
    assert r.returncode == 0, r.stderr
    assert "requires_grad [False, False, False] grad_fn [None, None, None]" in r.stdout
    assert "equal True" in r.stdout
    assert r.stderr.count("got an input that requires grad") == 1, r.stderr
    assert "outputs are detached (requires_grad=False)" in r.stderr


def test_no_grad_warning_without_grad_inputs(capfd):
    m = torch_tensorrt.compile(torch.jit.script(Double().eval()), inputs=[torch_tensorrt.Input((2, 3))])
    m(torch.randn(2, 3))
    assert "requires grad" not in capfd.readouterr().err


class AddInPlaceReturned(torch.nn.Module):
    def forward(self, x):
        return x.add_(1)


class AddInPlaceThenUse(torch.nn.Module):
    def forward(self, x):
        y = x.add_(1)
        return y * 2


class ReluInPlaceThroughTorch(torch.nn.Module):
    def forward(self, x):
        return torch.relu_(x) * 2


class ReluInPlaceReturnsArgument(torch.nn.Module):
    def forward(self, x):
        x.relu_()
        return x


class MulThroughView(torch.nn.Module):
    def forward(self, x):
        x.view(-1).mul_(3)
        return torch.sigmoid(x)


IN_PLACE = [
    (AddInPlaceReturned, "aten::add_"),
    (AddInPlaceThenUse, "aten::add_"),
    (ReluInPlaceThroughTorch, "aten::relu_"),
    (ReluInPlaceReturnsArgument, "aten::relu_"),
    (MulThroughView, "aten::mul_"),
]


@pytest.mark.parametrize("cls,op", IN_PLACE, ids=[c.__name__ for c, _ in IN_PLACE])
def test_an_in_place_write_into_an_argument_reaches_the_caller(cls, op):
    # Partial compilation keeps the write in TorchScript: the caller's tensor changes as it does there.
    ts = torch.jit.script(cls().eval())
    compiled = torch_tensorrt.compile(ts, inputs=[torch_tensorrt.Input((2, 3))])
    x = torch.randn(2, 3)
    x_ref = x.clone()
    out, out_ref = compiled(x), ts(x_ref)
    torch.testing.assert_close(out, out_ref, **TOLERANCES[torch.float32])
    torch.testing.assert_close(x, x_ref, rtol=0, atol=0)
    assert op in str(compiled.graph), "the in-place op should run in TorchScript"


@pytest.mark.parametrize("cls,op", IN_PLACE, ids=[c.__name__ for c, _ in IN_PLACE])
def test_full_compilation_refuses_an_in_place_write_into_an_argument(cls, op):
    with pytest.raises(RuntimeError) as e:
        torch_tensorrt.compile(torch.jit.script(cls().eval()), inputs=[torch_tensorrt.Input((2, 3))],
                               require_full_compilation=True)
    assert op in str(e.value)


def test_an_in_place_write_into_a_temporary_still_compiles_whole():
    class ReluInPlaceOnTemporary(torch.nn.Module):
        def forward(self, x):
            y = x * 3
            y.relu_()
            return y

    ts = torch.jit.script(ReluInPlaceOnTemporary().eval())
    compiled = torch_tensorrt.compile(ts, inputs=[torch_tensorrt.Input((2, 3))], require_full_compilation=True)
    x = torch.randn(2, 3)
    x_before = x.clone()
    torch.testing.assert_close(compiled(x), ts(x.clone()), **TOLERANCES[torch.float32])
    torch.testing.assert_close(x, x_before, rtol=0, atol=0)


@pytest.mark.parametrize("full", [True, False], ids=["full", "default"])
def test_forward_keeps_its_argument_names(tmp_path, full):
    ts = torch.jit.script(Double().eval())
    compiled = torch_tensorrt.compile(ts, inputs=[torch_tensorrt.Input((2, 3))], require_full_compilation=full)
    x = torch.randn(2, 3)
    torch.testing.assert_close(compiled(image=x), ts(image=x), **TOLERANCES[torch.float32])
    assert [a.name for a in compiled.forward.schema.arguments][1:] == ["image"]
    path = os.path.join(str(tmp_path), "double.ts")
    torch.jit.save(compiled, path)
    torch.testing.assert_close(torch.jit.load(path)(image=x), ts(image=x), **TOLERANCES[torch.float32])
