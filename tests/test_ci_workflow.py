"""The users' CI workflow and pre-commit hooks: valid YAML that runs only Makefile verbs."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from tests.conftest import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "foundation.yml"
PRE_COMMIT = ROOT / ".pre-commit-config.yaml"


def _make_targets() -> set[str]:
    text = (ROOT / "Makefile").read_text()
    return {m.group(1) for m in re.finditer(r"^([a-z][a-z0-9-]*):", text, re.MULTILINE)}


def _workflow() -> dict[str, Any]:
    document = yaml.safe_load(WORKFLOW.read_text())
    assert isinstance(document, dict)
    # YAML 1.1 reads the bare key `on` as the boolean true.
    document["on"] = document.pop(True, document.get("on"))
    return document


def _assert_make_command(command: str, where: str) -> None:
    words = shlex.split(re.sub(r"\$\{\{.*?\}\}", "X", command))
    assert words[0] == "make", f"{where}: {command!r} is not a Makefile verb"
    rest = [w for w in words[1:] if not w.startswith("--")]
    if rest[:1] == ["-C"]:
        rest = rest[2:]
    targets = [w for w in rest if "=" not in w]
    assert len(targets) == 1, f"{where}: {command!r} should name one target"
    assert targets[0] in _make_targets(), f"{where}: make {targets[0]} is not defined in the Makefile"


def test_workflow_is_valid_yaml_and_every_run_step_is_a_makefile_verb() -> None:
    jobs = _workflow()["jobs"]
    runs = [(name, step["run"]) for name, job in jobs.items() for step in job["steps"] if "run" in step]
    assert len(runs) >= 10
    for job, command in runs:
        assert "\n" not in command.strip(), f"{job}: one command per step"
        _assert_make_command(command, job)


def test_workflow_matches_githubs_workflow_schema() -> None:
    """check-jsonschema ships the GitHub Actions workflow schema, so this runs offline."""
    result = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows", str(WORKFLOW)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_pull_requests_gate_upload_sarif_comment_cost_and_plan() -> None:
    document = _workflow()
    assert set(document["on"]) == {"pull_request", "push"}
    assert document["on"]["push"]["branches"] == ["main"]
    check = document["jobs"]["check"]
    uses = {step.get("uses", "").split("@")[0]: step for step in check["steps"]}
    assert uses["github/codeql-action/upload-sarif"]["with"]["sarif_file"] == "cdktf.out/reports"
    assert uses["marocchino/sticky-pull-request-comment"]["with"]["path"] == "cdktf.out/reports/cost-comment.md"
    commands = [step["run"] for step in check["steps"] if "run" in step]
    assert any(c.startswith("make check COMPARE_TO=") and ".base/cdktf.out/reports" in c for c in commands)
    assert check["permissions"]["security-events"] == "write"
    plan = document["jobs"]["plan"]
    assert "vars.AWS_PLAN_ROLE_ARN != ''" in plan["if"]
    assert plan["strategy"]["matrix"]["env"] == "${{ fromJSON(needs.environments.outputs.all) }}"
    assert plan["steps"][-1]["run"] == "make plan ENV=${{ matrix.env }}"


def test_matrices_follow_the_environment_files_by_profile(tmp_path: Path) -> None:
    jobs = _workflow()["jobs"]
    assert [s["run"] for s in jobs["environments"]["steps"] if "run" in s] == ["make ci-environments"]
    output = tmp_path / "github_output"
    result = subprocess.run(
        ["make", "-s", "ci-environments"], cwd=ROOT, capture_output=True, text=True, check=False,
        env={**os.environ, "GITHUB_OUTPUT": str(output)},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert output.read_text().splitlines() == ['all=["dev", "prod"]', 'development=["dev"]', 'production=["prod"]']


def test_merges_deploy_development_then_production_behind_their_environments() -> None:
    jobs = _workflow()["jobs"]
    dev, prod = jobs["deploy-development"], jobs["deploy-production"]
    assert "refs/heads/main" in dev["if"] and dev["environment"] == "${{ matrix.env }}"
    assert dev["strategy"]["matrix"]["env"] == "${{ fromJSON(needs.environments.outputs.development) }}"
    assert prod["strategy"]["matrix"]["env"] == "${{ fromJSON(needs.environments.outputs.production) }}"
    assert "deploy-development" in prod["needs"] and prod["environment"] == "${{ matrix.env }}"
    assert [s["run"] for s in prod["steps"] if "run" in s] == [
        "make deploy ENV=${{ matrix.env }} AUTO_APPROVE=1",
        "make outputs ENV=${{ matrix.env }}",
        "make validate ENV=${{ matrix.env }}",
    ]
    # Credentials come from OIDC roles named in variables, never from stored keys.
    text = WORKFLOW.read_text()
    assert "secrets.AWS" not in text
    for job in (dev, prod):
        assert job["permissions"]["id-token"] == "write"


def test_pre_commit_hooks_run_ruff_mypy_and_the_gates_through_make() -> None:
    config = yaml.safe_load(PRE_COMMIT.read_text())
    hooks = {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}
    assert set(hooks) == {"ruff", "mypy", "imports", "gates"}
    for hook_id, hook in hooks.items():
        _assert_make_command(hook["entry"], f"pre-commit {hook_id}")
        assert hook["pass_filenames"] is False


def test_cost_comment_is_the_generated_comment_against_the_base_reports() -> None:
    commands = [step["run"] for step in _workflow()["jobs"]["check"]["steps"] if "run" in step]
    assert "make cost-comment COMPARE_TO=.base/cdktf.out/reports" in commands
    dry = subprocess.run(
        ["make", "-n", "-s", "-C", str(ROOT), "cost-comment", "COMPARE_TO=.base/cdktf.out/reports"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert dry.returncode == 0, dry.stderr
    assert "-m gates.comment --compare-to .base/cdktf.out/reports" in dry.stdout


def test_make_help_lists_every_target() -> None:
    shown = subprocess.run(["make", "-s", "-C", str(ROOT), "help"], capture_output=True, text=True, check=False)
    assert shown.returncode == 0, shown.stderr
    listed = {line.split()[1] for line in shown.stdout.splitlines() if line.startswith("make ")}
    internal = {"require-env"}  # a guard other targets call, not a verb
    assert _make_targets() - internal - listed == set()
