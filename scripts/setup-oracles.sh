#!/usr/bin/env bash
# Test oracles only: .venv-oracle with sslyze (TLS probe) and the MDN HTTP Observatory (header grade).
# Separate venv because sslyze pins cryptography<47 (our main venv needs newer). Idempotent.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VENV="${ORACLE_VENV:-$ROOT/.venv-oracle}"
# The MDN HTTP Observatory (vendored analyzers, their npm libraries) for the header-grade oracle test.
OBS="$ROOT/fixtures/oracles/observatory"
if command -v npm >/dev/null; then
  if [ ! -d "$OBS/node_modules/axios" ] || [ "$OBS/package-lock.json" -nt "$OBS/node_modules/.package-lock.json" ]; then
    (cd "$OBS" && npm ci --ignore-scripts --no-audit --no-fund --silent)
  fi
  echo "observatory oracle ready: $OBS"
else
  echo "npm not installed: the Observatory oracle test will be skipped"
fi
PY="${PYTHON:-python3}"
if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c "import sslyze" 2>/dev/null; then
    echo "oracle venv ready: $VENV ($("$VENV/bin/python" -m sslyze --help >/dev/null 2>&1 && echo sslyze ok))"
    exit 0
fi
"$PY" -m venv "$VENV"
"$VENV/bin/pip" install --quiet --upgrade pip
"$VENV/bin/pip" install --quiet "sslyze>=6,<7"
"$VENV/bin/python" -c "import sslyze; print('sslyze installed in $VENV')"
