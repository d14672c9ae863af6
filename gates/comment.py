"""The pull-request comment: verdict, cost change and new risks first; the details folded.

    python -m gates.comment [--reports-dir cdktf.out/reports] [--compare-to BASE_REPORTS] [--out FILE]

Reads only what the gates wrote (summary.json, cost.json, cost.md, risks.md, diagram.md per
environment), so it runs after `make check` without synthesizing again. With --compare-to (the
base branch's reports folder) a risk is "new" when the base did not accept it.

Exit codes: 0 written, 2 no reports to read.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from gates.cost_report import FREE_REASONS_SUMMARY
from gates.diagram import DIAGRAM_FILE

ROOT = Path(__file__).resolve().parent.parent
COMMENT_FILE = "cost-comment.md"
# GitHub refuses comments over 65,536 characters; folds are dropped before that.
MAX_CHARS = 60_000


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


def _read_text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None


def _usd(value: float | None) -> str:
    return "n/a" if value is None else f"{value:,.2f}"


def _signed(value: float) -> str:
    return f"{'+' if value >= 0 else '-'}{abs(value):,.2f}"


def environments(reports_dir: Path) -> list[str]:
    """Every folder holding a summary.json, the shared bootstrap stack last."""
    names = sorted(p.parent.name for p in reports_dir.glob("*/summary.json"))
    return sorted(names, key=lambda n: (n == "bootstrap", n))


def _risks(summary: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [
        (str(r.get("component", "")), str(r.get("setting", "")), str(r.get("risk", "")))
        for r in summary.get("risks") or []
        if isinstance(r, dict)
    ]


def render(reports_dir: Path, compare_to: Path | None = None) -> str:
    names = environments(reports_dir)
    if not names:
        raise FileNotFoundError(f"no <env>/summary.json under {reports_dir}: run `make check` first")
    rows, new_risks, folds = [], [], []
    passed_all = True
    for env in names:
        folder = reports_dir / env
        summary = _read_json(folder / "summary.json") or {}
        cost = _read_json(folder / "cost.json") or {}
        passed = bool(summary.get("passed"))
        passed_all &= passed
        checks = summary.get("checks") or {}
        failed = int(checks.get("failed", 0)) + len(summary.get("errors") or [])
        total = cost.get("monthly_usd")
        compared = cost.get("compared_to") if isinstance(cost.get("compared_to"), dict) else None
        change = _signed(float(compared["delta_usd"])) if compared else "no base"
        budget = cost.get("budget_usd")
        unpriced = len(cost.get("unpriced") or [])
        risks = _risks(summary)
        base = _read_json(compare_to / env / "summary.json") if compare_to else None
        fresh = [r for r in risks if base is None or r not in set(_risks(base))]
        new_risks += [(env, *r) for r in fresh]
        verdict = "PASS" if passed else "**FAIL**"
        problems = []
        if failed:
            problems.append(f"{failed} failed check{'s' if failed != 1 else ''}")
        if unpriced:
            problems.append(f"{unpriced} unpriced")
        if budget is not None and total is not None and total > budget:
            problems.append("over budget")
        rows.append(
            f"| `{env}` | {verdict}{' (' + ', '.join(problems) + ')' if problems else ''} | {_usd(total)} | {change} "
            f"| {_usd(budget) if budget is not None else 'none'} | {len(fresh) if base is not None else len(risks)} |"
        )
        folds.append(_details(env, folder, summary))
    risk_heading = "New risks (not accepted on the base branch)" if compare_to else "Risks accepted in the environment files"
    lines = [
        f"## Gates: {'all passed' if passed_all else 'FAILED'}",
        "",
        "| environment | verdict | USD / month | change | budget | " + ("new risks |" if compare_to else "risks |"),
        "| --- | --- | ---: | ---: | ---: | ---: |",
        *rows,
        "",
        f"### {risk_heading}",
        "",
        *([f"- `{env}` {component}: {risk} (`{setting}`)" for env, component, setting, risk in new_risks] or ["None."]),
        "",
    ]
    head = "\n".join(lines)
    body = "\n".join(folds)
    if len(head) + len(body) > MAX_CHARS:
        body = "\n".join(_details(env, reports_dir / env, None) for env in names)
    return head + "\n" + body + "\n"


def _fold(summary_line: str, content: str) -> str:
    return f"<details><summary>{summary_line}</summary>\n\n{content}\n\n</details>\n"


def _without_free_reasons(cost_md: str) -> str:
    """cost.md without its fold of free-type reasons: reference text a reviewer finds in the
    report itself, and the comment has to stay under the size a pull-request comment allows."""
    start = cost_md.find(f"<details><summary>{FREE_REASONS_SUMMARY}</summary>")
    if start < 0:
        return cost_md
    end = cost_md.find("</details>", start) + len("</details>")
    return cost_md[:start] + cost_md[end:].lstrip("\n")


def _details(env: str, folder: Path, summary: dict[str, Any] | None) -> str:
    """The folds of one environment; summary None means "too long": name the files instead."""
    if summary is None:
        return f"- `{env}`: details in the build's reports (`{folder.name}/cost.md`, `risks.md`, `{DIAGRAM_FILE}`)."
    parts = []
    violations = summary.get("violations") or []
    errors = summary.get("errors") or []
    if violations or errors:
        lines = [f"- `{v.get('rule')}` on `{v.get('resource')}`: {v.get('message')} (fix: {v.get('fix')})" for v in violations]
        lines += [f"- gate error: {e}" for e in errors]
        parts.append(_fold(f"{env}: what to fix ({len(violations) + len(errors)})", "\n".join(lines)))
    risks = _read_text(folder / "risks.md")
    if risks:
        parts.append(_fold(f"{env}: risks", risks))
    cost = _read_text(folder / "cost.md")
    if cost:
        parts.append(_fold(f"{env}: cost per resource", _without_free_reasons(cost)))
    picture = _read_text(folder / DIAGRAM_FILE)
    if picture:
        parts.append(_fold(f"{env}: diagram", picture))
    return "\n".join(parts)


def write(reports_dir: Path, out: Path, compare_to: Path | None = None) -> Path:
    text = render(reports_dir, compare_to)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(out)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gates.comment", description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports-dir", type=Path, default=ROOT / "cdktf.out" / "reports")
    parser.add_argument("--compare-to", type=Path, help="the base branch's reports folder: risks it lacks are new")
    parser.add_argument("--out", type=Path, help=f"default: <reports-dir>/{COMMENT_FILE}")
    args = parser.parse_args(argv)
    if args.compare_to is not None and not args.compare_to.is_dir():
        print(
            f"comment: --compare-to {args.compare_to}: no such reports folder; the comment lists every accepted risk instead of the new ones.",
            file=sys.stderr,
        )
        args.compare_to = None
    try:
        path = write(args.reports_dir, args.out or args.reports_dir / COMMENT_FILE, args.compare_to)
    except FileNotFoundError as exc:
        print(f"comment: {exc}", file=sys.stderr)
        return 2
    print(f"Wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
