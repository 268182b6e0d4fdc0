#!/usr/bin/env bash
# Backtester speed and memory targets, release build:
#   1. `Backtester sweep` of config/grid.yaml (1,000 parameter sets) over the sample data (~17.6k hourly bars)
#      with --jobs 2: wall time of the whole command (process start, load, 1,000 backtests, sweep.csv), target < 1 s.
#   2. Peak RSS of `Backtester run` over the 1M-bar /tmp/trademesh-bench/data/synth_1m.csv (load, run, write every
#      output file), target < 150 MB. Its predictions file (5-bar momentum) is made here on first use.
# usage: bash Benchmarks/sweep.sh [REPS]        (SCRATCH=.build-x to build elsewhere than .build)
set -euo pipefail
cd "$(dirname "$0")/.."
REPS=${1:-5}
SCRATCH=${SCRATCH:-.build}
. Benchmarks/bench-data.sh
DATA=$BENCH_DATA
PRED=$BENCH_PRED
OUT=$(mktemp -d /tmp/trademesh-sweep-bench.XXXXXX)
trap 'rm -rf "$OUT"' EXIT

swift build -c release --scratch-path "$SCRATCH" --product Backtester >/dev/null
BT=$SCRATCH/release/Backtester
echo "# $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"

echo "# 1. Backtester sweep: config/grid.yaml ($(grep -c '^[a-z]' config/grid.yaml) keys) over the sample data, --jobs 2, $REPS runs"
walls=()
for _ in $(seq "$REPS"); do
  /usr/bin/time -f "%e" -o "$OUT/time" "$BT" sweep --config config/backtest.yaml --grid config/grid.yaml \
    --jobs 2 --out "$OUT/sweep" >/dev/null 2>"$OUT/sweep.err" || { cat "$OUT/sweep.err"; exit 1; }
  walls+=("$(cat "$OUT/time")")
done
sets=$(($(wc -l <"$OUT/sweep/sweep.csv") - 1))
printf '%s\n' "${walls[@]}" | sort -n | awk -v sets="$sets" '
  { v[NR] = $1 } END { printf "sweep_sets %d  wall_s_best %.2f  wall_s_median %.2f  (target < 1 s)\n", sets, v[1], v[int((NR + 1) / 2)] }'

echo "# 2. peak RSS of Backtester run over 1M bars"
if ! bench_predictions; then
  echo "skipped: $DATA is missing (bash ../shared/bench/peers/run.sh creates it)"
  exit 0
fi
cat >"$OUT/rss.yaml" <<YAML
data: $DATA
symbol: SYNTH
predictions: $PRED
initial_capital: 100000
strategy: {entry_threshold: 0.004, exit_threshold: 0.0, stop_loss: 0.02, take_profit: 0.04, size: {fraction: 0.9}}
costs: {per_trade: 1.0, slippage_bps: 5}
YAML
/usr/bin/time -f "run_1m_wall_s %e  max_rss_kb %M" -o "$OUT/time" "$BT" run --config "$OUT/rss.yaml" \
  --out "$OUT/run" 2>"$OUT/run.err" >/dev/null || { cat "$OUT/run.err"; exit 1; }
rss=$(cat "$OUT/time")
echo "bars $(($(wc -l <"$OUT/run/equity.csv") - 1))  trades $(($(wc -l <"$OUT/run/trades.csv") - 1))  $rss" \
  | awk '{ print $0 "  (" int($NF / 1024) " MB, target < 150 MB)" }'
