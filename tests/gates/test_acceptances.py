"""The security gate with accepted findings in the JSON, the scoped suppression file, production
checks by profile and accepted risks: small hand-written stacks, one real Checkov run for them all."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from gates import formats, report, security
from gates.inputs import Stack, resolve
from gates.security import SecurityResult
from gates.suppressions import Suppression
from gates.suppressions import load as load_suppressions
from policies.acceptance import fingerprint
from tests.conftest import ROOT

TODAY = dt.date(2026, 6, 1)
REASON = "Development keeps these logs for two weeks to bound storage cost."
RISK = {"component": "audit", "setting": "components.audit", "risk": "No CloudTrail trail records API activity."}


def accepted(check: str, pin: dict[str, Any], expires: str | None = None) -> dict[str, Any]:
    """An acceptance exactly as accept() writes it."""
    entry = {"check": check, "pin": pin, "fingerprint": fingerprint(pin), "reason": REASON}
    return entry | ({"expires": expires} if expires else {})


def resource(path: str | None, body: dict[str, Any], *acceptances: dict[str, Any]) -> dict[str, Any]:
    meta: dict[str, Any] = {"metadata": {"path": path, "uniqueId": path.replace("/", "_")}} if path else {}
    if acceptances:
        meta["accepted_findings"] = list(acceptances)
    return ({"//": meta} if meta else {}) | body


def log_group(days: int) -> dict[str, Any]:
    return {"name": f"logs-{days}", "retention_in_days": days}


DISTRIBUTION = {
    "enabled": True,
    # cdktf may write a nested block as an object; Checkov reports it as element [0].
    "viewer_certificate": {"cloudfront_default_certificate": True, "minimum_protocol_version": "TLSv1"},
    "origin": [{"domain_name": "files.s3.amazonaws.com", "origin_id": "files"}],
    "default_cache_behavior": {
        "allowed_methods": ["GET", "HEAD"],
        "cached_methods": ["GET", "HEAD"],
        "target_origin_id": "files",
        "viewer_protocol_policy": "allow-all",
    },
    "restrictions": {"geo_restriction": {"restriction_type": "none"}},
}


def document(
    env: str, resources: dict[str, dict[str, Any]], *, profile: str | None = "development", risks: list[Any] | None = None
) -> dict[str, Any]:
    """A stack; with a profile it carries the app's "//".foundation metadata, without one it is foreign JSON."""
    doc: dict[str, Any] = {
        "provider": {"aws": [{"region": "eu-central-1", "default_tags": [{"tags": {"environment": env}}]}]},
        "resource": resources,
    }
    if profile is not None:
        doc["//"] = {"metadata": {"stackName": env}, "foundation": {"environment": env, "profile": profile, "risks": risks or []}}
    return doc


STACKS: dict[str, dict[str, Any]] = {
    "covered": document(
        "covered",
        {
            "aws_cloudwatch_log_group": {
                "flow": resource(
                    "covered/network/flow-log-group",
                    log_group(14),
                    accepted("CKV_AWS_338", {"retention_in_days": 14}, expires="2026-06-30"),
                )
            },
            "aws_cloudfront_distribution": {
                "cdn": resource(
                    "covered/cdn/distribution",
                    DISTRIBUTION,
                    accepted("CKV_AWS_174", {"viewer_certificate.0.minimum_protocol_version": "TLSv1"}),
                    # Pinned on the certificate, but CKV_AWS_34 fails on the cache behaviour.
                    accepted("CKV_AWS_34", {"viewer_certificate.0.minimum_protocol_version": "TLSv1"}),
                )
            },
        },
        risks=[RISK],
    ),
    "changed": document(
        "changed",
        {
            "aws_cloudwatch_log_group": {
                "flow": resource(
                    "changed/network/flow-log-group", log_group(30), accepted("CKV_AWS_338", {"retention_in_days": 14})
                )
            }
        },
    ),
    "stale": document(
        "stale",
        {
            "aws_cloudwatch_log_group": {
                "kept": resource(
                    "stale/network/flow-log-group",
                    log_group(365),
                    accepted("CKV_AWS_338", {"retention_in_days": 14}),  # 365 days pass the check now
                    accepted("CKV_AWS_18", {}),  # a bucket check: it never runs on a log group
                )
            }
        },
    ),
    "malformed": document(
        "malformed",
        {
            "aws_cloudwatch_log_group": {
                "flow": resource(
                    "malformed/network/flow-log-group",
                    log_group(14),
                    accepted("CKV_AWS_338", {"retention_in_days": 14}) | {"owner": "me", "fingerprint": "md5:abc"},
                )
            }
        },
    ),
    "scoped": document(
        "scoped",
        {"aws_cloudwatch_log_group": {"logs": resource("scoped/api/upload/logs", log_group(14))}},
        profile="production",
    ),
    # Same address as in "scoped", but written by another tool: no "//" metadata at all.
    "foreign": document("foreign", {"aws_cloudwatch_log_group": {"logs": resource(None, log_group(14))}}, profile=None),
    # Production checks follow the profile, not the environment tag...
    "tagged-dev-production": document(
        "dev", {"aws_s3_bucket": {"data": {"bucket": "data-production-profile"}}}, profile="production"
    ),
    "tagged-prod-development": document(
        "prod", {"aws_s3_bucket": {"data": {"bucket": "data-development-profile"}}}, profile="development"
    ),
    # ...and JSON without a profile falls back to its environment tag.
    "foreign-production": document("production", {"aws_s3_bucket": {"data": {"bucket": "data-foreign"}}}, profile=None),
}


