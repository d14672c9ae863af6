"""S3 ObjectCreated on uploads/: accept the object if it matches its pending item, else delete it.

Idempotent: a second delivery of the same event finds the item no longer pending
and changes nothing.
"""

from __future__ import annotations

from typing import Any

import boto3
from botocore.exceptions import ClientError
from fileshare import log, parse_key, setting
from s3_events import object_events

_clients: dict[str, Any] = {}


def _s3() -> Any:
    if "s3" not in _clients:
        _clients["s3"] = boto3.client("s3")
    return _clients["s3"]


def _table() -> Any:
    if "table" not in _clients:
        _clients["table"] = boto3.resource("dynamodb").Table(setting("TABLE_NAME"))
    return _clients["table"]


def _process(bucket: str, key: str) -> str:
    parsed = parse_key(key)
    if parsed is None:
        log("warning", "object outside the upload layout deleted", key=key)
        _s3().delete_object(Bucket=bucket, Key=key)
        return "deleted"
    owner, file_id = parsed
    item = _table().get_item(Key={"file_id": file_id}, ConsistentRead=True).get("Item")
    if item is None or item.get("owner_id") != owner or item.get("object_key") != key:
        log("warning", "object without a matching pending item deleted", key=key, file_id=file_id)
        _s3().delete_object(Bucket=bucket, Key=key)
        return "deleted"
    if item.get("status") != "pending":
        log("info", "event already processed", file_id=file_id, status=item.get("status"))
        return str(item.get("status"))
    try:
        head = _s3().head_object(Bucket=bucket, Key=key)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            log("info", "object already gone", file_id=file_id)
            return "missing"
        raise
    problems = []
    if int(head["ContentLength"]) != int(item["size"]):
        problems.append(f"size {head['ContentLength']} differs from the declared {item['size']}")
    if head.get("ContentType") != item.get("content_type"):
        problems.append(f"content type {head.get('ContentType')!r} differs from the declared {item.get('content_type')!r}")
    status = "rejected" if problems else "ready"
    try:
        if problems:
            _s3().delete_object(Bucket=bucket, Key=key)
            _table().update_item(
                Key={"file_id": file_id},
                UpdateExpression="SET #s = :status, rejection = :why",
                ConditionExpression="#s = :pending",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={":status": status, ":why": "; ".join(problems), ":pending": "pending"},
            )
        else:
            # Ready files are kept: the pending TTL no longer applies.
            _table().update_item(
                Key={"file_id": file_id},
                UpdateExpression="SET #s = :status REMOVE expires_at",
                ConditionExpression="#s = :pending",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={":status": status, ":pending": "pending"},
            )
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
            log("info", "a concurrent delivery processed the event first", file_id=file_id)
            return "concurrent"
        raise
    log("info", f"upload {status}", file_id=file_id, problems=problems)
    return status


def handle(event: dict[str, Any], context: Any) -> dict[str, Any]:
    results = []
    for created in (e for e in object_events(event) if e.family == "ObjectCreated"):
        results.append({"key": created.key, "result": _process(created.bucket, created.key)})
    return {"processed": results}


handler = handle
