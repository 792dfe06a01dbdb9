#!/usr/bin/env python3
"""Makes the benchmark's data the way a user would: through the API.

Logs in, creates N projects (POST /api/v1/projects), moves every other one to in_progress
(PUT /api/v1/projects/{id}/status), and prints the access token and one project id for the load
generator. Standard library only; several keep-alive connections at once.
"""
import http.client
import json
import sys
import threading
import time
from urllib.parse import urlparse

base, email, password, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
url = urlparse(base)
THREADS = 8


def connection():
    return http.client.HTTPConnection(url.hostname, url.port, timeout=30)


def call(conn, method, path, token=None, body=None, expect=200):
    headers = {"content-type": "application/json", "user-agent": "petpixel-load-seed"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    conn.request(method, "/api/v1" + path, body=json.dumps(body) if body is not None else None, headers=headers)
    response = conn.getresponse()
    data = response.read()
    if response.status != expect:
        raise SystemExit(f"{method} {path}: expected {expect}, got {response.status}: {data[:300]!r}")
    return json.loads(data) if data else None


conn = connection()
token = call(conn, "POST", "/auth/login", body={"email": email, "password": password})["access_token"]
pets = ["Buttercup", "Biscuit", "Mochi", "Pepper", "Luna", "Ziggy", "Noodle", "Tofu", "Waffles", "Olive"]
priorities = ["low", "normal", "high", "urgent"]
ids = [None] * count
errors = []


def work(start):
    try:
        c = connection()
        for i in range(start, count, THREADS):
            order = {
                "customer_name": f"Customer {i}",
                "customer_email": f"customer{i}@example.com",
                "pet_name": pets[i % len(pets)],
                "package_type": ["express", "custom", "premium"][i % 3],
                "priority": priorities[i % 4],
                "deadline": f"2031-{i % 12 + 1:02d}-{i % 28 + 1:02d}",
                "game_config": {"theme": "space adventure", "difficulty": "easy", "features": []},
            }
            ids[i] = call(c, "POST", "/projects", token, order, expect=201)["id"]
            if i % 2 == 0:
                call(c, "PUT", f"/projects/{ids[i]}/status", token, {"status": "in_progress"})
    except BaseException as e:  # noqa: BLE001 - reported below
        errors.append(e)


started = time.time()
threads = [threading.Thread(target=work, args=(n,)) for n in range(THREADS)]
for t in threads:
    t.start()
for t in threads:
    t.join()
if errors:
    raise SystemExit(f"seeding failed: {errors[0]}")
print(f"seeded {count} projects ({count // 2 + count % 2} in progress) in {time.time() - started:.1f} s", file=sys.stderr)
print(token)
print(ids[count // 2])
