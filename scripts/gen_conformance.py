"""Writes docs/conformance.md: every PyTorch OpInfo whose op has a converter, compiled one op at a
time for the CPU engine and compared with eager PyTorch, per sample and dtype (issue 20).

Run: .venv/bin/python scripts/gen_conformance.py          the default subset (the first 4 samples of
                                                          each (op, dtype)); writes docs/conformance.md
     .venv/bin/python scripts/gen_conformance.py --full   every sample; writes build/conformance-full.md
                                                          (the committed page is always the subset's)
Options: --findings PATH (every mismatch, and the unsupported (op, dtype) pairs grouped by refusal),
--jobs N (worker processes, default 1), --op KEY (only that OpInfo; repeatable), --output PATH.
tests/py/test_conformance.py fails on any mismatch and when docs/conformance.md is stale.

The cases run in worker processes (tests/py/conformance/worker.py), in a child each forks: when the
engine crashes or hangs, the case that was running is a mismatch and a new child resumes after it.
"""
import argparse
import collections
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from typing import Any, Callable, Dict, List, Optional, Tuple

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "tests", "py"))
from conformance import check, opinfo  # noqa: E402
from conformance import worker as _worker  # noqa: E402

WORKER = os.path.join(REPO, "tests", "py", "conformance", "worker.py")
DTYPE_ORDER = [opinfo.DTYPE_NAMES[d] for d in opinfo.DTYPES]


def path() -> str:
    return os.path.join(REPO, "docs", "conformance.md")


def _events(results: Dict[str, Any], events: List[Dict[str, Any]]) -> None:
    for e in events:
        if "op" in e:
            results["ops"][e["op"]] = dict(how=e["how"], nodes=e["nodes"])
        elif "pair" in e:
            results["pairs"][tuple(e["pair"])] = {k: v for k, v in e.items() if k != "pair"}
        elif "case" in e:
            results["cases"][tuple(e["case"])] = {k: v for k, v in e.items() if k != "case"}


def sweep(full: bool = False, jobs: int = 1, ops: Optional[List[str]] = None,
          progress: Optional[Callable[[str], None]] = None) -> Dict[str, Any]:
    """Runs the cases in `jobs` worker processes; returns {"full", "ops", "pairs", "cases"}."""
    import torch_tensorrt  # the workers import the same package as this process

    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([os.path.dirname(os.path.dirname(torch_tensorrt.__file__))]
                                        + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
    # The sweep checks CPU engines against eager on the CPU. Hidden GPUs keep it so on a GPU machine:
    # torch's test utilities initialize CUDA at import, and a case's forked child cannot use it then.
    env["CUDA_VISIBLE_DEVICES"] = ""
    results: Dict[str, Any] = dict(full=full, ops={}, pairs={}, cases={})
    with tempfile.TemporaryDirectory(prefix="conformance-") as tmp:
        procs = []
        for shard in range(jobs):
            log = os.path.join(tmp, f"shard{shard}.jsonl")
            cmd = [sys.executable, WORKER, "--out", log, "--shard", str(shard), str(jobs)] + (["--full"] if full else [])
            for op in ops or []:
                cmd += ["--op", op]
            out = open(os.path.join(tmp, f"shard{shard}.out"), "w+")
            procs.append((subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env),
                          log, out))
        try:
            reported = time.monotonic()
            while any(p.poll() is None for p, _, _ in procs):
                time.sleep(0.5)
                if progress and time.monotonic() - reported >= 30:
                    reported = time.monotonic()
                    progress(f"{sum(_count_cases(log) for _, log, _ in procs)} cases")
        finally:
            for p, _, out in procs:
                if p.poll() is None:
                    p.kill()
                    p.wait()
        for p, log, out in procs:
            events = []
            if os.path.exists(log):
                with open(log) as f:
                    events = [json.loads(line) for line in f if line.endswith("\n")]
            errors = [e["error"] for e in events if "error" in e]
            out.seek(0)
            text = out.read()
            out.close()
            if p.returncode != 0 or errors:
                raise RuntimeError(f"conformance worker failed (exit code {p.returncode}): "
                                   + (errors[0] if errors else text[-3000:]))
            _events(results, events)
    return results


def _count_cases(log: str) -> int:
    try:
        with open(log) as f:
            return sum(1 for line in f if line.startswith('{"case"'))  # events are written with sorted keys
    except OSError:
        return 0


# ---------------------------------------------------------------------------------------------
# Reports


