#!/usr/bin/env bash
# Sends 10,000 requests with made-up HTTP methods, unauthenticated, to a fresh release server and
# prints /metrics' size and the server's memory before and after (issue 7: both must stay flat).
#
#   scripts/metrics-flood.sh [path to the petpixel binary] [count]
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${1:-${CARGO_TARGET_DIR:-target}/release/petpixel}"
COUNT="${2:-10000}"
PORT="${FLOOD_PORT:-3093}"
DATA="$(mktemp -d -t petpixel-flood-XXXXXX)"
export PETPIXEL_DATA_DIR="$DATA" PETPIXEL_BIND="127.0.0.1:$PORT" RUST_LOG=warn
"$BIN" create-admin --email flood@petpixel.example --password 'flooding the metrics' >/dev/null
"$BIN" serve >"$DATA/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$PORT/api/health" >/dev/null && break; sleep 0.2; done
TOKEN=$(curl -fs "http://127.0.0.1:$PORT/api/v1/auth/login" -H 'content-type: application/json' \
  -d '{"email":"flood@petpixel.example","password":"flooding the metrics"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
measure() {
  local text rss
  text=$(curl -fs "http://127.0.0.1:$PORT/metrics" -H "authorization: Bearer $TOKEN")
  rss=$(awk '/VmRSS/ { print $2 }' "/proc/$SERVER/status")
  echo "$1: /metrics $(printf '%s' "$text" | wc -c) bytes in $(printf '%s\n' "$text" | grep -vc '^#') series lines, server RSS $((rss / 1024)) MiB"
}
# Warm up with the same kind of traffic, so the allocator's first growth is not counted.
python3 - "$PORT" 500 <<'PY'
import http.client, sys
port, count = int(sys.argv[1]), int(sys.argv[2])
conn = http.client.HTTPConnection("127.0.0.1", port)
for i in range(count):
    conn.request(f"WARM{i}", "/api/v1/projects")
    conn.getresponse().read()
PY
# Reading /metrics counts a series of its own: read it once so that the comparison is like for like.
measure "warm-up" >/dev/null
measure "before"
python3 - "$PORT" "$COUNT" <<'PY'
import http.client, sys
port, count = int(sys.argv[1]), int(sys.argv[2])
conn = http.client.HTTPConnection("127.0.0.1", port)
statuses = {}
for i in range(count):
    conn.request(f"PPFLOOD{i:06d}X{'A' * 40}", "/api/v1/projects")
    r = conn.getresponse(); r.read()
    statuses[r.status] = statuses.get(r.status, 0) + 1
print(f"sent {count} made-up methods: statuses {statuses}")
PY
measure "after"
if curl -fs "http://127.0.0.1:$PORT/metrics" -H "authorization: Bearer $TOKEN" | grep -q PPFLOOD; then
  echo "a made-up method reached /metrics"; exit 1
fi
