#!/usr/bin/env bash
# Checks that the public API has not changed by accident: rustdoc's JSON of the crate
# (all features), reduced by scripts/public-api.py to one line per public item, compared
# with the committed public-api.txt.
#
#   scripts/public-api.sh           compare; fails and shows the difference if any
#   scripts/public-api.sh --update  rewrite public-api.txt after a change made on purpose
#
# rustdoc's JSON output is unstable: RUSTC_BOOTSTRAP=1 lets the stable toolchain write it.
# Its format follows the toolchain; the reducer is written for format 57 (Rust 1.95).
set -euo pipefail
cd "$(dirname "$0")/.."
RUSTC_BOOTSTRAP=1 cargo rustdoc --quiet --lib --all-features -- \
  -Z unstable-options --output-format json
json=$(cargo metadata --format-version 1 --no-deps \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/doc/turso_platform.json
current=$(mktemp)
trap 'rm -f "$current"' EXIT
python3 scripts/public-api.py "$json" > "$current"
if [ "${1:-}" = --update ]; then
  cp "$current" public-api.txt
  echo "public-api.txt updated ($(wc -l < public-api.txt) lines)"
elif ! diff -u public-api.txt "$current"; then
  echo
  echo "The public API differs from public-api.txt (above: - committed, + now)."
  echo "If the change is intended, run scripts/public-api.sh --update and commit the result."
  exit 1
else
  echo "The public API matches public-api.txt ($(wc -l < public-api.txt) lines)."
fi