def _pair_order(pair: Tuple[str, str]) -> Tuple[str, int]:
    return pair[0], DTYPE_ORDER.index(pair[1])


def _case_order(case: Tuple[str, str, int]) -> Tuple[str, int, int]:
    return case[0], DTYPE_ORDER.index(case[1]), case[2]


def tally(results: Dict[str, Any]) -> Dict[str, Any]:
    """Counts per (op, dtype) pair and overall."""
    per_pair: Dict[Tuple[str, str], collections.Counter] = collections.defaultdict(collections.Counter)
    first_refusal: Dict[Tuple[str, str], str] = {}
    for case in sorted(results["cases"], key=_case_order):
        r = results["cases"][case]
        pair = (case[0], case[1])
        per_pair[pair][r["status"]] += 1
        if r["status"] == "unsupported" and pair not in first_refusal:
            first_refusal[pair] = r["reason"] + (f" -- {r['why']}" if r.get("why") else "")
    applicable = sorted((p for p, v in results["pairs"].items() if v.get("applicable", True)), key=_pair_order)
    ran = [p for p in applicable if per_pair[p]["pass"] + per_pair[p]["unsupported"] + per_pair[p]["mismatch"] > 0]
    converting = [p for p in ran if per_pair[p]["unsupported"] == 0]
    passing = [p for p in ran if per_pair[p]["pass"] > 0 and per_pair[p]["unsupported"] + per_pair[p]["mismatch"] == 0]
    statuses = collections.Counter(r["status"] for r in results["cases"].values())
    skips = collections.Counter(r["reason"] for r in results["cases"].values() if r["status"] == "skipped")
    unvalued = collections.Counter(r["values"] for r in results["cases"].values() if r.get("values") and r["status"] == "pass")
    return dict(per_pair=per_pair, first_refusal=first_refusal, applicable=applicable, ran=ran, converting=converting,
                passing=passing, statuses=statuses, skips=skips, unvalued=unvalued,
                grid=len(results["ops"]) * len(DTYPE_ORDER))


def _pct(n: int, d: int) -> str:
    return f"{100.0 * n / d:.1f}%" if d else "n/a"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("`", "'")


def mismatches(results: Dict[str, Any]) -> List[str]:
    """Every mismatch, one line each: op, dtype, sample, what differs."""
    out = []
    for case in sorted(results["cases"], key=_case_order):
        r = results["cases"][case]
        if r["status"] == "mismatch":
            out.append(f"`{case[0]}` {case[1]} sample {case[2]} ({r.get('desc', '')}): {r['reason']}")
    return out


def _summary(results: Dict[str, Any], t: Dict[str, Any]) -> List[str]:
    ops = results["ops"]
    how = collections.Counter(v["how"] for v in ops.values())
    s = t["statuses"]
    total = sum(s.values())
    mode = ("every sample (`--full`)" if results["full"]
            else f"the first {_worker.DEFAULT_SAMPLES} samples of each (op, dtype) (`--full` runs all)")
    lines = [
        f"- Samples swept: {mode}; dtypes {', '.join(DTYPE_ORDER)}.",
        f"- OpInfos in scope: {len(ops)} ({how['named'] + how['named+traced']} named after an ATen function with a "
        f"converter, {how['traced']} more whose traced graph has only converted nodes).",
        f"- (op, dtype) pairs: {t['grid']} in the grid, {len(t['applicable'])} the OpInfo supports, "
        f"{len(t['ran'])} with at least one sample compiled or refused.",
        f"- **Converting: {len(t['converting'])} of {len(t['ran'])} pairs ({_pct(len(t['converting']), len(t['ran']))})** "
        f"compile every sample; **correct: {len(t['passing'])} ({_pct(len(t['passing']), len(t['ran']))})** pass every sample.",
        f"- Cases (op, dtype, sample): {total}: {s['pass']} pass, {s['unsupported']} unsupported, "
        f"{s['mismatch']} mismatch, {s['skipped']} skipped.",
    ]
    for why, n in sorted(t["unvalued"].items()):
        if why == check.BY_ERROR:
            lines.append(f"- Passing by the float64 error rule (see Comparison), not elementwise: {n}.")
        else:
            lines.append(f"- Passing on shape and dtype only ({why}): {n}.")
    return lines


