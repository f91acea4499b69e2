"""The per-layer profiler (torch_tensorrt.runtime.profile) and build progress at the default log
level (torch_tensorrt.logging.set_progress / no_progress), on the CPU backend."""
import time

import pytest
import torch
import torch_tensorrt


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(3, 16, 3, padding=1)
        self.conv2 = torch.nn.Conv2d(16, 16, 3, padding=1)
        self.fc = torch.nn.Linear(16 * 16 * 16, 10)

    def forward(self, x):
        x = torch.relu(self.conv1(x))
        x = torch.sigmoid(self.conv2(x))
        return self.fc(torch.flatten(x, 1))


def compiled():
    torch.manual_seed(0)
    x = torch.randn(2, 3, 16, 16)
    ts = torch.jit.trace(Net().eval(), x)
    with torch_tensorrt.logging.no_progress():
        trt = torch_tensorrt.compile(ts, inputs=[x], device="cpu")
    return trt, x


def test_profile_reports_each_layer_once_per_call_within_the_measured_latency():
    trt, x = compiled()
    trt(x)  # first-call work stays out of the profile
    calls = 5
    with torch_tensorrt.runtime.profile(trt) as prof:
        start = time.perf_counter()
        for _ in range(calls):
            out = trt(x)
        wall_ms = (time.perf_counter() - start) * 1e3
    assert prof.layers, "no layer was reported"
    names = [(layer.engine, layer.name) for layer in prof.layers]
    assert len(names) == len(set(names)), f"a layer is listed twice: {names}"
    for layer in prof.layers:
        assert layer.calls == calls, layer
        assert layer.total_ms >= 0 and layer.avg_ms == pytest.approx(layer.total_ms / calls)
    assert 0 < prof.total_ms <= wall_ms
    # The convolutions run (and are named as the engine names them); the table lists every layer.
    table = prof.table()
    assert str(prof) == table
    for layer in prof.layers:
        assert layer.name.replace("\n", " ") in table
    assert table.splitlines()[0].split()[:2] == ["Calls", "Total"]
    assert [row.split()[0] for row in table.splitlines()[1:-1]] == [str(calls)] * len(prof.layers)
    assert set(prof.as_dict()) == {f"{e}/{n}" for e, n in names}
    # Profiling changes no result, and it is off after the block.
    torch.testing.assert_close(out, trt(x))
    with torch_tensorrt.runtime.profile(trt) as again:
        pass
    assert again.layers == []


def test_profile_refuses_a_module_without_engines():
    ts = torch.jit.trace(Net().eval(), torch.randn(1, 3, 16, 16))
    with pytest.raises(ValueError, match="no Torch-TensorRT engine"):
        with torch_tensorrt.runtime.profile(ts):
            pass
    with pytest.raises(TypeError, match="TorchScript module"):
        with torch_tensorrt.runtime.profile(Net()):
            pass


PHASES = ["lowering:", "builder passes:", "serialization:", "conversion:", "compiled forward:"]


def test_compile_prints_its_phases_at_the_default_level_and_none_when_silenced(capfd):
    torch.manual_seed(0)
    x = torch.randn(1, 3, 16, 16)
    ts = torch.jit.trace(Net().eval(), x)
    assert torch_tensorrt.logging.get_reportable_log_level() == torch_tensorrt.logging.Level.Warning
    assert torch_tensorrt.logging.get_progress()
    capfd.readouterr()
    torch_tensorrt.compile(ts, inputs=[x], device="cpu")
    err = capfd.readouterr().err
    progress = [line for line in err.splitlines() if "Torch-TensorRT - Progress: " in line]
    for phase in PHASES:
        assert any(phase in line for line in progress), f"no '{phase}' line in:\n{err}"
    assert all(line.rstrip().endswith(" s") or " s (" in line for line in progress), progress

    with torch_tensorrt.logging.no_progress():
        torch_tensorrt.compile(ts, inputs=[x], device="cpu")
    assert "Progress" not in capfd.readouterr().err
    assert torch_tensorrt.logging.get_progress()
    with torch_tensorrt.logging.errors():
        torch_tensorrt.compile(ts, inputs=[x], device="cpu")
    assert "Progress" not in capfd.readouterr().err
    torch_tensorrt.logging.set_progress(False)
    try:
        torch_tensorrt.compile(ts, inputs=[x], device="cpu")
        assert "Progress" not in capfd.readouterr().err
    finally:
        torch_tensorrt.logging.set_progress(True)
