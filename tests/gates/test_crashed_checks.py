"""A Checkov check that crashes judged nothing: the gate fails naming the check and the resource, unless a
reviewed suppression with crash = true covers exactly that crash."""

from __future__ import annotations

import json
from pathlib import Path

from gates.security import crashed_checks
from tests.conftest import ROOT
from tests.gates.test_cli import gates, stack, suppressions

OPTIONS_METHOD = "aws_api_gateway_method.api_rest_options-uploads-method_59A9985B"


def _prod(tmp_path: Path) -> Path:
    return stack(tmp_path, "prod", json.loads((ROOT / "tests" / "golden" / "prod.json").read_text()))


def test_crash_lines_are_read_from_checkovs_log() -> None:
    log = (
        "2026-12-02 01:52:09,360 [MainThread  ] [ERROR]  Failed to run check CKV2_AWS_70 on "
        "/cdktf.out/stacks/prod/cdk.tf.json:aws_api_gateway_method.api_rest_options-uploads-method_59A9985B\n"
        "Traceback (most recent call last):\nAttributeError: 'NoneType' object has no attribute 'nodes'\n"
    )
    assert crashed_checks(log) == [
        {"check": "CKV2_AWS_70", "file": "/cdktf.out/stacks/prod/cdk.tf.json", "resource": OPTIONS_METHOD}
    ]


def test_an_uncovered_crash_fails_the_gate_naming_the_check(tmp_path: Path) -> None:
    result = gates(
        str(_prod(tmp_path)), "--check", "CKV2_AWS_70", "--reports-dir", str(tmp_path / "r"), "--suppressions", "/dev/null"
    )
    assert result.returncode == 1, result.stdout + result.stderr
    summary = json.loads((tmp_path / "r" / "prod" / "summary.json").read_text())
    crashed = {(v["rule"], v["resource"]) for v in summary["violations"]}
    assert ("CKV2_AWS_70", OPTIONS_METHOD) in crashed
    assert "Checkov's check CKV2_AWS_70 crashed on this resource" in result.stdout


def test_the_shipped_crash_suppression_covers_it_with_its_reason(tmp_path: Path) -> None:
    result = gates(str(_prod(tmp_path)), "--check", "CKV2_AWS_70", "--reports-dir", str(tmp_path / "r"))
    assert result.returncode == 0, result.stdout + result.stderr
    summary = json.loads((tmp_path / "r" / "prod" / "summary.json").read_text())
    covered = [s for s in summary["suppressed"] if s["resource"] == OPTIONS_METHOD]
    assert covered and covered[0]["source"] == "suppressions file" and "crashes" in covered[0]["reason"]


def test_a_failure_suppression_does_not_cover_a_crash(tmp_path: Path) -> None:
    entries = suppressions(
        tmp_path,
        '[[suppression]]\ncheck = "CKV2_AWS_70"\npath = "api/rest/options-*-method"\n'
        'reason = "Preflight methods carry no credentials by the CORS protocol, so no authorizer applies."\n',
    )
    result = gates(
        str(_prod(tmp_path)), "--check", "CKV2_AWS_70", "--reports-dir", str(tmp_path / "r"), "--suppressions", str(entries)
    )
    assert result.returncode == 1
    assert "Checkov's check CKV2_AWS_70 crashed on this resource" in result.stdout


def test_a_crash_in_one_of_several_stacks_outside_the_working_directory_fails_that_stack(tmp_path: Path) -> None:
    # Checkov names a file outside its working directory as "/../../tmp/.../cdk.tf.json".
    dev = stack(tmp_path, "dev", json.loads((ROOT / "tests" / "golden" / "dev.json").read_text()))
    result = gates(
        str(_prod(tmp_path)),
        str(dev),
        "--check",
        "CKV2_AWS_70",
        "--reports-dir",
        str(tmp_path / "r"),
        "--suppressions",
        "/dev/null",
    )
    assert result.returncode == 1, result.stdout + result.stderr
    summary = json.loads((tmp_path / "r" / "prod" / "summary.json").read_text())
    assert ("CKV2_AWS_70", OPTIONS_METHOD) in {(v["rule"], v["resource"]) for v in summary["violations"]}
