"""Every ```python block in docs/ and the README runs (each block as its own script)."""
import glob
import os
import re

import pytest

import subprocess
import sys

from conftest import REPO

BLOCK = re.compile(r"```python\n(.*?)```", re.S)


def blocks():
    found = []
    for path in sorted(glob.glob(os.path.join(REPO, "docs", "*.md"))) + [os.path.join(REPO, "README.md")]:
        with open(path) as f:
            for i, code in enumerate(BLOCK.findall(f.read())):
                found.append(pytest.param(code, id=f"{os.path.basename(path)}-{i}"))
    return found


@pytest.mark.parametrize("code", blocks())
def test_doc_code_block_runs(code, tmp_path):
    script = tmp_path / "block.py"  # a file, so torch.jit.script can read the classes' source
    script.write_text(code)
    r = subprocess.run([sys.executable, str(script)], cwd=str(tmp_path), capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
