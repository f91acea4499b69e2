"""Performance zoo: the engine against torch.compile on vision models and transformers, in one
process and one run (issue 21's acceptance table).

Every model has random weights (no downloads: the GPU machine has no network; Hugging Face models
come from configs built here). Each case (model, batch) measures, in --dtype (fp16, bf16, fp8, int8):
- the engine: torch_tensorrt.compile of the float32 TorchScript trace with enabled_precisions
  {float32, dtype} (float32 inputs, as the user has them), its build time, its first call (tactic
  choice and allocation included), its median latency plain and in CUDA graph mode;
- the peer: torch.compile(model.to(dtype), mode="reduce-overhead") on dtype inputs, its compile plus
  first call, its median latency; with --max-autotune also mode="max-autotune-no-cudagraphs";
- cosine of each against the float32 eager model;
- with --warm-peers N, every case's peer compiled first in N processes side by side (nothing timed runs then):
  their cold compile plus first call is the table's figure, and the timed run's compile reads Inductor's caches,
  which roughly halves a device call's time per model (the peer's compile is most of it);
- with --fresh-load, the engine saved (torch.jit.save) and loaded in a fresh process (bench/fresh_load.py): its
  first call against its steady latency there.
--dtype fp8 or int8: the engine enables float32, float16 and the quantized type, with scales from a
calibrator over two more inputs of the case; the peer runs in float16; the case also builds the project's
own FP16 engine, and the notes give the quantized engine's speed-up over it (issue 23's acceptance).
Latency: median over calls after warm-ups, each call between two CUDA events with a synchronize
after it (so launch overhead counts, as a user waiting for the result sees it).
ratio = peer ms / engine ms (the better of plain and CUDA graphs): above 1, the engine is faster.

Results print as they come; --out gets the Markdown table rewritten after every case, so a run cut
short by --budget-s (or by the machine's limit) still leaves every finished row.
With --rows-file F (JSON lines), a run spans several device calls on one machine: each finished case is appended
to F, a later run with the same F skips the cases F holds (and the peers' warming of them) and reports all of F's
rows of its dtype; each row names the GPU (its UUID) and the host, and the table says whether they are all one.

Usage (GPU):
  python bench/perf_zoo.py --models resnet50,efficientnet_b3 --budget-s 500 --out docs/perf_zoo_part1.md
  python bench/perf_zoo.py --list
  python bench/perf_zoo.py --models vision --dtype bf16 --rows-file build-gpu/zoo/rows.jsonl --budget-s 500
Local check of the script's logic (CPU backend, tiny inputs, no peer):
  python bench/perf_zoo.py --device cpu --models mobilenet_v2 --image-size 32 --batches 1,2 --no-peer --iters 3
"""
import argparse
import copy
import datetime
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any, Callable, Dict, List, Optional, Tuple

import torch
import torchvision

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from zoo import CausalLM, PaddedTokens, _realistic  # noqa: E402  (the zoo's random-but-realistic weights)

START = time.perf_counter()


# ---------------------------------------------------------------------------------------------
# Models: name -> Case (constructor, input kind and size, the large batch).


class Case:
    def __init__(self, build: Callable[[], torch.nn.Module], kind: str, size: int, large_batch: int, family: str):
        self.build, self.kind, self.size, self.large_batch, self.family = build, kind, size, large_batch, family


class FirstOutput(torch.nn.Module):
    """Models returning a dict (segmentation: "out") or an OrderedDict of feature maps (FPN): a
    tuple of tensors, which tracing and both compilers take."""

    def __init__(self, net: torch.nn.Module, key: Optional[str] = None):
        super().__init__()
        self.net, self.key = net, key

    def forward(self, x):
        out = self.net(x)
        return out[self.key] if self.key else tuple(out.values())


def _tv(name: str, **kwargs) -> Callable[[], torch.nn.Module]:
    return lambda: _realistic(getattr(torchvision.models, name)(weights=None, **kwargs))


def _segmentation(name: str) -> Callable[[], torch.nn.Module]:
    def build():
        net = getattr(torchvision.models.segmentation, name)(weights=None, weights_backbone=None, aux_loss=False)
        return FirstOutput(_realistic(net), "out").eval()

    return build


def _fpn_backbone() -> torch.nn.Module:
    from torchvision.models.detection.backbone_utils import resnet_fpn_backbone

    net = resnet_fpn_backbone(backbone_name="resnet50", weights=None, trainable_layers=5)
    return FirstOutput(_realistic(net)).eval()


def _deit_small() -> torch.nn.Module:
    from torchvision.models.vision_transformer import VisionTransformer

    # DeiT-S: ViT with 12 layers of width 384, 6 heads (timm's deit_small_patch16_224 without distillation).
    return _realistic(VisionTransformer(image_size=224, patch_size=16, num_layers=12, num_heads=6, hidden_dim=384,
                                        mlp_dim=1536))