def render(results: Dict[str, Any]) -> str:
    t = tally(results)
    lines = [
        "# OpInfo conformance",
        "",
        "Generated by `scripts/gen_conformance.py`; do not edit by hand. `tests/py/test_conformance.py` fails on any",
        "mismatch and when this page is stale.",
        "",
        "Every PyTorch OpInfo (`torch.testing._internal.common_methods_invocations.op_db`) whose op has a converter",
        "(see [supported_ops.md](supported_ops.md)) is traced as a one-op module per sample (non-tensor arguments",
        "baked in as constants, tensors as inputs), compiled with `require_full_compilation=True` for the CPU engine",
        "and compared with eager PyTorch on the same inputs. A case **passes** when every output has eager's shape,",
        "dtype and values; is **unsupported** when compile refuses (the first line of the refusal is kept); is a",
        "**mismatch** when the engine returns other shapes, dtypes or values, or raises, crashes or hangs when run;",
        "is **skipped** by the rules below.",
        "",
        "## Summary",
        "",
    ]
    lines += _summary(results, t)
    lines += ["", "## Comparison", "",
              "Engines are built with `enabled_precisions` = the sample's dtype (float32 for integer and bool",
              "samples). Integer and bool outputs compare exactly; floating-point ones within",
              "`atol + rtol * |eager|`, NaN equal to NaN (`tests/py/conformance/check.py` says how each tolerance",
              "was derived). float16 and bfloat16 cases compare with eager run on the same low-precision inputs; a",
              "value also passes when it is that close to eager run in float32 on the widened inputs and rounded",
              "to the output's dtype, which is what an engine computing in float32 internally returns. Where eager",
              "is itself inaccurate (ill-conditioned samples), an output also passes when its RMS error against",
              "eager run in float64 is at most twice eager's own (the float64 error rule, as in",
              "`torch._dynamo.utils.same`). Index outputs of sort, argsort and topk pass when they pick the same",
              "values (equal values may come in any order). Outputs of random ops and of `empty*` are compared on",
              "shape and dtype only.", "",
              "| dtype | rtol | atol |", "|---|---|---|"]
    for dtype, tol in check.TOLERANCES.items():
        lines.append(f"| {str(dtype).replace('torch.', '')} | {tol['rtol']:.3g} | {tol['atol']:.3g} |")
    lines += ["", "## Skip rules", "", "| rule | cases |", "|---|---|"]
    for rule in _worker.SKIP_RULES:
        lines.append(f"| {_cell(rule)} | {t['skips'].get(rule, 0)} |")
    found = mismatches(results)
    lines += ["", f"## Mismatches ({len(found)})", ""]
    lines += [f"- {m}" for m in found] or ["None."]
    lines += ["", "## Per op", "",
              "Samples that passed, were refused (unsupported), mismatched and were skipped, per (OpInfo, dtype) the",
              "OpInfo supports; the first refusal is the refusal's first line, then why.", "",
              "| OpInfo | dtype | pass | unsup. | mism. | skip | first refusal |", "|---|---|---|---|---|---|---|"]
    for pair in t["applicable"]:
        c = t["per_pair"][pair]
        info = results["pairs"][pair]
        note = t["first_refusal"].get(pair, "")
        if info.get("error"):
            note = f"sample_inputs raised: {info['error']}"
        lines.append(f"| `{pair[0]}` | {pair[1]} | {c['pass']} | {c['unsupported']} | {c['mismatch']} | {c['skipped']} "
                     f"| {_cell(note)} |")
    lines += ["", f"## OpInfos in scope ({len(results['ops'])})", "",
              "Each with why it is swept (named: the ATen function it is named after has a converter; traced: its",
              "first sample's graph has only converted nodes) and the converters its first sample's graph uses.", ""]
    for key in sorted(results["ops"]):
        info = results["ops"][key]
        nodes = ", ".join(f"`{n}`" for n in info["nodes"]) or "(no converter in its first sample's graph)"
        lines.append(f"- `{key}` ({info['how']}): {nodes}")
    return "\n".join(lines) + "\n"


def _refusal_group(r: Dict[str, Any]) -> str:
    """Refusals grouped by what was refused and why, IR value names left out."""
    if r.get("schema") and r.get("why"):
        return re.sub(r"%[\w.]+", "%_", f"{r['schema']}: {r['why']}")
    return re.sub(r"%[\w.]+", "%_", r["reason"])


