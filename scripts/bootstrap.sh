#!/usr/bin/env bash
# Makes sure the system packages TradeMesh builds against are present, plus any given as arguments
# (the test suite adds `chromium`, which renders the HTML report).
# As root it installs what is missing; otherwise it prints the exact command to run and fails.
set -euo pipefail

packages=(libzmq3-dev libhdf5-dev libsqlite3-dev libopenblas-dev pkg-config "$@")
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "bootstrap: installing ${missing[*]}" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "bootstrap: missing system packages: ${missing[*]}" >&2
    echo "run: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

if ! command -v swift >/dev/null 2>&1; then
  echo "bootstrap: swift is not on PATH (TradeMesh needs Swift 6.2 or newer)" >&2
  exit 1
fi
