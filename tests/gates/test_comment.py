"""gates/comment.py: the pull-request comment leads with verdicts, cost change and new risks."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gates import comment
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def reports(synth_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Reports of the real gate over dev and prod, compared with themselves (a zero cost change)."""
    out = tmp_path_factory.mktemp("comment") / "reports"
    stacks = [str(synth_dir / "stacks" / name) for name in ("dev", "prod")]
    first = subprocess.run(
        [sys.executable, "-m", "gates", *stacks, "--reports-dir", str(out)], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert first.returncode == 0, first.stdout + first.stderr
    return out


def _base_without_risks(reports: Path, tmp_path: Path) -> Path:
    base = tmp_path / "base"
    shutil.copytree(reports, base)
    for summary in base.glob("*/summary.json"):
        data = json.loads(summary.read_text())
        data["risks"] = []
        summary.write_text(json.dumps(data))
    return base


def test_verdicts_cost_and_risks_come_before_the_folds(reports: Path) -> None:
    text = comment.render(reports)
    assert text.startswith("## Gates: all passed\n")
    table = text.index("| environment | verdict |")
    assert table < text.index("| `dev` | PASS |") < text.index("| `prod` | PASS |")
    assert text.index("### Risks accepted") < text.index("<details>")
    for env in ("dev", "prod"):
        summary = json.loads((reports / env / "summary.json").read_text())
        assert f"| `{env}` | PASS | {summary['cost']['monthly_usd']:,.2f} |" in text


def test_details_fold_the_cost_table_and_embed_the_diagram(reports: Path, tmp_path: Path) -> None:
    copy = tmp_path / "reports"
    shutil.copytree(reports, copy)
    (copy / "prod" / "risks.md").write_text("### prod: risks\n\n- none beyond the profile's\n")
    text = comment.render(copy)
    assert "<details><summary>dev: cost per resource</summary>" in text
    assert "<details><summary>prod: risks</summary>\n\n### prod: risks" in text
    assert "<details><summary>dev: risks</summary>" not in text
    fold = text.index("<details><summary>prod: diagram</summary>")
    assert text.index("```mermaid\nflowchart LR", fold) < text.index("</details>", fold)


def test_new_risks_are_those_the_base_did_not_accept(reports: Path, tmp_path: Path) -> None:
    prod_risks = json.loads((reports / "prod" / "summary.json").read_text())["risks"]
    dev_risks = json.loads((reports / "dev" / "summary.json").read_text())["risks"]
    base = _base_without_risks(reports, tmp_path)
    text = comment.render(reports, base)
    assert "### New risks (not accepted on the base branch)" in text
    section = text.split("### New risks (not accepted on the base branch)", 1)[1].split("<details>", 1)[0]
    listed = [line for line in section.splitlines() if line.startswith("- `")]
    assert len(listed) == len(prod_risks) + len(dev_risks)
    # Against itself nothing is new.
    assert "New risks (not accepted on the base branch)\n\nNone." in comment.render(reports, reports)


def test_failing_environment_says_what_failed_first(reports: Path, tmp_path: Path) -> None:
    copy = tmp_path / "reports"
    shutil.copytree(reports, copy)
    summary = json.loads((copy / "dev" / "summary.json").read_text())
    summary.update(passed=False, checks={**summary["checks"], "failed": 1})
    summary["violations"] = [{"rule": "FND_S3_1", "resource": "aws_s3_bucket.x", "message": "bad name", "fix": "rename"}]
    (copy / "dev" / "summary.json").write_text(json.dumps(summary))
    text = comment.render(copy)
    assert text.startswith("## Gates: FAILED\n")
    assert "| `dev` | **FAIL** (1 failed check) |" in text
    assert "- `FND_S3_1` on `aws_s3_bucket.x`: bad name (fix: rename)" in text


def test_make_cost_comment_writes_the_file_and_fails_without_reports(reports: Path, tmp_path: Path) -> None:
    out = tmp_path / "comment.md"
    done = subprocess.run(
        [sys.executable, "-m", "gates.comment", "--reports-dir", str(reports), "--out", str(out)],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )  # fmt: skip
    assert done.returncode == 0 and out.read_text() == comment.render(reports)
    empty = subprocess.run(
        [sys.executable, "-m", "gates.comment", "--reports-dir", str(tmp_path / "none")],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )  # fmt: skip
    assert empty.returncode == 2 and "run `make check` first" in empty.stderr and "Traceback" not in empty.stderr


def test_oversized_comment_drops_the_folds_not_the_summary(reports: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(comment, "MAX_CHARS", 2_000)
    text = comment.render(reports)
    assert "<details>" not in text and text.startswith("## Gates: all passed")
    assert "- `prod`: details in the build's reports" in text
