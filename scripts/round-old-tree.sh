#!/usr/bin/env bash
# Bisecting a performance regression on the GPU machine, whose copy of the tree has no git history: an earlier
# revision's files, unpacked here into old-tree/ before the device call (not ignored, so they travel as untracked
# files), are built and installed there, its engine timed alone, then this tree's package is installed again (the
# warm machine's next call expects it). Results in $OUT.
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
# The header-only libraries and Python wheels this tree carries serve the old one too.
for d in .deps .gpu-pydeps; do [ -e "old-tree/$d" ] || ln -s "$here/$d" "old-tree/$d"; done
echo "== old tree: build and install"
(cd old-tree && OUT="$OUT/old" TORCHTRT_SKIP_CTEST=1 TORCHTRT_SKIP_BENCH=1 TORCHTRT_SKIP_DEMO=1 \
  TORCHTRT_PYTEST_ARGS=tests/py/test_fp8.py timeout $(($(left) - 150)) scripts/gpu-check.sh > /dev/null 2>&1)
grep -E "build|install" "$OUT/old/gpu-summary.txt"
if [ "$(left)" -gt 100 ]; then
  (cd old-tree && timeout $(($(left) - 60)) python3 bench/perf_zoo.py --models "$models" --batches "$batches" --no-peer \
    --out "$OUT/old-tree.md" > /dev/null 2>&1)
  grep "^| [a-z]" "$OUT/old-tree.md" | grep -v "^| model" | sed 's/^/old tree /' | cut -c1-120
fi
echo "== this tree: install again, then the same rows"
env TORCHTRT_BUILD_DIR=build-gpu python3 -m pip install --no-build-isolation --no-deps --no-index . > "$OUT/reinstall.log" 2>&1 ||
  { echo "reinstall failed: the next call must build and install (see reinstall.log)"; exit 1; }
if [ "$(left)" -gt 40 ]; then
  timeout $(($(left) - 10)) python3 bench/perf_zoo.py --models "$models" --batches "$batches" --no-peer \
    --out "$OUT/this-tree.md" > /dev/null 2>&1
  grep "^| [a-z]" "$OUT/this-tree.md" | grep -v "^| model" | sed 's/^/this tree /' | cut -c1-120
fi
rm -rf "$OUT/old"/*.log
