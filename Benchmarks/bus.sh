#!/usr/bin/env bash
# Bus throughput: TradeMesh (Swift, envelope encoded and decoded per Bar) vs raw libzmq (zthr) in the same run.
# usage: bash Benchmarks/bus.sh [MESSAGES] [REPS]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}; REPS=${2:-3}
SHARED=${SHARED:-../shared}
bash "$SHARED/bench/zmq/build.sh" >/dev/null
swift build -c release --product BusBench >/dev/null
SIZE=$(.build/release/BusBench codec -c 1 | sed 's/.*"binary_bytes":\([0-9]*\).*/\1/')
rates=()
for r in $(seq "$REPS"); do
  dir=/tmp/trademesh-zthr-$$-$r; mkdir -p "$dir"
  /tmp/trademesh-bench/zmq/zthr sub -n "$N" -s "$SIZE" -H 0 "ipc://$dir/d.ipc" "ipc://$dir/s.ipc" > "$dir/sub.out" &
  sp=$!
  /tmp/trademesh-bench/zmq/zthr pub -n "$N" -s "$SIZE" -H 0 "ipc://$dir/d.ipc" "ipc://$dir/s.ipc" > /dev/null
  wait $sp
  rates+=("$(sed 's/.*recv_rate=\([0-9]*\).*/\1/' "$dir/sub.out")")
  rm -rf "$dir"
done
raw=$(printf '%s\n' "${rates[@]}" | sort -n | sed -n "$(( (REPS + 1) / 2 ))p")
echo "{\"bench\":\"zthr_raw_ipc\",\"messages\":$N,\"payload_bytes\":$SIZE,\"recv_rates\":[$(IFS=,; echo "${rates[*]}")],\"recv_rate_median\":$raw}"
swift_line=$(.build/release/BusBench throughput --count "$N" --reps "$REPS")
echo "$swift_line"
sw=$(echo "$swift_line" | sed 's/.*"recv_rate_median":\([0-9]*\).*/\1/')
.build/release/BusBench codec
echo "ratio swift/raw: $(awk -v a="$sw" -v b="$raw" 'BEGIN { printf "%.2f", a / b }')"