class HiddenStates(torch.nn.Module):
    """A Hugging Face encoder's last hidden states alone: with return_dict=False it returns a tuple, which holds
    None in some transformers versions (4.57's BertModel without a pooler), and tracing refuses None outputs."""

    def __init__(self, net: torch.nn.Module):
        super().__init__()
        self.net = net

    def forward(self, ids):
        out = self.net(ids)
        return out[0] if isinstance(out, (tuple, list)) else out


def _hf(kind: str) -> Callable[[], torch.nn.Module]:
    def build() -> torch.nn.Module:
        model = _hf_model(kind)
        return model if isinstance(model, (CausalLM, PaddedTokens)) else HiddenStates(model).eval()

    return build


def _hf_model(kind: str) -> torch.nn.Module:
    import transformers as T

    common = dict(torchscript=True, return_dict=False, attn_implementation="eager")
    if kind == "bert_base":
        return T.BertModel(T.BertConfig(**common), add_pooling_layer=False).eval()
    if kind == "bert_base_padded":
        return PaddedTokens(T.BertModel(T.BertConfig(**common), add_pooling_layer=False)).eval()
    if kind == "bert_large":
        cfg = T.BertConfig(hidden_size=1024, num_hidden_layers=24, num_attention_heads=16, intermediate_size=4096,
                           **common)
        return T.BertModel(cfg, add_pooling_layer=False).eval()
    if kind == "roberta_base":
        return T.RobertaModel(T.RobertaConfig(**common), add_pooling_layer=False).eval()
    if kind == "distilbert":
        return T.DistilBertModel(T.DistilBertConfig(**common)).eval()
    if kind == "gpt2":
        return CausalLM(T.GPT2Model(T.GPT2Config(use_cache=False, **common))).eval()
    if kind == "t5_base_encoder":
        cfg = T.T5Config(d_model=768, d_ff=3072, num_layers=12, num_heads=12, use_cache=False, **common)
        return T.T5EncoderModel(cfg).eval()
    raise KeyError(kind)


MODELS: Dict[str, Case] = {
    # Convolutional networks at their usual resolutions.
    "resnet50": Case(_tv("resnet50"), "image", 224, 64, "vision"),
    "resnext50_32x4d": Case(_tv("resnext50_32x4d"), "image", 224, 64, "vision"),
    "mobilenet_v2": Case(_tv("mobilenet_v2"), "image", 224, 64, "vision"),
    "mobilenet_v3_large": Case(_tv("mobilenet_v3_large"), "image", 224, 64, "vision"),
    "efficientnet_b0": Case(_tv("efficientnet_b0"), "image", 224, 64, "vision"),
    "efficientnet_b3": Case(_tv("efficientnet_b3"), "image", 300, 32, "vision"),
    "regnet_y_1_6gf": Case(_tv("regnet_y_1_6gf"), "image", 224, 64, "vision"),
    "convnext_tiny": Case(_tv("convnext_tiny"), "image", 224, 64, "vision"),
    "densenet121": Case(_tv("densenet121"), "image", 224, 64, "vision"),
    "inception_v3": Case(_tv("inception_v3", aux_logits=False, init_weights=False), "image", 299, 64, "vision"),
    "vgg16": Case(_tv("vgg16"), "image", 224, 64, "vision"),
    "fcn_resnet50": Case(_segmentation("fcn_resnet50"), "image", 512, 8, "vision"),
    "deeplabv3_mobilenet_v3_large": Case(_segmentation("deeplabv3_mobilenet_v3_large"), "image", 512, 8, "vision"),
    "resnet50_fpn_backbone": Case(_fpn_backbone, "image", 640, 8, "vision"),
    "swin_t": Case(_tv("swin_t"), "image", 224, 64, "vision"),
    # Transformers (token inputs: size is the sequence length).
    "bert_base": Case(_hf("bert_base"), "tokens", 128, 32, "transformer"),
    # BERT-base with padded sequences and the mask derived from them (each row's tail padded).
    "bert_base_padded": Case(_hf("bert_base_padded"), "padded_tokens", 128, 32, "transformer"),
    "bert_large": Case(_hf("bert_large"), "tokens", 128, 32, "transformer"),
    "roberta_base": Case(_hf("roberta_base"), "tokens", 128, 32, "transformer"),
    "distilbert": Case(_hf("distilbert"), "tokens", 128, 32, "transformer"),
    "gpt2_128": Case(_hf("gpt2"), "tokens", 128, 32, "transformer"),
    "gpt2_512": Case(_hf("gpt2"), "tokens", 512, 8, "transformer"),
    "t5_base_encoder": Case(_hf("t5_base_encoder"), "tokens", 128, 32, "transformer"),
    "vit_b_16": Case(_tv("vit_b_16"), "image", 224, 64, "transformer"),
    "deit_small": Case(_deit_small, "image", 224, 64, "transformer"),
}

