"""One-change mutations of the synthesized prod stack: each fails the gate naming the resource it changed.

The mutations (tests/fixtures/mutations/prod.json) cover the policy, network,
secret, storage, database, CDN, API, logging and cost families. The clean stack
and every mutation are gated in ONE `python -m gates` run (one Checkov
invocation), the way CI gates several stacks.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from tests.gates import mutations
from tests.gates.test_cli import gates

FAMILIES = ("policy", "network", "secret", "storage", "database", "cdn", "api", "logging", "cost")
_, MUTATIONS = mutations.load()


@pytest.fixture(scope="module")
def gated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    root = tmp_path_factory.mktemp("mutations")
    _, folders = mutations.write_all(root / "stacks")
    reports = root / "reports"
    result = gates(*(str(f) for f in folders), "--reports-dir", str(reports))
    assert result.returncode == 1, result.stderr
    return reports, result.stdout


def test_the_table_covers_every_family_at_least_five_times() -> None:
    counts = Counter(m["family"] for m in MUTATIONS)
    assert len(MUTATIONS) >= 60
    assert set(counts) == set(FAMILIES)
    assert min(counts.values()) >= 5, counts
    assert len({m["id"] for m in MUTATIONS}) == len(MUTATIONS)


def test_the_clean_stack_passes(gated: tuple[Path, str]) -> None:
    reports, _ = gated
    summary = json.loads((reports / "clean" / "summary.json").read_text())
    assert summary["passed"] is True, summary["violations"] + summary["errors"]


@pytest.mark.parametrize("mutation", MUTATIONS, ids=[m["id"] for m in MUTATIONS])
def test_each_mutation_fails_naming_the_resource(gated: tuple[Path, str], mutation: dict) -> None:
    reports, stdout = gated
    summary = json.loads((reports / mutation["id"] / "summary.json").read_text())
    assert summary["passed"] is False
    resource = mutation["resource"]
    if mutation["family"] == "cost":
        cost = json.loads((reports / mutation["id"] / "cost.json").read_text())
        assert cost["passed"] is False
        section = stdout.split(f"\n{mutation['id']}: what to fix\n", 1)[1].split("\n\n", 1)[0]
        assert resource in section, section
        return
    named = {(v["rule"], v["resource"]) for v in summary["violations"]}
    assert resource in {r for _, r in named}, named
    if "rule" in mutation:
        assert (mutation["rule"], resource) in named, named
