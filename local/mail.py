"""What the local SES (moto) has sent, for `GET /local/mail` and the notification tests."""

from __future__ import annotations

import json
import urllib.request


def sent_messages(aws_endpoint: str) -> list[dict]:
    with urllib.request.urlopen(f"{aws_endpoint}/moto-api/data.json", timeout=10) as response:  # noqa: S310
        data = json.loads(response.read())
    messages = []
    for name, instances in (data.get("ses") or {}).items():
        if "message" not in name.lower():
            continue
        for item in instances:
            messages.append(
                {
                    "id": item.get("id"),
                    "source": item.get("source"),
                    "to": (item.get("destinations") or {}).get("ToAddresses", []),
                    "subject": item.get("subject"),
                    "body": item.get("body"),
                }
            )
    return messages
