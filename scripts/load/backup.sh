#!/usr/bin/env bash
# How long backups take and how big they are, on the release binary, for the README:
#
#   scripts/load/backup.sh [sqlite|postgres] [projects, default 10000] [MB of files, default 1000]
#   scripts/load/backup.sh [sqlite|postgres] demo
#
# Starts `petpixel serve` on a fresh database (SQLite in a file, or a fresh database on
# BENCH_DATABASE_URL's PostgreSQL), makes the projects through the API (seed.py) and puts files of
# random bytes (as incompressible as photos) in the folder store, then, with the server running:
# `petpixel backup`, `petpixel backup --verify`, and `petpixel restore` into a fresh database and
# folder; prints the time of each and the archive's size. `demo` backs up `petpixel seed-demo`'s
# studio instead (its pictures and sounds processed first). PETPIXEL_BIN=path skips the build.
set -euo pipefail
cd "$(dirname "$0")/../.."
DB=${1:-sqlite}
PROJECTS=${2:-10000}
MEGABYTES=${3:-1000}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/petpixel-target}
if [ -n "${PETPIXEL_BIN:-}" ]; then
  BIN=$PETPIXEL_BIN
else
  cargo build --release --quiet --locked -p petpixel-server --bin petpixel
  BIN="$CARGO_TARGET_DIR/release/petpixel"
fi
WORK=$(mktemp -d)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export PETPIXEL_DATA_DIR="$WORK/data" PETPIXEL_BIND="127.0.0.1:$PORT" PETPIXEL_JWT_SECRET="backup-bench-secret-backup-bench-secret"
SERVER=${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}
SERVER=${SERVER%/*}
# fresh_database DIR: a new database's URL (called in $(...): the names made go to a file).
fresh_database() {
  if [ "$DB" = postgres ]; then
    local name="petpixel_backup_$$_$(date +%s%N)"
    psql "$SERVER/postgres" -qc "CREATE DATABASE $name" >/dev/null
    echo "$name" >>"$WORK/databases"
    echo "$SERVER/$name"
  else
    echo "sqlite://$1/petpixel.db?mode=rwc"
  fi
}
cleanup() {
  [ -n "${SERVER_PID:-}" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
  if [ -f "$WORK/databases" ]; then
    while read -r name; do psql "$SERVER/postgres" -qc "DROP DATABASE IF EXISTS $name" >/dev/null 2>&1 || true; done <"$WORK/databases"
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

mkdir -p "$PETPIXEL_DATA_DIR"
export DATABASE_URL
DATABASE_URL=$(fresh_database "$PETPIXEL_DATA_DIR")
PASSWORD='backup bench password 1'
[ "$PROJECTS" = demo ] || "$BIN" create-admin --email bench@example.com --password "$PASSWORD" >/dev/null
"$BIN" serve >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$PORT/api/health" >/dev/null && break; sleep 0.1; done
if [ "$PROJECTS" = demo ]; then
  MEGABYTES=$(
    "$BIN" seed-demo >/dev/null
    # The server's worker processes the demo's uploads: wait until no job is left.
    for _ in $(seq 120); do
      case "$DATABASE_URL" in
        sqlite*) left=$(sqlite3 "$PETPIXEL_DATA_DIR/petpixel.db" "SELECT COUNT(*) FROM jobs WHERE status IN ('pending','running')" 2>/dev/null || echo 0) ;;
        *) left=$(psql "$DATABASE_URL" -tAc "SELECT COUNT(*) FROM jobs WHERE status IN ('pending','running')") ;;
      esac
      [ "$left" = 0 ] && break
      sleep 1
    done
    du -sm "$PETPIXEL_DATA_DIR/files" | cut -f1
  )
else
  python3 scripts/load/seed.py "http://127.0.0.1:$PORT" bench@example.com "$PASSWORD" "$PROJECTS" >/dev/null
  # Files: 10 MB each, in the store's own layout (the content type in its sidecar).
  FILES="$PETPIXEL_DATA_DIR/files/projects/bench"
  mkdir -p "$FILES"
  for n in $(seq 1 $((MEGABYTES / 10))); do
    head -c 10485760 /dev/urandom >"$FILES/photo-$n.jpg"
    printf 'image/jpeg' >"$FILES/photo-$n.jpg.content-type"
  done
fi

seconds() { python3 -c 'import sys,time; print(f"{time.time()-float(sys.argv[1]):.1f}")' "$1"; }
T=$(date +%s.%N)
"$BIN" backup --to "$WORK/archives" | tee "$WORK/backup.out"
BACKUP_S=$(seconds "$T")
ARCHIVE=$(ls "$WORK"/archives/petpixel-backup-*)
SIZE=$(du -m "$ARCHIVE" | cut -f1)
T=$(date +%s.%N)
"$BIN" backup --verify "$ARCHIVE"
VERIFY_S=$(seconds "$T")
kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""

mkdir -p "$WORK/restored"
T=$(date +%s.%N)
PETPIXEL_DATA_DIR="$WORK/restored" DATABASE_URL=$(fresh_database "$WORK/restored") "$BIN" restore "$ARCHIVE"
RESTORE_S=$(seconds "$T")
# From SQLite: `migrate-data` into a fresh PostgreSQL database and, where s3s-fs is installed, an
# S3 bucket: the downtime a studio moving to PostgreSQL and S3 needs.
MIGRATE_S="-"
if [ "$DB" = sqlite ]; then
  TARGET=$(DB=postgres fresh_database "")
  S3_ARGS=()
  if command -v s3s-fs >/dev/null; then
    S3_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    mkdir -p "$WORK/s3/petpixel"
    s3s-fs --host 127.0.0.1 --port "$S3_PORT" --access-key bench --secret-key bench-secret "$WORK/s3" >"$WORK/s3.log" 2>&1 &
    S3_PID=$!
    for _ in $(seq 50); do (echo >"/dev/tcp/127.0.0.1/$S3_PORT") 2>/dev/null && break; sleep 0.1; done
    export S3_BUCKET=petpixel S3_ENDPOINT="http://127.0.0.1:$S3_PORT" S3_ACCESS_KEY_ID=bench S3_SECRET_ACCESS_KEY=bench-secret
    S3_ARGS=(--to-s3)
  fi
  T=$(date +%s.%N)
  "$BIN" migrate-data --to "$TARGET" "${S3_ARGS[@]}"
  MIGRATE_S="$(seconds "$T") s"
  [ -n "${S3_PID:-}" ] && kill "$S3_PID"
  unset S3_BUCKET
fi
printf '\n| engine | projects | files | archive | backup (server running) | verify | restore | migrate-data to PostgreSQL%s |\n|---|---|---|---|---|---|---|---|\n' "${S3_ARGS:+ and S3}"
printf '| %s | %s | %s MB | %s MB | %s s | %s s | %s s | %s |\n' "$DB" "$PROJECTS" "$MEGABYTES" "$SIZE" "$BACKUP_S" "$VERIFY_S" "$RESTORE_S" "$MIGRATE_S"
