#!/usr/bin/env bash
# The measurements the open performance issues ask for that are not zoo rows, in one go, most wanted first (a
# device call's TORCHTRT_ROUND_CMD after scripts/gpu-round.sh's suites): ResNet-50 INT8 against the own FP16 engine
# and BERT-base FP8 against the own FP16 engine (issue 23), the INT8 engine's slowest layers and the FP8 engine's
# kernels, the Linear + exact GELU products against torch.compile (issues 21 and 22), and with TORCHTRT_PROBE_FRESH=1
# the fresh-process first call (issue 21); with TORCHTRT_PROBE_NCU=1 / TORCHTRT_PROBE_NCU_INT8=1 Nsight Compute's
# counters (below). Tables in $OUT/*.md, the rest on stdout.
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-gpu-out}
mkdir -p "$OUT"
table() { grep '^|' "$1" 2>/dev/null || echo "(no table: $1)"; }
python3 bench/perf_zoo.py --models resnet50 --dtype int8 --batches 64,1 --no-peer --out "$OUT/int8.md" > /dev/null 2>&1
table "$OUT/int8.md"
python3 bench/perf_zoo.py --models bert_base --dtype fp8 --batches 64,1 --no-peer --out "$OUT/fp8.md" > /dev/null 2>&1
table "$OUT/fp8.md"
# With TORCHTRT_PROBE_FP8_WS0=1: the FP8 engine again with cuBLASLt's workspace-free kernels only (no memset nodes
# before its products; the FP8 engine's profile had 0.233 ms idle in 165 gaps a call, the FP16 one's 0.096 in 71).
if [ -n "${TORCHTRT_PROBE_FP8_WS0:-}" ]; then
  TORCHTRT_LT_WORKSPACE_BYTES=0 python3 bench/perf_zoo.py --models bert_base --dtype fp8 --batches 64 --no-peer \
    --out "$OUT/fp8-ws0.md" > /dev/null 2>&1
  table "$OUT/fp8-ws0.md" | sed 's/^/workspace-free /'
fi
python3 bench/profile_engine.py --model resnet50 --batch 64 --precision int8 --rows 16 --layers 40 2>&1 |
  grep -v -i warn | cut -c1-200
python3 bench/profile_engine.py --model bert_base --batch 64 --precision fp8 --rows 14 2>&1 | grep -v -i warn |
  cut -c1-100,180-230 | tail -22
peak=$(python3 -c "import torch; print(4800 if 'H200' in torch.cuda.get_device_name() else 3350)")
python3 bench/bench_kernels.py --cases linear_gelu_convnext_s1,linear_gelu_convnext_s3,linear_gelu_bert \
  --peak-gbs "$peak" --out "$OUT/gelu.md" > /dev/null 2>&1
table "$OUT/gelu.md" | cut -c1-240
if [ -n "${TORCHTRT_PROBE_FRESH:-}" ]; then
  python3 bench/perf_zoo.py --models resnet50,bert_base --batches 64,1 --no-peer --no-graphs --fresh-load \
    --out "$OUT/fresh.md" > /dev/null 2>&1
  table "$OUT/fresh.md"
fi
# With TORCHTRT_PROBE_NCU=1: Nsight Compute's counters of one launch of ConvNeXt-T's 7x7 depthwise kernel (issue 21:
# 43% of its GPU time at batch 64), clocks left alone (METHOD.md).
if [ -n "${TORCHTRT_PROBE_NCU:-}" ] && command -v ncu > /dev/null; then
  ncu --clock-control none -k regex:depthwiseNhwcRowKernel -c 1 --section SpeedOfLight --section Occupancy \
    --section LaunchStats --section WarpStateStats --section MemoryWorkloadAnalysis \
    python3 bench/profile_engine.py --model convnext_tiny --batch 64 --rows 1 2>&1 | grep -v -i warn |
    sed -n '/depthwiseNhwcRowKernel/,$p' | cut -c1-160 | head -90
fi
# With TORCHTRT_PROBE_NCU_GELU=1: Nsight Compute's counters of one launch of BERT-base b64's FFN up-projection, the
# CUTLASS bias + exact-GELU product (issue 22: 86 us a call against cuBLASLt's ~53 us for the same FLOPs with a bias
# epilogue, session 43; the 1.4 bar needs ~0.18 ms off the call): where its time goes (main loop against epilogue).
if [ -n "${TORCHTRT_PROBE_NCU_GELU:-}" ] && command -v ncu > /dev/null; then
  ncu --clock-control none --nvtx --nvtx-include "engine-calls/" -k regex:cutlass -c 1 --section SpeedOfLight \
    --section ComputeWorkloadAnalysis --section WarpStateStats --section MemoryWorkloadAnalysis --section Occupancy \
    python3 bench/profile_engine.py --model bert_base --batch 64 --rows 1 2>&1 | grep -v -i warn |
    sed -n '/cutlass/,$p' | cut -c1-160 | head -110
fi
# With TORCHTRT_PROBE_NCU_INT8=1: each CUTLASS INT8 kernel of one INT8 ResNet-50 batch-64 call with its time, DRAM
# bytes and share of the DRAM bandwidth (issue 23: the 1x1 products move 1.49 GB a call in ~0.70 ms, ~71% of the
# bandwidth, where FP16's reach ~95%): which layers fall short. Only the kernels inside profile_engine.py's
# "engine-calls" range (not the builder's timing runs); the first call's 53 convolutions.
if [ -n "${TORCHTRT_PROBE_NCU_INT8:-}" ] && command -v ncu > /dev/null; then
  ncu --clock-control none --nvtx --nvtx-include "engine-calls/" -k regex:cutlass -c 53 --csv --page raw --print-units base \
    --metrics gpu__time_duration.sum,dram__bytes.sum,dram__throughput.avg.pct_of_peak_sustained_elapsed,launch__grid_size \
    python3 bench/profile_engine.py --model resnet50 --batch 64 --precision int8 --rows 1 > "$OUT/ncu_int8.csv" 2>&1
  python3 - "$OUT/ncu_int8.csv" <<'PY'
import csv, sys
rows = [r for r in csv.reader(open(sys.argv[1])) if len(r) > 10]
if not rows:
    sys.exit(print("(no Nsight Compute rows)"))
head = rows[0]
col = {name: i for i, name in enumerate(head)}
for r in rows[2:]:
    name = r[col["Kernel Name"]]
    kind = "conv" if "ConvUniversal" in name else "gemm"
    print(f"{kind} {float(r[col['gpu__time_duration.sum']]) / 1000:8.1f} us  "
          f"{float(r[col['dram__bytes.sum']]) / 1e6:8.1f} MB  "
          f"{r[col['dram__throughput.avg.pct_of_peak_sustained_elapsed']]:>6}% DRAM  grid {r[col['launch__grid_size']]}")
PY
fi
