#!/usr/bin/env bash
# The realtime hub under load, measured from outside:
#
#   scripts/load/realtime.sh [clients, default 1000] [of them in one project's room, default 200] [status changes, default 200]
#
# Builds the release binary, starts `petpixel serve` on a fresh SQLite file and creates an admin;
# then realtime.mjs makes 20 team members and a project through the API, connects the clients
# with the official socket.io-client (Node, on the same 2-core machine), subscribes the room's
# share to the project, and changes the project's status (review <-> in_progress, one per
# 50 ms). Prints the time from each change's commit to its `project:updated` at every socket
# (p50/p90/p99/max, for the room and for everyone, with any missing deliveries) and the server's
# resident memory per connection.
# Needs node and curl and python3; installs e2e's node_modules if they are missing.
# PETPIXEL_BIN=path/to/petpixel skips the build. USERS (20), INTERVAL_MS (50) and OTHER_PROCS (1,
# Node processes for the sockets outside the room) tune the run.
set -euo pipefail
cd "$(dirname "$0")/../.."
CLIENTS=${1:-1000}
ROOM_CLIENTS=${2:-200}
CHANGES=${3:-200}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/petpixel-target}
command -v node >/dev/null || { echo "node is missing" >&2; exit 1; }

if [ -n "${PETPIXEL_BIN:-}" ]; then
  BIN=$PETPIXEL_BIN
else
  cargo build --release --quiet --locked -p petpixel-server --bin petpixel
  BIN="$CARGO_TARGET_DIR/release/petpixel"
fi
[ -d e2e/node_modules/socket.io-client ] || (cd e2e && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund >/dev/null)

# Every socket is a file descriptor in the server and in a Node process (and the server inherits
# this shell's limit): room for all of them plus the usual 1,024.
NEED=$((CLIENTS + 1024))
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$NEED" ]; then
  ulimit -n "$NEED" || { echo "cannot raise the open-files limit to $NEED (hard limit $(ulimit -Hn))" >&2; exit 1; }
fi

WORK=$(mktemp -d)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
export DATABASE_URL="sqlite://$WORK/petpixel.db?mode=rwc" PETPIXEL_DATA_DIR="$WORK/data" PETPIXEL_BIND="127.0.0.1:$PORT"
export PETPIXEL_JWT_SECRET="realtime-load-secret-$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
# The run, its setup included, must outlast no token.
export PETPIXEL_ACCESS_TOKEN_TTL_SECS=7200 RUST_LOG=warn
cleanup() {
  [ -n "${SERVER_PID:-}" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

export LOAD_EMAIL=load@example.com LOAD_PASSWORD='load test password 1'
"$BIN" create-admin --email "$LOAD_EMAIL" --password "$LOAD_PASSWORD" >/dev/null
"$BIN" serve >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 100); do curl -fs "$BASE/api/health" >/dev/null && break; sleep 0.1; done
curl -fs "$BASE/api/health" >/dev/null || { echo "the server did not start" >&2; cat "$WORK/server.log" >&2; exit 1; }

# The Node script reads the server's memory through /proc/$SERVER_PID, so it must be the binary
# itself (it is: started directly, not through a subshell). Exit 2 means deliveries went missing.
STATUS=0
node scripts/load/realtime.mjs "$BASE" "$SERVER_PID" "$CLIENTS" "$ROOM_CLIENTS" "$CHANGES" || STATUS=$?
# The hub warns when it falls behind the event bus (and tells the clients to refetch).
WARNINGS=$(grep -c 'WARN' "$WORK/server.log" || true)
if [ "$WARNINGS" -gt 0 ]; then
  echo "The server logged $WARNINGS warnings; the first few:"
  grep 'WARN' "$WORK/server.log" | head -5
fi
exit "$STATUS"
