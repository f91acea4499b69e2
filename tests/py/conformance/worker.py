"""Runs conformance cases and appends one JSON line per event to a file:

    {"op": key, "how": ..., "nodes": [...]}                      an in-scope OpInfo, before its cases
    {"pair": [key, dtype], "applicable": false}                  the OpInfo does not support the dtype
    {"pair": [key, dtype], "samples": n, "swept": m}             sample count, and how many are swept
    {"start": [key, dtype, i], "phase": ..., "desc": ...}        a case entered a phase (trace, compile, run)
    {"case": [key, dtype, i], "status": ..., ...}                a case's result
    {"done": true}
    {"error": text}                                              the sweep failed outside a case

The cases run in a forked child, so the engine crashing or hanging costs one case, not the sweep:
the case that was running becomes a mismatch and a new child (forked from the loaded parent, in
milliseconds) resumes after it.

Run by scripts/gen_conformance.py: python worker.py --out FILE [--full] [--shard I N] [--op KEY ...].
"""
import argparse
import gc
import json
import os
import re
import signal
import sys
import time
import traceback
from typing import Any, Callable, Dict, List, Optional, Tuple

import torch
from torch.utils import _pytree as pytree

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from conformance import check, opinfo  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

# Samples swept per (op, dtype) without --full: the first ones, in the OpInfo's order.
DEFAULT_SAMPLES = 4
CASE_TIMEOUT_S = 120.0  # a case (trace, compile, run) takes well under a second; more is a hang

# Why a sample is not run; each is counted in the report. Nothing the engine could be asked to do
# is skipped: inputs it may not take (float64, complex, uint8, ...) go to compile, and a refusal
# counts as unsupported.
SKIP_NON_STRIDED = "sample has a sparse or other non-strided tensor (engines bind dense tensors only)"
SKIP_EAGER_RAISES = "eager PyTorch raises on the sample (no reference)"
SKIP_NOT_TENSORS = "the op returns no tensor or a non-tensor (Python number, bool): nothing a module can output"
SKIP_TRACE_FAILS = "torch.jit.trace fails on the one-op module (no TorchScript to compile)"
SKIP_TRACE_DIFFERS = "the traced module differs from eager (tracing baked a value-dependent choice, or the op is random)"
SKIP_RULES = (SKIP_NON_STRIDED, SKIP_EAGER_RAISES, SKIP_NOT_TENSORS, SKIP_TRACE_FAILS, SKIP_TRACE_DIFFERS)

# Outputs whose values no reference fixes: only shape and dtype are compared.
VALUES_RANDOM = "output depends on the random generator (differs between two seeds)"
VALUES_UNINITIALIZED = "output is uninitialized memory (empty*)"

# Ops whose index outputs may order equal values either way (sort is not stable unless asked,
# topk documents no order among ties): an index output passes when it picks the same values.
TIES_ANY_ORDER = {"sort", "argsort", "topk"}

_SOURCE = re.compile(r" # \S+:\d+:\d+")  # the traced source location TorchScript appends to IR lines


def clean(text: str) -> str:
    """A message line without source locations or absolute paths (they differ between checkouts)."""
    return _SOURCE.sub("", text).replace(REPO + os.sep, "").strip()


