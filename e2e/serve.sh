#!/usr/bin/env bash
# Starts the release server on a fresh data dir with the demo team, for the browser tests.
set -euo pipefail
BIN="${PETPIXEL_BIN:-${CARGO_TARGET_DIR:-$(dirname "$0")/../target}/release/petpixel}"
DATA="$(mktemp -d -t petpixel-e2e-XXXXXX)"
# Private addresses allowed: the webhook tests register a receiver on 127.0.0.1.
export PETPIXEL_DATA_DIR="$DATA" PETPIXEL_BIND="127.0.0.1:${E2E_PORT:-3077}" RUST_LOG="${RUST_LOG:-warn}" PETPIXEL_WEBHOOK_ALLOW_PRIVATE=true
"$BIN" seed-demo > /dev/null
exec "$BIN" serve
