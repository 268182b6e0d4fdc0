#!/usr/bin/env bash
# Creates .venv with the Python packages the interop tests use (pyzmq), once.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import zmq' 2>/dev/null; then
  python3 -m venv .venv
  .venv/bin/pip install -q --disable-pip-version-check pyzmq
fi
