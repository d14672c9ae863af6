"""Checkov in parallel processes gives the findings of one run, and reports are written in one order."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from gates import checkov_prestart, cli, security
from gates.inputs import Stack, resolve
from tests.conftest import ROOT

OPEN_GROUP = {
    "name": "open",
    "ingress": [{"from_port": 22, "to_port": 22, "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"]}],
}


def _stack_json(n: int) -> dict[str, Any]:
    """A small stack with failures, different per n (n buckets, one open security group)."""
    return {
        "provider": {"aws": [{"region": "eu-central-1"}]},
        "resource": {
            "aws_s3_bucket": {f"b{i}": {"bucket": f"bucket-{n}-{i}"} for i in range(n)},
            "aws_security_group": {"open": OPEN_GROUP},
        },
    }


@pytest.fixture
def stacks(tmp_path: Path) -> list[Stack]:
    found = []
    for n in (1, 3, 2):
        folder = tmp_path / f"s{n}"
        folder.mkdir()
        (folder / "cdk.tf.json").write_text(json.dumps(_stack_json(n), indent=1))
        found.append(resolve(str(folder)))
    return found


def _outcomes(report: dict[str, Any]) -> dict[str, list[tuple[str, str, str]]]:
    results = report.get("results", {})
    return {
        kind: sorted((str(Path(e["file_abs_path"]).resolve()), e["check_id"], e["resource"]) for e in results.get(kind, []))
        for kind in ("passed_checks", "failed_checks", "skipped_checks")
    }


def test_shares_are_balanced_by_size_and_keep_the_order(tmp_path: Path) -> None:
    stacks = []
    for name, size in (("a", 50), ("b", 10), ("c", 40), ("d", 20)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "cdk.tf.json").write_text('{"resource": {}}' + " " * size)
        stacks.append(resolve(str(tmp_path / name)))
    groups = security.shares(stacks, 2)
    assert [[s.env for s in g] for g in groups] == [["a", "b"], ["c", "d"]]
    assert security.shares(stacks, 1) == [stacks]
    assert [len(g) for g in security.shares(stacks, 9)] == [1, 1, 1, 1]  # never an empty share


def test_checkov_over_parallel_shares_finds_what_one_run_finds(stacks: list[Stack], monkeypatch: pytest.MonkeyPatch) -> None:
    checks = ROOT / "policies" / "checks"
    monkeypatch.setenv(security.WORKERS_VARIABLE, "1")
    one = security.run_checkov(stacks, checks)
    monkeypatch.setenv(security.WORKERS_VARIABLE, "2")
    parallel = security.run_checkov(stacks, checks)
    assert _outcomes(parallel) == _outcomes(one)
    assert any(e[1] == "CKV2_AWS_6" for e in _outcomes(one)["failed_checks"])  # it really scanned
    today = security.dt.date(2026, 12, 2)
    a = security.evaluate(stacks, [], one, today)
    b = security.evaluate(stacks, [], parallel, today)
    assert {k: (v.passed, v.findings, v.errors) for k, v in a.items()} == {
        k: (v.passed, v.findings, v.errors) for k, v in b.items()
    }


def test_parallel_shares_without_a_server_run_the_executable_once_per_share(
    stacks: list[Stack], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(checkov_prestart, "_session", None)
    monkeypatch.delenv(checkov_prestart.SERVER_VARIABLE, raising=False)
    monkeypatch.setenv(security.WORKERS_VARIABLE, "2")
    started: list[list[str]] = []
    popen = security.subprocess.Popen

    def counting(command: list[str], **kwargs: Any) -> Any:
        started.append(command)
        return popen(command, **kwargs)

    monkeypatch.setattr(security.subprocess, "Popen", counting)
    report = security.run_checkov(stacks, ROOT / "policies" / "checks")
    assert len(started) == 2
    assert sorted(c.count("-f") for c in started) == [1, 2]
    files = {str(Path(e["file_abs_path"]).resolve()) for e in report["results"]["failed_checks"]}
    assert files == {str(s.scanned_file.resolve()) for s in stacks}  # the copies the gate gives Checkov


def test_the_session_serves_several_scans(stacks: list[Stack], monkeypatch: pytest.MonkeyPatch) -> None:
    executable = Path(security.checkov_command()[0])
    monkeypatch.setattr(checkov_prestart, "_session", None)
    monkeypatch.delenv(checkov_prestart.SERVER_VARIABLE, raising=False)
    assert checkov_prestart.open_session(executable, dict(os.environ))
    try:

        def no_subprocess(*args: object, **kwargs: object) -> None:
            raise AssertionError("the gate started Checkov although the session was open")

        monkeypatch.setattr(security.subprocess, "run", no_subprocess)
        monkeypatch.setattr(security.subprocess, "Popen", no_subprocess)
        first = security.run_checkov(stacks, ROOT / "policies" / "checks")
        second = security.run_checkov(stacks[:1], ROOT / "policies" / "checks")
    finally:
        checkov_prestart.close_session()
    assert _outcomes(first)["failed_checks"]
    assert {e[0] for e in _outcomes(second)["failed_checks"]} == {str(stacks[0].scanned_file.resolve())}


def test_two_runs_write_byte_identical_reports(stacks: list[Stack], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    written = []
    for run, workers in (("one", "1"), ("two", "2")):
        monkeypatch.setenv(security.WORKERS_VARIABLE, workers)
        reports = tmp_path / f"reports-{run}"
        code = cli.main(
            [
                *(str(s.path.parent) for s in stacks),
                "--reports-dir",
                str(reports),
                "--budget-usd",
                "1000",
                "--region",
                "eu-central-1",
                "--today",
                "2026-12-02",
            ]
        )
        assert code in (0, 1)
        written.append(reports)
    for stack in stacks:
        for name in ("security.sarif", "security.junit.xml"):
            assert (written[0] / stack.env / name).read_bytes() == (written[1] / stack.env / name).read_bytes()
        summaries = [json.loads((folder / stack.env / "summary.json").read_text()) for folder in written]
        for summary in summaries:
            summary.pop("generated_at")
        assert summaries[0] == summaries[1]
        assert summaries[0]["violations"] == sorted(summaries[0]["violations"], key=lambda v: (v["resource"], v["rule"]))
