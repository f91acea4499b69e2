"""Issue acceptance: every converter schema has a test from a TorchScript IR string that runs it with
the JIT interpreter and as an engine and compares the results. The C++ converter suite
(build/tests/core/core_tests) logs the schema of every node of each graph it compared
(TORCHTRT_COMPARED_SCHEMAS, tests/core/converter_test_util.h: recordCompared); every registered
converter schema (name.overload) must be among them."""
import os
import subprocess

import pytest

from conftest import BUILD


def _overload(schema: str) -> str:
    return schema.split("(")[0]


def test_every_converter_schema_is_compared_by_an_ir_test(tmp_path):
    import torch_tensorrt

    exe = os.path.join(BUILD, "tests", "core", "core_tests")
    if not os.path.exists(exe):
        pytest.skip(f"{exe} is not built (TORCHTRT_TESTS=ON builds it)")
    log = tmp_path / "compared.txt"
    run = subprocess.run([exe], env={**os.environ, "TORCHTRT_COMPARED_SCHEMAS": str(log)}, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    compared = set(log.read_text().split())
    missing = [s for s in sorted(torch_tensorrt._C.get_converter_list()) if _overload(s) not in compared]
    assert not missing, "converter schemas without a compared IR test:\n" + "\n".join(missing)
