#!/usr/bin/env bash
# Runs a backtest on the bundled (synthetic) sample data with config/backtest.yaml.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
swift build -c release --product Backtester >&2
exec .build/release/Backtester run --config config/backtest.yaml "$@"
