"""The cost gate's verdict and its reports: cost.json, cost.md and the console lines."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from gates import formats
from gates.cost import CostEstimate
from gates.inputs import InputError, Stack

LARGEST = 5
DRIVERS = 3  # cost.md leads with this many largest drivers


# The fold of cost.md that says why each free type costs nothing (the pull-request comment leaves it out).
FREE_REASONS_SUMMARY = "Why the free types cost nothing (policies/pricing/free.toml)"


def _usd(value: Decimal | float) -> str:
    return f"{Decimal(str(value)):,.2f}"


def _signed(value: Decimal) -> str:
    return f"{'+' if value >= 0 else '-'}{_usd(abs(value))}"


BUDGET_FROM_ARGUMENT = "--budget-usd"
BUDGET_FROM_STACK = 'the stack\'s "//".foundation.budget_usd'


@dataclass(frozen=True)
class CostOutcome:
    estimate: CostEstimate
    budget_usd: Decimal | None
    previous: dict[str, Any] | None = None
    # Where the budget came from (BUDGET_FROM_*); None when there is no budget.
    budget_source: str | None = None

    @property
    def over_budget(self) -> bool:
        return self.budget_usd is not None and self.estimate.monthly_usd.quantize(Decimal("0.01")) > self.budget_usd

    @property
    def high_over_budget(self) -> bool:
        """The high-usage column exceeds the budget: a warning, not a failure (the budget is held on expected)."""
        high = self.estimate.scenarios.get("high")
        return self.budget_usd is not None and high is not None and high.quantize(Decimal("0.01")) > self.budget_usd

    @property
    def ok(self) -> bool:
        return not self.estimate.unpriced and not self.over_budget

    def largest(self, count: int = LARGEST) -> list[tuple[str, Decimal]]:
        ranked = sorted(((r.address, r.monthly_usd) for r in self.estimate.resources), key=lambda x: (-x[1], x[0]))
        return [r for r in ranked if r[1] > 0][:count]

    def deltas(self) -> list[tuple[str, Decimal, Decimal]]:
        """(address, before, after) for every resource whose monthly figure changed."""
        if self.previous is None:
            return []
        before = {r["address"]: Decimal(str(r["monthly_usd"])) for r in self.previous.get("resources", [])}
        after = {r.address: r.monthly_usd for r in self.estimate.resources}
        changed = []
        for address in sorted(set(before) | set(after)):
            old, new = before.get(address, Decimal(0)), after.get(address, Decimal(0))
            if old != new:
                changed.append((address, old, new))
        return changed

    @property
    def previous_total(self) -> Decimal | None:
        return None if self.previous is None else Decimal(str(self.previous.get("monthly_usd", 0)))


def load_previous(path: Path, env: str) -> dict[str, Any] | None:
    """A cost.json, or a reports folder holding <env>/cost.json; None when the folder has none for env."""
    file = path / env / "cost.json" if path.is_dir() else path
    if path.is_dir() and not file.is_file():
        return None
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"--compare-to {path}: no such file")
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise InputError(f"--compare-to {file}: not a cost.json written by the cost gate")
    if not isinstance(data, dict) or not isinstance(data.get("resources"), list) or "monthly_usd" not in data:
        raise InputError(f"--compare-to {file}: not a cost.json written by the cost gate (no resources or monthly_usd)")
    return data


def as_json(outcome: CostOutcome) -> dict[str, Any]:
    e = outcome.estimate
    document: dict[str, Any] = {
        "env": e.env,
        "region": e.region,
        "currency": "USD",
        "monthly_usd": float(e.monthly_usd.quantize(Decimal("0.01"))),
        "budget_usd": float(outcome.budget_usd) if outcome.budget_usd is not None else None,
        "budget_source": outcome.budget_source,
        "passed": outcome.ok,
        "usage_profile": e.usage_profile,
        "usage_source": e.usage_source,
        "unconfirmed_usd": float(e.unconfirmed_usd.quantize(Decimal("0.01"))),
        "scenarios_usd": {k: float(v.quantize(Decimal("0.01"))) for k, v in sorted(e.scenarios.items())},
        "sensitivity": {k: float(v) for k, v in sorted(e.sensitivity.items())},
        "high_over_budget": outcome.high_over_budget,
        "largest": [{"address": r.address, "monthly_usd": float(r.monthly_usd)} for r in e.largest(DRIVERS)],
        "advice": [a.as_dict() for a in e.advice],
        "resources": [
            {
                "address": r.address,
                "type": r.rtype,
                "module": r.module,
                "region": r.region,
                "monthly_usd": float(r.monthly_usd),
                "line_items": [i.as_dict() for i in r.items],
                **({"note": r.note} if r.note else {}),
            }
            for r in e.resources
        ],
        "unpriced": [{"address": u.address, "type": u.rtype, "reason": u.reason} for u in e.unpriced],
        "free": dict(sorted(e.free.items())),
        "free_reasons": e.free_reasons,
    }
    if outcome.previous is not None:
        previous_total = outcome.previous_total or Decimal(0)
        document["compared_to"] = {
            "monthly_usd": float(previous_total),
            "delta_usd": float(e.monthly_usd.quantize(Decimal("0.01")) - previous_total),
            "resources": [
                {"address": a, "before_usd": float(old), "after_usd": float(new), "delta_usd": float(new - old)}
                for a, old, new in outcome.deltas()
            ],
        }
    return document


def markdown(outcome: CostOutcome) -> str:
    """A pull-request comment: totals, the change, then a table per construct."""
    e = outcome.estimate
    total = e.monthly_usd
    budget = (
        f" of a {_usd(outcome.budget_usd)} USD budget (from {outcome.budget_source})"
        if outcome.budget_usd is not None
        else " (no budget set)"
    )
    verdict = "over budget" if outcome.over_budget else ("unpriced resources" if e.unpriced else "within budget")
    lines = [
        f"### Monthly cost estimate: `{e.env}` ({e.region})",
        "",
        f"**{_usd(total)} USD / month**{budget}: {verdict}.",
        "",
    ]
    if outcome.high_over_budget:
        lines += [f"Warning: with high usage ({_usd(e.scenarios['high'])} USD) the estimate exceeds the budget.", ""]
    drivers = e.largest(DRIVERS)
    if drivers:
        lines += ["Largest drivers: " + "; ".join(f"`{r.address}` {_usd(r.monthly_usd)} USD" for r in drivers) + ".", ""]
    if e.advice:
        lines += ["**Advice** (same protection, cheaper; shown, never applied):", ""]
        lines += [f"- `{a.address}`: {a.change}, saves {_usd(a.monthly_saving_usd)} USD / month" for a in e.advice]
        lines.append("")
    else:
        lines += ["Advice: no cheaper equivalent for the same protection found.", ""]
    if e.scenarios:
        factors = e.sensitivity
        lines += [
            f"| usage | low (x{factors['low'].normalize():f}) | expected | high (x{factors['high'].normalize():f}) |",
            "| --- | ---: | ---: | ---: |",
            f"| monthly USD | {_usd(e.scenarios['low'])} | {_usd(e.scenarios['expected'])} | {_usd(e.scenarios['high'])} |",
            "",
            "The budget is held on the expected column; low and high scale every traffic figure of the usage profile.",
            "",
        ]
    if outcome.previous is not None:
        previous_total = outcome.previous_total or Decimal(0)
        lines += [f"Change against the compared estimate: **{_signed(total - previous_total)} USD / month** "
                  f"({_usd(previous_total)} -> {_usd(total)}).", ""]  # fmt: skip
        deltas = outcome.deltas()
        if deltas:
            lines += ["| resource | before | after | change |", "| --- | ---: | ---: | ---: |"]
            lines += [f"| `{a}` | {_usd(old)} | {_usd(new)} | {_signed(new - old)} |" for a, old, new in deltas]
            lines.append("")
    if e.unconfirmed_usd > 0:
        lines += [
            f"{_usd(e.unconfirmed_usd)} USD of this rests on prices not yet confirmed against the AWS Price List "
            "(`make prices` with credentials refreshes them).",
            "",
        ]
    if e.unpriced:
        lines += ["**Unpriced** (the gate fails until each is priced or declared free):", ""]
        lines += [f"- `{u.address}`: {u.reason}" for u in e.unpriced]
        lines.append("")
    by_module: dict[str, list[Any]] = defaultdict(list)
    for r in e.resources:
        by_module[r.module].append(r)
    lines += ["| module | resource | line item | quantity | unit price | monthly |", "| --- | --- | --- | ---: | ---: | ---: |"]
    for module in sorted(by_module, key=lambda m: -sum(r.monthly_usd for r in by_module[m])):
        subtotal = sum((r.monthly_usd for r in by_module[module]), Decimal(0))
        lines.append(f"| **{module}** | | | | | **{_usd(subtotal)}** |")
        for r in sorted(by_module[module], key=lambda r: -r.monthly_usd):
            for item in r.items:
                mark = "" if item.price.status == "confirmed" else " *"
                lines.append(
                    f"| | `{r.address}` | {item.name} | {item.quantity.normalize():f} {item.price.unit} | "
                    f"{item.price.usd}{mark} | {_usd(item.monthly_usd)} |"
                )
    lines += ["", f"Usage assumptions: `policies/usage/{e.usage_profile}` ({e.usage_source}). * = unconfirmed price.",
              f"Free by type: {', '.join(f'{t} x{n}' for t, n in sorted(e.free.items())) or 'none'}."]  # fmt: skip
    if e.free_reasons:
        lines += ["", f"<details><summary>{FREE_REASONS_SUMMARY}</summary>", ""]
        lines += [f"- `{rtype}`: {reason}" for rtype, reason in e.free_reasons.items()]
        lines += ["", "</details>"]
    if e.usage_assumptions:
        lines += ["", "<details><summary>Usage assumptions (per month)</summary>", ""]
        lines += [f"- `{key}` = {value}" for key, value in e.usage_assumptions]
        lines += ["", "</details>"]
    return "\n".join(lines) + "\n"


def write(target: Path, outcome: CostOutcome) -> None:
    target.mkdir(parents=True, exist_ok=True)
    formats.write_text_atomically(target / "cost.json", (json.dumps(as_json(outcome), indent=2) + "\n").encode())
    formats.write_text_atomically(target / "cost.md", markdown(outcome).encode())


def summary_entry(outcome: CostOutcome) -> dict[str, Any]:
    return {
        "monthly_usd": float(outcome.estimate.monthly_usd.quantize(Decimal("0.01"))),
        "budget_usd": float(outcome.budget_usd) if outcome.budget_usd is not None else None,
        "budget_source": outcome.budget_source,
        "usage_profile": outcome.estimate.usage_profile,
        "passed": outcome.ok,
        "unpriced": [u.address for u in outcome.estimate.unpriced],
    }


def budget_for(stack: Stack, override: Decimal | None) -> tuple[Decimal | None, str | None]:
    """The monthly budget and where it came from: --budget-usd, else the stack's metadata, else none."""
    if override is not None:
        return override, BUDGET_FROM_ARGUMENT
    if stack.foundation.budget_usd is not None:
        return stack.foundation.budget_usd, BUDGET_FROM_STACK
    return None, None


