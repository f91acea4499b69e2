python3 bench/perf_zoo.py --models resnet50 --dtype int8 --batches 64,1 --no-peer --out $OUT/int8.md >/dev/null 2>&1; grep '^|' $OUT/int8.md | tail -2
python3 bench/perf_zoo.py --models bert_base --dtype fp8 --batches 64,1 --no-peer --out $OUT/fp8.md >/dev/null 2>&1; grep '^|' $OUT/fp8.md | tail -2
python3 bench/profile_engine.py --model bert_base --batch 64 --precision fp8 --rows 14 2>&1 | grep -v -i warn | cut -c1-100,180-230 | tail -22 > $OUT/fp8prof.txt
python3 bench/profile_engine.py --model resnet50 --batch 64 --precision int8 --rows 16 2>&1 | grep -v -i warn | cut -c1-100,180-230 | tail -24 > $OUT/int8prof.txt
