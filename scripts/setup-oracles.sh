#!/usr/bin/env bash
# Create /work/main/.venv-oracle with sslyze, used ONLY as a test oracle for the TLS probe.
# Separate venv because sslyze pins cryptography<47 (our main venv needs newer). Idempotent.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VENV="${ORACLE_VENV:-$ROOT/.venv-oracle}"
PY="${PYTHON:-python3}"
if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c "import sslyze" 2>/dev/null; then
    echo "oracle venv ready: $VENV ($("$VENV/bin/python" -m sslyze --help >/dev/null 2>&1 && echo sslyze ok))"
    exit 0
fi
"$PY" -m venv "$VENV"
"$VENV/bin/pip" install --quiet --upgrade pip
"$VENV/bin/pip" install --quiet "sslyze>=6,<7"
"$VENV/bin/python" -c "import sslyze; print('sslyze installed in $VENV')"
