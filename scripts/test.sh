#!/usr/bin/env bash
# Runs the whole TradeMesh test suite: installs what is missing, builds everything, runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh chromium
bash scripts/python-env.sh
export TRADEMESH_PYTHON="$PWD/.venv/bin/python"
swift build --build-tests
swift test --skip-build "$@"
