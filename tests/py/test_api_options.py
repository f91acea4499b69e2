"""Torch-TensorRT's API surface: Device, EngineCapability, dtype, set_device, embed with a device,
and the refusal of options whose features this build lacks (each naming the reason)."""
import pytest
import torch
import torch_tensorrt

from conftest import gpu_engines


class Relu2(torch.nn.Module):
    def forward(self, x):
        return torch.relu(x) * 2


def _ts():
    return torch.jit.script(Relu2())


@pytest.mark.parametrize(
    "option, needle",
    [
        (dict(capability=torch_tensorrt.EngineCapability.SAFETY), "capability kSAFETY needs a safety-certified runtime"),
        (dict(capability=torch_tensorrt.EngineCapability.DLA_STANDALONE), "NVIDIA DLA"),
        (dict(sparse_weights=True), "sparse_weights=true needs 2:4 structured-sparse kernels"),
        (dict(refit=True), "refit=true needs refittable engines"),
    ],
)
def test_options_this_build_lacks_are_refused(option, needle):
    with pytest.raises(RuntimeError, match=needle):
        torch_tensorrt.compile(_ts(), inputs=[torch.randn(2, 3)], device="cpu", **option)


def test_defaults_of_those_options_compile():
    x = torch.randn(2, 3)
    trt = torch_tensorrt.compile(_ts(), inputs=[x], device=torch_tensorrt.Device("cpu"),
                                 capability=torch_tensorrt.EngineCapability.STANDARD, sparse_weights=False,
                                 refit=False, allow_shape_tensors=False)
    torch.testing.assert_close(trt(x), torch.relu(x) * 2)
    # Shape tensors are always used where a dimension is dynamic: asking for them changes nothing.
    with_shape_tensors = torch_tensorrt.compile(_ts(), inputs=[x], device="cpu", allow_shape_tensors=True)
    torch.testing.assert_close(with_shape_tensors(x), torch.relu(x) * 2)
    with pytest.raises(TypeError, match="capability must be a torch_tensorrt.EngineCapability"):
        torch_tensorrt.compile(_ts(), inputs=[x], device="cpu", capability="standard")


def test_device_and_dtype_helpers():
    d = torch_tensorrt.Device("cuda:1")
    assert (d.device_type, d.gpu_id) == ("cuda", 1) and d.to_torch() == torch.device("cuda", 1)
    assert torch_tensorrt.Device(gpu_id=2).to_torch() == torch.device("cuda", 2)
    assert torch_tensorrt.Device(torch.device("cpu")).device_type == "cpu"
    with pytest.raises(ValueError, match="engines run on cuda or cpu"):
        torch_tensorrt.Device(device_type="dla")
    assert torch_tensorrt.dtype.half is torch.float16 and torch_tensorrt.dtype.int8 is torch.int8
    spec = torch_tensorrt.Input((1, 3), dtype=torch_tensorrt.dtype.half)
    assert spec.dtype == torch.float16


def test_set_device_refuses_a_gpu_that_is_not_visible():
    with pytest.raises(ValueError, match="CUDA GPU\\(s\\) are visible"):
        torch_tensorrt.set_device(torch.cuda.device_count())
    if torch.cuda.is_available():
        torch_tensorrt.set_device(0)
        assert torch.cuda.current_device() == 0


def test_embed_engine_with_a_device_checks_the_backend():
    x = torch.randn(2, 3)
    plan = torch_tensorrt.ts.convert_method_to_trt_engine(_ts(), "forward", inputs=[x], device="cpu")
    wrapped = torch_tensorrt.ts.embed_engine_in_new_module(plan, device=torch_tensorrt.Device("cpu"))
    torch.testing.assert_close(wrapped(x), torch.relu(x) * 2)
    with pytest.raises(RuntimeError, match="built for the cpu backend but the device given is a GPU"):
        torch_tensorrt.ts.embed_engine_in_new_module(plan, device="cuda:0")
    if gpu_engines():
        gpu_plan = torch_tensorrt.ts.convert_method_to_trt_engine(_ts(), "forward", inputs=[x.cuda()], device="cuda")
        on_gpu = torch_tensorrt.ts.embed_engine_in_new_module(gpu_plan, device=torch_tensorrt.Device(gpu_id=0))
        torch.testing.assert_close(on_gpu(x.cuda()), torch.relu(x.cuda()) * 2)
