#!/usr/bin/env bash
# LSTM speed: TradeMesh against Keras (JAX, CPU) on Input(24, 8) → LSTM(64) → Dense(1), 20,000 windows, batch 64.
# usage: bash Benchmarks/forecast.sh      (creates /tmp/trademesh-bench/keras-venv with keras + jax on first use)
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=/tmp/trademesh-bench/keras-venv
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q keras jax numpy
fi
swift build -c release --product ForecastBench >/dev/null
KERAS_BACKEND=jax "$VENV/bin/python" Benchmarks/keras_peer.py 20000 24 8 64 2>/dev/null | tail -n 1
.build/release/ForecastBench