DTYPES = {"fp16": torch.half, "bf16": torch.bfloat16, "fp8": torch.float8_e4m3fn, "int8": torch.int8}
# Quantized engines: FP16 beside the quantized type, scales from a calibrator over two more inputs of the
# case; the peer runs in FP16, and the case also builds the FP16 engine (the quantized speed-up's baseline).
QUANTIZED = ("fp8", "int8")


def make_input(case: Case, batch: int, device: str, size: Optional[int], seed: int = 1) -> torch.Tensor:
    gen = torch.Generator().manual_seed(seed)
    n = size or case.size
    if case.kind == "tokens":
        return torch.randint(3, 1000, (batch, n), generator=gen).to(device)
    if case.kind == "padded_tokens":  # row b ends in (37 b) mod n/2 padding tokens (id 0)
        ids = torch.randint(3, 1000, (batch, n), generator=gen)
        for b in range(batch):
            pad = (37 * b) % (n // 2)
            if pad:
                ids[b, n - pad :] = 0
        return ids.to(device)
    return torch.randn(batch, 3, n, n, generator=gen).to(device)


# ---------------------------------------------------------------------------------------------
# Measurement.


def flat(out: Any) -> torch.Tensor:
    """Every tensor of an output (tuple, list, dict) as one float vector."""
    if isinstance(out, torch.Tensor):
        return out.detach().float().flatten()
    if isinstance(out, dict):
        out = list(out.values())
    return torch.cat([flat(o) for o in out])


def cosine(a: Any, b: Any) -> float:
    x, y = flat(a).double(), flat(b).double()
    if x.shape != y.shape:
        return float("nan")
    return torch.nn.functional.cosine_similarity(x, y, 0).item()


def synchronize(device: str) -> None:
    if device == "cuda":
        torch.cuda.synchronize()


def timed_first_call(fn: Callable, x: torch.Tensor, device: str) -> Tuple[float, Any]:
    """Seconds of one call, synchronized, and its output (cloned: CUDA graph outputs are reused)."""
    synchronize(device)
    start = time.perf_counter()
    with torch.no_grad():
        out = fn(x)
    synchronize(device)
    seconds = time.perf_counter() - start
    return seconds, _clone(out)


def _clone(out: Any) -> Any:
    if isinstance(out, torch.Tensor):
        return out.detach().clone()
    if isinstance(out, dict):
        return {k: _clone(v) for k, v in out.items()}
    if isinstance(out, (tuple, list)):
        return type(out)(_clone(o) for o in out)
    return out


def median_ms(fn: Callable, x: torch.Tensor, device: str, warmup: int, iters: int, max_s: float) -> float:
    """Median latency of fn(x) in ms: CUDA events around each call, synchronized after it; on the
    CPU the wall clock. At most `iters` calls or `max_s` seconds of them (at least 3)."""
    with torch.no_grad():
        for _ in range(warmup):
            fn(x)
        synchronize(device)
        times: List[float] = []
        begin = time.perf_counter()
        while len(times) < iters and (len(times) < 3 or time.perf_counter() - begin < max_s):
            if device == "cuda":
                start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
                start.record()
                fn(x)
                end.record()
                end.synchronize()
                times.append(start.elapsed_time(end))
            else:
                t0 = time.perf_counter()
                fn(x)
                times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def release(device: str) -> None:
    torch._dynamo.reset()
    if device == "cuda":
        torch.cuda.synchronize()
        torch.cuda.empty_cache()


def bench_engine(model: torch.nn.Module, x: torch.Tensor, dtype: torch.dtype, device: str, args,
                 calibration: Optional[List[torch.Tensor]] = None, keep: bool = False) -> Dict[str, Any]:
    """Builds and times the engine; with `keep`, row["engine"] holds it for more timing (alternating rounds)."""
    import torch_tensorrt
    from torch_tensorrt.ptq import DataLoaderCalibrator

    row: Dict[str, Any] = {}
    with torch.no_grad():
        traced = torch.jit.trace(model, x, check_trace=False)
    start = time.perf_counter()
    precisions = {torch.float32, dtype}
    extra: Dict[str, Any] = {}
    if calibration is not None:  # a quantized engine: FP16 elsewhere, scales from the calibration inputs
        precisions.add(torch.half)
        extra = dict(calibrator=DataLoaderCalibrator(calibration), require_full_compilation=True)
    engine = torch_tensorrt.compile(traced, inputs=[x], enabled_precisions=precisions, **extra)
    row["build_s"] = time.perf_counter() - start
    row["first_s"], out = timed_first_call(engine, x, device)
    row["engine_ms"] = median_ms(engine, x, device, args.warmup, args.iters, args.max_s)
    row["graphs_ms"] = float("nan")
    if device == "cuda" and not args.no_graphs:
        with torch_tensorrt.runtime.enable_cudagraphs():
            row["graphs_ms"] = median_ms(engine, x, device, args.warmup, args.iters, args.max_s)
    row["out"] = out
    if getattr(args, "fresh_load", False):
        row.update(fresh_load(engine, x, device))
    if keep:
        row["engine"] = engine
    del engine, traced
    return row


def alternate_rounds(engines: List[Any], x: torch.Tensor, device: str, args, rounds: int = 3) -> List[float]:
    """Each engine's best median over `rounds` rounds that time them one after the other (A B A B ...), so that a
    drift of the GPU's or the host's speed between two separately timed engines does not decide their ratio (a
    batch-1 engine measured 0.35 ms in one process and 0.45 in another)."""
    best = [float("inf")] * len(engines)
    for _ in range(rounds):
        for i, engine in enumerate(engines):
            best[i] = min(best[i], median_ms(engine, x, device, args.warmup, args.iters, args.max_s))
    return best


def fresh_load(engine: torch.jit.ScriptModule, x: torch.Tensor, device: str) -> Dict[str, Any]:
    """The engine saved and loaded in a fresh process: its first call and steady latency there (fresh_load.py)."""
    with tempfile.TemporaryDirectory() as tmp:
        module, inputs = os.path.join(tmp, "engine.ts"), os.path.join(tmp, "input.pt")
        torch.jit.save(engine, module)
        torch.save(x.cpu(), inputs)
        script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fresh_load.py")
        # The first call as a user's (no profiler), then in another fresh process its engine op's share.
        results = []
        # A third with the GPU busy for 50 ms before the first call (its clocks up after the idle load).
        for extra in ([], ["--op-split"]) + ((["--busy-gpu-ms", "50"],) if device == "cuda" else ()):
            done = subprocess.run([sys.executable, script, module, inputs, "--device", device] + extra,
                                  capture_output=True, text=True, timeout=300)
            lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
            if done.returncode != 0 or not lines:
                return dict(fresh_error=(done.stderr.strip().splitlines() or ["no output"])[-1][:160])
            results.append(json.loads(lines[-1]))
    result, split = results[:2]
    busy = results[2] if len(results) > 2 else {}
    return dict(fresh_load_s=result["load_s"], fresh_first_ms=result["first_ms"],
                fresh_first_busy_gpu_ms=busy.get("first_ms"),
                fresh_first_gpu_ms=result.get("first_gpu_ms"), fresh_second_ms=result.get("second_ms"),
                fresh_first_engine_op_ms=split.get("first_engine_op_ms"),
                fresh_steady_ms=result["steady_ms"], fresh_ratio=result["first_over_steady"])


def bench_dynamo(model: torch.nn.Module, x: torch.Tensor, dtype: torch.dtype, device: str, args) -> Dict[str, Any]:
    """The same engine through the torch.export front door (ir="dynamo", issue 26): its best latency
    (plain or CUDA graph mode) and its cosine, to compare with the TorchScript path's."""
    import torch_tensorrt

    row: Dict[str, Any] = {}
    start = time.perf_counter()
    engine = torch_tensorrt.compile(model, ir="dynamo", inputs=[x], enabled_precisions={torch.float32, dtype})
    row["build_s"] = time.perf_counter() - start
    _, out = timed_first_call(engine, x, device)
    row["ms"] = median_ms(engine, x, device, args.warmup, args.iters, args.max_s)
    if device == "cuda" and not args.no_graphs:
        with torch_tensorrt.runtime.enable_cudagraphs():
            row["ms"] = min(row["ms"], median_ms(engine, x, device, args.warmup, args.iters, args.max_s))
    row["out"] = out
    del engine
    return row


def bench_peer(model: torch.nn.Module, x: torch.Tensor, dtype: torch.dtype, device: str, mode: str,
               args) -> Dict[str, Any]:
    """torch.compile of the model converted to dtype, on dtype inputs (token ids stay int64)."""
    base = copy.deepcopy(model).to(dtype)
    bx = x.to(dtype) if x.is_floating_point() else x
    compiled = torch.compile(base, mode=mode, dynamic=False)
    row: Dict[str, Any] = {}
    row["first_s"], row["out"] = timed_first_call(compiled, bx, device)
    row["ms"] = median_ms(compiled, bx, device, args.warmup, args.iters, args.max_s)
    del compiled, base
    release(device)
    return row


def warm_peers(cases: List[Tuple[str, int]], dtype_name: str, device: str, args) -> Dict[Tuple[str, int], float]:
    """Compiles each (model, batch) case's peer in --warm-peers processes side by side, before anything is timed,
    so that Inductor's on-disk caches (FX graph, AOTAutograd, Triton) hold every case's kernels when the timed run
    compiles it. Returns each case's cold compile plus first call in seconds (measured while other processes
    compiled: an upper bound of a lone compile). Each process has --warm-timeout-s; its output goes to a file (no
    pipe to fill), and each runs in a session of its own so that a kill reaches Inductor's compile workers too."""
    import signal

    peer_dtype = "fp16" if dtype_name in QUANTIZED else dtype_name
    modes = ["reduce-overhead"] + (["max-autotune-no-cudagraphs"] if args.max_autotune else [])
    pending = [(name, batch, mode) for name, batch in cases for mode in modes]
    running: List[Tuple[subprocess.Popen, Tuple[str, int, str], Any, float]] = []
    cold: Dict[Tuple[str, int], float] = {}
    left = remaining(args)
    deadline = time.perf_counter() + (left / 2 if left != float("inf") else float("inf"))  # half the budget left

    def stop(proc: subprocess.Popen) -> None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except OSError:
            pass
        proc.wait()

    try:
        while pending or running:
            now = time.perf_counter()
            while pending and len(running) < args.warm_peers and now < deadline:
                name, batch, mode = pending.pop(0)
                command = [sys.executable, os.path.abspath(__file__), "--warm-one", f"{name}:{batch}:{mode}", "--dtype",
                           peer_dtype, "--device", device]
                if args.image_size:
                    command += ["--image-size", str(args.image_size)]
                if args.seq_len:
                    command += ["--seq-len", str(args.seq_len)]
                log = tempfile.TemporaryFile(mode="w+")
                proc = subprocess.Popen(command, stdout=log, stderr=subprocess.DEVNULL, text=True,
                                        start_new_session=True)
                running.append((proc, (name, batch, mode), log, now + args.warm_timeout_s))
            if now >= deadline:
                pending.clear()
            for entry in list(running):
                proc, key, log, until = entry
                if proc.poll() is None:
                    if time.perf_counter() > min(until, deadline + 120):
                        stop(proc)
                    else:
                        continue
                running.remove(entry)
                log.seek(0)
                lines = [line for line in log.read().splitlines() if line.startswith("{")]
                log.close()
                if proc.returncode == 0 and lines and key[2] == "reduce-overhead":
                    cold[key[:2]] = json.loads(lines[-1])["first_s"]
            time.sleep(0.2)
    finally:
        for proc, _, log, _ in running:
            stop(proc)
            log.close()
    print(f"peers warmed: {len(cold)} of {len(cases)} cases in {time.perf_counter() - START:.0f} s", flush=True)
    return cold


def warm_one(spec: str, args) -> None:
    """--warm-one MODEL:BATCH:MODE: one peer's compile and first call, for warm_peers (prints one JSON line)."""
    name, batch, mode = spec.split(":")
    case = MODELS[name]
    if args.device == "cuda":
        torch.backends.cudnn.benchmark = True  # as the timed run sets it
    torch.manual_seed(0)
    model = case.build().to(args.device).eval()
    x = make_input(case, int(batch), args.device, args.image_size if case.kind == "image" else args.seq_len)
    dtype = DTYPES[args.dtype]
    base = model.to(dtype)
    compiled = torch.compile(base, mode=mode, dynamic=False)
    first_s, _ = timed_first_call(compiled, x.to(dtype) if x.is_floating_point() else x, args.device)
    print(json.dumps(dict(first_s=first_s)), flush=True)


def bench_case(name: str, model: torch.nn.Module, batch: int, dtype_name: str, device: str, args) -> Dict[str, Any]:
    case = MODELS[name]
    dtype = DTYPES[dtype_name]
    size = args.image_size if case.kind == "image" else args.seq_len
    x = make_input(case, batch, device, size)
    quantized = dtype_name in QUANTIZED
    calibration = [make_input(case, batch, device, size, seed) for seed in (2, 3)] if quantized else None
    peer_dtype = torch.half if quantized else dtype
    row: Dict[str, Any] = dict(model=name, input=tuple(x.shape), batch=batch, dtype=dtype_name)
    with torch.no_grad():
        reference = _clone(model(x))
    e: Dict[str, Any] = {}
    try:
        e = bench_engine(model, x, dtype, device, args, calibration, keep=quantized)
        row.update(engine_ms=e["engine_ms"], graphs_ms=e["graphs_ms"], build_s=e["build_s"], first_s=e["first_s"],
                   engine_cos=cosine(e["out"], reference))
        row.update({k: v for k, v in e.items() if k.startswith("fresh_")})
    except Exception as err:  # one failing side must not hide the other
        row["engine_error"] = str(err).strip().split("\n")[0][:160]
    if not quantized:
        release(device)
    else:
        try:
            h = bench_engine(model, x, torch.half, device, args, keep=True)
            row["fp16_engine_ms"] = min(h["engine_ms"], h["graphs_ms"], key=lambda v: (v != v, v))
            if "engine" in e:  # the quantized engine and its FP16 baseline timed in alternating rounds too
                quantized_ms, fp16_ms = alternate_rounds([e["engine"], h["engine"]], x, device, args)
                row["engine_ms"] = min(row["engine_ms"], quantized_ms)
                row["fp16_engine_ms"] = min(row["fp16_engine_ms"], fp16_ms)
            del h
        except Exception as err:
            row["fp16_engine_error"] = str(err).strip().split("\n")[0][:160]
        e.pop("engine", None)
        release(device)
    if args.dynamo:
        try:
            d = bench_dynamo(model, x, dtype, device, args)
            row.update(dynamo_ms=d["ms"], dynamo_build_s=d["build_s"], dynamo_cos=cosine(d["out"], reference))
        except Exception as err:
            row["dynamo_error"] = str(err).strip().split("\n")[0][:160]
        release(device)
    if not args.no_peer:
        try:
            p = bench_peer(model, x, peer_dtype, device, "reduce-overhead", args)
            row.update(peer_ms=p["ms"], peer_first_s=p["first_s"], peer_cos=cosine(p["out"], reference))
        except Exception as err:
            row["peer_error"] = str(err).strip().split("\n")[0][:160]
        if args.max_autotune:
            if remaining(args) < args.autotune_reserve_s:
                row["autotune_error"] = "skipped: budget"
            else:
                try:
                    p = bench_peer(model, x, peer_dtype, device, "max-autotune-no-cudagraphs", args)
                    row.update(autotune_ms=p["ms"], autotune_first_s=p["first_s"])
                except Exception as err:
                    row["autotune_error"] = str(err).strip().split("\n")[0][:160]
    best = min((row.get(k, float("nan")) for k in ("engine_ms", "graphs_ms")), key=lambda v: (v != v, v))
    row["best_ms"] = best
    row["ratio"] = row.get("peer_ms", float("nan")) / best if best == best else float("nan")
    if "autotune_ms" in row and best == best:
        row["autotune_ratio"] = row["autotune_ms"] / best
    if "dynamo_ms" in row and best == best:
        row["dynamo_vs_ts"] = row["dynamo_ms"] / best
    if "fp16_engine_ms" in row and best == best:
        row["vs_fp16_engine"] = row["fp16_engine_ms"] / best
    return row


def remaining(args) -> float:
    return args.budget_s - (time.perf_counter() - START) if args.budget_s else float("inf")


def model_names(models: str) -> List[str]:
    """--models' names: a comma-separated list, or every model of a family ('vision', 'transformer') or 'all'."""
    if models in ("all", "vision", "transformer"):
        return [n for n, c in MODELS.items() if models == "all" or c.family == models]
    return models.split(",")


def machine_identity(device: str) -> Dict[str, str]:
    """The GPU (its UUID) and host a row was measured on: the rows of a run that spans device calls must share them."""
    import socket

    gpu = "cpu"
    if device == "cuda":
        props = torch.cuda.get_device_properties(torch.cuda.current_device())
        gpu = str(getattr(props, "uuid", "")) or props.name
    return dict(gpu=gpu, host=socket.gethostname())


def read_rows(path: Optional[str], dtype_name: str) -> List[Dict[str, Any]]:
    """The rows of `dtype_name` a --rows-file holds (none where it does not exist); a torn last line is ignored."""
    rows: List[Dict[str, Any]] = []
    if not path or not os.path.exists(path):
        return rows
    with open(path) as f:
        for line in f:
            try:
                row = json.loads(line)
            except ValueError:
                continue
            if row.get("dtype") == dtype_name:
                row["input"] = tuple(row.get("input", ()))
                rows.append(row)
    return rows


def append_row(path: Optional[str], row: Dict[str, Any]) -> None:
    if not path:
        return
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "a") as f:
        f.write(json.dumps(row) + "\n")


