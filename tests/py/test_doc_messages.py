"""Messages quoted in docs/troubleshooting.md (its bold entries) are the code's messages: each
quote, with its placeholders (`...`, N, quoted names, numbers, GPU names) taken out, is made of
text that a message in the sources contains (string literals joined as the compiler joins them),
or that the page's own code blocks assert against the real message (tests/py/test_docs.py runs
them, and those of docs/dynamic_shapes.md). A reworded message fails here until its entry follows."""
import glob
import os
import re

import pytest

from conftest import REPO

SOURCES = ["engine/src/**/*.cpp", "engine/src/**/*.h", "engine/src/**/*.cu", "engine/include/**/*.h",
           "core/**/*.cpp", "core/**/*.h", "cpp/src/**/*.cpp", "cli/**/*.cpp", "py/torch_tensorrt/**/*.py"]
# What a quote shows for a value the message fills in: `...`, N/M/X, numbers, sm_XY, (GPU name),
# 'quoted names', file names, enum values (kSAFETY), and the ", but " that joins a message to its reason.
PLACEHOLDER = re.compile(r"\.\.\.|\b[NMX]\b|\b\d+\b|\bsm_\d+|\bk[A-Z][A-Z_]+\b|\(NVIDIA [^)]*\)|\w+\.py|'[^']*'|, but ")
MIN_FRAGMENT = 8  # shorter pieces ("to", "of engine") say nothing about the message


def joined_literals(text: str) -> str:
    """Adjacent string literals joined (C++ and Python), f-string fields as a break."""
    text = re.sub(r'"\s*\n\s*f?"', "", text)
    return re.sub(r"\{[^{}\n\"]*\}", "\x00", text)


def corpus() -> str:
    files = [p for pat in SOURCES for p in glob.glob(os.path.join(REPO, pat), recursive=True)
             if "/include/torch_tensorrt/" not in p]  # the package's copy of the headers
    return "\n".join(joined_literals(open(p, errors="replace").read()) for p in files)


def quotes(doc: str):
    with open(os.path.join(REPO, "docs", doc)) as f:
        text = f.read()
    asserted = "\n".join(joined_literals(b) for b in re.findall(r"```python\n(.*?)```", text, re.S))
    found = [q for line in text.splitlines() if line.startswith("**`") for q in re.findall(r"`([^`]+)`", line)]
    return found, asserted


def fragments(quote: str):
    pieces = [g.strip(" '()") for f in PLACEHOLDER.split(quote) if f for g in f.split("; ")]
    return [p for p in pieces if len(p) >= MIN_FRAGMENT]


def appears(fragment: str, text: str) -> bool:
    """In the text, allowing for values the message fills in: one word at either end (next to a
    placeholder: "argument 'x'" is filled in whole), or one break between two parts of three words or
    more; what is left must be three words or more."""
    words = fragment.split(" ")
    for lead in (0, 1):
        for trail in (0, 1):
            if (lead or trail) and len(words) - lead - trail < 3:
                continue
            core = words[lead:len(words) - trail]
            if " ".join(core) in text:
                return True
            if any(" ".join(core[:i]) in text and " ".join(core[i:]) in text for i in range(3, len(core) - 2)):
                return True
    return False


SOURCE_TEXT = corpus()
QUOTES, ASSERTED = quotes("troubleshooting.md")


def test_the_page_has_its_entries():
    assert len(QUOTES) >= 20, QUOTES


@pytest.mark.parametrize("quote", QUOTES, ids=[q[:40] for q in QUOTES])
def test_troubleshooting_quote_is_a_real_message(quote):
    missing = [f for f in fragments(quote) if not appears(f, SOURCE_TEXT) and not appears(f, ASSERTED)]
    assert not missing, f"docs/troubleshooting.md quotes {quote!r}; no message has {missing}"


def test_the_check_catches_a_reworded_message():
    # The entry this page once had for a message since reworded.
    assert fragments("scatter_reduce's mean is converted for floating-point tensors only")
    assert not appears("scatter_reduce's mean is converted for floating-point tensors only", SOURCE_TEXT)


def test_dynamic_shapes_quotes_its_error_in_a_checked_block():
    # docs/dynamic_shapes.md's refusal is asserted, whole, by its code block (run by test_docs.py).
    with open(os.path.join(REPO, "docs", "dynamic_shapes.md")) as f:
        text = f.read()
    (block,) = [b for b in re.findall(r"```python\n(.*?)```", text, re.S) if "outside optimization profile" in b]
    assert "line = str(e).splitlines()[2]" in block and "assert line == (" in block
    assert "on the third line of the error" in text
