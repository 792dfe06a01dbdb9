"""Verifies deliveries with the Standard Webhooks reference library (PyPI `standardwebhooks`).

Reads a JSON list of {"secret", "id", "timestamp", "signature", "body"} on stdin and prints a
JSON list of booleans: whether the reference verification accepts each.
"""

import json
import sys

from standardwebhooks.webhooks import Webhook

results = []
for d in json.load(sys.stdin):
    headers = {"webhook-id": d["id"], "webhook-timestamp": str(d["timestamp"]), "webhook-signature": d["signature"]}
    try:
        Webhook(d["secret"]).verify(d["body"], headers)
        results.append(True)
    except Exception:  # the library raises WebhookVerificationError, or a decoding error
        results.append(False)
print(json.dumps(results))