@dataclass(frozen=True)
class Scan:
    stacks: list[Stack]
    raw: dict[str, Any]

    def stack(self, name: str) -> Stack:
        return next(s for s in self.stacks if s.env == name)

    def evaluate(self, suppressions: list[Suppression] | None = None, today: dt.date = TODAY) -> dict[str, SecurityResult]:
        return security.evaluate(self.stacks, suppressions or [], self.raw, today)


@pytest.fixture(scope="module")
def scan(tmp_path_factory: pytest.TempPathFactory) -> Scan:
    """Every stack above in one Checkov run, with the project's custom checks."""
    folder = tmp_path_factory.mktemp("stacks")
    stacks = []
    for name, doc in STACKS.items():
        (folder / name).mkdir()
        (folder / name / "cdk.tf.json").write_text(json.dumps(doc, indent=1))
        stacks.append(resolve(str(folder / name)))
    return Scan(stacks, security.run_checkov(stacks, ROOT / "policies" / "checks"))


def suppressions(tmp_path: Path, text: str) -> list[Suppression]:
    path = tmp_path / "suppressions.toml"
    path.write_text(text)
    return load_suppressions(path)


def finding(result: SecurityResult, check: str, address: str) -> security.Finding:
    (found,) = [f for f in result.findings if f.check_id == check and f.resource == address]
    return found


# --- accepted findings ---------------------------------------------------------------


def test_acceptance_covers_its_failure(scan: Scan) -> None:
    result = scan.evaluate()["covered"]
    covered = finding(result, "CKV_AWS_338", "aws_cloudwatch_log_group.flow")
    assert covered.suppressed_by is not None and covered.suppressed_by.reason == REASON
    assert covered in result.accepted and covered not in result.failed


def test_acceptance_pinned_on_element_zero_covers_a_block_written_as_object(scan: Scan) -> None:
    result = scan.evaluate()["covered"]
    assert finding(result, "CKV_AWS_174", "aws_cloudfront_distribution.cdn") in result.accepted


def test_fingerprint_mismatch_fails_and_shows_pinned_and_current_values(scan: Scan) -> None:
    result = scan.evaluate()["changed"]
    failed = finding(result, "CKV_AWS_338", "aws_cloudwatch_log_group.flow")
    assert failed in result.failed
    assert failed.acceptance_problem == (
        "accepted finding CKV_AWS_338 on aws_cloudwatch_log_group.flow (changed/network/flow-log-group) no longer applies: "
        "the value changed since the acceptance was written (retention_in_days: pinned 14, now 30). Fix the finding, or "
        "review the reason and update the accept() call at changed/network/flow-log-group."
    )


def test_evaluated_key_outside_the_pin_fails(scan: Scan) -> None:
    result = scan.evaluate()["covered"]
    failed = finding(result, "CKV_AWS_34", "aws_cloudfront_distribution.cdn")
    assert failed in result.failed
    assert failed.acceptance_problem is not None
    assert (
        "pins viewer_certificate.0.minimum_protocol_version, but Checkov failed the check on "
        "default_cache_behavior/[0]/viewer_protocol_policy, which the pin does not cover"
    ) in failed.acceptance_problem


