"""The EventBridge event pattern for a function's bucket event.

S3 sends EventBridge one event per object change with a `detail-type` naming the change and,
for creations and deletions, a `reason` or `deletion-type` naming the request. Source: Amazon
S3 User Guide, "EventBridge event message structure" and "Using EventBridge" (event types
Object Created, Object Deleted, Object Restore Initiated/Completed/Expired, Object Tags
Added/Deleted), as of 2026-11.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

# S3 notification event type -> (EventBridge detail-types, the detail field narrowing it, its value).
_EVENT_TYPES: dict[str, tuple[tuple[str, ...], str | None, str | None]] = {
    "s3:ObjectCreated:*": (("Object Created",), None, None),
    "s3:ObjectCreated:Put": (("Object Created",), "reason", "PutObject"),
    "s3:ObjectCreated:Post": (("Object Created",), "reason", "POST Object"),
    "s3:ObjectCreated:Copy": (("Object Created",), "reason", "CopyObject"),
    "s3:ObjectCreated:CompleteMultipartUpload": (("Object Created",), "reason", "CompleteMultipartUpload"),
    "s3:ObjectRemoved:*": (("Object Deleted",), None, None),
    "s3:ObjectRemoved:Delete": (("Object Deleted",), "deletion-type", "Permanently Deleted"),
    "s3:ObjectRemoved:DeleteMarkerCreated": (("Object Deleted",), "deletion-type", "Delete Marker Created"),
    "s3:ObjectRestore:*": (("Object Restore Initiated", "Object Restore Completed", "Object Restore Expired"), None, None),
    "s3:ObjectTagging:*": (("Object Tags Added", "Object Tags Deleted"), None, None),
}


def _escaped(text: str) -> str:
    # In an EventBridge wildcard, * and \\ are escaped with a backslash.
    return text.replace("\\", "\\\\").replace("*", "\\*")


def _key_filter(prefix: str, suffix: str) -> list[dict[str, str]] | None:
    """Keys under `prefix` and ending with `suffix`; two conditions in one list would be OR-ed,
    so both together are one wildcard."""
    if prefix and suffix:
        return [{"wildcard": f"{_escaped(prefix)}*{_escaped(suffix)}"}]
    if prefix:
        return [{"prefix": prefix}]
    if suffix:
        return [{"suffix": suffix}]
    return None


def s3_event_pattern(bucket_name: str, events: Iterable[str], prefix: str, suffix: str) -> dict[str, Any]:
    """Objects of `bucket_name` under `prefix` ending with `suffix`, for the S3 event types given."""
    # detail-type -> (field, allowed values) or None when any request of that type counts.
    narrowing: dict[str, tuple[str, set[str]] | None] = {}
    for event in events:
        detail_types, field, value = _EVENT_TYPES[event]
        for detail_type in detail_types:
            if field is None or value is None:
                narrowing[detail_type] = None
            elif detail_type not in narrowing:
                narrowing[detail_type] = (field, {value})
            elif (current := narrowing[detail_type]) is not None:
                current[1].add(value)
    detail: dict[str, Any] = {"bucket": {"name": [bucket_name]}}
    keys = _key_filter(prefix, suffix)
    if keys:
        detail["object"] = {"key": keys}

    def alternative(detail_types: list[str], field: str | None = None, values: set[str] | None = None) -> dict[str, Any]:
        narrowed = {**detail, field: sorted(values)} if field and values else detail
        return {"detail-type": detail_types, "detail": narrowed}

    broad = sorted(t for t, n in narrowing.items() if n is None)
    narrow = sorted((t, n) for t, n in narrowing.items() if n is not None)
    alternatives = ([alternative(broad)] if broad else []) + [alternative([t], *n) for t, n in narrow]
    if len(alternatives) == 1:
        return {"source": ["aws.s3"], **alternatives[0]}
    return {"source": ["aws.s3"], "$or": alternatives}
