"""Docs that quote commands or code the way they run: the README's torchtrtc lines run as written
(and without warnings on any machine), the custom-converter snippet is the seed's file, whole.
(Python blocks of every doc run in test_docs.py; quoted error messages are asserted inside them.)"""
import os
import re
import shlex
import subprocess

import torch

from conftest import REPO, SEED
from test_errors_and_models import torchtrtc


def blocks(doc, lang):
    with open(os.path.join(REPO, doc)) as f:
        return re.findall(r"```%s\n(.*?)```" % lang, f.read(), re.S)


def test_readme_torchtrtc_lines_run_as_written(tmp_path):
    lines = [line for block in blocks("README.md", "bash") for line in block.splitlines()
             if line.startswith("torchtrtc ")]
    assert len(lines) >= 3, lines
    torch.jit.script(torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.ReLU()).eval()).save(
        str(tmp_path / "model.ts"))
    for line in lines:
        args = shlex.split(line, comments=True)[1:]
        r = subprocess.run(torchtrtc() + args, cwd=str(tmp_path), capture_output=True, text=True, timeout=600)
        assert r.returncode == 0, (line, r.stderr)
        assert "Warning" not in r.stderr, (line, r.stderr)  # a copied example must not warn
    assert os.path.exists(tmp_path / "model_trt.ts")


def test_custom_converter_snippet_is_the_seed_file():
    (snippet,) = blocks("docs/custom_converters.md", "cpp")
    with open(os.path.join(SEED, "flatten_converter.cpp")) as f:
        seed = f.read()
    assert "..." not in snippet
    assert snippet == seed[seed.index("#include"):]  # what test_custom_converter.py compiles and runs
