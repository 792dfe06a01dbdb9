#!/usr/bin/env bash
# A first session with the API, as a new user would try it, against a running server whose
# database has no users yet (needs curl and jq):
#
#   PETPIXEL_DATA_DIR=/tmp/pp cargo xtask run &          # a fresh data dir
#   PETPIXEL_DATA_DIR=/tmp/pp scripts/smoke.sh           # same data dir, for create-admin
#
# Every step checks its status code and stops at the first surprise.
set -euo pipefail
BASE="${BASE:-http://127.0.0.1:3000}"
API="$BASE/api/v1"
PASSWORD='a long password 1'

step() { printf '\n--- %s\n' "$*"; }
fail() { echo "FAILED: $*" >&2; exit 1; }

# call METHOD PATH TOKEN [JSON] -> prints the body; the status goes to $STATUS_FILE.
STATUS_FILE=$(mktemp)
call() {
  local method=$1 path=$2 token=${3:-} body=${4:-}
  local args=(-s -o /dev/stdout -w '%{http_code}' -X "$method" "$API$path" -H 'user-agent: smoke-test')
  [ -n "$token" ] && args+=(-H "authorization: Bearer $token")
  [ -n "$body" ] && args+=(-H 'content-type: application/json' -d "$body")
  local out
  out=$(curl "${args[@]}")
  echo "${out: -3}" > "$STATUS_FILE"
  printf '%s' "${out:0:${#out}-3}"
}
expect() {
  local want=$1 got
  got=$(cat "$STATUS_FILE")
  [ "$got" = "$want" ] || fail "expected $want, got $got"
  echo "  -> $got as expected"
}
login() { call POST /auth/login "" "{\"email\":\"$1\",\"password\":\"$2\"}"; }

step "create-admin, then log in"
cargo xtask run create-admin --email admin@smoke.example --password "$PASSWORD" 2>/dev/null
ADMIN_LOGIN=$(login admin@smoke.example "$PASSWORD"); expect 200
ADMIN=$(jq -r .access_token <<<"$ADMIN_LOGIN")
ADMIN_REFRESH=$(jq -r .refresh_token <<<"$ADMIN_LOGIN")

step "the admin creates a manager and two artists"
call POST /users "$ADMIN" "{\"email\":\"max@smoke.example\",\"password\":\"$PASSWORD\",\"first_name\":\"Max\",\"role\":\"manager\"}" >/dev/null; expect 201
IRIS_ID=$(call POST /users "$ADMIN" "{\"email\":\"iris@smoke.example\",\"password\":\"$PASSWORD\",\"first_name\":\"Iris\",\"role\":\"artist\"}" | jq -r .id); expect 201
call POST /users "$ADMIN" "{\"email\":\"theo@smoke.example\",\"password\":\"$PASSWORD\",\"first_name\":\"Theo\",\"role\":\"artist\"}" >/dev/null; expect 201
MAX=$(login max@smoke.example "$PASSWORD" | jq -r .access_token)
IRIS=$(login iris@smoke.example "$PASSWORD" | jq -r .access_token)
THEO=$(login theo@smoke.example "$PASSWORD" | jq -r .access_token)

ORDER='{"customer_name":"Sunny Lee","customer_email":"EMAIL","pet_name":"Buttercup","package_type":"custom",
        "priority":"high","deadline":"2030-01-31",
        "game_config":{"theme":"space adventure","difficulty":"easy","features":["leaderboard"]}}'
step "the manager takes an order with a bad e-mail address"
call POST /projects "$MAX" "${ORDER/EMAIL/sunny-at-example}" | jq -c '{status, errors}'; expect 422
step "then with a good one"
PROJECT=$(call POST /projects "$MAX" "${ORDER/EMAIL/sunny@example.com}" | jq -r .id); expect 201
echo "  project $PROJECT"

step "the manager assigns it to Iris"
call PUT "/projects/$PROJECT/assignee" "$MAX" "{\"artist_id\":\"$IRIS_ID\"}" | jq -c '{assigned_artist: .assigned_artist.display_name}'; expect 200
step "Iris edits it"
call PATCH "/projects/$PROJECT" "$IRIS" '{"pet_breed":"Golden Retriever","actual_hours":2}' | jq -c '{pet_breed, version}'; expect 200
step "Theo may not"
call PATCH "/projects/$PROJECT" "$THEO" '{"notes":"mine"}' | jq -c '{status, detail}'; expect 403

step "the status walks: a skipped step is 409"
call PUT "/projects/$PROJECT/status" "$IRIS" '{"status":"review"}' | jq -c '{status, detail}'; expect 409
for s in in_progress review complete; do
  call PUT "/projects/$PROJECT/status" "$IRIS" "{\"status\":\"$s\"}" | jq -c '{status, completed_at}'; expect 200
done

step "filters and pages"
for i in 1 2 3; do call POST /projects "$MAX" "${ORDER/EMAIL/customer$i@example.com}" >/dev/null; expect 201; done
call GET "/projects?status=backlog&priority=high&sort=-created_at&limit=2&offset=1" "$MAX" | jq -c '{total, limit, offset, n: (.items|length)}'; expect 200
call GET "/projects?status=complete&assigned_to=$IRIS_ID" "$IRIS" | jq -c '{total}'; expect 200
call GET "/projects?limit=500" "$MAX" | jq -c '{status, errors}'; expect 422

step "the project's activity: every step, with actor and IP"
call GET "/projects/$PROJECT/activity" "$MAX" | jq -r '.items[] | "  \(.created_at)  \(.user_email)  \(.ip_address)  \(.action)  \(.details.changes // {} | keys | join(","))"'; expect 200

step "a spent refresh token is refused and ends its family"
NEW=$(call POST /auth/refresh "" "{\"refresh_token\":\"$ADMIN_REFRESH\"}"); expect 200
call POST /auth/refresh "" "{\"refresh_token\":\"$ADMIN_REFRESH\"}" | jq -c '{status, detail}'; expect 401
call POST /auth/refresh "" "{\"refresh_token\":\"$(jq -r .refresh_token <<<"$NEW")\"}" | jq -c '{status}'; expect 401
call GET /auth/me "$(jq -r .access_token <<<"$NEW")" | jq -c '{status}'; expect 401
ADMIN=$(login admin@smoke.example "$PASSWORD" | jq -r .access_token)

step "a deactivated user is locked out at once"
call PATCH "/users/$IRIS_ID" "$ADMIN" '{"active":false}' | jq -c '{active}'; expect 200
call GET /auth/me "$IRIS" | jq -c '{status, detail}'; expect 401
login iris@smoke.example "$PASSWORD" | jq -c '{status, detail}'; expect 401

step "a soft-deleted project is gone"
call DELETE "/projects/$PROJECT" "$MAX" >/dev/null; expect 204
call GET "/projects/$PROJECT" "$MAX" | jq -c '{status, detail}'; expect 404
call GET "/projects?status=complete" "$MAX" | jq -c '{total}'; expect 200

echo; echo "smoke: all steps behaved"
