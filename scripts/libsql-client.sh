#!/usr/bin/env bash
# The official libSQL client, @libsql/client (pinned), against the data plane of the
# standalone fake (`turso-platform-fake`): scripts/libsql-client/check.mjs provisions
# databases and tokens through the Platform API and runs SQL through the client over
# Hrana-over-HTTP (value types, read-only tokens, batches, transactions, concurrency,
# token rotation, copies, deletion, usage), one line per step; any FAIL fails this
# script. Installs the package under target/libsql-client/ (npm), and needs node, cargo
# and python3.
set -euo pipefail
cd "$(dirname "$0")/.."

CLIENT=@libsql/client@0.18.0

out="$PWD/target/libsql-client"
mkdir -p "$out"
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
if [[ ! -d "$out/node_modules/@libsql/client" ]]; then
    (cd "$out" && npm install --no-save --silent "$CLIENT")
fi
# The check imports the package: it runs from beside its node_modules.
cp scripts/libsql-client/check.mjs "$out/check.mjs"

source scripts/start-fake.sh
BASE_URL="$fake_base_url" TOKEN="$fake_token" timeout 180 node "$out/check.mjs"
