#!/usr/bin/env bash
# Trains config/model.yaml on two real series that ship with backtesting.py (PyPI): EURUSD hourly (quiet: mean
# |return| about 0.06 %) and GOOG daily (loud: about 1.5 %), then prints each model's out-of-sample verdict and the
# ratio of its mean |predicted return| to the data's mean |return|.
# usage: bash scripts/real-data-scale.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/python-env.sh
.venv/bin/python -c 'import backtesting' 2>/dev/null || .venv/bin/pip install -q --disable-pip-version-check backtesting
data=$(.venv/bin/python -c 'import backtesting, os; print(os.path.join(os.path.dirname(backtesting.__file__), "test"))')
swift build -c release --product PredictSvc >/dev/null
out=$(mktemp -d)
for series in EURUSD GOOG; do
  csv="$data/$series.csv"
  echo "# $series ($csv)"
  .build/release/PredictSvc train --data "$csv" --symbol "$series" --config config/model.yaml \
    --out "$out/$series" 2>/dev/null | tail -n 1
  .build/release/PredictSvc predict --model "$out/$series" --data "$csv" --symbol "$series" --out "$out/$series.csv"
  .build/release/PredictSvc evaluate --model "$out/$series" --data "$csv" --symbol "$series"
  .venv/bin/python - "$csv" "$out/$series.csv" <<'PY'
import csv, sys
predicted = [abs(float(r["predicted_return"])) for r in csv.DictReader(open(sys.argv[2]))]
close = [float(r[4]) for r in list(csv.reader(open(sys.argv[1])))[1:]]
moves = [abs(close[i] / close[i - 1] - 1) for i in range(1, len(close))]
p, m = sum(predicted) / len(predicted), sum(moves) / len(moves)
print(f"mean |predicted return| {p:.6f}, mean |return| {m:.6f}, ratio {p / m:.2f}")
PY
done