# ---------------------------------------------------------------------------------------------
# Report.


def _f(v: Any, fmt: str) -> str:
    return "-" if v is None or (isinstance(v, float) and v != v) else format(v, fmt)


def markdown(rows: List[Dict[str, Any]], device_name: str, args, note: str = "") -> str:
    import torch_tensorrt

    lines = [
        f"# Performance zoo: {device_name}, {datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC",
        "",
        f"torch {torch.__version__}, torch_tensorrt {torch_tensorrt.__version__}, dtype {args.dtype}. engine: "
        "torch_tensorrt.compile of the float32 trace with enabled_precisions {float32, dtype}, float32 inputs; "
        "graphs: the same engine under torch_tensorrt.runtime.enable_cudagraphs(). peer: torch.compile(model.to(dtype), "
        "mode=\"reduce-overhead\") on dtype inputs" + (", and mode=\"max-autotune-no-cudagraphs\"" if args.max_autotune
                                                          else "") + ". "
        + (f" {args.dtype}: the engine enables float32, float16 and {args.dtype} with scales from a calibrator over two "
           "more inputs of the case; the peer runs in float16; notes give the project's own FP16 engine of the same "
           "run and the quantized engine's speed-up over it (both engines also timed in three alternating rounds, each "
           "one's best median kept). " if args.dtype in QUANTIZED else "") +
        "Median latency, CUDA events around each synchronized call after warm-ups. ratio = peer ms / best engine ms "
        "(> 1: the engine is faster). cos: cosine against the float32 eager model. Random weights.",
        "",
        "| model | input | engine ms | engine + graphs ms | torch.compile RO ms | ratio | max-autotune ms |"
        " ratio MA | engine build s | engine first call s | torch.compile compile + first call s |"
        " cos engine | cos torch.compile |" + (" ir=dynamo ms | dynamo / TS | cos dynamo |" if args.dynamo else "") +
        " notes |",
        "| --- " * (17 if args.dynamo else 14) + "|",
    ]
    for r in rows:
        notes = "; ".join(f"{k}: {r[k]}" for k in ("engine_error", "peer_error", "autotune_error", "dynamo_error",
                                                   "fp16_engine_error", "fresh_error") if k in r)
        if "fresh_first_ms" in r:
            # The load (torch.jit.load) includes the engine's preparing run on zeros: what moved out of the first call.
            # GPU time of the first call (events): host or device, where its excess went; the second call too.
            first_gpu = r.get("fresh_first_gpu_ms")
            notes = (f"fresh process: load {r.get('fresh_load_s', float('nan')):.2f} s, first call "
                     f"{r['fresh_first_ms']:.2f} ms"
                     + (f" ({first_gpu:.2f} ms on the GPU)" if first_gpu is not None else "")
                     + (f" (engine op {r['fresh_first_engine_op_ms']:.2f} ms)"
                        if r.get("fresh_first_engine_op_ms") is not None else "")
                     + (f", second {r['fresh_second_ms']:.2f} ms" if r.get("fresh_second_ms") is not None else "")
                     + (f", first call after 50 ms of GPU work {r['fresh_first_busy_gpu_ms']:.2f} ms"
                        if r.get("fresh_first_busy_gpu_ms") is not None else "")
                     + f", steady {r['fresh_steady_ms']:.3f} ms ({r['fresh_ratio']:.1f}x)"
                     + ("; " + notes if notes else ""))
        if "peer_cached_first_s" in r:
            notes = (f"torch.compile from warm caches {r['peer_cached_first_s']:.1f} s" + ("; " + notes if notes else ""))
        if "fp16_engine_ms" in r:
            notes = (f"own FP16 engine {r['fp16_engine_ms']:.3f} ms, {args.dtype} speed-up "
                     f"{_f(r.get('vs_fp16_engine'), '.2f')}" + ("; " + notes if notes else ""))
        dynamo = (f" {_f(r.get('dynamo_ms'), '.3f')} | {_f(r.get('dynamo_vs_ts'), '.3f')} | "
                  f"{_f(r.get('dynamo_cos'), '.5f')} |" if args.dynamo else "")
        shape = "x".join(str(d) for d in r["input"])
        lines.append(
            f"| {r['model']} | {shape} | {_f(r.get('engine_ms'), '.3f')} | {_f(r.get('graphs_ms'), '.3f')} | "
            f"{_f(r.get('peer_ms'), '.3f')} | {_f(r.get('ratio'), '.2f')} | {_f(r.get('autotune_ms'), '.3f')} | "
            f"{_f(r.get('autotune_ratio'), '.2f')} | {_f(r.get('build_s'), '.2f')} | {_f(r.get('first_s'), '.2f')} | "
            f"{_f(r.get('peer_first_s'), '.1f')} | {_f(r.get('engine_cos'), '.5f')} | {_f(r.get('peer_cos'), '.5f')} |"
            f"{dynamo} {notes} |")
    machines = sorted({(r.get("gpu", "?"), r.get("host", "?")) for r in rows if "gpu" in r})
    if len(machines) == 1:
        lines += ["", f"Every row on one machine: GPU {machines[0][0]}, host {machines[0][1]}."]
    elif machines:
        listed = "; ".join(f"GPU {g} host {h}" for g, h in machines)
        lines += ["", f"Rows from {len(machines)} machines: {listed}."]
    ratios = [r["ratio"] for r in rows if r.get("ratio") == r.get("ratio") and "ratio" in r]
    if ratios:
        lines += ["", f"{len(ratios)} cases compared: median ratio {statistics.median(ratios):.2f}, "
                      f"engine at least as fast in {sum(v >= 1 for v in ratios)}, slowest ratio {min(ratios):.2f}."]
    if note:
        lines += ["", note]
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", default="all", help="comma-separated names (--list), 'vision', 'transformer' or 'all'")
    ap.add_argument("--list", action="store_true", help="print the model names and exit")
    ap.add_argument("--batches", default=None, help="comma-separated batch sizes (default: 1 and the model's large batch)")
    ap.add_argument("--dtype", default="fp16", choices=sorted(DTYPES))
    ap.add_argument("--max-autotune", action="store_true", help="also torch.compile mode max-autotune-no-cudagraphs")
    ap.add_argument("--no-peer", action="store_true", help="engine only (no torch.compile)")
    ap.add_argument("--dynamo", action="store_true",
                    help="also the engine through ir=\"dynamo\" (torch.export): its latency over the TS path's")
    ap.add_argument("--no-graphs", action="store_true", help="skip the engine's CUDA graph mode")
    ap.add_argument("--fresh-load", action="store_true",
                    help="also save each engine and time its first call in a fresh process (bench/fresh_load.py)")
    ap.add_argument("--warm-peers", type=int, default=0,
                    help="compile every case's peer first in this many processes side by side (Inductor's caches)")
    ap.add_argument("--warm-timeout-s", type=float, default=300, help="seconds one warming process may take")
    ap.add_argument("--warm-one", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--budget-s", type=float, default=0, help="start no case after this many seconds minus --reserve-s")
    ap.add_argument("--reserve-s", type=float, default=60, help="seconds a case may take (budget check)")
    ap.add_argument("--autotune-reserve-s", type=float, default=120, help="seconds max-autotune needs to start")
    ap.add_argument("--device", default="cuda", choices=["cuda", "cpu"])
    ap.add_argument("--image-size", type=int, default=None, help="override every image model's resolution")
    ap.add_argument("--seq-len", type=int, default=None, help="override every token model's sequence length")
    ap.add_argument("--warmup", type=int, default=10)
    ap.add_argument("--iters", type=int, default=100)
    ap.add_argument("--max-s", type=float, default=2.0, help="seconds of timed calls per measurement at most")
    ap.add_argument("--out", default=None, help="Markdown file, rewritten after every case")
    ap.add_argument("--rows-file", default=None,
                    help="JSON lines of finished cases: appended to; the cases it holds are skipped (resumes a run)")
    args = ap.parse_args()
    if args.list:
        for name, case in MODELS.items():
            print(f"{name:32s} {case.family:12s} {case.kind} {case.size}, large batch {case.large_batch}")
        return
    if args.warm_one:
        warm_one(args.warm_one, args)
        return
    names = model_names(args.models)
    unknown = [n for n in names if n not in MODELS]
    if unknown:
        sys.exit(f"unknown models {unknown}; --list shows the names")
    device = args.device
    if device == "cuda" and not torch.cuda.is_available():
        sys.exit("no CUDA device visible; --device cpu checks the script on the CPU backend")
    device_name = torch.cuda.get_device_name() if device == "cuda" else "CPU"
    if device == "cuda":
        torch.backends.cudnn.benchmark = True  # the peer's usual setting
    rows: List[Dict[str, Any]] = read_rows(args.rows_file, args.dtype)
    done = {(r["model"], r["batch"]) for r in rows}
    identity = machine_identity(device)

    def batches_of(n: str) -> List[int]:
        return [int(b) for b in args.batches.split(",")] if args.batches else [1, MODELS[n].large_batch]

    cold_peers: Dict[Tuple[str, int], float] = {}
    if args.warm_peers > 0 and not args.no_peer:
        cases = [(n, b) for n in names for b in batches_of(n) if (n, b) not in done]
        cold_peers = warm_peers(cases, args.dtype, device, args)
    stopped = ""
    for name in names:
        case = MODELS[name]
        batches = [b for b in batches_of(name) if (name, b) not in done]
        if not batches:
            continue
        if remaining(args) < args.reserve_s:
            stopped = f"Stopped before {name}: the time budget ({args.budget_s:.0f} s) was spent."
            break
        torch.manual_seed(0)
        try:
            model = case.build().to(device).eval()
        except Exception as err:
            rows.append(dict(model=name, input=(), batch=0, dtype=args.dtype,
                             engine_error="model: " + str(err).strip().split("\n")[0][:160]))
            continue
        for batch in batches:
            if remaining(args) < args.reserve_s:
                stopped = f"Stopped before {name} batch {batch}: the time budget ({args.budget_s:.0f} s) was spent."
                break
            t0 = time.perf_counter()
            row = bench_case(name, model, batch, args.dtype, device, args)
            row["case_s"] = time.perf_counter() - t0
            if (name, batch) in cold_peers and "peer_first_s" in row:  # the cold compile; the timed one read caches
                row["peer_cached_first_s"] = row["peer_first_s"]
                row["peer_first_s"] = cold_peers[(name, batch)]
            row.update(identity)
            rows.append(row)
            append_row(args.rows_file, row)
            print({k: (round(v, 4) if isinstance(v, float) else v) for k, v in row.items()}, flush=True)
            if args.out:
                with open(args.out, "w") as f:
                    f.write(markdown(rows, device_name, args))
        del model
        release(device)
        if stopped:
            break
    text = markdown(rows, device_name, args, stopped)
    print(text, flush=True)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
