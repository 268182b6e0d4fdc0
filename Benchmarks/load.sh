#!/usr/bin/env bash
# Loading speed: TradeMesh's BarCSVLoader against pandas.read_csv on the same file, in the same run.
#
#   bash Benchmarks/load.sh [FILE]        (default /tmp/trademesh-bench/data/synth_1m.csv, 1M hourly bars)
#
# Environment: REPS (timed repetitions, default 5), PYTHON (a python with pandas; default the peers' benchmark venv
# when it exists, otherwise a venv with pandas made here on first use), SCRATCH_PATH (SwiftPM build directory,
# default .build), SHARED (the design notes and peer benchmarks, default ../shared: the 1M-bar file is made with
# its gen_synth.py when missing).
# Both sides report the median of REPS runs after one untimed warm-up run (so both read from the page cache).
# The pandas side is pd.read_csv(path, index_col=0, parse_dates=True) followed by selecting the OHLCV columns
# as float, as the reference scripts load data; TradeMesh's side also validates every row.
set -euo pipefail
cd "$(dirname "$0")/.."

FILE=${1:-/tmp/trademesh-bench/data/synth_1m.csv}
REPS=${REPS:-5}
SCRATCH=${SCRATCH_PATH:-.build}
SHARED=${SHARED:-../shared}
if [ -z "${PYTHON:-}" ]; then
    PYTHON=/tmp/trademesh-bench/venv/bin/python
    if [ ! -x "$PYTHON" ]; then
        PYTHON=/tmp/trademesh-bench/pandas-venv/bin/python
        if [ ! -x "$PYTHON" ]; then
            python3 -m venv /tmp/trademesh-bench/pandas-venv
            /tmp/trademesh-bench/pandas-venv/bin/pip install -q pandas numpy >&2
        fi
    fi
fi

if [ ! -f "$FILE" ]; then
    generator=$SHARED/bench/peers/gen_synth.py
    if [ -x "$PYTHON" ] && [ -f "$generator" ]; then
        "$PYTHON" "$generator" --out "$FILE"
    else
        echo "error: $FILE does not exist (create it with gen_synth.py or pass another file)" >&2
        exit 1
    fi
fi
if ! "$PYTHON" -c "import pandas" 2>/dev/null; then
    echo "error: $PYTHON cannot import pandas (set PYTHON to a python with pandas)" >&2
    exit 1
fi

swift build -c release --scratch-path "$SCRATCH" --product LoadBench >&2
"$SCRATCH/release/LoadBench" --file "$FILE" --reps "$REPS"
swift_seconds=$("$SCRATCH/release/LoadBench" --file "$FILE" --reps "$REPS" --quiet)

pandas_seconds=$("$PYTHON" - "$FILE" "$REPS" <<'PY'
import statistics, sys, time
import pandas as pd

path, reps = sys.argv[1], int(sys.argv[2])

def load():
    df = pd.read_csv(path, index_col=0, parse_dates=True)
    return df[["Open", "High", "Low", "Close", "Volume"]].astype(float)

load()
times = []
for _ in range(reps):
    start = time.perf_counter()
    load()
    times.append(time.perf_counter() - start)
print(f"{statistics.median(times):.6f}")
PY
)

echo "pandas $("$PYTHON" -c 'import pandas; print(pandas.__version__)') read_csv median: ${pandas_seconds} s"
echo "TradeMesh BarCSVLoader median:  ${swift_seconds} s"
awk -v s="$swift_seconds" -v p="$pandas_seconds" \
    'BEGIN { printf "ratio TradeMesh / pandas: %.3f (target <= 0.5)\n", s / p }'
