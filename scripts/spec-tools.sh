#!/usr/bin/env bash
# openapi.yaml through the tools other teams use, pinned:
#   1. Redocly CLI lint (recommended rules, strict; see redocly.yaml): no error, no warning.
#   2. openapi-typescript writes TypeScript types, and tsc type-checks code using them.
#   3. openapi-python-client generates a Python client; it imports, builds requests, and
#      runs a token lifecycle against the standalone fake server.
# Needs node/npx, python3 and cargo. Writes only under target/spec-tools/.
set -euo pipefail
cd "$(dirname "$0")/.."

REDOCLY=@redocly/cli@2.77.0
OPENAPI_TYPESCRIPT=openapi-typescript@7.13.0
TYPESCRIPT=typescript@7.0.2
OPENAPI_PYTHON_CLIENT=openapi-python-client==0.29.1

out="$PWD/target/spec-tools"
mkdir -p "$out"
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false

echo "== Redocly lint"
# Problems go to stdout (one line each), progress to stderr: any stdout is a finding.
if ! npx --yes "$REDOCLY" lint --format=stylish openapi.yaml >"$out/redocly.txt" 2>"$out/redocly.log" \
  || [ -s "$out/redocly.txt" ]; then
  cat "$out/redocly.txt" "$out/redocly.log" >&2
  echo "Redocly reported problems" >&2
  exit 1
fi
echo "no error, no warning"

echo "== openapi-typescript and tsc"
npx --yes "$OPENAPI_TYPESCRIPT" openapi.yaml --output "$out/turso.d.ts"
npx --yes -p "$TYPESCRIPT" tsc --noEmit --strict --skipLibCheck scripts/spec-tools/check.ts

echo "== openapi-python-client"
if [ ! -x "$out/venv/bin/python" ]; then
  python3 -m venv "$out/venv"
fi
"$out/venv/bin/pip" install --quiet --disable-pip-version-check "$OPENAPI_PYTHON_CLIENT"
PATH="$out/venv/bin:$PATH" "$out/venv/bin/openapi-python-client" generate --path openapi.yaml --output-path "$out/python" \
  --overwrite --config scripts/spec-tools/python-client.yaml

echo "== the Python client against the standalone fake"
source scripts/start-fake.sh
PYTHONPATH="$out/python" "$out/venv/bin/python" scripts/spec-tools/check_python_client.py "$fake_base_url" "$fake_token"
echo "spec tools: all passed"
