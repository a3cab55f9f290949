#!/usr/bin/env bash
# Runs the README's examples against the fake, each within a time limit, and the quick
# start against the standalone fake as if it were the real API (`TURSO_API_TOKEN` set),
# through a recording proxy: without `--write` it must only read (send only GETs).
# Runs the example binaries the README's test command builds (`cargo test --workspace
# --all-features` builds every example), so that nothing is compiled again.
#
#   scripts/examples.sh
set -euo pipefail
cd "$(dirname "$0")/.."

target_dir="$(cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
cargo build --quiet --workspace --all-features --examples
examples="$target_dir/debug/examples"

for example in quickstart provision_tenant tenant_tokens multi_tenant; do
    echo "== $example"
    timeout 120 "$examples/$example" >/dev/null
done

echo "== quickstart with TURSO_API_TOKEN: reads only"
source scripts/start-fake.sh
methods="$fake_dir/methods.txt"
python3 - "$fake_base_url" "$methods" >"$fake_dir/proxy.txt" 2>"$fake_dir/proxy.log" <<'PY' &
import http.server, sys, urllib.error, urllib.request

upstream, record = sys.argv[1], sys.argv[2]

class Proxy(http.server.BaseHTTPRequestHandler):
    def forward(self):
        with open(record, "a") as out:
            out.write(f"{self.command} {self.path}\n")
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
        request = urllib.request.Request(upstream + self.path, data=body, headers=headers,
                                         method=self.command)
        try:
            answer = urllib.request.urlopen(request, timeout=10)
        except urllib.error.HTTPError as error:
            answer = error
        data = answer.read()
        self.send_response(answer.status)
        for key, value in answer.headers.items():
            if key.lower() not in ("content-length", "connection", "transfer-encoding", "date", "server"):
                self.send_header(key, value)
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = forward

    def log_message(self, *args):
        pass

server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
print(f"http://127.0.0.1:{server.server_address[1]}", flush=True)
server.serve_forever()
PY
proxy_pid=$!
trap 'kill $proxy_pid 2>/dev/null || true; stop_fake' EXIT
for _ in $(seq 100); do
    [[ -s "$fake_dir/proxy.txt" ]] && break
    sleep 0.1
done
proxy_url="$(head -1 "$fake_dir/proxy.txt")"
TURSO_API_TOKEN="$fake_token" TURSO_API_BASEURL="$proxy_url" \
    timeout 120 "$examples/quickstart" >/dev/null
if [[ ! -s "$methods" ]]; then
    echo "examples.sh: the quick start sent nothing" >&2
    exit 1
fi
if grep -v '^GET ' "$methods"; then
    echo "examples.sh: the quick start without --write sent the requests above" >&2
    exit 1
fi
echo "read only: $(wc -l <"$methods") GET requests, nothing else"
