"""lambda_src/shared/s3_events.py: object events from S3 notifications and from EventBridge alike."""

from __future__ import annotations

from s3_events import ObjectEvent, object_events  # lambda_src/shared is on the path (conftest)


def test_s3_notifications_are_read_with_their_keys_decoded() -> None:
    event = {
        "Records": [
            {"eventName": "ObjectCreated:Put", "s3": {"bucket": {"name": "b"}, "object": {"key": "a/photo+1%21.png", "size": 5}}},
            {"eventName": "ObjectRemoved:Delete", "s3": {"bucket": {"name": "b"}, "object": {"key": "a/x"}}},
            {"eventSource": "aws:sqs"},
        ]
    }
    assert object_events(event) == [
        ObjectEvent("ObjectCreated", "b", "a/photo 1!.png", 5),
        ObjectEvent("ObjectRemoved", "b", "a/x", 0),
    ]


def test_eventbridge_events_are_read_with_their_keys_as_they_are() -> None:
    event = {
        "source": "aws.s3",
        "detail-type": "Object Deleted",
        "detail": {"bucket": {"name": "b"}, "object": {"key": "a/photo+1.png"}, "deletion-type": "Permanently Deleted"},
    }
    assert object_events(event) == [ObjectEvent("ObjectRemoved", "b", "a/photo+1.png", 0)]


def test_other_events_give_none() -> None:
    assert object_events({"source": "aws.s3", "detail-type": "Object ACL Updated", "detail": {}}) == []
    assert object_events({"source": "aws.events", "detail-type": "Scheduled Event", "detail": {}}) == []
    assert object_events({}) == []
