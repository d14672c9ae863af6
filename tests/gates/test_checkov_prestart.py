"""Checkov started before the stacks exist gives the gate the same report as the executable."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from gates import checkov_prestart, security
from gates.inputs import Stack, resolve
from tests.conftest import ROOT

BUCKET_STACK = {
    "resource": {
        "aws_s3_bucket": {"uploads": {"bucket": "uploads-example"}},
        "aws_security_group": {
            "open": {
                "name": "open",
                "ingress": [{"from_port": 22, "to_port": 22, "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"]}],
            }
        },
    }
}


@pytest.fixture(autouse=True)
def no_session(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests are about the one-request process of main.py: the test session's shared one stays aside."""
    monkeypatch.setattr(checkov_prestart, "_session", None)


@pytest.fixture
def stacks(tmp_path: Path) -> list[Stack]:
    (tmp_path / "demo").mkdir()
    (tmp_path / "demo" / "cdk.tf.json").write_text(json.dumps(BUCKET_STACK, indent=1))
    return [resolve(str(tmp_path / "demo"))]


def _outcomes(report: dict[str, Any]) -> dict[str, list[tuple[str, str]]]:
    """Checkov reports graph checks in no fixed order: compare the sets of (check, resource) per outcome."""
    results = report.get("results", {})
    return {
        kind: sorted((e["check_id"], e["resource"]) for e in results.get(kind, [])) for kind in ("passed_checks", "failed_checks")
    }


def test_without_a_prestarted_process_the_gate_starts_checkov_itself() -> None:
    assert checkov_prestart.run(["checkov", "--version"], dict(os.environ)) is None


def test_the_prestarted_process_runs_the_gates_command_and_reports_as_the_executable(
    stacks: list[Stack], monkeypatch: pytest.MonkeyPatch
) -> None:
    executable = Path(security.checkov_command()[0])
    expected = security.run_checkov(stacks, ROOT / "policies" / "checks")
    assert checkov_prestart.start(executable, dict(os.environ))

    def no_subprocess(*args: object, **kwargs: object) -> None:
        raise AssertionError("the gate started Checkov although a prestarted process was waiting")

    monkeypatch.setattr(security.subprocess, "run", no_subprocess)
    report = security.run_checkov(stacks, ROOT / "policies" / "checks")
    assert _outcomes(report) == _outcomes(expected)
    assert ("CKV2_AWS_6", "aws_s3_bucket.uploads") in _outcomes(report)["failed_checks"]  # it really scanned


def test_a_command_for_another_executable_is_left_to_the_gate() -> None:
    executable = Path(security.checkov_command()[0])
    assert checkov_prestart.start(executable, dict(os.environ))
    assert checkov_prestart.run(["/usr/bin/true", "--version"], dict(os.environ)) is None
    assert checkov_prestart.run([str(executable), "--version"], dict(os.environ)) is None  # used up: one run per start


def test_a_server_that_cannot_import_checkov_leaves_the_scan_to_the_gate(tmp_path: Path) -> None:
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "python").symlink_to(Path(subprocess.check_output(["which", "python3"], text=True).strip()))
    (fake / "checkov").write_text("")
    assert checkov_prestart.start(fake / "checkov", dict(os.environ))
    assert checkov_prestart.run([str(fake / "checkov"), "-f", "x.json"], dict(os.environ)) is None
