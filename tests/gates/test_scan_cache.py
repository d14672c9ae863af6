"""A stack whose scan inputs are unchanged is not scanned again; any changed input scans it again,
and the reports are those of a full scan (gates/scan_cache.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from gates import cli, security
from gates.inputs import Stack, resolve
from tests.conftest import ROOT

OPEN_GROUP = {
    "name": "open",
    "ingress": [{"from_port": 22, "to_port": 22, "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"]}],
}


def _write(folder: Path, buckets: int) -> Stack:
    folder.mkdir(parents=True, exist_ok=True)
    document = {
        "provider": {"aws": [{"region": "eu-central-1"}]},
        "resource": {
            "aws_s3_bucket": {f"b{i}": {"bucket": f"bucket-{buckets}-{i}"} for i in range(buckets)},
            "aws_security_group": {"open": OPEN_GROUP},
        },
    }
    (folder / "cdk.tf.json").write_text(json.dumps(document, indent=1))
    return resolve(str(folder))


# A check of the test's own, in a folder of its own, to edit.
NAMED_CHECK = """
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck


class BucketNamed(BaseResourceCheck):
    def __init__(self):
        super().__init__(name="bucket is named", id="TST_NAMED_1", categories=[CheckCategories.GENERAL_SECURITY],
                         supported_resources=["aws_s3_bucket"])

    def scan_resource_conf(self, conf):
        return CheckResult.PASSED if conf.get("bucket") else CheckResult.FAILED


check = BucketNamed()
"""


@pytest.fixture
def scanned(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The stacks (folder names) each call of run_checkov really handed to Checkov."""
    calls: list[list[str]] = []
    real = security._scan

    def spy(base: list[str], stacks: list[Stack], env: dict[str, str]) -> Any:
        calls.append(sorted(s.path.parent.name for s in stacks))
        return real(base, stacks, env)

    monkeypatch.setattr(security, "_scan", spy)
    return calls


def _outcomes(report: dict[str, Any]) -> dict[str, list[tuple[str, str, str]]]:
    results = report.get("results", {})
    return {
        kind: sorted((Path(e["file_abs_path"]).parent.name, e["check_id"], e["resource"]) for e in results.get(kind, []))
        for kind in ("passed_checks", "failed_checks", "skipped_checks")
    }


def test_an_unchanged_stack_is_not_scanned_again_and_reports_what_a_scan_reports(
    tmp_path: Path, scanned: list[list[str]]
) -> None:
    cache = tmp_path / "scans"
    stacks = [_write(tmp_path / "one" / "a", 1), _write(tmp_path / "one" / "b", 2)]
    checks = ROOT / "policies" / "checks"
    full = security.run_checkov(stacks, checks, cache=cache)
    assert scanned == [["a", "b"]]
    assert len(list(cache.glob("*.json"))) == 2
    # The same stacks in other folders: nothing is scanned, the results carry the new paths.
    moved = [_write(tmp_path / "two" / "a", 1), _write(tmp_path / "two" / "b", 2)]
    again = security.run_checkov(moved, checks, cache=cache)
    assert scanned == [["a", "b"]]
    assert _outcomes(again) == _outcomes(full) and _outcomes(full)["failed_checks"]
    now = {str(s.scanned_file.resolve()) for s in moved}
    assert {e["file_abs_path"] for kind in ("passed_checks", "failed_checks") for e in again["results"][kind]} == now
    today = security.evaluate(moved, [], again, security.dt.date(2026, 12, 2))
    before = security.evaluate(stacks, [], full, security.dt.date(2026, 12, 2))
    for name in ("a", "b"):
        assert today[name].findings == before[name].findings and today[name].passed == before[name].passed
        assert today[name].resources_scanned == before[name].resources_scanned > 0


