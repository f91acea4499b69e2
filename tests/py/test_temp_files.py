"""torchtrtc writes its output through a file created exclusively beside the target (issue 28): a
symlink planted at the old predictable name `<output>.partial` once had its target overwritten."""
import os
import subprocess
import sys

import torch
import torch_tensorrt  # noqa: F401  (registers the engine class torch.jit.load needs)


def _torchtrtc(*args):
    return subprocess.run([sys.executable, "-m", "torch_tensorrt._cli", *args], capture_output=True, text=True)


class _Small(torch.nn.Module):
    def forward(self, x):
        return torch.relu(x) * 2.0


def test_torchtrtc_never_writes_through_a_planted_symlink(tmp_path):
    src, out, victim = tmp_path / "in.ts", tmp_path / "out.ts", tmp_path / "victim"
    torch.jit.save(torch.jit.script(_Small().eval()), str(src))
    victim.write_bytes(b"keep me")
    os.symlink(victim, tmp_path / "out.ts.partial")
    r = _torchtrtc(str(src), str(out), "(1,3,8,8)", "--device-type=cpu")
    assert r.returncode == 0, r.stderr
    assert victim.read_bytes() == b"keep me"
    assert not out.is_symlink()
    x = torch.randn(1, 3, 8, 8)
    torch.testing.assert_close(torch.jit.load(str(out))(x), _Small()(x))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.ts", "out.ts", "out.ts.partial", "victim"]
