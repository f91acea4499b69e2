"""bench/perf_zoo.py's --rows-file: a zoo run that spans several device calls keeps every finished case, skips it
when resumed, and its table says whether every row came from one machine (issue 21 asks one run)."""
import os
import sys
import types

from conftest import REPO

sys.path.insert(0, os.path.join(REPO, "bench"))
import perf_zoo  # noqa: E402


def row(model, batch, dtype="bf16", gpu="GPU-1", host="h1", ratio=1.5):
    return dict(model=model, input=(batch, 3, 224, 224), batch=batch, dtype=dtype, engine_ms=1.0, graphs_ms=1.1,
                peer_ms=ratio, best_ms=1.0, ratio=ratio, gpu=gpu, host=host)


def test_rows_are_kept_per_dtype_and_a_torn_line_is_skipped(tmp_path):
    path = str(tmp_path / "zoo" / "rows.jsonl")
    assert perf_zoo.read_rows(path, "bf16") == []  # no file yet: nothing done
    perf_zoo.append_row(path, row("resnet50", 1))
    perf_zoo.append_row(path, row("resnet50", 64, dtype="fp16"))
    perf_zoo.append_row(path, row("resnet50", 64))
    with open(path, "a") as f:
        f.write('{"model": "swin_t", "batch"')  # a call cut off while writing
    got = perf_zoo.read_rows(path, "bf16")
    assert [(r["model"], r["batch"]) for r in got] == [("resnet50", 1), ("resnet50", 64)]
    assert got[0]["input"] == (1, 3, 224, 224)  # a tuple again, as bench_case makes it
    assert [r["batch"] for r in perf_zoo.read_rows(path, "fp16")] == [64]


def test_the_table_says_whether_its_rows_share_one_machine():
    args = types.SimpleNamespace(dtype="bf16", max_autotune=False, dynamo=False)
    one = perf_zoo.markdown([row("resnet50", 1), row("resnet50", 64, ratio=1.2)], "H100", args)
    assert "Every row on one machine: GPU GPU-1, host h1." in one
    assert "2 cases compared: median ratio 1.35" in one
    two = perf_zoo.markdown([row("resnet50", 1), row("resnet50", 64, gpu="GPU-2", host="h2")], "H100", args)
    assert "Rows from 2 machines: GPU GPU-1 host h1; GPU GPU-2 host h2." in two
