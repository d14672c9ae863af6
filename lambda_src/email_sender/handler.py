"""S3 ObjectCreated on a bucket: tell NOTIFY_ADDRESS by mail that a file arrived.

Sends through SES (SESv2 SendEmail) from FROM_ADDRESS, through CONFIGURATION_SET so that
TLS is required and bounces and complaints are suppressed and counted. One message per
object; the key is shown escaped, never as HTML.
"""

from __future__ import annotations

import html
from typing import Any

import boto3
from fileshare import log, setting
from s3_events import object_events

_clients: dict[str, Any] = {}
# Keys are shown in full up to this length; longer ones are cut (S3 allows 1024 bytes).
MAX_SHOWN_KEY = 300


def _ses() -> Any:
    if "sesv2" not in _clients:
        _clients["sesv2"] = boto3.client("sesv2")
    return _clients["sesv2"]


def _shown(key: str) -> str:
    printable = "".join(c if c.isprintable() else "?" for c in key)
    return printable if len(printable) <= MAX_SHOWN_KEY else printable[: MAX_SHOWN_KEY - 1] + "…"


def _message(bucket: str, key: str, size: int) -> dict[str, Any]:
    shown = _shown(key)
    subject = f"New file: {shown}"[:200]
    text = f"A file arrived in {bucket}:\n\n  {shown}\n  {size} bytes\n"
    body = f"<p>A file arrived in <code>{html.escape(bucket)}</code>:</p><p><code>{html.escape(shown)}</code><br>{size} bytes</p>"
    return {
        "Subject": {"Data": subject, "Charset": "UTF-8"},
        "Body": {"Text": {"Data": text, "Charset": "UTF-8"}, "Html": {"Data": body, "Charset": "UTF-8"}},
    }


def handle(event: dict[str, Any], context: Any) -> dict[str, Any]:
    sent = []
    for created in (e for e in object_events(event) if e.family == "ObjectCreated"):
        bucket, key, size = created.bucket, created.key, created.size
        result = _ses().send_email(
            FromEmailAddress=setting("FROM_ADDRESS"),
            Destination={"ToAddresses": [setting("NOTIFY_ADDRESS")]},
            Content={"Simple": _message(bucket, key, size)},
            ConfigurationSetName=setting("CONFIGURATION_SET"),
        )
        log("info", "notification sent", key=key, message_id=result.get("MessageId"))
        sent.append({"key": key, "message_id": result.get("MessageId")})
    return {"sent": sent}


handler = handle
