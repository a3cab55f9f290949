# Sourced by the scripts that talk to the standalone fake (spec-tools.sh,
# schemathesis.sh): builds `turso-platform-fake` with the features and target directory
# the README's test command uses (so that, after it, nothing is compiled again), starts
# it on a free port of 127.0.0.1, stops it when the sourcing script exits, and sets
#   fake_base_url  the fake's base URL
#   fake_token     the token of its seeded user
#   fake_dir       a temporary directory, removed on exit (the fake's log is in it)
# Needs cargo and python3.

fake_target_dir="$(cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
cargo test --quiet --workspace --all-features --no-run
fake_dir="$(mktemp -d)"
fake_pid=""
stop_fake() {
    if [[ -n "$fake_pid" ]]; then
        kill "$fake_pid" 2>/dev/null || true
        wait "$fake_pid" 2>/dev/null || true
    fi
    rm -rf "$fake_dir"
}
trap stop_fake EXIT

"$fake_target_dir/debug/turso-platform-fake" --listen 127.0.0.1:0 \
    >"$fake_dir/start.json" 2>"$fake_dir/server.log" &
fake_pid=$!
for _ in $(seq 100); do
    [[ -s "$fake_dir/start.json" ]] && break
    if ! kill -0 "$fake_pid" 2>/dev/null; then
        echo "the fake did not start:" >&2
        cat "$fake_dir/server.log" >&2
        exit 1
    fi
    sleep 0.1
done
read -r fake_base_url fake_token < <(python3 -c '
import json, sys
start = json.loads(open(sys.argv[1]).readline())
print(start["base_url"], start["token"])' "$fake_dir/start.json")