def test_each_changed_input_scans_again(tmp_path: Path, scanned: list[list[str]], monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "scans"
    checks = tmp_path / "checks"
    checks.mkdir()
    (checks / "bucket_named.py").write_text(NAMED_CHECK)
    stacks = [_write(tmp_path / "a", 1), _write(tmp_path / "b", 2)]
    security.run_checkov(stacks, checks, cache=cache)
    assert scanned.pop() == ["a", "b"]
    # The stack's content: only the edited stack.
    stacks[1] = _write(tmp_path / "b", 3)
    security.run_checkov(stacks, checks, cache=cache)
    assert scanned.pop() == ["b"]
    # A check's code, the checks run (--check), an environment variable Checkov reads: every stack.
    (checks / "bucket_named.py").write_text(NAMED_CHECK + "\n# edited\n")
    security.run_checkov(stacks, checks, cache=cache)
    assert scanned.pop() == ["a", "b"]
    security.run_checkov(stacks, checks, ("CKV_AWS_23",), cache=cache)
    assert scanned.pop() == ["a", "b"]
    monkeypatch.setenv("CKV_FRAMEWORK", "terraform_json")
    security.run_checkov(stacks, checks, cache=cache)
    assert scanned.pop() == ["a", "b"]
    security.run_checkov(stacks, checks, cache=cache)
    assert scanned == []
    # The folder keeps the entries of the last run's stacks only.
    assert len(list(cache.glob("*.json"))) == 2


def test_an_entry_that_is_not_one_is_scanned_again(tmp_path: Path, scanned: list[list[str]]) -> None:
    cache = tmp_path / "scans"
    stacks = [_write(tmp_path / "a", 1)]
    first = security.run_checkov(stacks, None, cache=cache)
    (entry,) = cache.glob("*.json")
    kept = json.loads(entry.read_text())
    broken_entry = {**kept, "results": {**kept["results"], "passed_checks": [{"check_id": 7}]}}
    for text in ("{not json", "[]", json.dumps({"format": 1, "results": {"passed_checks": "x"}}), json.dumps(broken_entry)):
        entry.write_text(text)
        again = security.run_checkov(stacks, None, cache=cache)
        assert _outcomes(again) == _outcomes(first)
    assert len(scanned) == 5
    assert not list(cache.glob(".*.tmp"))  # nothing half-written left behind


def test_the_gate_cli_reuses_scans_with_scan_cache(tmp_path: Path, scanned: list[list[str]]) -> None:
    stacks = [_write(tmp_path / "a", 1), _write(tmp_path / "b", 2)]
    args = [*(str(s.path.parent) for s in stacks), "--budget-usd", "1000", "--region", "eu-central-1", "--today", "2026-12-02"]
    written = []
    for run in ("first", "second"):
        reports = tmp_path / f"reports-{run}"
        assert cli.main([*args, "--reports-dir", str(reports), "--scan-cache", str(tmp_path / "scans")]) == 1
        written.append(reports)
    assert scanned == [["a", "b"]]
    for name in ("a", "b"):
        for report in ("security.sarif", "security.junit.xml"):
            assert (written[0] / name / report).read_bytes() == (written[1] / name / report).read_bytes()
        summaries = [json.loads((folder / name / "summary.json").read_text()) for folder in written]
        for summary in summaries:
            summary.pop("generated_at")
        assert summaries[0] == summaries[1] and summaries[0]["violations"]


def test_a_crashed_check_from_the_cache_fails_the_stack_as_a_scan_does(tmp_path: Path, scanned: list[list[str]]) -> None:
    prod = tmp_path / "prod"
    prod.mkdir()
    (prod / "cdk.tf.json").write_text((ROOT / "tests" / "golden" / "prod.json").read_text())
    other = _write(tmp_path / "other", 1)  # two stacks: a crash is attributed by its file, not by elimination
    args = [
        str(prod),
        str(other.path.parent),
        "--check",
        "CKV2_AWS_70",
        "--suppressions",
        "/dev/null",
        "--scan-cache",
        str(tmp_path / "scans"),
    ]
    violations = []
    for run in ("first", "second"):
        reports = tmp_path / f"reports-{run}"
        assert cli.main([*args, "--reports-dir", str(reports)]) == 1
        summary = json.loads((reports / "prod" / "summary.json").read_text())
        violations.append(sorted((v["rule"], v["resource"]) for v in summary["violations"]))
    assert scanned == [["other", "prod"]]
    assert (
        violations[0] == violations[1]
        and ("CKV2_AWS_70", "aws_api_gateway_method.api_rest_options-uploads-method_59A9985B") in violations[0]
    )
