#!/usr/bin/env bash
# Schema-driven fuzzing of the API: schemathesis generates requests from the served OpenAPI
# document and fails on any 5xx, any status or content type the document does not list, any
# answer that does not match its schema, and schema-valid data the server refuses.
#
#   scripts/fuzz-api.sh [path to the petpixel binary]    (FUZZ_MAX_EXAMPLES, default 40 per operation)
#
# Runs its own server on a fresh SQLite data dir, as an admin. Logout is left out: it would end
# the fuzzer's own session.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${1:-${CARGO_TARGET_DIR:-target}/debug/petpixel}"
PORT="${FUZZ_PORT:-3091}"
DATA="$(mktemp -d -t petpixel-fuzz-XXXXXX)"
# Pinned: a fuzzer's generators change between releases, and CI must be repeatable.
ST_VERSION=4.32.5
VENV="${PETPIXEL_FUZZ_VENV:-$HOME/.cache/petpixel-fuzz-venv}"
if [ "$("$VENV/bin/schemathesis" --version 2>/dev/null)" != "schemathesis, version $ST_VERSION" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q "schemathesis==$ST_VERSION"
fi

export PETPIXEL_DATA_DIR="$DATA" PETPIXEL_BIND="127.0.0.1:$PORT" RUST_LOG="${RUST_LOG:-warn}"
# One fuzzer, one address: its made-up logins must not lock it out of the rest of the run.
export PETPIXEL_LOGIN_MAX_FAILURES_PER_CLIENT=0 PETPIXEL_ACCESS_TOKEN_TTL_SECS=7200
ADMIN_EMAIL="fuzz-admin@petpixel.example" ADMIN_PASSWORD="fuzzing all the endpoints"
"$BIN" create-admin --email "$ADMIN_EMAIL" --password "$ADMIN_PASSWORD" >/dev/null
"$BIN" serve >"$DATA/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$PORT/api/health" >/dev/null && break; sleep 0.2; done

TOKEN=$(curl -fs "http://127.0.0.1:$PORT/api/v1/auth/login" -H 'content-type: application/json' \
  -d "{\"email\":\"$ADMIN_EMAIL\",\"password\":\"$ADMIN_PASSWORD\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')

# The served document, less `Idempotency-Key`: generated keys repeat across different requests
# (hypothesis favours short values), and a key reused for another request is rightly a 422; its
# behaviour has tests of its own (tests/api/idempotency.rs).
curl -fs "http://127.0.0.1:$PORT/api/openapi.json" | python3 -c '
import json, sys
doc = json.load(sys.stdin)
for item in doc["paths"].values():
    for op in item.values():
        if isinstance(op, dict) and "parameters" in op:
            op["parameters"] = [p for p in op["parameters"] if p.get("name") != "Idempotency-Key"]
json.dump(doc, sys.stdout)
' >"$DATA/openapi.json"

status=0
# One worker: with two threads, hypothesis' ast.parse of its own lambdas races inside CPython 3.11
# ("SystemError: AST constructor recursion depth mismatch", a crash of the fuzzer, not a finding).
"$VENV/bin/schemathesis" --config-file scripts/schemathesis.toml run "$DATA/openapi.json" --url "http://127.0.0.1:$PORT" \
  --header "Authorization: Bearer $TOKEN" \
  --exclude-path /api/v1/auth/logout \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,positive_data_acceptance \
  --max-examples "${FUZZ_MAX_EXAMPLES:-40}" \
  --phases examples,coverage,fuzzing \
  --workers 1 \
  --seed "${FUZZ_SEED:-7}" \
  --suppress-health-check all \
  --no-color || status=$?
if grep -q "panicked\|request failed" "$DATA/server.log"; then
  echo "the server logged errors:"; grep "panicked\|request failed" "$DATA/server.log" | head -20
  status=1
fi
exit "$status"
