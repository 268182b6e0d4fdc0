#!/usr/bin/env bash
# The mesh replay against the raw-libzmq floor, release build, measured in the same run:
#   `Backtester replay` — forwarder + DataSvc + PredictSvc + StrategySvc + ExecSvc, five processes over ipc, a
#   predictions file, results byte-compared with `Backtester run` — against
#   `../shared/bench/zmq/zchain -T ipc -N -W w` (replay → data → predict → strategy → exec → ack, five processes,
#   XPUB with NODROP: the same no-loss guarantee), at the same credit window w.
#   Windows: 1 (lockstep: latency per bar) on the first ~20k bars, 64 and 256 on all 1M bars.
#   Throughput is compared like for like: zchain times its bars from the first sent to the last acknowledged, and so
#   does DataSvc (`streamed … bars/s`); the end-to-end figure (process start, loading the CSV in every service,
#   handshake, streaming, writing the results) is printed under it.
#   The services run under the replay's default scheduling policy (batch); SCHEDULING=normal measures them under
#   the default Linux policy instead. zchain always runs as it is.
# usage: bash Benchmarks/replay.sh [REPS]     (SCRATCH=.build-x to build elsewhere than .build)
set -euo pipefail
cd "$(dirname "$0")/.."
REPS=${1:-3}
SCRATCH=${SCRATCH:-.build}
SCHEDULING=${SCHEDULING:-batch}
SHARED=${SHARED:-../shared}
. Benchmarks/bench-data.sh
OUT=$(mktemp -d /tmp/trademesh-replay-bench.XXXXXX)
trap 'rm -rf "$OUT"' EXIT
if ! bench_predictions; then
  echo "skipped: $BENCH_DATA is missing (bash $SHARED/bench/peers/run.sh creates it)"
  exit 0
fi
ZCHAIN=/tmp/trademesh-bench/zmq/zchain
[ -x "$ZCHAIN" ] || bash "$SHARED/bench/zmq/build.sh" >/dev/null
swift build -c release --scratch-path "$SCRATCH" >/dev/null
BT=$SCRATCH/release/Backtester
cat >"$OUT/replay.yaml" <<YAML
data: $BENCH_DATA
symbol: SYNTH
predictions: $BENCH_PRED
initial_capital: 100000
strategy: {entry_threshold: 0.004, exit_threshold: 0.0, stop_loss: 0.02, take_profit: 0.04, size: {fraction: 0.9}}
costs: {per_trade: 1.0, slippage_bps: 5}
YAML
echo "# $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%Y-%m-%dT%H:%MZ), services' scheduling: $SCHEDULING"

"$BT" run --config "$OUT/replay.yaml" --out "$OUT/run" >/dev/null
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
for W in 1 64 256; do
  if [ "$W" = 1 ]; then SET=(--set end=2002-04-30); else SET=(); fi
  ours=(); stream=(); raw=(); lat=()
  for _ in $(seq "$REPS"); do
    "$BT" replay --config "$OUT/replay.yaml" "${SET[@]}" --window "$W" --scheduling "$SCHEDULING" \
      --out "$OUT/replay" >"$OUT/replay.txt"
    bars=$(awk '/^replayed/ { print $2 }' "$OUT/replay.txt")
    ours+=("$(awk '/^replayed/ { print $(NF-1) }' "$OUT/replay.txt")")
    stream+=("$(awk '/^streamed/ { print $(NF-1) }' "$OUT/replay.txt")")
    cpu=$(grep '^cpu' "$OUT/replay.txt")
    "$ZCHAIN" -T ipc -N -W "$W" -n "$bars" >"$OUT/zchain.txt" 2>&1
    raw+=("$(grep -oE 'bars_per_s=[0-9]+' "$OUT/zchain.txt" | cut -d= -f2)")
    lat+=("$(grep -oE 'p50_us=[0-9.]+' "$OUT/zchain.txt" | cut -d= -f2)")
    grep -q 'all_ok=1' "$OUT/zchain.txt" || echo "warning: zchain reported a loss: $(tail -1 "$OUT/zchain.txt")"
  done
  if [ "$W" != 1 ]; then
    for f in trades.csv equity.csv metrics.json; do
      cmp -s "$OUT/run/$f" "$OUT/replay/$f" || { echo "MISMATCH: $f differs from Backtester run"; exit 1; }
    done
    same="byte-identical to run"
  else
    same="(first $bars bars)"
  fi
  o=$(printf '%s\n' "${ours[@]}" | median); r=$(printf '%s\n' "${raw[@]}" | median)
  s=$(printf '%s\n' "${stream[@]}" | median)
  l=$(printf '%s\n' "${lat[@]}" | median)
  awk -v w="$W" -v o="$o" -v s="$s" -v r="$r" -v l="$l" -v bars="$bars" -v same="$same" 'BEGIN {
    printf "window %4d  bars %7d  streaming %8.0f bars/s (%6.1f us/bar)  zchain %8.0f bars/s (p50 round trip %.0f us)  ratio %5.1f %%  %s\n",
           w, bars, s, 1e6 / s, r, l, 100 * s / r, same
    printf "            end to end (start of the first process to the results written) %8.0f bars/s, ratio %5.1f %%\n",
           o, 100 * o / r }'
  echo "            last run's $cpu"
done
