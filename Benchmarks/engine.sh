#!/usr/bin/env bash
# Engine throughput, sweep time and peak RSS, with the peer backtesters measured in the same run.
# usage: bash Benchmarks/engine.sh [REPS]
# Uses ../shared/bench/peers/run.sh (creates /tmp/trademesh-bench and the 1M-bar synth_1m.csv on first use).
set -euo pipefail
cd "$(dirname "$0")/.."
REPS=${1:-5}
SHARED=${SHARED:-../shared}
DATA=/tmp/trademesh-bench/data/synth_1m.csv
# One product per invocation: given several `--product`s, swift build builds only the last.
swift build -c release --product EngineBench >/dev/null
swift build -c release --product Backtester >/dev/null

echo "# peer (vectorbt-rust), same file, same machine"
peer=$(bash "$SHARED/bench/peers/run.sh" 1000000 3 vectorbt_rust | tail -n 1)
echo "$peer"
echo "# TradeMesh engine (threshold strategy on SMA(10/20) cross predictions, stops on, loading excluded)"
ours=$(.build/release/EngineBench engine --file "$DATA" --reps "$REPS")
echo "$ours"
p=$(echo "$peer" | sed 's/.*"bars_per_s_median": \([0-9.]*\).*/\1/')
o=$(echo "$ours" | sed 's/.*"bars_per_s_median":\([0-9]*\).*/\1/')
echo "engine ratio trademesh/vectorbt-rust: $(awk -v a="$o" -v b="$p" 'BEGIN { printf "%.1f", a / b }')x"

echo "# execution service per-bar path: ExecutionStream.execute + apply through the simulated broker, same strategy"
.build/release/EngineBench stream --file "$DATA" --reps "$REPS"

echo "# sweep: config/grid.yaml (1,000 sets) over the sample data, loading included, all cores"
.build/release/EngineBench sweep --config config/backtest.yaml --grid config/grid.yaml --reps 3
echo "# whole command: Backtester sweep (process start, load, 1,000 backtests, write sweep.csv)"
/usr/bin/time -f "backtester_sweep_wall_s %e max_rss_kb %M" .build/release/Backtester sweep \
  --config config/backtest.yaml --grid config/grid.yaml --out /tmp/trademesh-sweep-bench 2>&1 >/dev/null | tail -n 1

echo "# peak RSS of a 1M-bar Backtester run (load, run, write all outputs)"
PRED=/tmp/trademesh-bench/data/synth_1m_predictions.csv
[ -f "$PRED" ] || .build/release/EngineBench write-predictions --file "$DATA" --out "$PRED"
cat > /tmp/trademesh-bench/rss.yaml <<YAML
data: $DATA
symbol: SYNTH
predictions: $PRED
initial_capital: 10000
strategy: {entry_threshold: 0.5, exit_threshold: -0.5, stop_loss: 0.02, take_profit: 0.04, size: {units: 10}}
YAML
/usr/bin/time -f "backtester_run_1m_wall_s %e max_rss_kb %M" .build/release/Backtester run \
  --config /tmp/trademesh-bench/rss.yaml --out /tmp/trademesh-rss-bench 2>&1 >/dev/null | tail -n 1
