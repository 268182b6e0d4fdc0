#!/usr/bin/env bash
# The session journal's durable write throughput (fills/s, WAL, synchronous=FULL, commit per fill and per batch of
# 64) against Python's sqlite3 module writing the same rows with the same pragmas in the same run; and the risk
# rules' cost per order (RiskStateMachine.submit, every rule checked).
# usage: bash Benchmarks/journal.sh [FILLS]     (SCRATCH=.build-x to build elsewhere than .build)
set -euo pipefail
cd "$(dirname "$0")/.."
FILLS=${1:-5000}
SCRATCH=${SCRATCH:-.build}
swift build -c release --scratch-path "$SCRATCH" --product JournalBench >/dev/null
echo "# $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%Y-%m-%dT%H:%MZ), files in /var/tmp ($(df -h /var/tmp | awk 'NR==2 {print $1}'))"
"$SCRATCH/release/JournalBench" --fills "$FILLS"
python3 Benchmarks/journal_peer.py "$FILLS" /var/tmp
