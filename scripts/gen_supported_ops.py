"""Writes docs/supported_ops.md from the converter and evaluator registries and the engine's layer kinds.

Run: .venv/bin/python scripts/gen_supported_ops.py   (tests/py/test_supported_ops_doc.py fails when it is stale)
"""
import os
import sys


def render() -> str:
    import torch_tensorrt

    converters = sorted(torch_tensorrt._C.get_converter_list())
    evaluators = sorted(torch_tensorrt._C.get_evaluator_list())
    kinds = list(torch_tensorrt._C.get_layer_kinds())
    lines = [
        "# Supported operators",
        "",
        "Generated from the registries by `scripts/gen_supported_ops.py`; do not edit by hand.",
        "`torchtrtc --supported-ops` prints the same list.",
        "",
        f"## Converters ({len(converters)} schemas)",
        "",
    ]
    lines += [f"- `{s}`" for s in converters]
    lines += ["", f"## Evaluators ({len(evaluators)} node kinds)", "",
              "Evaluated at compile time when their inputs are known then (constants, lists, static shapes).", ""]
    lines += [f"- `{k}`" for k in evaluators]
    lines += ["", f"## Engine layer kinds ({len(kinds)})", "",
              "What converters build networks from (`engine/include/trt/types.h`, TensorRT's names); each has",
              "shape inference, a plan encoding, a CPU kernel and a CUDA kernel.", ""]
    lines += [f"- {k}" for k in kinds]
    return "\n".join(lines) + "\n"


def path() -> str:
    return os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "docs", "supported_ops.md")


if __name__ == "__main__":
    with open(path(), "w") as f:
        f.write(render())
    print(f"wrote {path()}", file=sys.stderr)
