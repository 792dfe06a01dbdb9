#!/usr/bin/env bash
# A customer's game address under load, measured from outside:
#
#   scripts/load/games.sh [seconds per run, default 20]
#
# Builds the release binary (and the games), seeds the demo on a fresh SQLite file, puts a runner
# live at a generated address through the API (game_setup.py), then runs wrk (Debian's package)
# on the same 2-core machine against `GET /g/<slug>` at 256 connections: with views counted, and
# with counting off (PETPIXEL_COUNT_VIEWS=false), plus the game's WASM file. Then it checks that
# every counted view reached the database after a graceful shutdown. Prints a table.
# Needs wrk, curl and python3.
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_PER_RUN=${1:-20}
CONNECTIONS=${CONNECTIONS:-256}
RATE=${RATE:-20000}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/petpixel-target}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }

cargo xtask build-games >/dev/null
cargo build --release --quiet -p petpixel-server --bin petpixel
LOAD=$(cargo bench --quiet -p petpixel-server --bench game_load --no-run --message-format=json 2>/dev/null \
  | python3 -c 'import json,sys; print([m["executable"] for m in map(json.loads, sys.stdin) if m.get("executable") and "game_load" in m["executable"]][0])')
BIN="$CARGO_TARGET_DIR/release/petpixel"
WORK=$(mktemp -d)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
export PETPIXEL_DATA_DIR="$WORK/data" PETPIXEL_BIND="127.0.0.1:$PORT" PETPIXEL_ACCESS_TOKEN_TTL_SECS=7200 RUST_LOG=warn
cleanup() {
  [ -n "${SERVER_PID:-}" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

start() {
  "$BIN" serve >>"$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 100); do curl -fs "$BASE/api/health" >/dev/null && return; sleep 0.1; done
  echo "the server did not start" >&2; cat "$WORK/server.log" >&2; exit 1
}
stop() {
  kill -TERM "$SERVER_PID"; wait "$SERVER_PID" || true; SERVER_PID=""
}

"$BIN" seed-demo >/dev/null
start
mapfile -t LIVE < <(python3 scripts/load/game_setup.py "$BASE" admin@demo.petpixel.example petpixel-demo)
SLUG_PATH=${LIVE[0]}; URL_ID=${LIVE[1]}; TOKEN=${LIVE[2]}
WASM=$(curl -fs "$BASE$SLUG_PATH" | grep -o 'href="[^"]*\.wasm"' | head -1 | sed 's/href="\.\///; s/"$//')
BUILD_BASE=$(curl -fs "$BASE$SLUG_PATH" | grep -o '<base href="[^"]*"' | sed 's/<base href="//; s/"$//')

# paced NAME PATH: the open-loop generator at RATE requests/s (latency from when each was due).
paced() {
  local name=$1 path=$2 out
  read -r sent ok rate p50 p90 p99 p999 max < <("$LOAD" "$BASE$path" "$RATE" "$CONNECTIONS" "$SECONDS_PER_RUN")
  printf '| %-38s | %3s | %9s | %6s ms | %6s ms | %s ms (p99.9 %s, max %s) | %s of %s 2xx |\n' "$name" "$CONNECTIONS" "$rate" "$p50" "$p90" "$p99" "$p999" "$max" "$ok" "$sent"
}

run() {
  local name=$1 path=$2 out rps p50 p99 errors
  out=$(wrk -t2 "-c$CONNECTIONS" "-d${SECONDS_PER_RUN}s" --latency "$BASE$path")
  rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  errors=$(awk '/Non-2xx/ {print $4}' <<<"$out")
  REQUESTS=$(awk '/requests in/ {print $1}' <<<"$out")
  printf '| %-38s | %3s | %9s | %8s | %8s | %s\n' "$name" "$CONNECTIONS" "$rps" "$p50" "$p99" "${errors:-0} non-2xx |"
}

curl -fs "$BASE$SLUG_PATH" >/dev/null
echo "| request | connections | req/s | p50 | p99 | errors |"
echo "|---|---|---|---|---|---|"
run "GET $SLUG_PATH (views counted)" "$SLUG_PATH"
COUNTED=$REQUESTS
run "GET the game's WASM (not a view)" "$BUILD_BASE$WASM"
echo
echo "At a steady $RATE requests/s (open loop):"
echo "| request | connections | req/s | p50 | p90 | p99 | answers |"
echo "|---|---|---|---|---|---|---|"
paced "GET $SLUG_PATH (views counted)" "$SLUG_PATH"
PACED=$sent
# A graceful stop writes the views still in memory.
stop
VIEWS=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT view_count FROM game_urls WHERE url_slug = ?', (sys.argv[2],)).fetchone()[0])" "$PETPIXEL_DATA_DIR/petpixel.db" "${SLUG_PATH#/g/}")
PETPIXEL_COUNT_VIEWS=false start
curl -fs "$BASE$SLUG_PATH" >/dev/null
paced "GET $SLUG_PATH (counting off)" "$SLUG_PATH"
echo
echo "| request | connections | req/s | p50 | p99 | errors |"
echo "|---|---|---|---|---|---|"
run "GET $SLUG_PATH (counting off)" "$SLUG_PATH"
echo "(views in the database after a graceful stop: $VIEWS; wrk completed $COUNTED and the steady run sent $PACED, plus 2 warm-up views;"
echo " wrk does not count the requests still in flight, at most $CONNECTIONS, when it stops)"