def first_line(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    return clean(text.splitlines()[0])


def refusal(error: BaseException) -> Dict[str, str]:
    """A compile error as the report keeps it: its first line, the schema it names, and why (the
    lines after the schema, with the node's IR replaced by <node>)."""
    lines = [ln for ln in str(error).strip().splitlines() if ln.strip()] or [type(error).__name__]
    out = dict(reason=clean(lines[0]))
    node = re.search(r"node: (.*?)(?: # \S+:\d+:\d+|$)", lines[0])
    rest = lines[1:]
    if rest and rest[0].startswith("Schema: "):
        out["schema"] = rest[0][len("Schema: "):].split("(")[0]
        rest = rest[1:]
    why = " / ".join(clean(ln) for ln in rest if not ln.startswith("If you need a converter"))
    if node:
        why = why.replace(node.group(1).strip(), "<node>")
    if why:
        out["why"] = why if len(why) <= 300 else why[:297] + "..."
    return out


def _clones(tensors: List[torch.Tensor]) -> List[torch.Tensor]:
    return [t.clone() for t in tensors]


def _leaves(out: Any) -> List[Any]:
    return pytree.tree_leaves(out)


def _same(a: List[torch.Tensor], b: List[torch.Tensor], values: bool = True) -> bool:
    if len(a) != len(b):
        return False
    for x, y in zip(a, b):
        if x.shape != y.shape or x.dtype != y.dtype:
            return False
        if values and not torch.equal(x, y):
            if not (x.is_floating_point() and torch.equal(x.isnan(), y.isnan())
                    and torch.equal(x.nan_to_num(0.0), y.nan_to_num(0.0))):
                return False
    return True


def _wide_reference(op: Any, sample: Any, tensors: List[torch.Tensor], dtype: torch.dtype, wide: torch.dtype,
                    expected: List[torch.Tensor]) -> Optional[List[torch.Tensor]]:
    """Eager on the sample's `dtype` inputs widened to `wide`, outputs rounded back to eager's
    dtypes (float32: what an engine computing in float32 and rounding once returns) or left wide
    (float64: a reference to measure eager's own error against). None when the op cannot."""
    try:
        widened = [t.to(wide) if t.dtype == dtype else t for t in tensors]
        torch.manual_seed(0)
        out = [t.detach() for t in _leaves(opinfo.call(op, sample, widened))]
    except Exception:
        return None
    if len(out) != len(expected) or any(not isinstance(o, torch.Tensor) or o.shape != e.shape for o, e in zip(out, expected)):
        return None
    return [o.to(e.dtype) if wide != torch.float64 or not o.is_floating_point() else o for o, e in zip(out, expected)]


def run_case(op: Any, sample: Any, dtype: torch.dtype, phase: Callable[[str], None]) -> Dict[str, Any]:
    """Traces the one-op module, compiles it for the CPU engine, runs it and compares it with eager."""
    import torch_tensorrt

    tensors = opinfo.tensor_leaves(sample)
    if any(t.layout != torch.strided for t in tensors):
        return dict(status="skipped", reason=SKIP_NON_STRIDED)
    try:
        torch.manual_seed(0)
        expected = _leaves(opinfo.call(op, sample, _clones(tensors)))
        torch.manual_seed(1)
        again = _leaves(opinfo.call(op, sample, _clones(tensors)))
    except Exception as e:
        return dict(status="skipped", reason=SKIP_EAGER_RAISES, why=first_line(e))
    if not expected or not all(isinstance(t, torch.Tensor) for t in expected):
        return dict(status="skipped", reason=SKIP_NOT_TENSORS)
    expected = [t.detach() for t in expected]
    values_why = None
    if "empty" in op.name:
        values_why = VALUES_UNINITIALIZED
    elif not _same(expected, [t.detach() for t in again]):
        values_why = VALUES_RANDOM
    try:
        module = opinfo.trace(op, sample, _clones(tensors))
        torch.manual_seed(0)
        traced = _leaves(module(*_clones(tensors)))
        torch.manual_seed(1)
        traced_again = _leaves(module(*_clones(tensors)))
    except Exception as e:
        return dict(status="skipped", reason=SKIP_TRACE_FAILS, why=first_line(e))
    if values_why is None and not _same([t.detach() for t in traced], [t.detach() for t in traced_again]):
        values_why = VALUES_RANDOM  # OpInfos seed random ops inside their function; the trace keeps no seed
    # The JIT interpreter runs the same kernels as eager, but may pick another path (a fused
    # addmm in half, say): within tolerance counts as the same.
    traced_problem = check.compare(expected, [t.detach() for t in traced], dtype, values=values_why is None)
    if traced_problem:
        return dict(status="skipped", reason=SKIP_TRACE_DIFFERS, why=traced_problem)
    result: Dict[str, Any] = dict(graph=[n for n in opinfo.graph_nodes(module) if n.startswith("aten::")])
    if values_why:
        result["values"] = values_why
    precisions = {dtype} if dtype.is_floating_point else {torch.float32}
    phase("compile")
    try:
        compiled = torch_tensorrt.compile(module, inputs=_clones(tensors), require_full_compilation=True,
                                          enabled_precisions=precisions)
    except Exception as e:
        return dict(result, status="unsupported", **refusal(e))
    phase("run")
    try:
        torch.manual_seed(0)
        got = _leaves(compiled(*_clones(tensors)))
    except Exception as e:
        return dict(result, status="mismatch", reason=f"run raised {type(e).__name__}: {first_line(e)}")
    others, ref64 = [], None
    if values_why is None and dtype.is_floating_point and any(t.is_floating_point() for t in expected):
        if dtype != torch.float32:
            wide = _wide_reference(op, sample, tensors, dtype, torch.float32, expected)
            others = [wide] if wide is not None else []
        ref64 = _wide_reference(op, sample, tensors, dtype, torch.float64, expected)
    ties = tensors[0] if op.name in TIES_ANY_ORDER and tensors else None
    used: List[str] = []
    problem = check.compare(expected, got, dtype, values=values_why is None, others=others, ties_in=ties,
                            ref64=ref64, used=used)
    if used:
        result["values"] = check.BY_ERROR
    phase("cleanup")  # the engine is destroyed here, so a crash in its destructor is this case's
    del compiled, got
    gc.collect(1)  # young generations only: a full collection costs ~0.3 s with op_db loaded
    if problem:
        return dict(result, status="mismatch", reason=problem)
    return dict(result, status="pass")


class Log:
    """The event file: written by the children, read back by the parent."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.f = open(path, "a", buffering=1)
        self.offset = 0

    def write(self, **event: Any) -> None:
        self.f.write(json.dumps(event, sort_keys=True) + "\n")
        self.f.flush()

    def read_new(self) -> List[Dict[str, Any]]:
        events = []
        with open(self.path) as f:
            f.seek(self.offset)
            for line in iter(f.readline, ""):
                if not line.endswith("\n"):
                    break
                self.offset += len(line.encode())
                events.append(json.loads(line))
        return events


def _sweep(plan: List[Tuple[str, torch.dtype]], scope: Dict[str, Any], full: bool, log: Log,
           after: Optional[Tuple[int, int]]) -> None:
    """The child's work: every case of `plan` after position `after` (plan index, sample index)."""
    for pos, (key, dtype) in enumerate(plan):
        if after and pos < after[0]:
            continue
        resuming = after is not None and pos == after[0]
        op, info = scope[key]
        dname = opinfo.DTYPE_NAMES[dtype]
        if not resuming:
            if dtype == opinfo.DTYPES[0]:
                log.write(op=key, how=info.how, nodes=list(info.nodes))
            if dtype not in op.supported_dtypes("cpu"):
                log.write(pair=[key, dname], applicable=False)
                continue
        try:
            all_samples = opinfo.samples(op, dtype)
        except Exception as e:
            log.write(pair=[key, dname], samples=0, swept=0, error=first_line(e))
            continue
        swept = all_samples if full else all_samples[:DEFAULT_SAMPLES]
        if not resuming:
            log.write(pair=[key, dname], samples=len(all_samples), swept=len(swept))
        for i, sample in enumerate(swept):
            if resuming and i <= after[1]:
                continue
            case = [key, dname, i]
            desc = opinfo.describe(sample)
            print(f"@@ case {key} {dname} {i}", file=sys.stderr, flush=True)
            log.write(start=case, phase="trace", desc=desc)
            result = run_case(op, sample, dtype, lambda ph: log.write(start=case, phase=ph))
            log.write(case=case, desc=desc, **result)
    log.write(done=True)


def _crash_output(path: str) -> str:
    """What the crashed child printed during its last case (a C++ abort's message, say)."""
    try:
        with open(path, errors="replace") as f:
            text = f.read()
    except OSError:
        return ""
    tail = [clean(ln) for ln in text.split("@@ case")[-1].splitlines()[1:] if ln.strip()]
    return " / ".join(tail[-2:])[:300]


def _run_child(plan: List[Tuple[str, torch.dtype]], scope: Dict[str, Any], full: bool, log: Log,
               after: Optional[Tuple[int, int]], output: str, timeout: float) -> Tuple[bool, Optional[Dict[str, Any]], str]:
    """Forks a child that sweeps from `after`; returns (finished, running case event, how it ended)."""
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            os.dup2(fd, 1)
            os.dup2(fd, 2)
            _sweep(plan, scope, full, log, after)
        except BaseException:
            traceback.print_exc()
            code = 1
        finally:
            sys.stderr.flush()
            os._exit(code)
    running: Optional[Dict[str, Any]] = None
    done = False
    last = time.monotonic()
    while True:
        waited, status = os.waitpid(pid, os.WNOHANG)
        events = log.read_new()
        for e in events:
            if "start" in e:
                running = dict(running, **e) if running and running["start"] == e["start"] else e
            elif "case" in e:
                running = None
            elif "done" in e:
                done = True
        if events:
            last = time.monotonic()
        if waited:
            break
        if running and time.monotonic() - last > timeout:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            log.read_new()
            return False, running, f"hang: no result after {timeout:.0f} s during {running['phase']} (killed)"
        time.sleep(0.02)
    if os.WIFSIGNALED(status):
        how = f"signal {signal.Signals(os.WTERMSIG(status)).name}"
    else:
        how = f"exit code {os.WEXITSTATUS(status)}"
    if done and how == "exit code 0":
        return True, None, ""
    return False, running, f"crash: the process died ({how}) during {running['phase']}" if running else how


def main(argv: Optional[List[str]] = None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--out", required=True)
    p.add_argument("--full", action="store_true")
    p.add_argument("--shard", nargs=2, type=int, default=(0, 1))
    p.add_argument("--op", action="append", default=None, help="sweep only these OpInfo keys")
    p.add_argument("--timeout", type=float, default=CASE_TIMEOUT_S)
    args = p.parse_args(argv)

    torch.set_num_threads(1)  # deterministic eager reductions; the sweep parallelizes by process
    import torch_tensorrt

    scope = opinfo.in_scope(opinfo.load_op_db(), torch_tensorrt._C.get_converter_list(),
                            torch_tensorrt._C.get_evaluator_list())
    keys = sorted(scope)
    log = Log(args.out)
    if args.op:
        unknown = sorted(set(args.op) - set(keys))
        if unknown:
            log.write(error=f"not OpInfos in scope: {', '.join(unknown)} (the page lists those in scope)")
            return 1
        keys = [k for k in keys if k in set(args.op)]
    shard, shards = args.shard
    plan = [(k, d) for k in keys[shard::shards] for d in opinfo.DTYPES]
    after: Optional[Tuple[int, int]] = None
    for child in range(10_000):
        output = f"{args.out}.{child}.stderr"
        finished, running, how = _run_child(plan, scope, args.full, log, after, output, args.timeout)
        if finished:
            return 0
        if running is None:
            with open(output, errors="replace") as f:
                text = f.read()
            log.write(error=f"a sweep process ended outside a case ({how}); its last output:\n{text[-3000:]}")
            return 1
        key, dname, index = running["start"]
        log.write(case=running["start"], desc=running.get("desc", ""), status="mismatch", reason=how,
                  why=_crash_output(output))
        after = (plan.index((key, next(d for d in opinfo.DTYPES if opinfo.DTYPE_NAMES[d] == dname))), index)
    return 1


if __name__ == "__main__":
    sys.exit(main())
