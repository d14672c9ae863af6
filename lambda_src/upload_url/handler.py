"""POST /uploads: validate the declared file, return a presigned POST, record it as pending."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from typing import Any

import boto3
from botocore.config import Config
from fileshare import ApiError, api_handler, json_body, log, object_key, owner_of, response, sanitize_name, setting

# S3 caps presigned URLs we hand out at 15 minutes: long enough to upload, short if leaked.
MAX_URL_TTL_SECONDS = 900
_clients: dict[str, Any] = {}


def _s3() -> Any:
    if "s3" not in _clients:
        _clients["s3"] = boto3.client("s3", config=Config(signature_version="s3v4"))
    return _clients["s3"]


def _table() -> Any:
    if "table" not in _clients:
        _clients["table"] = boto3.resource("dynamodb").Table(setting("TABLE_NAME"))
    return _clients["table"]


def _declared(body: dict[str, Any]) -> tuple[str, str, int]:
    allowed = [t.strip() for t in setting("ALLOWED_CONTENT_TYPES").split(",") if t.strip()]
    max_bytes = int(setting("MAX_UPLOAD_BYTES"))
    name = sanitize_name(body.get("file_name"))
    content_type = body.get("content_type")
    if not isinstance(content_type, str) or not content_type:
        raise ApiError(400, "invalid_content_type", "content_type must be a non-empty string.")
    if content_type not in allowed:
        raise ApiError(415, "unsupported_content_type", f"content_type must be one of: {', '.join(allowed)}.")
    size = body.get("size")
    if not isinstance(size, int) or isinstance(size, bool) or size < 1:
        raise ApiError(400, "invalid_size", "size must be a whole number of bytes, at least 1.")
    if size > max_bytes:
        raise ApiError(413, "file_too_large", f"size must be at most {max_bytes} bytes.")
    return name, content_type, size


@api_handler
def handle(event: dict[str, Any]) -> dict[str, Any]:
    owner = owner_of(event)
    name, content_type, size = _declared(json_body(event))
    file_id = uuid.uuid4().hex
    key = object_key(owner, file_id, name)
    ttl = min(int(setting("UPLOAD_URL_TTL_SECONDS")), MAX_URL_TTL_SECONDS)
    bucket = setting("BUCKET_NAME")
    # The policy S3 enforces on the POST: this key, this type, exactly the declared size.
    post = _s3().generate_presigned_post(
        Bucket=bucket,
        Key=key,
        Fields={"Content-Type": content_type},
        Conditions=[{"Content-Type": content_type}, ["content-length-range", size, size]],
        ExpiresIn=ttl,
    )
    now = int(time.time())
    _table().put_item(
        Item={
            "file_id": file_id,
            "owner_id": owner,
            "object_key": key,
            "file_name": name,
            "content_type": content_type,
            "size": size,
            "status": "pending",
            "created_at": datetime.fromtimestamp(now, UTC).isoformat(),
            # A pending item whose upload never arrives disappears by itself.
            "expires_at": now + int(setting("PENDING_TTL_SECONDS")),
            "download_count": 0,
        },
        ConditionExpression="attribute_not_exists(file_id)",
    )
    log("info", "upload url issued", file_id=file_id, owner=owner, size=size, content_type=content_type)
    return response(201, {"file_id": file_id, "upload": {"url": post["url"], "fields": post["fields"]}, "expires_in": ttl})


handler = handle
