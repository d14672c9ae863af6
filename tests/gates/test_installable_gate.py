"""The gates as a package: installed into a fresh virtual environment outside the repository, the
`foundation-gates` command gates a hand-written cdk.tf.json from its own folder, reads default_tags
in object form, and applies none of this project's suppressions."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gates.security import checkov_command
from tests.conftest import ROOT

HOUSE_TAGS = {"project": "jobs", "environment": "dev", "owner": "team-a", "cost-centre": "cc-1", "managed-by": "terraform"}


def _stack(default_tags: object | None) -> dict[str, object]:
    provider: dict[str, object] = {"region": "eu-central-1"}
    if default_tags is not None:
        provider["default_tags"] = default_tags
    return {
        "provider": {"aws": provider},  # object form, as Terraform JSON allows
        "resource": {"aws_sqs_queue": {"jobs": {"name": "jobs", "sqs_managed_sse_enabled": True}}},
    }


@pytest.fixture(scope="module")
def command(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("installed")
    source = base / "src"
    source.mkdir()
    shutil.copy(ROOT / "pyproject.toml", source)
    for package in ("gates", "policies"):
        shutil.copytree(ROOT / package, source / package, ignore=shutil.ignore_patterns("__pycache__"))
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", str(source)], check=True, timeout=600)
    return venv / "bin" / "foundation-gates"


def _gate(command: Path, folder: Path, document: dict[str, object]) -> tuple[int, dict[str, object]]:
    folder.mkdir()
    (folder / "cdk.tf.json").write_text(json.dumps(document))
    env = {**os.environ, "CHECKOV": checkov_command()[0]}
    result = subprocess.run([str(command), "cdk.tf.json"], cwd=folder, env=env, capture_output=True, text=True, timeout=600)
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    summary = json.loads((folder / "cdktf.out" / "reports" / folder.name / "summary.json").read_text())
    return result.returncode, summary


def test_object_form_default_tags_satisfy_the_house_tags(command: Path, tmp_path: Path) -> None:
    code, summary = _gate(command, tmp_path / "tagged", _stack({"tags": HOUSE_TAGS}))
    assert code == 0, summary["violations"]
    assert summary["passed"] is True and summary["suppressed"] == []
    assert summary["cost"]["unpriced"] == []


def test_missing_house_tags_fail_with_no_project_suppression(command: Path, tmp_path: Path) -> None:
    code, summary = _gate(command, tmp_path / "untagged", _stack(None))
    assert code == 1
    assert {v["rule"] for v in summary["violations"]} == {"FND_TAG_2"}
    assert summary["suppressed"] == []
