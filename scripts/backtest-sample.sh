#!/usr/bin/env bash
# Backtests the bundled (synthetic) sample data twice: with the cached predictions (config/backtest.yaml) and with
# the bundled LSTM run natively (config/backtest-lstm.yaml). Extra arguments go to both runs (e.g. --set k=v).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
swift build -c release --product Backtester >&2
for config in config/backtest.yaml config/backtest-lstm.yaml; do
  echo "== Backtester run --config $config"
  .build/release/Backtester run --config "$config" "$@"
  echo
done
