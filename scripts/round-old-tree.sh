#!/usr/bin/env bash
# Bisecting a performance regression on the GPU machine, whose copy of the tree has no git history: this tree's
# engine timed first (its package installed by an earlier round), then an earlier revision's files, unpacked here
# into old-tree/ before the device call (not ignored, so they travel as untracked files), built and installed with
# that revision's own scripts/gpu-check.sh and timed, then this tree's package installed again (the warm machine's
# next call expects it). Results in $OUT.
#   here:  rm -rf old-tree && mkdir old-tree && git archive REV | tar -x -C old-tree
#   then:  TORCHTRT_ROUND_S=560 scripts/round-old-tree.sh "mobilenet_v3_large" 64     (remove old-tree/ afterwards)
# On a machine a round left warm (this tree's build-gpu/ there: the reinstall reuses it).
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-gpu-out}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)  # the old tree's steps write here from old-tree/
here=$(pwd)
deadline=$(($(date +%s) + ${TORCHTRT_ROUND_S:-560}))
left() { echo $((deadline - $(date +%s))); }
models=${1:-mobilenet_v3_large}
batches=${2:-64}
[ -d old-tree/engine ] || { echo "no old-tree/: unpack a revision there first (see the header)"; exit 2; }
rows() {  # label, table
  grep "^| [a-z]" "$2" 2> /dev/null | grep -v "^| model" | sed "s/^/$1 /" | cut -c1-120
}
if [ "$(left)" -gt 430 ] && python3 -c "import torch_tensorrt" 2> /dev/null; then
  timeout $(($(left) - 400)) python3 bench/perf_zoo.py --models "$models" --batches "$batches" --no-peer --no-graphs \
    --out "$OUT/this-tree.md" > /dev/null 2>&1
  rows "this tree" "$OUT/this-tree.md"
fi
# The header-only libraries and Python wheels this tree carries serve the old one too.
for d in .deps .gpu-pydeps; do [ -e "$here/$d" ] && ln -sfn "$here/$d" "old-tree/$d"; done
echo "== old tree: build and install"
(cd old-tree && OUT="$OUT/old" TORCHTRT_SKIP_CTEST=1 TORCHTRT_SKIP_BENCH=1 TORCHTRT_SKIP_DEMO=1 \
  TORCHTRT_PYTEST_ARGS=tests/py/test_fp8.py TORCHTRT_PYTEST_K=no_such_test timeout $(($(left) - 120)) \
  scripts/gpu-check.sh > /dev/null 2>&1)
grep -E "^(configure|build|install)" "$OUT/old/gpu-summary.txt"
if grep -q "^install: pass" "$OUT/old/gpu-summary.txt" 2> /dev/null; then
  rm -f "$OUT/old"/*.log  # their tails are in the summary; kept where a step failed
  if [ "$(left)" -gt 70 ]; then
    (cd old-tree && timeout $(($(left) - 50)) python3 bench/perf_zoo.py --models "$models" --batches "$batches" \
      --no-peer --no-graphs --out "$OUT/old-tree.md" > /dev/null 2>&1)
    rows "old tree" "$OUT/old-tree.md"
  fi
else
  echo "the old tree did not install: no old-tree row (this tree's package is still the installed one)"
fi
echo "== this tree: install again"
env TORCHTRT_BUILD_DIR=build-gpu python3 -m pip install --no-build-isolation --no-deps --no-index . > "$OUT/reinstall.log" 2>&1 &&
  rm -f "$OUT/reinstall.log" || echo "reinstall failed: the next call must build and install (see reinstall.log)"
