#!/usr/bin/env bash
# Backtests the bundled (synthetic) sample data: with the cached predictions (config/backtest.yaml) and with the
# bundled LSTM run natively (config/backtest-lstm.yaml), in process; then the first again through the mesh
# (`Backtester replay`: five processes on a private ZeroMQ bus), checking that its files equal the in-process run's.
# Results go to backtests/sample-*. Extra arguments go to every run (e.g. --set k=v).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
swift build -c release >&2
for config in config/backtest.yaml config/backtest-lstm.yaml; do
  echo "== Backtester run --config $config"
  .build/release/Backtester run --config "$config" --out "backtests/sample-$(basename "$config" .yaml)" "$@"
  echo
done
echo "== Backtester replay --config config/backtest.yaml (through the mesh)"
.build/release/Backtester replay --config config/backtest.yaml --out backtests/sample-backtest-replay "$@"
for f in trades.csv equity.csv metrics.json run.json; do
  cmp "backtests/sample-backtest/$f" "backtests/sample-backtest-replay/$f"
done
echo "replay = run: trades.csv, equity.csv, metrics.json and run.json are byte-identical"
