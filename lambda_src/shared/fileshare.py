"""What the file-sharing handlers share: errors, responses, identity, keys, logging.

Packaged into every function's zip beside its handler. Plain Python and boto3:
nothing here may import the infrastructure code.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
import unicodedata
from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any

UPLOAD_PREFIX = "uploads/"
MAX_NAME_LENGTH = 200
_OWNER = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
_FILE_ID = re.compile(r"^[0-9a-f]{32}$")
# Kept in names: letters and digits of any script, and a few separators. Everything
# else (path separators, control characters, quotes, shell metacharacters) becomes "_".
_UNSAFE = re.compile(r"[^\w.\- ]", re.UNICODE)


class ApiError(Exception):
    """An error the caller caused or may see; `code` is stable, `status` is the HTTP status."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def log(level: str, message: str, **fields: Any) -> None:
    """One JSON object per line: CloudWatch Logs Insights can query every field."""
    record = {"level": level, "message": message, "time": round(time.time(), 3), **fields}
    print(json.dumps(record, default=str), file=sys.stdout, flush=True)


def response(status: int, body: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json", "Cache-Control": "no-store"},
        "body": json.dumps(body),
    }


def with_cors(result: dict[str, Any], event: Mapping[str, Any]) -> dict[str, Any]:
    """Echo the request's Origin when it is one of CORS_ALLOWED_ORIGINS (a proxy
    integration answers for itself; API Gateway adds no CORS header to it)."""
    allowed = {o.strip() for o in os.environ.get("CORS_ALLOWED_ORIGINS", "").split(",") if o.strip()}
    headers = {str(k).lower(): v for k, v in (event.get("headers") or {}).items()}
    origin = headers.get("origin")
    if origin and origin in allowed:
        result["headers"] = {**result.get("headers", {}), "Access-Control-Allow-Origin": origin, "Vary": "Origin"}
    return result


def api_handler(function: Callable[[dict[str, Any]], dict[str, Any]]) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    """Turn ApiError into its JSON response and anything unexpected into a bare 500:
    no stack trace ever leaves the function, but the log has it."""

    @wraps(function)
    def wrapper(event: dict[str, Any], context: Any) -> dict[str, Any]:
        request_id = getattr(context, "aws_request_id", None)
        try:
            return with_cors(function(event), event)
        except ApiError as error:
            log("info", "request rejected", code=error.code, status=error.status, request_id=request_id)
            return with_cors(response(error.status, {"error": {"code": error.code, "message": error.message}}), event)
        except Exception as error:  # the boundary of the function: nothing escapes
            log("error", "unexpected failure", error=type(error).__name__, detail=str(error), request_id=request_id)
            body = {"error": {"code": "internal_error", "message": "Something went wrong; try again later."}}
            return with_cors(response(500, body), event)

    return wrapper


def owner_of(event: Mapping[str, Any]) -> str:
    """The caller's identity as the Cognito authorizer established it; never from the body."""
    claims = ((event.get("requestContext") or {}).get("authorizer") or {}).get("claims") or {}
    owner = claims.get("sub")
    if not isinstance(owner, str) or not _OWNER.match(owner):
        raise ApiError(401, "unauthenticated", "The request carries no valid identity.")
    return owner


def json_body(event: Mapping[str, Any]) -> dict[str, Any]:
    raw = event.get("body")
    if raw is None:
        raise ApiError(400, "invalid_body", "The request body must be a JSON object.")
    try:
        body = json.loads(raw)
    except (TypeError, ValueError):
        raise ApiError(400, "invalid_body", "The request body must be a JSON object.")
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_body", "The request body must be a JSON object.")
    return body


def sanitize_name(name: object) -> str:
    """A file name safe to use as the last segment of an S3 key, or ApiError 400."""
    if not isinstance(name, str):
        raise ApiError(400, "invalid_file_name", "file_name must be a string.")
    text = unicodedata.normalize("NFKC", name)
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")  # control, format, unassigned
    text = _UNSAFE.sub("_", text).strip(" .")
    text = re.sub(r"_{2,}", "_", text)
    if len(text) > MAX_NAME_LENGTH:
        stem, dot, extension = text.rpartition(".")
        keep = extension if dot and 0 < len(extension) <= 16 else ""
        text = (stem if keep else text)[: MAX_NAME_LENGTH - len(keep) - 1].rstrip(" .") + (f".{keep}" if keep else "")
    if not text or set(text) <= {"_", ".", "-", " "}:
        raise ApiError(400, "invalid_file_name", "file_name has no usable characters.")
    return text


def object_key(owner: str, file_id: str, safe_name: str) -> str:
    if not _OWNER.match(owner) or not _FILE_ID.match(file_id) or "/" in safe_name:
        raise ApiError(400, "invalid_key", "The object key could not be built safely.")
    key = f"{UPLOAD_PREFIX}{owner}/{file_id}/{safe_name}"
    # Belt and braces: the key must stay under the owner's prefix whatever came in.
    if not key.startswith(f"{UPLOAD_PREFIX}{owner}/") or ".." in key.split("/"):
        raise ApiError(400, "invalid_key", "The object key could not be built safely.")
    return key


def parse_key(key: str) -> tuple[str, str] | None:
    """(owner, file_id) of an upload key, or None for anything else."""
    parts = key.split("/")
    if len(parts) != 4 or parts[0] != UPLOAD_PREFIX.rstrip("/"):
        return None
    owner, file_id = parts[1], parts[2]
    if not _OWNER.match(owner) or not _FILE_ID.match(file_id):
        return None
    return owner, file_id


def is_file_id(value: object) -> bool:
    return isinstance(value, str) and bool(_FILE_ID.match(value))


def setting(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise RuntimeError(f"environment variable {name} is not set")
    return value
