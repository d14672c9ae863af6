"""docs/cost-check.md recalculates the dev environment by hand: the gate must stay within 5 % of it."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

from gates.cost import estimate
from gates.inputs import resolve
from tests.conftest import ROOT

DOC = ROOT / "docs" / "cost-check.md"


def test_the_gates_dev_estimate_is_within_five_percent_of_the_independent_calculation(synth_dir: Path) -> None:
    text = DOC.read_text()
    (independent,) = re.findall(r"Independent total: \*\*([0-9,.]+) USD\*\*", text)
    rows = re.findall(r"^\| [^|]+ \| [^|]+ \| [^|]+ \| [^|]+ \| ([0-9.]+) \|$", text, re.M)
    # Each row is shown rounded to the cent; the total is the sum before rounding.
    slack = Decimal("0.005") * len(rows)
    assert abs(sum(Decimal(r) for r in rows) - Decimal(independent.replace(",", ""))) <= slack, (
        "the rows must add up to the total"
    )
    stack = resolve(str(synth_dir / "stacks" / "dev"))
    gate = estimate(stack, ROOT / "policies" / "pricing", ROOT / "policies" / "usage").monthly_usd
    assert abs(gate - Decimal(independent)) <= Decimal("0.05") * Decimal(independent), (gate, independent)
