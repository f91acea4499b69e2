"""Layer census: what each performance-zoo model's engine runs, from the builder's passes alone
(torch_tensorrt.ts.describe_engine_layers: no GPU needed, nothing is timed or run).

Per model: the layers that run a kernel, by kind, and the layers that only move bytes (transposes, slices,
concatenations, casts, gathers (of rows, or an embedding's) and copies that are not views of their input), with the bytes those write at the batch
given. A GPU engine's census comes from a CPU-only machine with --device cuda (a build with the CUDA backend);
it is the first place to look for a permute or copy that a fusion or a layout choice could remove, and the
numbers to compare after a builder change, before any GPU time is spent.

Usage:
  python bench/layer_census.py --models transformer --device cuda
  python bench/layer_census.py --models swin_t,convnext_tiny --batch 64 --out /tmp/census.md
"""
import argparse
import collections
import math
import sys
from typing import Any, Dict, List

import torch

sys.path.insert(0, __file__.rsplit("/", 1)[0])
import perf_zoo  # noqa: E402  (the zoo's models and inputs)

MOVES_BYTES = ("Shuffle", "Slice", "Concatenation", "Identity", "Padding", "Gather")
VIEW = "view of its input's memory"
ITEM_BYTES = {"float32": 4, "float16": 2, "bfloat16": 2, "int32": 4, "int64": 8, "bool": 1, "int8": 1, "uint8": 1,
              "fp8": 1}


def census(name: str, batch: int, device: str, dtype: torch.dtype) -> Dict[str, Any]:
    import torch_tensorrt

    case = perf_zoo.MODELS[name]
    model = case.build().eval()
    x = perf_zoo.make_input(case, batch, "cpu", case.size)
    with torch.no_grad():
        traced = torch.jit.trace(model, x, check_trace=False)
    with torch_tensorrt.logging.no_progress():
        doc = torch_tensorrt.ts.describe_engine_layers(traced, inputs=[x], enabled_precisions={torch.float, dtype},
                                                       device=device)
    kernels: Dict[str, int] = collections.Counter()
    moves: Dict[str, int] = collections.Counter()
    moved_bytes = 0
    for layer in doc["layers"]:
        if layer["kind"] == "Constant" or layer["implementation"] == VIEW:
            continue
        kernels[layer["kind"]] += 1
        if layer["kind"] in MOVES_BYTES:
            moves[layer["kind"]] += 1
            moved_bytes += sum(math.prod(o["dims"]) * ITEM_BYTES.get(o["dtype"], 4) for o in layer["outputs"])
    return dict(model=name, batch=batch, device=doc["device"], layers=len(doc["layers"]), kernels=dict(kernels),
                moves=dict(moves), moved_mb=moved_bytes / 1e6)


def markdown(rows: List[Dict[str, Any]]) -> str:
    def counts(d: Dict[str, int]) -> str:
        return ", ".join(f"{k} {v}" for k, v in sorted(d.items(), key=lambda kv: -kv[1])) or "-"

    lines = ["| model | batch | layers running a kernel | of which only move bytes | MB they write |",
             "| --- | --- | --- | --- | --- |"]
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['model']} | {r['batch']} | error: {r['error']} | | |")
            continue
        lines.append(f"| {r['model']} | {r['batch']} | {sum(r['kernels'].values())} ({counts(r['kernels'])}) | "
                     f"{counts(r['moves'])} | {r['moved_mb']:.1f} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", default="all", help="comma-separated names, 'vision', 'transformer' or 'all'")
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--device", default="cuda", choices=("cuda", "cpu"), help="the backend whose passes run")
    ap.add_argument("--dtype", default="fp16", choices=("fp16", "bf16"))
    ap.add_argument("--out", default=None, help="also write the Markdown table here")
    args = ap.parse_args()
    if args.models in ("all", "vision", "transformer"):
        names = [n for n, c in perf_zoo.MODELS.items() if args.models == "all" or c.family == args.models]
    else:
        names = args.models.split(",")
    dtype = torch.half if args.dtype == "fp16" else torch.bfloat16
    rows = []
    for name in names:
        try:
            row = census(name, args.batch, args.device, dtype)
        except Exception as err:  # one model's failure must not hide the others
            row = dict(model=name, batch=args.batch, error=str(err).strip().split("\n")[0][:160])
        rows.append(row)
        print(markdown([row]).splitlines()[-1], flush=True)
    table = markdown(rows)
    if rows and "device" in rows[0]:
        table = f"Backend {args.device}, device: {rows[0]['device']}, {args.dtype}.\n\n" + table
    if args.out:
        with open(args.out, "w") as f:
            f.write(table)
    else:
        print(table)


if __name__ == "__main__":
    main()