def headline(outcome: CostOutcome) -> str:
    total = _usd(outcome.estimate.monthly_usd)
    budget = f" / {_usd(outcome.budget_usd)} budget" if outcome.budget_usd is not None else " (no budget)"
    if outcome.high_over_budget:
        budget += f" (warning: high usage {_usd(outcome.estimate.scenarios['high'])} is over it)"
    change = ""
    if outcome.previous is not None:
        change = f", {_signed(outcome.estimate.monthly_usd.quantize(Decimal('0.01')) - (outcome.previous_total or Decimal(0)))} vs compared"
    return f"cost: {total} USD/month{budget}{change}"


def problems(outcome: CostOutcome) -> list[str]:
    """Console lines for a failed cost gate."""
    lines = []
    for u in outcome.estimate.unpriced:
        if u.rtype == "provider":
            lines.append(f"  ! no cost estimate: {u.reason}")
        else:
            lines.append(
                f"  ! unpriced {u.address}: {u.reason}; price it in gates/cost_rules/ or declare its type in policies/pricing/free.toml"
            )
    if outcome.over_budget and outcome.budget_usd is not None:
        over = outcome.estimate.monthly_usd - outcome.budget_usd
        lines.append(
            f"  ! over budget by {_usd(over)} USD/month ({_usd(outcome.estimate.monthly_usd)} against {_usd(outcome.budget_usd)}); "
            "largest contributors:"
        )
        lines += [f"      {_usd(cost):>10}  {address}" for address, cost in outcome.largest()]
    return lines


def delta_lines(outcome: CostOutcome) -> list[str]:
    return [f"      {_signed(new - old):>10}  {address}  ({_usd(old)} -> {_usd(new)})" for address, old, new in outcome.deltas()]
