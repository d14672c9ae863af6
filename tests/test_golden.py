"""The shipped environments' synthesized JSON is reviewed, and no address users hold disappears."""

from __future__ import annotations

import difflib
import json
from pathlib import Path

import pytest

from tests.conftest import ROOT

GOLDEN = ROOT / "tests" / "golden"
SHIPPED = ("dev", "prod", "bootstrap")


def _addresses(document: dict[str, object]) -> set[str]:
    resources = document.get("resource") or {}
    assert isinstance(resources, dict)
    return {f"{rtype}.{name}" for rtype, named in resources.items() for name in named}


def _moved_from(document: dict[str, object]) -> set[str]:
    moved = document.get("moved") or []
    assert isinstance(moved, list)
    return {str(block["from"]) for block in moved}


@pytest.mark.parametrize("env", SHIPPED)
def test_synthesized_json_equals_the_reviewed_golden_file(synth_dir: Path, env: str) -> None:
    produced = (synth_dir / "stacks" / env / "cdk.tf.json").read_text()
    golden = (GOLDEN / f"{env}.json").read_text()
    if produced != golden:
        diff = "".join(
            list(difflib.unified_diff(golden.splitlines(True), produced.splitlines(True), "golden", "synthesized", n=1))[:60]
        )
        pytest.fail(
            f"The synthesized {env} stack differs from tests/golden/{env}.json. If the change is intended, run "
            f"`make golden` and review `git diff tests/golden/` in the commit.\n{diff}"
        )


@pytest.mark.parametrize("env", SHIPPED)
def test_every_address_users_hold_is_kept_or_moved(synth_dir: Path, env: str) -> None:
    document = json.loads((synth_dir / "stacks" / env / "cdk.tf.json").read_text())
    held = set(json.loads((GOLDEN / "addresses.json").read_text())[env])
    lost = sorted(held - _addresses(document) - _moved_from(document))
    assert not lost, (
        f"{len(lost)} resource address(es) of {env} would be destroyed and recreated: {lost[:10]}. "
        "Keep the construct id, or emit a moved block for each."
    )
