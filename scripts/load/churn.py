#!/usr/bin/env python3
"""Changes projects at a steady rate for a while, as a busy team would, so that the load
generator's reads meet caches that keep being invalidated: churn.py BASE TOKEN RATE SECONDS.
Each change is a PATCH of one of the first 100 projects' notes. Prints how many it made."""
import http.client
import json
import sys
import time
from urllib.parse import urlparse

base, token, rate, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
url = urlparse(base)
conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
headers = {"authorization": f"Bearer {token}", "content-type": "application/json"}
conn.request("GET", "/api/v1/projects?limit=100", headers=headers)
ids = [p["id"] for p in json.loads(conn.getresponse().read())["items"]]
made, start = 0, time.time()
while time.time() - start < seconds:
    conn.request("PATCH", f"/api/v1/projects/{ids[made % len(ids)]}", body=json.dumps({"notes": f"change {made}"}), headers=headers)
    response = conn.getresponse()
    response.read()
    if response.status != 200:
        raise SystemExit(f"PATCH answered {response.status}")
    made += 1
    time.sleep(max(0.0, start + made / rate - time.time()))
print(made)