def test_expired_acceptance_fails(scan: Scan) -> None:
    on_the_day = scan.evaluate(today=dt.date(2026, 6, 30))["covered"]
    assert finding(on_the_day, "CKV_AWS_338", "aws_cloudwatch_log_group.flow") in on_the_day.accepted
    after = scan.evaluate(today=dt.date(2026, 7, 1))["covered"]
    failed = finding(after, "CKV_AWS_338", "aws_cloudwatch_log_group.flow")
    assert failed in after.failed
    assert failed.acceptance_problem is not None and "expired on 2026-06-30: fix the finding, or renew the expiry" in (
        failed.acceptance_problem
    )


def test_acceptance_covering_nothing_is_an_error_of_its_stack(scan: Scan) -> None:
    result = scan.evaluate()["stale"]
    described = "accepted finding {} on aws_cloudwatch_log_group.kept (stale/network/flow-log-group) covers nothing: "
    assert result.errors == [
        described.format("CKV_AWS_18") + "CKV_AWS_18 did not run on this resource (a mistyped check id, or a check of "
        "another resource type); correct or remove the accept() call at stale/network/flow-log-group.",
        described.format("CKV_AWS_338") + "the finding is gone (CKV_AWS_338 passes on this resource); "
        "remove the accept() call at stale/network/flow-log-group.",
    ]
    assert not result.ok


def test_acceptance_of_a_check_left_out_by_check_is_neither_used_nor_stale(scan: Scan) -> None:
    results = security.evaluate(scan.stacks, [], scan.raw, TODAY, only=("CKV_AWS_158",))
    assert results["stale"].errors == []


def test_malformed_acceptance_is_an_error_naming_the_resource(scan: Scan) -> None:
    result = scan.evaluate()["malformed"]
    (error,) = result.errors
    stack_file = scan.stack("malformed").path
    assert error.startswith(
        f"{stack_file}: aws_cloudwatch_log_group.flow (malformed/network/flow-log-group): accepted finding #1 in "
        "\"//\".accepted_findings is malformed: unknown key 'owner'"
    )
    assert "fingerprint = 'md5:abc': 'sha256:' followed by 64 lowercase hex digits" in error
    assert finding(result, "CKV_AWS_338", "aws_cloudwatch_log_group.flow") in result.failed


def test_acceptance_and_suppression_of_one_finding_count_once_preferring_the_acceptance(scan: Scan, tmp_path: Path) -> None:
    both = suppressions(
        tmp_path,
        '[[suppression]]\ncheck = "CKV_AWS_338"\npath = "network/flow-log-group"\nenvironments = ["covered"]\n'
        'reason = "The same finding, still listed in the file during the move to accept()."\n',
    )
    result = scan.evaluate(both)["covered"]
    covered = [f for f in result.findings if f.check_id == "CKV_AWS_338"]
    assert len(covered) == 1 and covered[0] in result.accepted
    assert result.errors == []  # the file entry is not reported as stale


# --- the suppression file: path, profiles and foreign JSON ----------------------------


def test_path_keyed_suppression_covers_the_resource_at_that_construct_path(scan: Scan, tmp_path: Path) -> None:
    entries = suppressions(
        tmp_path,
        '[[suppression]]\ncheck = "CKV_AWS_338"\npath = "api/*/logs"\nenvironments = ["scoped"]\n'
        'reason = "Upload logs are kept two weeks because they hold only request ids."\n',
    )
    result = scan.evaluate(entries)["scoped"]
    assert finding(result, "CKV_AWS_338", "aws_cloudwatch_log_group.logs").suppressed_by == entries[0]
    assert result.errors == []


def test_path_glob_does_not_reach_into_another_construct(scan: Scan, tmp_path: Path) -> None:
    entries = suppressions(
        tmp_path,
        '[[suppression]]\ncheck = "CKV_AWS_338"\npath = "api/*"\nenvironments = ["scoped"]\n'
        'reason = "Upload logs are kept two weeks because they hold only request ids."\n',
    )
    result = scan.evaluate(entries)["scoped"]
    assert finding(result, "CKV_AWS_338", "aws_cloudwatch_log_group.logs") in result.failed
    assert result.errors == [
        "suppression #1 (CKV_AWS_338 on path api/*, scoped) matches no failed check: the finding is gone or the "
        "construct path changed; delete or correct the entry."
    ]


