"""The seed systems of examples/: each synthesizes, passes every gate within its own budget,
and examples/README.md gives the estimate the gate computes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE_NAMES, EXAMPLES, ROOT


@pytest.fixture(scope="module")
def gated(synth_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], Path]:
    """One gate run (one Checkov process) over every example."""
    reports = tmp_path_factory.mktemp("reports")
    stacks = [str(synth_dir / "stacks" / name) for name in EXAMPLE_NAMES]
    result = subprocess.run(
        [sys.executable, "-m", "gates", *stacks, "--reports-dir", str(reports)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    return result, reports


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_every_example_passes_every_gate_within_its_budget(
    gated: tuple[subprocess.CompletedProcess[str], Path], name: str
) -> None:
    result, reports = gated
    summary = json.loads((reports / name / "summary.json").read_text())
    assert summary["passed"] is True, result.stdout + result.stderr
    assert summary["cost"]["budget_usd"] is not None and summary["cost"]["unpriced"] == []


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_the_examples_readme_gives_the_gates_estimate(gated: tuple[subprocess.CompletedProcess[str], Path], name: str) -> None:
    _, reports = gated
    cost = json.loads((reports / name / "cost.json").read_text())
    readme = (EXAMPLES / "README.md").read_text()
    assert f"{cost['monthly_usd']:,.2f}" in readme, f"examples/README.md should give {name}'s estimate {cost['monthly_usd']:,.2f}"


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_every_example_names_its_schema_and_report(name: str) -> None:
    text = (EXAMPLES / f"{name}.toml").read_text()
    assert text.startswith("#:schema ../environments/schema.json\n")
