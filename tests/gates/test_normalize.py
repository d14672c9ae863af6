"""Every form Terraform JSON allows reaches the gates and the scanner in one form, and a resource the
scanner loses is named."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from gates import security
from gates.inputs import InputError, resolve
from gates.normalize import canonical, line_addresses, scanner_document, scanner_text

QUEUE = {"name": "q", "sqs_managed_sse_enabled": True}


def test_arrays_at_every_level_become_objects() -> None:
    document = {
        "terraform": [{"required_version": ">= 1.6", "backend": [{"s3": [{"bucket": "state", "key": "k"}]}]}],
        "provider": [{"aws": [{"region": "eu-central-1"}]}, {"aws": {"alias": "us", "region": "us-east-1"}}],
        "variable": {"size": [{"type": "number"}]},
        "locals": [{"a": 1}, {"b": 2}],
        "output": [{"url": [{"value": "${aws_sqs_queue.main.url}"}]}],
        "module": {"net": [{"source": "./net"}]},
        "resource": [
            {"aws_sqs_queue": [{"main": [QUEUE]}, {"dlq": QUEUE}]},
            {"aws_sns_topic": {"main": [{"name": "t"}]}},
        ],
        "data": {"aws_caller_identity": {"current": [{}]}},
    }
    assert canonical(document, "f.tf.json") == {
        "terraform": {"required_version": ">= 1.6", "backend": {"s3": {"bucket": "state", "key": "k"}}},
        "provider": {"aws": [{"region": "eu-central-1"}, {"alias": "us", "region": "us-east-1"}]},
        "variable": {"size": {"type": "number"}},
        "locals": {"a": 1, "b": 2},
        "output": {"url": {"value": "${aws_sqs_queue.main.url}"}},
        "module": {"net": {"source": "./net"}},
        "resource": {"aws_sqs_queue": {"main": QUEUE, "dlq": QUEUE}, "aws_sns_topic": {"main": {"name": "t"}}},
        "data": {"aws_caller_identity": {"current": {}}},
    }


def test_comments_standing_for_a_label_are_dropped_and_bodies_keep_theirs() -> None:
    document = {
        "//": "top-level comment",
        "resource": {"//": "about resources", "aws_sqs_queue": {"//": "about queues", "main": {**QUEUE, "//": "kept"}}},
    }
    assert canonical(document, "f") == {
        "//": "top-level comment",
        "resource": {"aws_sqs_queue": {"main": {**QUEUE, "//": "kept"}}},
    }


def test_the_canonical_form_of_a_canonical_document_is_itself() -> None:
    document = {"provider": {"aws": [{"region": "eu-central-1"}]}, "resource": {"aws_sqs_queue": {"main": QUEUE}}}
    assert canonical(document, "f") == document


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"resource": [{"aws_sqs_queue": {"a": QUEUE}}, {"aws_sqs_queue": {"a": QUEUE}}]}, "aws_sqs_queue.a is declared twice"),
        ({"resource": {"aws_sqs_queue": {"a": [QUEUE, QUEUE]}}}, "is an array of 2 blocks"),
        ({"resource": {"aws_sqs_queue": {"a": "q"}}}, "is str: an object, or an array of objects"),
        ({"resource": [1]}, '"resource" is int'),
        ({"locals": [{"a": 1}, {"a": 2}]}, '"a" is declared twice'),
        ({"variable": [{"v": {}}, {"v": {}}]}, '"v" is declared twice'),
    ],
)
def test_what_terraform_refuses_is_refused_naming_it(document: dict[str, Any], message: str) -> None:
    with pytest.raises(InputError, match=r"f\.tf\.json") as error:
        canonical(document, "f.tf.json")
    assert message in str(error.value)


def test_the_scanner_gets_no_block_its_parser_rejects() -> None:
    document = canonical(
        {
            "terraform": {"required_version": ">= 1.6", "backend": {"s3": {"bucket": "b"}}},
            "moved": [{"from": "aws_sqs_queue.a", "to": "aws_sqs_queue.main"}],
            "import": [{"to": "aws_sqs_queue.main", "id": "https://sqs/q"}],
            "removed": [{"from": "aws_sqs_queue.z", "lifecycle": {"destroy": False}}],
            "check": {"up": {"assert": [{"condition": "${true}", "error_message": "down"}]}},
            "resource": {"aws_sqs_queue": {"main": QUEUE}},
        },
        "f",
    )
    assert scanner_document(document) == {
        "terraform": {"backend": {"s3": {"bucket": "b"}}},
        "resource": {"aws_sqs_queue": {"main": QUEUE}},
    }
    assert "moved" in document and "required_version" in document["terraform"]  # the gates still see them


def test_each_resource_is_found_by_its_first_line_even_when_types_share_a_name() -> None:
    text = scanner_text(
        {
            "resource": {"aws_sqs_queue": {"main": QUEUE}, "aws_sns_topic": {"main": {"name": "t"}}},
            "data": {"aws_region": {"main": {}}},
        }
    )
    lines = text.splitlines()
    found = line_addresses(text)
    assert sorted(found.values()) == ["aws_sns_topic.main", "aws_sqs_queue.main", "data.aws_region.main"]
    for number, address in found.items():
        assert lines[number - 1].strip().startswith('"main": {'), address


def _write(tmp_path: Path, name: str, document: dict[str, Any]) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(document, indent=2))
    return str(path)


def test_a_foreign_stack_is_scanned_from_a_canonical_copy(tmp_path: Path) -> None:
    raw = {"terraform": [{"required_version": ">= 1.6"}], "resource": [{"aws_sqs_queue": {"main": [QUEUE]}}]}
    stack = resolve(_write(tmp_path, "queue.json", raw))
    assert stack.scan_path is not None and stack.scan_path.name.endswith(".tf.json")  # Checkov reads only *.tf.json
    assert json.loads(stack.scan_path.read_text()) == {"resource": {"aws_sqs_queue": {"main": QUEUE}}}
    assert stack.resources() == {"aws_sqs_queue.main": QUEUE}


def test_this_projects_stack_is_scanned_in_place(tmp_path: Path) -> None:
    own = {"//": {"foundation": {"environment": "dev"}}, "resource": {"aws_sqs_queue": {"main": QUEUE}}}
    stack = resolve(_write(tmp_path, "cdk.tf.json", own))
    assert stack.scan_path is None and stack.scanned_file == stack.path


def _entry(stack_file: Path, check: str, resource: str, line: int) -> dict[str, Any]:
    return {
        "check_id": check,
        "check_name": check,
        "resource": resource,
        "file_abs_path": str(stack_file),
        "file_line_range": [line, line + 3],
    }


def test_a_resource_the_scanner_did_not_report_is_named(tmp_path: Path) -> None:
    document = {"resource": {"aws_sqs_queue": {"main": QUEUE, "dlq": QUEUE}, "aws_sns_topic": {"main": {"name": "t"}}}}
    stack = resolve(_write(tmp_path, "shop.tf.json", document))
    first_line = {address: line for line, address in stack.scan_lines.items()}
    # Checkov's Terraform JSON runner names resources "resource.<name>"; the line tells the type.
    report = {
        "results": {
            "passed_checks": [
                _entry(stack.scanned_file, security.SCAN_CHECK, "resource.main", first_line["aws_sqs_queue.main"]),
                _entry(stack.scanned_file, security.SCAN_CHECK, "resource.main", first_line["aws_sns_topic.main"]),
            ],
            "failed_checks": [_entry(stack.scanned_file, "CKV_AWS_26", "resource.main", first_line["aws_sns_topic.main"])],
        }
    }
    result = security.evaluate([stack], [], report, dt.date(2026, 12, 1))[stack.env]
    assert result.resources_scanned == 2
    assert [f.resource for f in result.failed] == ["aws_sns_topic.main"]
    assert result.passed == []  # the scan bookkeeping is not a passed check
    assert any(
        "scanned 2 of the 3 resources" in e and e.endswith("these were not checked at all: aws_sqs_queue.dlq.")
        for e in result.errors
    )
