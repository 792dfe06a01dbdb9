#!/bin/sh
# Readies a fresh single-node Garage for PetPixel Studio through its admin API (v2), and does
# nothing that is already done, so it may run at every `docker compose up`:
# assigns the node a role and applies the layout, imports the app's key from .env, creates the
# bucket and lets the key read and write it.
# Needs: GARAGE_ADMIN (http://garage:3903), GARAGE_ADMIN_TOKEN, S3_BUCKET, S3_ACCESS_KEY_ID,
# S3_SECRET_ACCESS_KEY, GARAGE_CAPACITY (bytes).
set -eu
api() { # api METHOD PATH [JSON]: the answer's body; fails on a 4xx/5xx other than those allowed
  curl -sS --fail-with-body -X "$1" -H "Authorization: Bearer $GARAGE_ADMIN_TOKEN" \
    -H 'Content-Type: application/json' ${3:+--data "$3"} "$GARAGE_ADMIN$2"
}
field() { # field NAME: a string field's first value in the JSON on stdin
  sed -n "s/.*\"$1\": *\"\([^\"]*\)\".*/\1/p" | head -n 1
}

for _ in $(seq 60); do api GET /v2/GetClusterStatus >/tmp/status 2>/dev/null && break; sleep 1; done
status=$(api GET /v2/GetClusterStatus | tr -d '\n ')
node=$(echo "$status" | field id)
[ -n "$node" ] || { echo "garage-init: no node in $status" >&2; exit 1; }

if echo "$status" | grep -q '"layoutVersion":0'; then
  api POST /v2/UpdateClusterLayout \
    "{\"roles\":[{\"id\":\"$node\",\"zone\":\"dc1\",\"capacity\":$GARAGE_CAPACITY,\"tags\":[]}]}" >/dev/null
  api POST /v2/ApplyClusterLayout '{"version":1}' >/dev/null
  echo "garage-init: layout applied to node $node"
fi

if ! api GET "/v2/GetKeyInfo?id=$S3_ACCESS_KEY_ID" >/dev/null 2>&1; then
  api POST /v2/ImportKey \
    "{\"accessKeyId\":\"$S3_ACCESS_KEY_ID\",\"secretAccessKey\":\"$S3_SECRET_ACCESS_KEY\",\"name\":\"petpixel\"}" >/dev/null
  echo "garage-init: key $S3_ACCESS_KEY_ID imported"
fi

bucket=$(api GET "/v2/GetBucketInfo?globalAlias=$S3_BUCKET" 2>/dev/null | tr -d '\n ' | field id || true)
if [ -z "$bucket" ]; then
  bucket=$(api POST /v2/CreateBucket "{\"globalAlias\":\"$S3_BUCKET\"}" | tr -d '\n ' | field id)
  echo "garage-init: bucket $S3_BUCKET created"
fi

api POST /v2/AllowBucketKey \
  "{\"bucketId\":\"$bucket\",\"accessKeyId\":\"$S3_ACCESS_KEY_ID\",\"permissions\":{\"read\":true,\"write\":true,\"owner\":true}}" >/dev/null
echo "garage-init: ready (bucket $S3_BUCKET, key $S3_ACCESS_KEY_ID)"
