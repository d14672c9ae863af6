"""The media purpose (Intelligent-Tiering) and CORS origins set per bucket."""

from __future__ import annotations

from tests.conftest import Stack


def _for_bucket(stack: Stack, rtype: str, key: str) -> dict:
    (body,) = [
        b for b in stack.of_type(rtype).values() if f"storage_{key}_" in b["bucket"] or f"/{key}/" in b["//"]["metadata"]["path"]
    ]
    return body


def test_media_moves_to_intelligent_tiering_after_a_day(synthesized: dict[str, Stack]) -> None:
    lifecycle = _for_bucket(synthesized["dnszone"], "aws_s3_bucket_lifecycle_configuration", "media")
    rules = {r["id"]: r for r in lifecycle["rule"]}
    assert rules["intelligent-tiering"]["transition"] == [{"days": 1, "storage_class": "INTELLIGENT_TIERING"}]


def test_cors_origins_per_bucket_override_the_storage_wide_ones(synthesized: dict[str, Stack]) -> None:
    stack = synthesized["dnszone"]
    media = _for_bucket(stack, "aws_s3_bucket_cors_configuration", "media")
    assert media["cors_rule"][0]["allowed_origins"] == ["https://media.example.com"]
    assert media["cors_rule"][0]["allowed_methods"] == ["GET", "HEAD"]
    uploads = _for_bucket(stack, "aws_s3_bucket_cors_configuration", "uploads")
    assert uploads["cors_rule"][0]["allowed_origins"] == ["https://app.example.com"]
