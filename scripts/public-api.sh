#!/usr/bin/env bash
# Checks that the public API of each crate has not changed by accident: rustdoc's JSON of
# the crate (all features), reduced by scripts/public-api.py to one line per public item,
# compared with the committed snapshot (public-api.txt for the client,
# fake/public-api.txt for the fake).
#
#   scripts/public-api.sh           compare; fails and shows the differences if any
#   scripts/public-api.sh --update  rewrite the snapshots after a change made on purpose
#
# rustdoc's JSON output is unstable: RUSTC_BOOTSTRAP=1 lets the stable toolchain write it.
# Its format follows the toolchain; the reducer is written for format 57 (Rust 1.95).
set -euo pipefail
cd "$(dirname "$0")/.."
doc_dir=$(cargo metadata --format-version 1 --no-deps \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/doc
current=$(mktemp)
trap 'rm -f "$current"' EXIT
status=0
for crate in turso-platform:turso_platform:public-api.txt \
             turso-platform-fake:turso_platform_fake:fake/public-api.txt; do
  IFS=: read -r package lib snapshot <<<"$crate"
  RUSTC_BOOTSTRAP=1 cargo rustdoc --quiet -p "$package" --lib --all-features -- \
    -Z unstable-options --output-format json
  python3 scripts/public-api.py "$doc_dir/$lib.json" > "$current"
  if [ "${1:-}" = --update ]; then
    cp "$current" "$snapshot"
    echo "$snapshot updated ($(wc -l < "$snapshot") lines)"
  elif ! diff -u "$snapshot" "$current"; then
    echo
    echo "The public API of $package differs from $snapshot (above: - committed, + now)."
    echo "If the change is intended, run scripts/public-api.sh --update and commit the result."
    status=1
  else
    echo "The public API of $package matches $snapshot ($(wc -l < "$snapshot") lines)."
  fi
done
exit $status
