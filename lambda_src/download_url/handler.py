"""GET /files/{id}/download: a short-lived presigned GET for the caller's own, ready file."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import boto3
from botocore.config import Config
from fileshare import ApiError, api_handler, is_file_id, log, owner_of, response, setting

MAX_URL_TTL_SECONDS = 300
_clients: dict[str, Any] = {}


def _s3() -> Any:
    if "s3" not in _clients:
        _clients["s3"] = boto3.client("s3", config=Config(signature_version="s3v4"))
    return _clients["s3"]


def _table() -> Any:
    if "table" not in _clients:
        _clients["table"] = boto3.resource("dynamodb").Table(setting("TABLE_NAME"))
    return _clients["table"]


@api_handler
def handle(event: dict[str, Any]) -> dict[str, Any]:
    owner = owner_of(event)
    file_id = (event.get("pathParameters") or {}).get("id")
    if not is_file_id(file_id):
        raise ApiError(400, "invalid_file_id", "The file id is 32 lowercase hexadecimal characters.")
    item = _table().get_item(Key={"file_id": file_id}).get("Item")
    if item is None:
        raise ApiError(404, "file_not_found", "No file has this id.")
    if item.get("owner_id") != owner:
        raise ApiError(403, "not_your_file", "This file belongs to someone else.")
    if item.get("status") != "ready":
        raise ApiError(404, "file_not_ready", "The file has not been uploaded and checked yet.")
    ttl = min(int(setting("DOWNLOAD_URL_TTL_SECONDS")), MAX_URL_TTL_SECONDS)
    url = _s3().generate_presigned_url(
        "get_object",
        Params={
            "Bucket": setting("BUCKET_NAME"),
            "Key": item["object_key"],
            # RFC 6266/5987 form: any Unicode name survives the header intact.
            "ResponseContentDisposition": f"attachment; filename*=UTF-8''{quote(item['file_name'])}",
        },
        ExpiresIn=ttl,
    )
    _table().update_item(
        Key={"file_id": file_id}, UpdateExpression="ADD download_count :one", ExpressionAttributeValues={":one": 1}
    )
    log("info", "download url issued", file_id=file_id, owner=owner)
    return response(200, {"url": url, "expires_in": ttl})


handler = handle
