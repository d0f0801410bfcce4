#!/usr/bin/env bash
# Create .venv and install Pindai with its test extras (idempotent).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip 2>&1 | grep -v "^WARNING: Location" || true
.venv/bin/python -m pip install -q -e ".[test]" 2>&1 | grep -v "^WARNING: Location" || true
.venv/bin/pindai --version
# semgrep (the [sast] extra) in a venv of its own: it pins library versions the test tools need newer.
if [ ! -x .venv-semgrep/bin/semgrep ]; then
  python3 -m venv .venv-semgrep
  .venv-semgrep/bin/python -m pip install -q "semgrep>=1.100,<2" 2>&1 | grep -v "^WARNING: Location" || true
fi
.venv-semgrep/bin/semgrep --version
