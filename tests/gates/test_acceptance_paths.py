"""The shared algorithm of accepted findings: paths into a resource body, fingerprints, evaluated keys."""

from __future__ import annotations

from typing import Any

import pytest

from gates.acceptances import uncovered_keys
from policies.acceptance import entry_problems, fingerprint, value_at

DISTRIBUTION_AS_OBJECT = {
    "viewer_certificate": {"minimum_protocol_version": "TLSv1.2_2021"},
    "origin": [{"id": "a"}, {"id": "b"}],
}
DISTRIBUTION_AS_LIST = {"viewer_certificate": [{"minimum_protocol_version": "TLSv1.2_2021"}]}


@pytest.mark.parametrize("body", [DISTRIBUTION_AS_OBJECT, DISTRIBUTION_AS_LIST])
@pytest.mark.parametrize("path", ["viewer_certificate.0.minimum_protocol_version", "viewer_certificate.minimum_protocol_version"])
def test_a_nested_block_reads_the_same_written_as_object_or_one_element_list(body: dict[str, Any], path: str) -> None:
    assert value_at(body, path) == "TLSv1.2_2021"


def test_integer_segments_index_lists() -> None:
    assert value_at(DISTRIBUTION_AS_OBJECT, "origin.1.id") == "b"


def test_a_key_does_not_step_into_a_list_of_several_elements() -> None:
    assert value_at(DISTRIBUTION_AS_OBJECT, "origin.id") is None


@pytest.mark.parametrize("path", ["retention_in_days", "viewer_certificate.3.minimum_protocol_version", "origin.7.id"])
def test_a_path_that_leads_nowhere_reads_as_absent(path: str) -> None:
    assert value_at(DISTRIBUTION_AS_OBJECT, path) is None


def test_fingerprint_is_sha256_of_compact_sorted_json() -> None:
    import hashlib

    expected = hashlib.sha256(b'{"a":1,"b":[true,"x"]}').hexdigest()
    assert fingerprint({"b": [True, "x"], "a": 1}) == f"sha256:{expected}"


def test_fingerprint_treats_an_integral_float_as_the_integer_cdktf_writes() -> None:
    assert fingerprint({"retention_in_days": 14.0}) == fingerprint({"retention_in_days": 14})


def test_an_entry_whose_pin_was_edited_after_fingerprinting_is_malformed() -> None:
    entry = {
        "check": "CKV_AWS_338",
        "pin": {"retention_in_days": 30},
        "fingerprint": fingerprint({"retention_in_days": 14}),
        "reason": "Dev keeps flow logs for fourteen days to bound cost.",
    }
    assert entry_problems(entry) == [
        "fingerprint does not match the pin written beside it; write the acceptance with accept() again"
    ]


@pytest.mark.parametrize(
    ("pin", "keys", "outside"),
    [
        ({"retention_in_days": 14}, ["retention_in_days"], []),
        ({"viewer_certificate.0.minimum_protocol_version": "TLSv1"}, ["viewer_certificate/[0]/minimum_protocol_version"], []),
        ({"viewer_certificate": {}}, ["viewer_certificate/[0]/minimum_protocol_version"], []),
        ({"viewer_certificate.0.minimum_protocol_version": "TLSv1"}, ["default_cache_behavior/[0]/viewer_protocol_policy"],
         ["default_cache_behavior/[0]/viewer_protocol_policy"]),
        ({"origin.1.id": "b"}, ["origin/[0]/id"], ["origin/[0]/id"]),
        ({"rule.0.status": "Enabled"}, ["rule/*/status"], ["rule/*/status"]),
        ({"rule": []}, ["rule/*/status", "resource_type"], []),
        ({}, ["anything/at/all"], []),
    ],
)  # fmt: skip
def test_evaluated_keys_must_lie_at_or_under_a_pinned_path(pin: dict[str, Any], keys: list[str], outside: list[str]) -> None:
    assert uncovered_keys(pin, keys) == outside
