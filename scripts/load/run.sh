#!/usr/bin/env bash
# The API's speed as a user gets it, measured from outside:
#
#   scripts/load/run.sh [sqlite|postgres] [more wrk scenarios' seconds, default 20]
#
# Builds the release binary, starts `petpixel serve` on a fresh SQLite file (or a fresh database
# on the PostgreSQL of BENCH_DATABASE_URL's server, default postgres://postgres@127.0.0.1:5432),
# makes 10,000 projects through the API and moves half of them to in_progress (seed.py), then
# runs wrk (Debian's package) on the same machine: the counted list page and get-by-id at 64 and
# 16 connections, the bare /api/health of the same process for comparison, varied pages of the list
# (pages.lua: any status, sort and offset up to 4,000; from cold, then warm), and the list page and
# the varied pages again while projects change 10 times a second (churn.py). Prints a table.
# Needs wrk, curl and python3. PROJECTS=N changes the number of projects; PETPIXEL_CACHE_TTL_SECS=0
# measures with the server's caches off. ENCODING='br, gzip' sends that Accept-Encoding with every
# request, as a browser does (the list page is then compressed on the fly; get-by-id is under 1 KB).
# PETPIXEL_BIN=path/to/petpixel skips the build.
set -euo pipefail
cd "$(dirname "$0")/../.."
DB=${1:-sqlite}
SECONDS_PER_RUN=${2:-20}
PROJECTS=${PROJECTS:-10000}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/petpixel-target}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }

if [ -n "${PETPIXEL_BIN:-}" ]; then
  BIN=$PETPIXEL_BIN
else
  cargo build --release --quiet --locked -p petpixel-server --bin petpixel
  BIN="$CARGO_TARGET_DIR/release/petpixel"
fi
WORK=$(mktemp -d)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export PETPIXEL_DATA_DIR="$WORK/data" PETPIXEL_BIND="127.0.0.1:$PORT" PETPIXEL_ACCESS_TOKEN_TTL_SECS=7200
PG_DB=""
if [ "$DB" = postgres ]; then
  SERVER=${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}
  SERVER=${SERVER%/*}
  PG_DB="petpixel_load_$$"
  psql "$SERVER/postgres" -qc "CREATE DATABASE $PG_DB" >/dev/null
  export DATABASE_URL="$SERVER/$PG_DB"
fi
cleanup() {
  [ -n "${SERVER_PID:-}" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
  [ -n "$PG_DB" ] && psql "$SERVER/postgres" -qc "DROP DATABASE IF EXISTS $PG_DB" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

PASSWORD='load test password 1'
"$BIN" create-admin --email load@example.com --password "$PASSWORD" >/dev/null
"$BIN" serve >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$PORT/api/health" >/dev/null && break; sleep 0.1; done

mapfile -t SEEDED < <(python3 scripts/load/seed.py "http://127.0.0.1:$PORT" load@example.com "$PASSWORD" "$PROJECTS")
TOKEN=${SEEDED[0]}
PROJECT=${SEEDED[1]}
BASE="http://127.0.0.1:$PORT"

# run NAME CONNECTIONS PATH [auth [script]]: one wrk run; prints a table row.
run() {
  local name=$1 connections=$2 path=$3 auth=${4:-yes} script=${5:-} out rps p50 p99 errors
  local args=(-t2 "-c$connections" "-d${SECONDS_PER_RUN}s" --latency)
  [ -n "$script" ] && args+=(-s "$script")
  [ "$auth" = yes ] && args+=(-H "Authorization: Bearer $TOKEN")
  [ -n "${ENCODING:-}" ] && args+=(-H "Accept-Encoding: $ENCODING")
  out=$(wrk "${args[@]}" "$BASE$path")
  rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  errors=$(awk '/Non-2xx/ {print $4}' <<<"$out")
  printf '| %-8s | %-34s | %3s | %9s | %8s | %8s | %s\n' "$DB" "$name" "$connections" "$rps" "$p50" "$p99" "${errors:-0} non-2xx |"
}

curl -fs -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/projects?status=in_progress&limit=20&offset=20" >/dev/null
echo "| database | request | connections | req/s | p50 | p99 | errors |"
echo "|---|---|---|---|---|---|---|"
LIST="/api/v1/projects?status=in_progress&limit=20&offset=20"
run "GET /projects (in_progress, page 2)" 64 "$LIST"
run "GET /projects (in_progress, page 2)" 16 "$LIST"
run "GET /projects/{id}" 64 "/api/v1/projects/$PROJECT"
run "GET /projects/{id}" 16 "/api/v1/projects/$PROJECT"
run "GET /api/health" 64 "/api/health" no
# Varied pages: a status or none, any sort either way, offsets up to 4,000 (scripts/load/pages.lua).
# The first run starts with nothing kept (each order and row read once as it is first asked for);
# the second finds what the first kept.
run "GET /projects, varied pages, from cold" 64 "/" yes scripts/load/pages.lua
run "GET /projects, varied pages" 64 "/" yes scripts/load/pages.lua
run "GET /projects, varied pages" 16 "/" yes scripts/load/pages.lua
# The same lists while the team changes 10 projects a second (each change forgets every order and
# total, and the changed project's row).
for what in "page 2" "varied pages"; do
  python3 scripts/load/churn.py "$BASE" "$TOKEN" 10 "$SECONDS_PER_RUN" >"$WORK/churn.out" &
  CHURN=$!
  if [ "$what" = "page 2" ]; then
    run "GET /projects, 10 changes/s meanwhile" 64 "$LIST"
  else
    run "GET /projects, varied, 10 changes/s" 64 "/" yes scripts/load/pages.lua
  fi
  wait "$CHURN"
  echo "(changes made meanwhile: $(cat "$WORK/churn.out"))"
done
