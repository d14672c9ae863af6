"""Bucket events delivered through EventBridge: several functions on the same objects, each with its own
rule, target and invoke permission; direct notifications of the same bucket unchanged."""

from __future__ import annotations

import json

import pytest

from modules.components.api.s3_events import s3_event_pattern
from tests.conftest import Stack


def test_both_prefix_and_suffix_make_one_wildcard_and_are_escaped() -> None:
    assert s3_event_pattern("b", ["s3:ObjectCreated:*"], "in*/", ".pdf") == {
        "source": ["aws.s3"],
        "detail-type": ["Object Created"],
        "detail": {"bucket": {"name": ["b"]}, "object": {"key": [{"wildcard": "in\\*/*.pdf"}]}},
    }


@pytest.mark.parametrize(
    ("prefix", "suffix", "keys"),
    [("a/", "", [{"prefix": "a/"}]), ("", ".csv", [{"suffix": ".csv"}])],
)
def test_a_prefix_or_a_suffix_alone(prefix: str, suffix: str, keys: list[dict[str, str]]) -> None:
    assert s3_event_pattern("b", ["s3:ObjectCreated:*"], prefix, suffix)["detail"]["object"] == {"key": keys}


def test_request_kinds_narrow_their_own_detail_type_only() -> None:
    pattern = s3_event_pattern("b", ["s3:ObjectCreated:Put", "s3:ObjectCreated:Copy", "s3:ObjectRemoved:*"], "", "")
    assert pattern == {
        "source": ["aws.s3"],
        "$or": [
            {"detail-type": ["Object Deleted"], "detail": {"bucket": {"name": ["b"]}}},
            {"detail-type": ["Object Created"], "detail": {"bucket": {"name": ["b"]}, "reason": ["CopyObject", "PutObject"]}},
        ],
    }


def test_a_wildcard_event_type_wins_over_a_narrow_one() -> None:
    pattern = s3_event_pattern("b", ["s3:ObjectCreated:Put", "s3:ObjectCreated:*"], "", "")
    assert pattern == {"source": ["aws.s3"], "detail-type": ["Object Created"], "detail": {"bucket": {"name": ["b"]}}}


@pytest.fixture(scope="module")
def stack(synthesized: dict[str, Stack]) -> Stack:
    return synthesized["dnszone"]


def test_the_bucket_sends_to_eventbridge_and_keeps_its_direct_functions(stack: Stack) -> None:
    (notification,) = [n for n in stack.of_type("aws_s3_bucket_notification").values() if n.get("eventbridge")]
    assert notification["eventbridge"] is True
    assert sorted(f["id"] for f in notification["lambda_function"]) == ["notify", "notify-csv"]


def test_each_bridged_function_has_its_rule_target_and_permission(stack: Stack) -> None:
    rules = {k: r for k, r in stack.of_type("aws_cloudwatch_event_rule").items() if "event_pattern" in r}
    (rule_id,) = [k for k, r in rules.items() if '"aws.s3"' in r["event_pattern"]]
    pattern = json.loads(rules[rule_id]["event_pattern"])
    assert pattern["detail-type"] == ["Object Created"]
    assert pattern["detail"]["object"] == {"key": [{"prefix": "incoming/"}]}
    assert pattern["detail"]["bucket"]["name"][0].startswith("${aws_s3_bucket.")
    (target,) = [t for t in stack.of_type("aws_cloudwatch_event_target").values() if rule_id in t["rule"]]
    assert (
        target["arn"].startswith("${aws_lambda_function.")
        and "notify-audit" in stack.doc["resource"]["aws_lambda_function"][target["arn"].split(".")[1]]["function_name"]
    )
    (permission,) = [p for p in stack.of_type("aws_lambda_permission").values() if rule_id in str(p.get("source_arn"))]
    assert permission["principal"] == "events.amazonaws.com" and permission["action"] == "lambda:InvokeFunction"
