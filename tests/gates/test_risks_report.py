"""Risks the environment accepts (the stack's "//".foundation.risks) in summary.json, the console and risks.md;
and the summary's schema version, tool, UTC timestamp and relative paths."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT
from tests.gates.test_cli import gates, stack

RISKS = [
    {"component": "audit", "setting": "audit.guardduty", "risk": "GuardDuty is off: no threat detection on the account."},
    {
        "component": "api",
        "setting": "api.throttling_rate_limit",
        "risk": "API throttling lowered to 5 requests per second.",
        "reason": "accepted by the platform team: the partner API sends bursts of at most five requests.",
    },
    {"component": "database", "setting": "database.log_statement", "risk": "Statement logging raised to mod."},
]


def test_risks_reach_summary_console_and_risks_md(tmp_path: Path) -> None:
    document = json.loads((ROOT / "tests" / "golden" / "prod.json").read_text())
    document["//"]["foundation"]["risks"] = RISKS
    folder = stack(tmp_path, "prod", document)
    reports = tmp_path / "reports"
    result = gates(str(folder), "--check", "FND_LOG_1", "--reports-dir", str(reports), cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    summary = json.loads((reports / "prod" / "summary.json").read_text())
    assert summary["risks"] == RISKS
    assert "3 risks accepted" in result.stdout
    assert "prod: accepted risks\n  ~ audit: audit.guardduty: GuardDuty is off" in result.stdout
    assert "(accepted by the platform team: the partner API sends bursts of at most five requests.)" in result.stdout
    markdown = (reports / "prod" / "risks.md").read_text()
    assert markdown.startswith("### prod: 3 accepted risks\n")
    assert "| api | `api.throttling_rate_limit` | API throttling lowered to 5 requests per second. | accepted by" in markdown
    assert "| audit | `audit.guardduty` | GuardDuty is off: no threat detection on the account. | no reason given |" in markdown


def test_summary_carries_schema_tool_time_and_relative_paths(tmp_path: Path) -> None:
    document = json.loads((ROOT / "tests" / "golden" / "prod.json").read_text())
    folder = stack(tmp_path, "prod", document)
    reports = tmp_path / "reports"
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    # Run from another folder, as CI does from a checkout's parent: paths are written relative to it.
    result = subprocess.run(
        [sys.executable, "-m", "gates", str(folder), "--check", "FND_LOG_1", "--reports-dir", str(reports)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    summary = json.loads((reports / "prod" / "summary.json").read_text())
    assert summary["schema_version"] == 2
    assert summary["stack"] == "prod/cdk.tf.json"  # relative to the working directory
    assert re.fullmatch(r"\d\d\d\d-\d\d-\d\dT\d\d:\d\d:\d\dZ", summary["generated_at"])
    assert dt.datetime.fromisoformat(summary["generated_at"].replace("Z", "+00:00")) >= before
    assert summary["tool"]["name"] == "gates" and re.fullmatch(r"\d+\.\d+\.\d+", summary["tool"]["checkov"])
    # No risks: no risks.md, so the pull-request comment shows none.
    assert summary["risks"] == [] and not (reports / "prod" / "risks.md").exists()