def findings(results: Dict[str, Any]) -> str:
    """Plain text for fixing converters: every mismatch, the unsupported pairs grouped by refusal,
    every skipped case."""
    t = tally(results)
    ordered = [(c, results["cases"][c]) for c in sorted(results["cases"], key=_case_order)]
    lines = ["OpInfo conformance findings (scripts/gen_conformance.py)", ""]
    lines += [ln.replace("**", "").replace("`", "")[2:] for ln in _summary(results, t)]
    lines += ["", "Skipped cases by rule:"]
    lines += [f"  {t['skips'].get(rule, 0):5d}  {rule}" for rule in _worker.SKIP_RULES]
    mism = [(c, r) for c, r in ordered if r["status"] == "mismatch"]
    lines += ["", f"MISMATCHES ({len(mism)} cases, {len({c[:2] for c, _ in mism})} (op, dtype) pairs)", ""]
    for case, r in mism:
        lines.append(f"{case[0]} | {case[1]} | sample {case[2]}: {r.get('desc', '')}")
        lines.append(f"    {r['reason']}")
        if r.get("why"):
            lines.append(f"    output before the crash: {r['why']}")
        if r.get("graph"):
            lines.append(f"    graph: {' '.join(r['graph'])}")
    groups: Dict[str, Dict[Tuple[str, str], int]] = collections.defaultdict(lambda: collections.defaultdict(int))
    example: Dict[str, str] = {}
    for case, r in ordered:
        if r["status"] == "unsupported":
            group = _refusal_group(r)
            groups[group][(case[0], case[1])] += 1
            example.setdefault(group, r["reason"])
    n_pairs = len({p for g in groups.values() for p in g})
    lines += ["", f"UNSUPPORTED: {n_pairs} (op, dtype) pairs with a refused sample, grouped by refusal "
              f"(schema: why; {len(groups)} groups)", ""]
    for group in sorted(groups, key=lambda k: (-len(groups[k]), k)):
        pairs = groups[group]
        lines.append(f"[{len(pairs)} pairs, {sum(pairs.values())} samples] {group}")
        lines.append(f"    e.g. {example[group]}")
        by_op: Dict[str, List[str]] = collections.defaultdict(list)
        for (op, dtype), n in sorted(pairs.items(), key=lambda kv: _pair_order(kv[0])):
            by_op[op].append(f"{dtype}({n})" if n > 1 else dtype)
        for op in sorted(by_op):
            lines.append(f"    {op}: {' '.join(by_op[op])}")
    skipped = [(c, r) for c, r in ordered if r["status"] == "skipped"]
    lines += ["", f"SKIPPED ({len(skipped)} cases)", ""]
    for case, r in skipped:
        lines.append(f"{case[0]} | {case[1]} | sample {case[2]}: {r.get('desc', '')}")
        lines.append(f"    {r['reason']}" + (f": {r['why']}" if r.get("why") else ""))
    errors = sorted((p, v["error"]) for p, v in results["pairs"].items() if v.get("error"))
    if errors:
        lines += ["", "sample_inputs raised (pairs not swept):"]
        lines += [f"    {p[0]} {p[1]}: {e}" for p, e in errors]
    return "\n".join(lines) + "\n"


def main(argv: Optional[List[str]] = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--full", action="store_true", help=f"every sample, not the first {_worker.DEFAULT_SAMPLES} of each (op, dtype)")
    p.add_argument("--jobs", type=int, default=1, help="worker processes (default 1)")
    p.add_argument("--op", action="append", help="only this OpInfo (key as listed in the page); repeatable")
    p.add_argument("--output", help="where the page goes (default docs/conformance.md; build/conformance-full.md with --full)")
    p.add_argument("--findings", help="also write every mismatch and unsupported pair here")
    args = p.parse_args(argv)
    start = time.monotonic()
    results = sweep(full=args.full, jobs=max(1, args.jobs), ops=args.op,
                    progress=lambda m: print(f"[{time.monotonic() - start:.0f} s] {m}", file=sys.stderr))
    output = args.output
    if output is None:
        if args.op:
            output = os.path.join(REPO, "build", "conformance-ops.md")
        else:
            output = os.path.join(REPO, "build", "conformance-full.md") if args.full else path()
    os.makedirs(os.path.dirname(os.path.abspath(output)), exist_ok=True)
    with open(output, "w") as f:
        f.write(render(results))
    if args.findings:
        with open(args.findings, "w") as f:
            f.write(findings(results))
    s = tally(results)["statuses"]
    print(f"wrote {output}: {sum(s.values())} cases, {s['pass']} pass, {s['unsupported']} unsupported, "
          f"{s['mismatch']} mismatch, {s['skipped']} skipped in {time.monotonic() - start:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
