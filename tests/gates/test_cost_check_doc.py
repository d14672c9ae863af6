"""docs/cost-check*.md recalculate shipped environments and examples by hand: the gate must stay
within 5 % of each."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from gates.cost import estimate
from gates.inputs import resolve
from tests.conftest import ROOT

DOCS = sorted((ROOT / "docs").glob("cost-check*.md"))
# Every shipped environment and example has its page.
SHIPPED = sorted(p.stem for folder in ("environments", "examples") for p in (ROOT / folder).glob("*.toml"))


def _stack_of(doc: Path) -> str:
    (name,) = re.findall(r"^Stack: `([a-z0-9-]+)`", doc.read_text(), re.M)
    return name


def test_every_shipped_environment_and_example_has_an_independent_check() -> None:
    assert sorted(_stack_of(doc) for doc in DOCS) == SHIPPED


@pytest.mark.parametrize("doc", DOCS, ids=[d.name for d in DOCS])
def test_the_gates_estimate_is_within_five_percent_of_the_independent_calculation(doc: Path, synth_dir: Path) -> None:
    text = doc.read_text()
    (independent,) = re.findall(r"Independent total: \*\*([0-9,.]+) USD\*\*", text)
    total = Decimal(independent.replace(",", ""))
    rows = re.findall(r"^\| [^|]+ \| [^|]+ \| [^|]+ \| [^|]+ \| ([0-9,.]+) \|$", text, re.M)
    assert rows, "the page has no table of charges"
    # Each row is shown rounded to the cent; the total is the sum before rounding.
    slack = Decimal("0.005") * len(rows)
    assert abs(sum(Decimal(r.replace(",", "")) for r in rows) - total) <= slack, "the rows must add up to the total"
    stack = resolve(str(synth_dir / "stacks" / _stack_of(doc)))
    gate = estimate(stack, ROOT / "policies" / "pricing", ROOT / "policies" / "usage").monthly_usd
    assert abs(gate - total) <= Decimal("0.05") * total, (gate, total)
