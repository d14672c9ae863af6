"""Reports: `cdktf.out/reports/<env>/summary.json` and the console table."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from gates import cost_report, formats
from gates.acceptances import Acceptance
from gates.inputs import Risk, Stack
from gates.security import Finding, SecurityResult
from gates.suppressions import Suppression

# The handful of resource kinds a reviewer looks for first in a network summary.
_INVENTORY = (
    ("aws_vpc", "VPC"),
    ("aws_subnet", "subnets"),
    ("aws_nat_gateway", "NAT"),
    ("aws_vpc_endpoint", "endpoints"),
    ("aws_security_group", "SGs"),
    ("aws_s3_bucket", "buckets"),
    ("aws_rds_cluster", "DB clusters"),
    ("aws_db_instance", "DB instances"),
    ("aws_lambda_function", "functions"),
    ("aws_api_gateway_rest_api", "APIs"),
)


def inventory(stack: Stack) -> str:
    counts = Counter(address.split(".", 1)[0] for address in stack.resources())
    parts = [f"{counts[t]} {label}" for t, label in _INVENTORY if counts[t]]
    total = sum(counts.values())
    return f"{total} resource{'' if total == 1 else 's'}" + (f" ({', '.join(parts)})" if parts else "")


# Raised when a key changes meaning or goes; new keys do not raise it. 2: paths relative to the
# working directory, tool, generated_at, risks with their reason.
SCHEMA_VERSION = 2
RISKS_FILE = "risks.md"


def relative(path: Path) -> str:
    """A path as the reader typed it: relative to the working directory when below it."""
    try:
        return os.path.relpath(path.resolve(), Path.cwd())
    except ValueError:  # another drive (Windows)
        return str(path)


def risk_entry(risk: Risk) -> dict[str, Any]:
    return {
        "component": risk.component,
        "setting": risk.setting,
        "risk": risk.risk,
        **({"reason": risk.reason} if risk.reason else {}),
    }


def summary(
    stack: Stack,
    result: SecurityResult,
    cost: cost_report.CostOutcome | None = None,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    moment = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(microsecond=0)
    document = {
        "schema_version": SCHEMA_VERSION,
        "generated_at": moment.isoformat().replace("+00:00", "Z"),
        "tool": {"name": "gates", "checkov": result.checkov_version},
        "env": stack.env,
        "stack": relative(stack.path),
        "passed": result.ok and (cost is None or cost.ok),
        "resources": len(stack.resources()),
        # Resources Checkov reported on; the gate fails naming any it lost (gates/security.py).
        "resources_scanned": result.resources_scanned,
        "profile": stack.foundation.profile,
        "checks": {
            "passed": result.passed_checks,
            "failed": len(result.failed),
            "suppressed": len(result.suppressed),
            "accepted_in_code": len(result.accepted),
        },
        "violations": [
            {
                "rule": f.check_id,
                "resource": f.resource,
                "message": _message(f),
                "details": list(f.details),
                "fix": _fix(f),
                **({"acceptance": f.acceptance_problem} if f.acceptance_problem else {}),
            }
            for f in result.failed
        ],
        "suppressed": [_covered(stack, f, f.suppressed_by) for f in result.suppressed if f.suppressed_by is not None],
        # Not failures: what a check could not judge because Terraform learns the value at apply.
        "unknown": [{"rule": f.check_id, "resource": f.resource, "details": list(f.details)} for f in result.unknown],
        "risks": [risk_entry(r) for r in stack.foundation.risks],
        "errors": list(result.errors),
    }
    if cost is not None:
        document["cost"] = cost_report.summary_entry(cost)
    return document


def _covered(stack: Stack, finding: Finding, cover: Acceptance | Suppression) -> dict[str, Any]:
    """One covered finding: which check on which resource, who accepted it (construct or file) and why."""
    entry: dict[str, Any] = {
        "rule": finding.check_id,
        "resource": finding.resource,
        "construct_path": stack.construct_path(finding.resource),
        "source": "acceptance" if isinstance(cover, Acceptance) else "suppressions file",
        "reason": cover.reason,
        "pin": cover.pin if isinstance(cover, Acceptance) else None,
        "expires": cover.expires.isoformat() if cover.expires else None,
    }
    if isinstance(cover, Suppression):
        entry["suppression"] = cover.number
    return entry


def _message(finding: Finding) -> str:
    return f"{finding.check_name}: {'; '.join(finding.details)}" if finding.details else finding.check_name


def _fix(finding: Finding) -> str:
    if finding.guideline:
        return finding.guideline
    return f"see {finding.check_id} in the Checkov policy index (https://www.checkov.io/5.Policy%20Index/terraform.html)"


def write(reports_dir: Path, stack: Stack, result: SecurityResult, cost: cost_report.CostOutcome | None = None) -> Path:
    """summary.json, security.sarif, security.junit.xml, and with a cost outcome cost.json and
    cost.md; each written beside, then renamed."""
    target = reports_dir / stack.env
    target.mkdir(parents=True, exist_ok=True)
    formats.write(target, stack, result, cost)
    if cost is not None:
        cost_report.write(target, cost)
    risks_path = target / RISKS_FILE
    if stack.foundation.risks:
        formats.write_text_atomically(risks_path, risks_markdown(stack).encode())
    elif risks_path.exists():
        risks_path.unlink()  # a risk list from an earlier run would be reported as current
    path = target / "summary.json"
    formats.write_text_atomically(path, (json.dumps(summary(stack, result, cost), indent=2) + "\n").encode())
    return path


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def risks_markdown(stack: Stack) -> str:
    """The protections this environment turns off on purpose, as a table for the pull request."""
    risks = stack.foundation.risks
    lines = [
        f"### {stack.env}: {len(risks)} accepted risk{'' if len(risks) == 1 else 's'}",
        "",
        "Settings that weaken a production default; each was chosen in the environment file.",
        "",
        "| Component | Setting | Risk | Accepted because |",
        "|---|---|---|---|",
    ]
    for risk in risks:
        lines.append(
            f"| {_cell(risk.component)} | `{_cell(risk.setting)}` | {_cell(risk.risk)} | {_cell(risk.reason or 'no reason given')} |"
        )
    return "\n".join(lines) + "\n"


def console(
    stacks: list[Stack], results: dict[str, SecurityResult], costs: dict[str, cost_report.CostOutcome] | None = None
) -> str:
    lines = []
    costs = costs or {}
    width = max(len(s.env) for s in stacks)
    for stack in stacks:
        r = results[stack.env]
        c = costs.get(stack.env)
        verdict = "PASS" if r.ok and (c is None or c.ok) else "FAIL"
        money = f"  |  {cost_report.headline(c)}" if c is not None else ""
        in_code = f" ({len(r.accepted)} accepted in code)" if r.accepted else ""
        risks = len(stack.foundation.risks)
        risk_text = f", {risks} risk{'' if risks == 1 else 's'} accepted" if risks else ""
        lines.append(
            f"{stack.env:<{width}}  {verdict}  security: {r.passed_checks} passed, {len(r.failed)} failed, "
            f"{len(r.suppressed)} suppressed{in_code}{risk_text}{money}  |  {inventory(stack)}"
        )
    for stack in stacks:
        if stack.foundation.risks:
            lines.append("")
            lines.append(f"{stack.env}: accepted risks")
            for risk in stack.foundation.risks:
                because = f" ({risk.reason})" if risk.reason else ""
                lines.append(f"  ~ {risk.component}: {risk.setting}: {risk.risk}{because}")
    for stack in stacks:
        unknown = results[stack.env].unknown
        if unknown:
            lines.append("")
            lines.append(f"{stack.env}: unknown before apply ({len(unknown)}; not failures: gate the plan to judge them)")
            for finding in sorted(unknown, key=lambda f: (f.resource, f.check_id))[:20]:
                lines.append(f"  ? {finding.resource}  {finding.check_id}: {'; '.join(finding.details)}")
            if len(unknown) > 20:
                lines.append(f"  ? ... and {len(unknown) - 20} more in summary.json")
    for stack in stacks:
        c = costs.get(stack.env)
        if c is not None and c.previous is not None and c.deltas():
            lines.append("")
            lines.append(f"{stack.env}: monthly change per resource")
            lines += cost_report.delta_lines(c)
    for stack in stacks:
        r = results[stack.env]
        c = costs.get(stack.env)
        if r.ok and (c is None or c.ok):
            continue
        lines.append("")
        lines.append(f"{stack.env}: what to fix")
        if c is not None:
            lines += cost_report.problems(c)
        for error in r.errors:
            lines.append(f"  ! {error}")
        grouped: dict[str, list[Finding]] = defaultdict(list)
        for finding in r.failed:
            grouped[finding.resource].append(finding)
        for resource in sorted(grouped):
            lines.append(f"  {resource}")
            for finding in grouped[resource]:
                lines.append(f"    {finding.check_id}  {finding.check_name}")
                for detail in finding.details:
                    lines.append(f"      - {detail}")
                if finding.acceptance_problem:
                    lines.append(f"      ! {finding.acceptance_problem}")
                lines.append(f"      fix: {_fix(finding)}")
    return "\n".join(lines)
