# Shared by the benchmark scripts (source it): the 1M-bar synthetic series and its predictions file.
#   BENCH_DATA  /tmp/trademesh-bench/data/synth_1m.csv (made by ../shared/bench/peers/run.sh)
#   BENCH_PRED  a 5-bar momentum "prediction" per bar, made here on first use
BENCH_DATA=/tmp/trademesh-bench/data/synth_1m.csv
BENCH_PRED=/tmp/trademesh-bench/data/synth_1m_momentum_predictions.csv

# Makes $BENCH_PRED from $BENCH_DATA if missing; returns 1 when the bars file itself is missing.
bench_predictions() {
  [ -f "$BENCH_DATA" ] || return 1
  if [ ! -f "$BENCH_PRED" ]; then
    awk -F, 'NR == 1 { print "Time,predicted_price,predicted_return"; next }
             { c[NR % 6] = $5; back = c[(NR + 1) % 6]
               r = (NR > 6 && back > 0) ? $5 / back - 1 : 0
               printf "%s,%.4f,%.8f\n", $1, $5 * (1 + r), r }' "$BENCH_DATA" >"$BENCH_PRED.tmp"
    mv "$BENCH_PRED.tmp" "$BENCH_PRED"
  fi
}
