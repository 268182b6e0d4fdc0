#!/usr/bin/env bash
# Creates .venv with the Python packages the interop tests use, once: pyzmq (the bus) and the official Interactive
# Brokers client, ibapi-stable 10.50.2 (TWSSim's interop test).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import zmq, ibapi' 2>/dev/null; then
  [ -x .venv/bin/python ] || python3 -m venv .venv
  .venv/bin/pip install -q --disable-pip-version-check pyzmq ibapi-stable==10.50.2
fi
