#!/usr/bin/env bash
# Install the npm packages of the real Express fixture (fixtures/realweb/express) from its lock
# file; idempotent. Without node/npm the Express tests are skipped with a reason.
set -euo pipefail
cd "$(dirname "$0")/../fixtures/realweb/express"
if ! command -v npm >/dev/null; then echo "npm not installed: Express fixture tests will be skipped"; exit 0; fi
if [ -d node_modules/express ] && [ node_modules/.package-lock.json -nt package-lock.json ]; then
  echo "express fixture: present"; exit 0
fi
npm ci --no-audit --no-fund --silent
echo "express fixture: installed"
