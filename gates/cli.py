"""`python -m gates <cdk.tf.json or stack dir>... [--env ENV] [--budget-usd N] [--compare-to COST_JSON]`

Runs every gate (security and cost) on synthesized Terraform JSON. It reads the JSON only (never the
constructs), so it works on any `cdk.tf.json`, hand-written ones included. What this project's app
writes into the JSON's `"//"` metadata (profile, budget, usage profile, accepted findings, risks) is
used when present; foreign JSON without it is gated with --budget-usd, a usage profile named after the
stack (or default.toml) and the suppression file's entries scoped to it.

Exit codes: 0 every gate passed, 1 a gate failed, 2 the input is unusable.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path

from gates import cost, cost_report, diagram, diff, report, security, suppressions
from gates.inputs import InputError, Stack, resolve

ROOT = Path(__file__).resolve().parent.parent
PROJECT_SUPPRESSIONS = ROOT / "policies" / "suppressions.toml"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m gates", description="Gate synthesized Terraform JSON before apply.")
    parser.add_argument("stacks", nargs="+", metavar="PATH", help="a cdk.tf.json file or a stack folder containing one")
    parser.add_argument("--env", help="environment name when gating a single file (default: the folder name)")
    parser.add_argument("--reports-dir", type=Path, default=Path("cdktf.out") / "reports", help="default: cdktf.out/reports")
    parser.add_argument(
        "--suppressions",
        type=Path,
        default=None,
        help="reviewed suppressions (TOML); default: this project's policies/suppressions.toml for the stacks this "
        "project synthesized, none for any other Terraform JSON",
    )
    parser.add_argument("--checks-dir", type=Path, default=ROOT / "policies" / "checks")
    parser.add_argument(
        "--check",
        default="",
        metavar="IDS",
        help="run only these checks (comma-separated ids, e.g. FND_S3_1,CKV_AWS_18); default: all",
    )
    parser.add_argument(
        "--budget-usd",
        metavar="N",
        help='monthly budget for every stack gated, overriding the budget the stack carries ("//".foundation.budget_usd)',
    )
    parser.add_argument(
        "--compare-to",
        type=Path,
        metavar="COST_JSON",
        help="an earlier cost.json (or a reports folder with <env>/cost.json) to show the monthly change against",
    )
    parser.add_argument(
        "--scan-cache",
        type=Path,
        help="a folder keeping each stack's Checkov results: a stack scanned before with the same inputs is not "
        "scanned again (main.py uses <outdir>/.cache/scans; default: no cache)",
    )
    parser.add_argument("--region", help="Region to price a stack whose aws provider sets none (default: none, and it fails)")
    parser.add_argument("--pricing-dir", type=Path, default=ROOT / "policies" / "pricing")
    parser.add_argument("--usage-dir", type=Path, default=ROOT / "policies" / "usage")
    parser.add_argument("--today", type=dt.date.fromisoformat, default=dt.date.today(), help=argparse.SUPPRESS)
    return parser


def _suppressions_file(given: Path | None, stacks: list[Stack]) -> Path:
    """The file given, else the project's own for its own stacks only: another team's JSON is
    judged without the reviews of this project's findings."""
    if given is not None:
        return given
    if stacks and all(s.foundation.present for s in stacks):
        return PROJECT_SUPPRESSIONS
    return Path(os.devnull)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    # Checkov's import (about two seconds) overlaps reading the stacks and pricing them.
    security.prestart_checkov()
    try:
        if args.env and len(args.stacks) != 1:
            raise InputError("--env names the environment of a single stack; give one PATH with it")
        stacks: list[Stack] = [resolve(p, args.env) for p in args.stacks]
        envs = [s.env for s in stacks]
        duplicates = sorted({e for e in envs if envs.count(e) > 1})
        if duplicates:
            raise InputError(f"two stacks are named {', '.join(duplicates)}; pass --env or use one folder per stack")
        allowed = suppressions.load(_suppressions_file(args.suppressions, stacks))
        only = tuple(c.strip() for c in args.check.split(",") if c.strip())
        budget_override = _budget(args.budget_usd)
        costs: dict[str, cost_report.CostOutcome] = {}
        for s in stacks:
            budget, source = cost_report.budget_for(s, budget_override)
            costs[s.env] = cost_report.CostOutcome(
                estimate=cost.estimate(s, args.pricing_dir, args.usage_dir, args.region),
                budget_usd=budget,
                previous=cost_report.load_previous(args.compare_to, s.env) if args.compare_to else None,
                budget_source=source,
            )
        raw = security.run_checkov(stacks, args.checks_dir, only, args.scan_cache)
    except (InputError, security.GateError) as exc:
        print(f"gates: {exc}", file=sys.stderr)
        return 2
    results = security.evaluate(stacks, allowed, raw, args.today, only)
    for stack in stacks:
        report.write(args.reports_dir, stack, results[stack.env], costs[stack.env])
        diagram.write(args.reports_dir, stack)
        if results[stack.env].ok and costs[stack.env].ok:
            diff.keep_gated(args.reports_dir, stack)  # the baseline of `make diff`
    print(report.console(stacks, results, costs))
    passed = all(r.ok for r in results.values()) and all(c.ok for c in costs.values())
    print(
        f"\nReports in {args.reports_dir}/<env>/: summary.json, security.sarif, security.junit.xml, cost.json, cost.md, diagram.md. "
        + ("All gates passed." if passed else "Gates FAILED.")
    )
    return 0 if passed else 1


def _budget(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise InputError(f"--budget-usd {text!r}: a number of US dollars such as 250 or 99.50")
    if not value.is_finite() or value < 0:
        raise InputError(f"--budget-usd {text!r}: a number of US dollars, 0 or more")
    return value
