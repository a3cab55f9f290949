#!/usr/bin/env bash
# The per-call cost of a token list and a database token mint, counted in instructions (valgrind's callgrind):
# this crate's Client and the generated client against a hand-written reqwest call
# sending the same request to the same loopback server (benches/per_call.rs). Each side
# runs N and 2N calls; the difference over N is the cost of one call, set-up excluded.
#
#   scripts/per-call-instructions.sh [N]      # N = 1000 by default (64 in flight: N / 50 rounds)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "per-call-instructions.sh: needs valgrind" >&2; exit 1; }
n="${1:-1000}"
cargo build --quiet --release -p turso-platform-benches --bin per_call
binary=target/release/per_call
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

# Instructions of one call of `side`, which runs `calls` calls per round.
per_call() {
    local side=$1 rounds=$2 calls=$3 once twice
    once=$(valgrind --tool=callgrind --callgrind-out-file="$out/a" "$binary" "$side" "$rounds" 2>&1 |
        awk '/Collected/ {print $4}')
    twice=$(valgrind --tool=callgrind --callgrind-out-file="$out/b" "$binary" "$side" $((2 * rounds)) 2>&1 |
        awk '/Collected/ {print $4}')
    echo $(((twice - once) / rounds / calls))
}

plain=$(per_call plain "$n" 1)
generated=$(per_call generated "$n" 1)
ours=$(per_call ours "$n" 1)
plain64=$(per_call plain64 $((n / 50)) 64)
ours64=$(per_call ours64 $((n / 50)) 64)
mint_plain=$(per_call mint-plain "$n" 1)
mint_generated=$(per_call mint-generated "$n" 1)
mint_ours=$(per_call mint-ours "$n" 1)
python3 - "$plain" "$generated" "$ours" "$plain64" "$ours64" \
    "$mint_plain" "$mint_generated" "$mint_ours" <<'PY'
import sys
plain, generated, ours, plain64, ours64, mint_plain, mint_generated, mint_ours = map(int, sys.argv[1:])
print(f"instructions per list_api_tokens call (server included):")
print(f"  plain reqwest {plain:>7}   generated {generated:>7} ({generated / plain:.3f})   Client {ours:>7} ({ours / plain:.3f})")
print(f"  64 in flight: plain reqwest {plain64:>7}   Client {ours64:>7} ({ours64 / plain64:.3f})")
print(f"instructions per create_database_token call (server included):")
print(f"  plain reqwest {mint_plain:>7}   generated {mint_generated:>7} ({mint_generated / mint_plain:.3f})   Client {mint_ours:>7} ({mint_ours / mint_plain:.3f})")
PY
"$binary" sizes 0
