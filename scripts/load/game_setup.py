#!/usr/bin/env python3
"""Puts a game live the way a manager would, through the API, for the game-address benchmark.

Logs in as the demo admin (after `petpixel seed-demo`), waits for the first demo project with
pictures to have them processed, builds its runner, reserves an address and deploys the build.
Prints the address's path (`/g/<slug>`). Standard library only.
"""
import http.client
import json
import sys
import time
from urllib.parse import urlparse

base, email, password = sys.argv[1], sys.argv[2], sys.argv[3]
url = urlparse(base)
conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)


def call(method, path, token=None, body=None, expect=(200,)):
    headers = {"content-type": "application/json", "user-agent": "petpixel-load-games"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    conn.request(method, "/api/v1" + path, body=json.dumps(body) if body is not None else None, headers=headers)
    response = conn.getresponse()
    data = response.read()
    if response.status not in expect:
        raise SystemExit(f"{method} {path}: expected {expect}, got {response.status}: {data[:300]!r}")
    return json.loads(data) if data else None


def wait(what, check, seconds=120):
    deadline = time.time() + seconds
    while time.time() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise SystemExit(f"timed out waiting for {what}")


token = call("POST", "/auth/login", body={"email": email, "password": password})["access_token"]
projects = call("GET", "/projects?limit=100&sort=created_at", token)["items"]


def assets_ready():
    for p in projects:
        assets = call("GET", f"/projects/{p['id']}/assets", token)
        if p["package_type"] != "express" and assets and all(a["processing_status"] == "ready" for a in assets):
            return p, assets
    return None


project, assets = wait("the demo assets to be processed", assets_ready)
by_type = {}
for a in assets:
    by_type.setdefault(a["asset_type"], a["id"])
slots = {"hero": by_type["sprite"], "background": by_type["background"], "jump_sound": by_type["sound"]}
build = call("POST", f"/projects/{project['id']}/builds", token, {"template": "runner", "slots": slots}, expect=(202,))
build = wait("the build", lambda: (lambda b: b if b["status"] in ("ready", "failed") else None)(call("GET", f"/builds/{build['id']}", token)))
if build["status"] != "ready":
    raise SystemExit(f"the build failed: {build}")
options = call("POST", f"/projects/{project['id']}/urls/generate", token)["options"]
slug = next(o["slug"] for o in options if o["available"])
address = call("POST", f"/projects/{project['id']}/urls", token, {"slug": slug}, expect=(201,))
call("POST", f"/urls/{address['id']}/deploy", token, {"build_id": build["id"]})
print(f"/g/{slug}")
print(address["id"])
print(token)
