#!/usr/bin/env bash
# Turso's official TypeScript client, @tursodatabase/api (pinned), through every one of
# its 34 methods against the standalone fake (`turso-platform-fake`): each call works,
# or fails exactly as a bug of that client named in scripts/ts-client/check.mjs makes it
# fail, so that a fixed client or a regressed fake shows. Installs the package under
# target/ts-client/ (npm), and needs node, cargo and python3.
set -euo pipefail
cd "$(dirname "$0")/.."

CLIENT=@tursodatabase/api@2.0.5

out="$PWD/target/ts-client"
mkdir -p "$out"
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
if [[ ! -d "$out/node_modules/@tursodatabase/api" ]]; then
    (cd "$out" && npm install --no-save --silent "$CLIENT")
fi
# The check imports the package: it runs from beside its node_modules.
cp scripts/ts-client/check.mjs "$out/check.mjs"

source scripts/start-fake.sh
BASE_URL="$fake_base_url" TOKEN="$fake_token" timeout 120 node "$out/check.mjs"
