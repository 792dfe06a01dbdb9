#!/usr/bin/env bash
# A studio's day at ten times the seed's team, on the production topology, measured from outside:
#
#   scripts/load/studio.sh [members, default 500] [seconds, default 300]
#
# Starts `cargo xtask cluster --replicas 3 --seed-demo` (Debian's nginx in front of three
# `petpixel serve` replicas and a worker, on PostgreSQL, Redis and an s3s-fs of its own, or the S3
# store of S3_ENDPOINT...) on a fresh PostgreSQL database of BENCH_DATABASE_URL's server (default
# postgres://postgres@127.0.0.1:5432), then studio.mjs plays the team through nginx: every member
# with a socket, reading lists, boards and project pages, writing notes and status moves, uploading
# photos and building games, a few seconds apart. Prints the latency table, every unexpected
# answer, the sockets' tally and each replica's memory a minute in and at the end.
# Needs node, nginx, s3s-fs (see the README), psql and redis; installs e2e's node_modules if missing.
set -euo pipefail
cd "$(dirname "$0")/../.."
MEMBERS=${1:-500}
SECONDS_TO_RUN=${2:-300}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/petpixel-target}
command -v node >/dev/null || { echo "node is missing" >&2; exit 1; }
[ -d e2e/node_modules/socket.io-client ] || (cd e2e && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund >/dev/null)

# Every member's socket is a descriptor in nginx, a replica and the Node process.
NEED=$((MEMBERS * 2 + 1024))
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$NEED" ]; then
  ulimit -n "$NEED" || { echo "cannot raise the open-files limit to $NEED (hard limit $(ulimit -Hn))" >&2; exit 1; }
fi

SERVER=${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}
SERVER=${SERVER%/*}
PG_DB="petpixel_studio_load_$$"
psql "$SERVER/postgres" -qc "CREATE DATABASE $PG_DB" >/dev/null
export DATABASE_URL="$SERVER/$PG_DB"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
LOG=$(mktemp)
# The run, its setup included, must outlast no token.
export PETPIXEL_ACCESS_TOKEN_TTL_SECS=7200 RUST_LOG=${RUST_LOG:-warn}
cleanup() {
  [ -n "${CLUSTER_PID:-}" ] && kill -- "-$CLUSTER_PID" 2>/dev/null || true
  sleep 1
  psql "$SERVER/postgres" -qc "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null 2>&1 || true
  rm -f "$LOG"
}
trap cleanup EXIT

# Its own process group, so that stopping it stops nginx, the replicas and the worker.
setsid cargo xtask cluster --replicas 3 --port "$PORT" --seed-demo >"$LOG" 2>&1 &
CLUSTER_PID=$!
for _ in $(seq 1800); do
  grep -q "^PetPixel Studio:" "$LOG" && break
  kill -0 "$CLUSTER_PID" 2>/dev/null || { echo "the cluster did not start:" >&2; cat "$LOG" >&2; exit 1; }
  sleep 1
done
grep -q "^PetPixel Studio:" "$LOG" || { echo "the cluster did not start in 30 minutes" >&2; exit 1; }
REPLICA_PIDS=$(pgrep -f "release/petpixel serve" | tr '\n' ' ')
echo "cluster at $BASE; replicas: $REPLICA_PIDS" >&2

export LOAD_EMAIL=admin@demo.petpixel.example LOAD_PASSWORD=petpixel-demo REPLICA_PIDS
MEMBERS=$MEMBERS DURATION_SECS=$SECONDS_TO_RUN node scripts/load/studio.mjs "$BASE"
