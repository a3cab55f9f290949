#!/usr/bin/env bash
# A spec progenitor cannot use fails the build with a message that names the problem:
# builds a copy of the crate with openapi.yaml broken in each way below, and checks that
# the build fails and says what is wrong. Shares the crate's target directory, so only
# the copy's build script and crate are compiled.
#
#   scripts/broken-spec.sh
set -euo pipefail
cd "$(dirname "$0")/.."

target_dir="$(cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
copy="$(mktemp -d)"
trap 'rm -rf "$copy"' EXIT
tar --exclude=./target --exclude=./.git -cf - . | tar -xf - -C "$copy"

# Each case: a Python expression that breaks the spec's text `s`, and what the build
# must say.
cases=(
    "s.replace('openapi: 3.0.3', 'openapi: 3.1.0', 1)|progenitor only reads OpenAPI 3.0.x"
    "s.replace('      operationId: listAPITokens\n', '', 1)|/v1/auth/api-tokens has no operationId"
    "s.replace('      responses:\n', '      responses:\n        default:\n          description: anything\n', 1)|declares a \`default\` response"
    "s.replace('      x-turso-retry: repeatable\n', '', 1)|listAPITokens has no x-turso-retry"
)
for case in "${cases[@]}"; do
    edit="${case%%|*}"
    expected="${case#*|}"
    python3 - "$PWD/openapi.yaml" "$copy/openapi.yaml" "$edit" <<'PY'
import sys
source, target, edit = sys.argv[1:]
s = open(source).read()
broken = eval(edit, {"s": s})
assert broken != s, f"the edit {edit!r} changed nothing"
open(target, "w").write(broken)
PY
    if output="$(cd "$copy" && CARGO_TARGET_DIR="$target_dir" cargo build --quiet 2>&1)"; then
        echo "broken-spec.sh: the build succeeded with a broken spec ($edit)" >&2
        exit 1
    fi
    if ! grep -qF -- "$expected" <<<"$output"; then
        echo "broken-spec.sh: the build failed without saying \"$expected\":" >&2
        echo "$output" >&2
        exit 1
    fi
    echo "refused, saying: $(grep -F -- "$expected" <<<"$output" | head -1 | sed 's/^ *//')"
done
