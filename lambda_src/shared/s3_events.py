"""Object events from S3, whichever way they arrive.

A bucket invokes a function directly with S3's notification format (`Records`, keys
URL-encoded, `eventName` such as `ObjectCreated:Put`), or through an EventBridge rule
(`delivery = "eventbridge"`) with EventBridge's format (`detail-type` such as
`Object Created`, the key as it is). Handlers read both through `object_events`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus

# EventBridge detail-type -> the S3 notification event family it corresponds to.
_FAMILIES = {
    "Object Created": "ObjectCreated",
    "Object Deleted": "ObjectRemoved",
    "Object Restore Initiated": "ObjectRestore",
    "Object Restore Completed": "ObjectRestore",
    "Object Restore Expired": "ObjectRestore",
    "Object Tags Added": "ObjectTagging",
    "Object Tags Deleted": "ObjectTagging",
}


@dataclass(frozen=True)
class ObjectEvent:
    family: str  # ObjectCreated, ObjectRemoved, ObjectRestore, ObjectTagging
    bucket: str
    key: str
    size: int


def object_events(event: dict[str, Any]) -> list[ObjectEvent]:
    """The object events in a Lambda event from S3 or from EventBridge; anything else gives none."""
    if event.get("source") == "aws.s3" and isinstance(event.get("detail"), dict):
        detail = event["detail"]
        family = _FAMILIES.get(str(event.get("detail-type", "")))
        if family is None:
            return []
        obj = detail.get("object") or {}
        return [ObjectEvent(family, detail["bucket"]["name"], str(obj["key"]), int(obj.get("size", 0) or 0))]
    found = []
    for record in event.get("Records", []):
        if "s3" not in record:
            continue
        found.append(
            ObjectEvent(
                family=str(record.get("eventName", "")).split(":")[0],
                bucket=record["s3"]["bucket"]["name"],
                key=unquote_plus(record["s3"]["object"]["key"]),
                size=int(record["s3"]["object"].get("size", 0) or 0),
            )
        )
    return found
