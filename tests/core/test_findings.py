"""accept(): what one call, and several, write into the synthesized JSON, and what it refuses."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from policies.acceptance import fingerprint, pin_values

REASON = "Development keeps these logs for two weeks to bound storage cost."


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One tiny stack: a log group accepted twice, one accepted once with an expiry, one untouched."""
    from cdktf import App, TerraformStack

    from modules.core.aws import cloudwatch_log_group, provider
    from modules.core.findings import accept

    outdir = tmp_path_factory.mktemp("cdktf.out")
    app = App(outdir=str(outdir))
    stack = TerraformStack(app, "dev")
    provider.AwsProvider(stack, "aws", region="eu-central-1")
    twice = cloudwatch_log_group.CloudwatchLogGroup(stack, "flow-log-group", name="flow", retention_in_days=14)
    accept(twice, check="CKV_AWS_338", pin={"retention_in_days": 14}, reason=REASON)
    accept(twice, check="CKV_AWS_158", pin={}, reason="The log group holds no data that needs a customer key.")
    expiring = cloudwatch_log_group.CloudwatchLogGroup(stack, "waf-logs", name="waf", retention_in_days=30)
    accept(expiring, check="CKV_AWS_338", pin={"retention_in_days": 30}, reason=REASON, expires=dt.date(2027, 3, 31))
    cloudwatch_log_group.CloudwatchLogGroup(stack, "plain", name="plain", retention_in_days=365)
    app.synth()
    document = json.loads((Path(outdir) / "stacks" / "dev" / "cdk.tf.json").read_text())
    groups: dict[str, Any] = document["resource"]["aws_cloudwatch_log_group"]
    return groups


def _by_path(groups: dict[str, Any], path: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = [b for b in groups.values() if b["//"]["metadata"]["path"] == path]
    (body,) = found
    return body


def test_acceptance_is_written_beside_cdktf_metadata(synthesized: dict[str, Any]) -> None:
    body = _by_path(synthesized, "dev/waf-logs")
    assert body["//"] == {
        "metadata": {"path": "dev/waf-logs", "uniqueId": "waf-logs"},
        "accepted_findings": [
            {
                "check": "CKV_AWS_338",
                "pin": {"retention_in_days": 30},
                "fingerprint": fingerprint({"retention_in_days": 30}),
                "reason": REASON,
                "expires": "2027-03-31",
            }
        ],
    }


def test_fingerprint_recomputed_from_the_synthesized_resource_matches(synthesized: dict[str, Any]) -> None:
    body = _by_path(synthesized, "dev/flow-log-group")
    (retention,) = [a for a in body["//"]["accepted_findings"] if a["check"] == "CKV_AWS_338"]
    assert fingerprint(pin_values(body, retention["pin"])) == retention["fingerprint"]


def test_several_accepts_on_one_resource_accumulate_in_call_order(synthesized: dict[str, Any]) -> None:
    body = _by_path(synthesized, "dev/flow-log-group")
    assert [(a["check"], a["pin"]) for a in body["//"]["accepted_findings"]] == [
        ("CKV_AWS_338", {"retention_in_days": 14}),
        ("CKV_AWS_158", {}),
    ]
    assert "expires" not in body["//"]["accepted_findings"][0]


def test_resource_without_accept_has_only_cdktf_metadata(synthesized: dict[str, Any]) -> None:
    assert set(_by_path(synthesized, "dev/plain")["//"]) == {"metadata"}


@pytest.fixture
def log_group() -> Any:
    """A fresh log group in a stack that is never synthesized (accept() raises before it would be)."""
    from cdktf import App, TerraformStack

    from modules.core.aws import cloudwatch_log_group

    stack = TerraformStack(App(), "prod")
    return cloudwatch_log_group.CloudwatchLogGroup(stack, "logs", name="logs", retention_in_days=14)


def test_rejects_the_same_check_twice_on_one_resource(log_group: Any) -> None:
    from modules.core.findings import accept

    accept(log_group, check="CKV_AWS_338", pin={"retention_in_days": 14}, reason=REASON)
    with pytest.raises(ValueError, match=r"^accept\(\) on prod/logs: CKV_AWS_338 is already accepted on this resource"):
        accept(log_group, check="CKV_AWS_338", pin={}, reason=REASON)


@pytest.mark.parametrize(
    "reason",
    ["Short reason.", "Development keeps these logs for two weeks without a period", ""],
)
def test_rejects_a_reason_that_is_not_a_sentence(log_group: Any, reason: str) -> None:
    from modules.core.findings import accept

    with pytest.raises(ValueError, match=r"^accept\(\) on prod/logs: reason = .*a sentence of at least 6 words"):
        accept(log_group, check="CKV_AWS_338", pin={"retention_in_days": 14}, reason=reason)


@pytest.mark.parametrize("check", ["ckv_aws_338", "CKV", "CKV AWS 338"])
def test_rejects_a_malformed_check_id(log_group: Any, check: str) -> None:
    from modules.core.findings import accept

    with pytest.raises(ValueError, match=r"^accept\(\) on prod/logs: check = .*a check id such as CKV_AWS_338"):
        accept(log_group, check=check, pin={"retention_in_days": 14}, reason=REASON)


@pytest.mark.parametrize(
    ("pin", "message"),
    [
        ({"kms_key_id": None}, "cdktf drops nulls"),
        ({"kms_key_id": "${TfToken[TOKEN.12]}"}, "an unresolved token"),
        ({"retention_in_days": -1.8881545897087626e289}, "not a plain number"),
        ({"": 14}, "dotted attribute names"),
        ({"//.metadata.path": "x"}, "points into the metadata"),
    ],
)
def test_rejects_a_pin_the_gate_could_not_recompute(log_group: Any, pin: dict[str, Any], message: str) -> None:
    from modules.core.findings import accept

    with pytest.raises(ValueError, match=r"^accept\(\) on prod/logs: ") as raised:
        accept(log_group, check="CKV_AWS_338", pin=pin, reason=REASON)
    assert message in str(raised.value)


def test_rejects_an_expiry_that_is_not_a_date(log_group: Any) -> None:
    from modules.core.findings import accept

    with pytest.raises(ValueError, match=r"expires = '2027-03-31': a datetime.date"):
        accept(log_group, check="CKV_AWS_338", pin={}, reason=REASON, expires="2027-03-31")  # type: ignore[arg-type]
