# The session's last device call: the changed CUDA suites, then the rows that measure the changes, within 350 s.
start=$(date +%s)
left() { echo $((start + 350 - $(date +%s))); }
TORCHTRT_SKIP_BENCH=1 TORCHTRT_SKIP_DEMO=1 TORCHTRT_CTEST_ARGS="-R 'CudaTactics|CudaBackend|Fp8|CudaInt8|Int8ConvolutionChaining'" \
  TORCHTRT_PYTEST_ARGS="tests/py/test_int8.py" timeout 290 scripts/gpu-check.sh > $OUT/check.txt 2>&1
tail -12 $OUT/check.txt
[ "$(left)" -gt 40 ] && timeout $(($(left) - 5)) python3 bench/perf_zoo.py --models convnext_tiny --batches 64 --out $OUT/zoo.md > /dev/null 2>&1; grep '^|' $OUT/zoo.md | tail -1
[ "$(left)" -gt 25 ] && timeout $(($(left) - 3)) python3 bench/perf_zoo.py --models resnet50 --dtype int8 --batches 64 --no-peer --out $OUT/int8.md > /dev/null 2>&1; grep '^|' $OUT/int8.md | tail -1
[ "$(left)" -gt 20 ] && timeout $(($(left) - 2)) python3 bench/perf_zoo.py --models resnet50 --batches 1 --no-peer --no-graphs --fresh-load --out $OUT/fresh.md > /dev/null 2>&1; grep '^|' $OUT/fresh.md | tail -3
rm -f $OUT/configure.log $OUT/install.log $OUT/build.log
