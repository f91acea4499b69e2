"""`import torch_tensorrt` refuses a torch of another minor release than the one it was built for,
naming both, before any native library loads (libtorch's C++ ABI changes between minors)."""
import os
import shutil
import subprocess
import sys

import pytest
import torch

from conftest import BUILD, REPO


def import_with_recorded_version(tmp_path, recorded: str) -> subprocess.CompletedProcess:
    """Imports a copy of the Python package (no native libraries) that records `recorded`."""
    pkg = tmp_path / "torch_tensorrt"
    shutil.copytree(os.path.join(REPO, "py", "torch_tensorrt"), pkg,
                    ignore=shutil.ignore_patterns("__pycache__", "lib", "bin", "include", "_C*.so", "csrc"))
    (pkg / "_torch_built_with.py").write_text(f'TORCH_VERSION = "{recorded}"\n')
    env = dict(os.environ, PYTHONPATH=str(tmp_path))
    return subprocess.run([sys.executable, "-c", "import torch_tensorrt"], capture_output=True, text=True,
                          env=env, cwd=str(tmp_path), timeout=120)


def test_another_minor_release_is_refused_naming_both_versions(tmp_path):
    found = torch.__version__.split("+")[0]
    r = import_with_recorded_version(tmp_path, "1.13.1")
    assert r.returncode != 0
    last = r.stderr.strip().splitlines()[-1]
    assert last.startswith("ImportError: torch_tensorrt was built for torch 1.13.1 but torch " + found), last
    assert "pip install 'torch>=1.13,<1.14'" in last, last


def test_another_patch_release_passes_the_check(tmp_path):
    major, minor = torch.__version__.split(".")[:2]
    r = import_with_recorded_version(tmp_path, f"{major}.{minor}.99")
    # Past the check, the copy without native libraries stops at loading them.
    assert "torch_tensorrt is not built" in r.stderr and "was built for torch" not in r.stderr, r.stderr


def test_the_build_records_the_torch_it_compiled_against():
    recorded = os.path.join(BUILD, "py", "_torch_built_with.py")
    if not os.path.exists(recorded):
        pytest.skip(f"no configured build folder at {BUILD}")
    scope = {}
    exec(open(recorded).read(), scope)
    assert scope["TORCH_VERSION"].split(".")[:2] == torch.__version__.split(".")[:2]
