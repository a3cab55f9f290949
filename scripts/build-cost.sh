#!/usr/bin/env bash
# Build cost of this crate, in two figures (debug profile, this machine's cores):
#   1. edit-to-rebuild: the time from an edit of openapi.yaml to a rebuilt crate;
#   2. downstream: the extra clean-build time of a crate that depends on turso-platform,
#      compared with one that depends on reqwest (same features), serde and serde_json
#      alone.
# Usage: scripts/build-cost.sh [edit|downstream|all]   (default: all)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
what=${1:-all}
work=${BUILD_COST_DIR:-$root/target/build-cost}
mkdir -p "$work"

seconds() { # runs a command quietly, prints its wall time in seconds
  local start end
  start=$(date +%s%N)
  "$@" >"$work/last.log" 2>&1 || { cat "$work/last.log" >&2; return 1; }
  end=$(date +%s%N)
  awk -v ns=$((end - start)) 'BEGIN { printf "%.1f", ns / 1e9 }'
}

if [ "$what" = edit ] || [ "$what" = all ]; then
  cargo build --quiet
  cp openapi.yaml "$work/openapi.yaml.orig"
  trap 'cp "$work/openapi.yaml.orig" "$root/openapi.yaml"' EXIT
  runs=()
  for i in 1 2 3; do
    # A real edit: a new optional property on ApiToken, which changes the generated types.
    python3 - "$i" <<'PY'
import sys
text = open("openapi.yaml").read()
anchor = "    ApiToken:\n      type: object\n      description: A platform API token, without its secret.\n      required: [id, name]\n      properties:\n"
assert anchor in text, "ApiToken moved: update scripts/build-cost.sh"
probe = f"        probe_{sys.argv[1]}:\n          type: string\n          description: A build-cost probe.\n          example: x\n"
open("openapi.yaml", "w").write(text.replace(anchor, anchor + probe))
PY
    runs+=("$(seconds cargo build)")
    cp "$work/openapi.yaml.orig" openapi.yaml
  done
  cargo build --quiet
  trap - EXIT
  echo "edit of openapi.yaml to rebuilt crate (cargo build, 3 runs): ${runs[*]} s"
fi

if [ "$what" = downstream ] || [ "$what" = all ]; then
  reqwest_line='reqwest = { version = "0.13.5", default-features = false, features = ["json", "query", "default-tls"] }'
  for kind in baseline with-turso-platform; do
    dir="$work/$kind"
    rm -rf "$dir"
    mkdir -p "$dir/src"
    {
      printf '[package]\nname = "%s"\nversion = "0.0.0"\nedition = "2024"\n\n[dependencies]\n' "$kind"
      printf '%s\nserde = { version = "1", features = ["derive"] }\nserde_json = "1"\n' "$reqwest_line"
      if [ "$kind" = with-turso-platform ]; then
        printf 'turso-platform = { path = "%s" }\n' "$root"
      fi
      printf '\n[workspace]\n'
    } >"$dir/Cargo.toml"
    echo 'fn main() {}' >"$dir/src/main.rs"
    cp Cargo.lock "$dir/Cargo.lock" # the same dependency versions for both
    (cd "$dir" && cargo fetch --quiet)
  done
  base=$(cd "$work/baseline" && seconds cargo build)
  with=$(cd "$work/with-turso-platform" && seconds cargo build)
  echo "clean build, reqwest + serde + serde_json alone: $base s"
  echo "clean build, the same plus turso-platform:      $with s"
  echo "extra time added by turso-platform:             $(awk -v a="$with" -v b="$base" 'BEGIN { printf "%.1f", a - b }') s"
fi
