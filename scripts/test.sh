#!/usr/bin/env bash
# Runs the whole TradeMesh test suite: installs what is missing, builds everything, runs every test.
# The process-heavy suites (BacktesterTests: whole meshes of five processes, headless Chromium) run after the
# others rather than beside them, so that the timing checks elsewhere (a service stops within 1 s of SIGTERM)
# measure the service, not a 2-core machine shared with twenty processes. Arguments: passed to one `swift test`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh chromium
bash scripts/python-env.sh
export TRADEMESH_PYTHON="$PWD/.venv/bin/python"
swift build --build-tests
if [ $# -gt 0 ]; then
  swift test --skip-build "$@"
else
  swift test --skip-build --skip BacktesterTests
  swift test --skip-build --filter BacktesterTests
fi