def test_profiles_keyed_suppression_applies_to_stacks_of_that_profile_only(scan: Scan, tmp_path: Path) -> None:
    entries = suppressions(
        tmp_path,
        '[[suppression]]\ncheck = "CKV_AWS_338"\nresource = "aws_cloudwatch_log_group.logs"\nprofiles = ["production"]\n'
        'reason = "Production ships these logs to the archive account, which keeps them."\n',
    )
    results = scan.evaluate(entries)
    assert finding(results["scoped"], "CKV_AWS_338", "aws_cloudwatch_log_group.logs") in results["scoped"].suppressed
    assert finding(results["foreign"], "CKV_AWS_338", "aws_cloudwatch_log_group.logs") in results["foreign"].failed
    development = suppressions(tmp_path, (tmp_path / "suppressions.toml").read_text().replace("production", "development"))
    results = scan.evaluate(development)
    assert finding(results["scoped"], "CKV_AWS_338", "aws_cloudwatch_log_group.logs") in results["scoped"].failed
    # It applies to the development stacks, and matches nothing there: stale in each of them.
    assert "matches no failed check" in " ".join(results["changed"].errors)
    assert not any("suppression #1" in e for e in results["scoped"].errors)


def test_foreign_json_gets_none_of_the_unscoped_entries(scan: Scan, tmp_path: Path) -> None:
    entries = suppressions(
        tmp_path,
        '[[suppression]]\ncheck = "CKV_AWS_338"\nresource = "aws_cloudwatch_log_group.logs"\n'
        'reason = "This project keeps upload logs two weeks because they hold only request ids."\n'
        '[[suppression]]\ncheck = "CKV_AWS_338"\nresource = "aws_cloudwatch_log_group.gone"\n'
        'reason = "An entry of this project that matches nothing any more."\n',
    )
    results = scan.evaluate(entries)
    assert finding(results["scoped"], "CKV_AWS_338", "aws_cloudwatch_log_group.logs").suppressed_by == entries[0]
    assert finding(results["foreign"], "CKV_AWS_338", "aws_cloudwatch_log_group.logs") in results["foreign"].failed
    assert not any("suppression #" in e for e in results["foreign"].errors)
    assert not any("suppression #" in e for e in results["foreign-production"].errors)
    assert (
        "suppression #2 (CKV_AWS_338 on aws_cloudwatch_log_group.gone, every stack of this project) matches no failed check"
        in " ".join(results["scoped"].errors)
    )


# --- production checks follow the profile ---------------------------------------------


@pytest.mark.parametrize(
    ("stack", "runs"),
    [("tagged-dev-production", True), ("tagged-prod-development", False), ("foreign-production", True)],
)
def test_production_checks_follow_the_profile_then_the_environment_tag(scan: Scan, stack: str, runs: bool) -> None:
    result = scan.evaluate()[stack]
    ran = {f.check_id for f in [*result.findings, *result.passed]}
    assert ("FND_PROD_2" in ran) is runs


# --- reports --------------------------------------------------------------------------


def test_acceptances_appear_in_summary_sarif_junit_and_console(scan: Scan) -> None:
    stack, result = scan.stack("covered"), scan.evaluate()["covered"]
    summary = report.summary(stack, result)
    assert summary["checks"]["accepted_in_code"] == len(result.accepted) == 2
    assert {
        "rule": "CKV_AWS_338",
        "resource": "aws_cloudwatch_log_group.flow",
        "construct_path": "covered/network/flow-log-group",
        "source": "acceptance",
        "reason": REASON,
        "pin": {"retention_in_days": 14},
        "expires": "2026-06-30",
    } in summary["suppressed"]
    sarif = formats.sarif(stack, result)["runs"][0]["results"]
    (retention,) = [r for r in sarif if r["ruleId"] == "CKV_AWS_338"]
    assert retention["suppressions"] == [{"kind": "inSource", "status": "accepted", "justification": REASON}]
    assert b"CKV_AWS_338 aws_cloudwatch_log_group.flow: accepted at covered/network/flow-log-group: " in formats.junit(
        stack, result
    )
    line = report.console([stack], {"covered": result}).splitlines()[0]
    assert f"{len(result.suppressed)} suppressed (2 accepted in code), 1 risk accepted" in line


def test_risks_are_reported_and_do_not_fail_the_gate(scan: Scan) -> None:
    stack, result = scan.stack("covered"), scan.evaluate()["covered"]
    assert report.summary(stack, result)["risks"] == [RISK]
    (note,) = [r for r in formats.sarif(stack, result)["runs"][0]["results"] if r["ruleId"] == "FND_RISK"]
    assert note["level"] == "note"
    assert note["message"]["text"] == "audit: No CloudTrail trail records API activity. (accepted by components.audit)"
    assert not any("CloudTrail" in e for e in result.errors)
    assert all(f.check_id != "FND_RISK" for f in result.failed)
