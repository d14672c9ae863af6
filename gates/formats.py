"""SARIF 2.1.0 and JUnit XML renderings of the gates, for code scanning and CI test views.

SARIF: every result points at the file that made the resource, the construct source found
through the construct path the app writes into the JSON (with the environment file's section as
a related location), and only for JSON without construct paths at the JSON itself. Its level
follows the check's severity, with `security-severity`, help text and a help link on the rule.
Suppressed findings stay, marked as suppressed with their reason: an acceptance written by a
construct as an in-source suppression, an entry of the suppression file as an external one.
Risks the environment file accepts are note-level results located in that file.

JUnit: one test case per gate and environment (security, our policies, cost budget, unpriced
types), so a CI test view shows four lines per environment whatever the number of checks.
"""

from __future__ import annotations

import functools
import json
import os
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gates.acceptances import Acceptance
from gates.inputs import Risk, Stack, file_state
from gates.security import Finding, SecurityResult

if TYPE_CHECKING:
    from gates.cost_report import CostOutcome

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
TOOL_NAME = "foundation-gates"
RISK_RULE = "FND_RISK"
ROOT = Path(__file__).resolve().parent.parent
SOURCE_ROOT = "SRCROOT"
CHECKOV_INDEX = "https://www.checkov.io/5.Policy%20Index/terraform.html"
OWN_CHECKS_URI = "policies/checks/"

# Severity of our own checks: the harm each prevents had it reached an account. API constraints
# only make apply fail (medium); tags and retention cost money, not safety (low).
OWN_SEVERITY = {
    "FND_IAM_1": "high",
    "FND_IAM_2": "high",
    "FND_PROD_1": "high",
    "FND_PROD_2": "high",
    "FND_TAG_2": "low",
    "FND_LOG_1": "low",
}
# Checkov's own severities come from its platform API, which the gate never calls
# (--skip-download); a built-in check's severity follows what its name says it guards.
_HIGH_WORDS = re.compile(
    r"encrypt|public|0\.0\.0\.0|::/0|ingress|wildcard|admin|privilege|\"\*\"|secret|password|credential|ssl|tls|https",
    re.IGNORECASE,
)
# GitHub code scanning reads security-severity as a CVSS-like score: >= 7 high, >= 4 medium.
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0"}
LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note"}


def severity(check_id: str, check_name: str) -> str:
    if check_id in OWN_SEVERITY:
        return OWN_SEVERITY[check_id]
    if not check_id.startswith("CKV"):
        return "medium"
    return "high" if _HIGH_WORDS.search(check_name) else "medium"


def is_own(check_id: str) -> bool:
    """Our policies (policies/checks/) against Checkov's built-in checks."""
    return not check_id.startswith("CKV")


# --- where a resource comes from -------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    uri: str
    line: int
    under_root: bool = True

    def physical(self) -> dict[str, Any]:
        location: dict[str, Any] = {"uri": self.uri}
        if self.under_root:
            location["uriBaseId"] = SOURCE_ROOT
        return {"artifactLocation": location, "region": {"startLine": max(1, self.line)}}


def _line_of(path: Path, pattern: re.Pattern[str]) -> int | None:
    """The first line of `path` matching `pattern`; the answer is kept while the file is unchanged
    (every finding of every stack looks through the same construct and environment files)."""
    state = file_state(path)
    return None if state is None else _first_line(str(path), *state, pattern)


@functools.lru_cache(maxsize=4096)
def _first_line(path: str, mtime_ns: int, size: int, pattern: re.Pattern[str]) -> int | None:
    lines = _file_lines(path, mtime_ns, size)
    return next((number for number, text in enumerate(lines, start=1) if pattern.search(text)), None)


@functools.lru_cache(maxsize=256)
def _file_lines(path: str, mtime_ns: int, size: int) -> tuple[str, ...]:
    try:
        return tuple(Path(path).read_text(encoding="utf-8").splitlines())
    except (OSError, UnicodeDecodeError):
        return ()


def _relative(path: Path, root: Path) -> str:
    return path.resolve().relative_to(root.resolve()).as_posix()


def environment_file(stack: Stack, root: Path = ROOT) -> Path | None:
    """The environment file the stack was synthesized from, when it is in this repository."""
    name = stack.foundation.environment or stack.env
    for folder in ("environments", "examples"):
        candidate = root / folder / f"{name}.toml"
        if stack.foundation.present and candidate.is_file():
            return candidate
    return None


def environment_place(stack: Stack, segments: list[str], root: Path = ROOT) -> Place | None:
    """The most specific section of the environment file that configures these construct ids:
    a declared part (`[buckets.uploads]`, `[functions.upload-url]`), else the component's table."""
    path = environment_file(stack, root)
    if path is None:
        return None
    for segment in reversed(segments[1:]):
        line = _line_of(path, re.compile(rf"^\s*\[[A-Za-z_]+\.\"?{re.escape(segment)}\"?\]\s*(#.*)?$"))
        if line:
            return Place(_relative(path, root), line)
    if segments:
        for pattern in (rf"^\s*\[{re.escape(segments[0])}\]", rf"^\s*{re.escape(segments[0])}\s*="):
            line = _line_of(path, re.compile(pattern))
            if line:
                return Place(_relative(path, root), line)
    return Place(_relative(path, root), 1)


def construct_place(stack: Stack, segments: list[str], root: Path = ROOT) -> Place | None:
    """The construct source: the component variant's file, the line creating the construct id."""
    if not segments:
        return None
    component = segments[0]
    variant = dict(stack.foundation.components).get(component)
    folder = root / "modules" / "components" / component
    if not folder.is_dir():
        return None
    preferred = folder / f"{variant.replace('-', '_')}.py" if variant else None
    files = [preferred] if preferred is not None and preferred.is_file() else []
    files += sorted(p for p in folder.glob("*.py") if p not in files)
    files += sorted((root / "modules" / "primitives").glob("*.py"))
    for segment in reversed(segments[1:]):
        quoted = re.compile(rf"[\"']{re.escape(segment)}[\"']")
        for file in files:
            line = _line_of(file, quoted)
            if line:
                return Place(_relative(file, root), line)
    return Place(_relative(files[0], root), 1) if files else None


def _line_in_source(stack: Stack, address: str, line: int) -> int:
    """Checkov's line is in the file it read; a foreign stack's is a canonical copy (gates/normalize.py),
    so find the resource in the user's own file: the first line naming it after the line naming its type."""
    if stack.scan_path is None:
        return line
    rtype, _, name = address.removeprefix("data.").partition(".")
    try:
        lines = stack.path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return 1
    start = next((i for i, text in enumerate(lines) if f'"{rtype}"' in text), None)
    if start is None:
        return 1
    return next((i + 1 for i in range(start, len(lines)) if f'"{name}"' in lines[i]), start + 1)


def _json_place(stack: Stack, line: int) -> Place:
    try:
        return Place(Path(os.path.relpath(stack.path.resolve(), Path.cwd())).as_posix(), line, under_root=False)
    except ValueError:
        return Place(stack.path.resolve().as_posix(), line, under_root=False)


def locations(stack: Stack, address: str, line: int = 1, root: Path = ROOT) -> tuple[Place, list[Place]]:
    """Primary place and related places of a resource."""
    below = stack.path_below_stack(address)
    segments = below.split("/") if below else []
    source, environment = construct_place(stack, segments, root), environment_place(stack, segments, root)
    if source is not None:
        return source, [p for p in (environment,) if p is not None]
    if environment is not None:
        return environment, []
    return _json_place(stack, _line_in_source(stack, address, line)), []


# --- SARIF -----------------------------------------------------------------------------------


def _help_uri(finding: Finding) -> str:
    if finding.guideline and finding.guideline.startswith("https://"):
        return finding.guideline
    if is_own(finding.check_id):
        return OWN_CHECKS_URI
    return CHECKOV_INDEX


def _rule(finding: Finding) -> dict[str, Any]:
    level = severity(finding.check_id, finding.check_name)
    help_text = finding.guideline or f"See {finding.check_id} in the Checkov policy index: {CHECKOV_INDEX}"
    return {
        "id": finding.check_id,
        "name": re.sub(r"[^A-Za-z0-9]", "", finding.check_id.title()),
        "shortDescription": {"text": finding.check_name or finding.check_id},
        "fullDescription": {"text": finding.check_name or finding.check_id},
        "help": {"text": help_text, "markdown": help_text},
        "helpUri": _help_uri(finding),
        "defaultConfiguration": {"level": LEVEL[level]},
        "properties": {
            "security-severity": SECURITY_SEVERITY[level],
            "severity": level,
            "tags": ["security", "terraform", "policy" if is_own(finding.check_id) else "checkov"],
        },
    }


def _result(stack: Stack, finding: Finding, root: Path) -> dict[str, Any]:
    text = finding.check_name + (": " + "; ".join(finding.details) if finding.details else "")
    if finding.acceptance_problem:
        text += f" ({finding.acceptance_problem})"
    primary, related = locations(stack, finding.resource, finding.line, root)
    logical = [{"fullyQualifiedName": finding.resource, "kind": "resource"}]
    construct = stack.construct_path(finding.resource)
    if construct:
        logical.append({"fullyQualifiedName": construct, "kind": "object"})
    result: dict[str, Any] = {
        "ruleId": finding.check_id,
        "level": LEVEL[severity(finding.check_id, finding.check_name)],
        "message": {"text": f"{finding.resource}: {text}"},
        "locations": [{"physicalLocation": primary.physical(), "logicalLocations": logical}],
    }
    if related:
        result["relatedLocations"] = [
            {"id": index, "physicalLocation": place.physical(), "message": {"text": "configured here"}}
            for index, place in enumerate(related, start=1)
        ]
    cover = finding.suppressed_by
    if isinstance(cover, Acceptance):
        result["suppressions"] = [{"kind": "inSource", "status": "accepted", "justification": cover.reason}]
        result["properties"] = {
            "acceptance": {
                "constructPath": cover.construct_path,
                "pin": cover.pin,
                "expires": cover.expires.isoformat() if cover.expires else None,
            }
        }
    elif cover is not None:
        result["suppressions"] = [{"kind": "external", "status": "accepted", "justification": cover.reason}]
    return result


def _risk(stack: Stack, risk: Risk, root: Path) -> dict[str, Any]:
    """A risk accepted in the environment file: reported for review, never failing the gate."""
    path = environment_file(stack, root)
    if path is not None:
        key = risk.setting.rsplit(".", 1)
        line = _line_of(path, re.compile(rf"^\s*{re.escape(key[-1])}\s*=")) if len(key) == 2 else None
        place = environment_place(stack, [key[0]], root) if line is None else Place(_relative(path, root), line)
    else:
        place = _json_place(stack, 1)
    assert place is not None
    return {
        "ruleId": RISK_RULE,
        "level": "note",
        "message": {"text": f"{risk.component}: {risk.risk} (accepted by {risk.setting})"},
        "locations": [
            {
                "physicalLocation": place.physical(),
                "logicalLocations": [{"fullyQualifiedName": risk.setting, "kind": "member"}],
            }
        ],
        "properties": {"component": risk.component, "setting": risk.setting},
    }


def sarif(stack: Stack, result: SecurityResult, root: Path = ROOT) -> dict[str, Any]:
    # One rule per check, described by its last result (a stack has about a thousand results of a few
    # hundred checks): the order of first appearance, as a dict built over all of them keeps.
    last = {f.check_id: f for f in [*result.findings, *result.passed]}
    rules = {check_id: _rule(f) for check_id, f in last.items()}
    risks = stack.foundation.risks
    if risks:
        rules[RISK_RULE] = {
            "id": RISK_RULE,
            "name": "AcceptedRisk",
            "shortDescription": {"text": "A risk the environment file accepts on purpose"},
            "help": {"text": "Review the setting named in the result; the environment file turns a protection off on purpose."},
            "defaultConfiguration": {"level": "note"},
        }
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": TOOL_NAME, "rules": [rules[k] for k in sorted(rules)]}},
                "originalUriBaseIds": {
                    SOURCE_ROOT: {"description": {"text": "The repository root (the folder holding main.py)."}}
                },
                "automationDetails": {"id": f"security/{stack.env}/"},
                "results": [*(_result(stack, f, root) for f in result.findings), *(_risk(stack, r, root) for r in risks)],
                "invocations": [
                    {
                        "executionSuccessful": not result.errors,
                        "toolExecutionNotifications": [{"level": "error", "message": {"text": e}} for e in result.errors],
                    }
                ],
            }
        ],
    }


# --- JUnit -----------------------------------------------------------------------------------


def _finding_line(finding: Finding) -> str:
    detail = "; ".join(finding.details)
    return f"{finding.check_id} {finding.resource}: {finding.check_name}" + (f" ({detail})" if detail else "")


def _covered_line(finding: Finding) -> str:
    cover = finding.suppressed_by
    if isinstance(cover, Acceptance):
        return f"{finding.check_id} {finding.resource}: accepted at {cover.where}: {cover.reason}"
    return f"{finding.check_id} {finding.resource}: suppressed: {cover.reason if cover else ''}"


def _unique(findings: list[Finding]) -> list[Finding]:
    """One line per (check, resource): Checkov reports a provider block once per alias."""
    seen: dict[tuple[str, str], Finding] = {}
    for finding in findings:
        seen.setdefault((finding.check_id, finding.resource), finding)
    return list(seen.values())


def _security_case(suite: ET.Element, env: str, name: str, result: SecurityResult, own: bool) -> None:
    case = ET.SubElement(suite, "testcase", classname=f"gates.{env}", name=name)
    failed = _unique([f for f in result.failed if is_own(f.check_id) == own])
    covered = _unique([f for f in result.suppressed if is_own(f.check_id) == own])
    passed = _unique([f for f in result.passed if is_own(f.check_id) == own])
    if failed:
        failure = ET.SubElement(case, "failure", message=f"{len(failed)} failed check(s)", type="checks")
        failure.text = "\n".join(_finding_line(f) + (f"\n  fix: {f.guideline}" if f.guideline else "") for f in failed)
    if not own and result.errors:
        error = ET.SubElement(case, "error", message="the gate could not check everything", type="gate")
        error.text = "\n".join(result.errors)
    out = [f"{len(passed)} passed, {len(failed)} failed, {len(covered)} accepted or suppressed"]
    out += [_covered_line(f) for f in covered]
    ET.SubElement(case, "system-out").text = "\n".join(out)


def _cost_cases(suite: ET.Element, env: str, cost: CostOutcome | None) -> None:
    budget = ET.SubElement(suite, "testcase", classname=f"gates.{env}", name="cost budget")
    unpriced = ET.SubElement(suite, "testcase", classname=f"gates.{env}", name="unpriced resource types")
    if cost is None:
        ET.SubElement(budget, "skipped", message="the cost gate did not run")
        ET.SubElement(unpriced, "skipped", message="the cost gate did not run")
        return
    monthly = cost.estimate.monthly_usd.quantize(Decimal("0.01"))
    if cost.budget_usd is None:
        ET.SubElement(budget, "skipped", message=f"no budget set; estimate {monthly} USD/month")
    elif cost.over_budget:
        failure = ET.SubElement(budget, "failure", message=f"{monthly} USD/month is over the {cost.budget_usd} USD budget")
        failure.text = "\n".join(f"{usd:>10}  {address}" for address, usd in cost.largest())
    else:
        ET.SubElement(budget, "system-out").text = f"{monthly} USD/month within the {cost.budget_usd} USD budget"
    if cost.estimate.unpriced:
        failure = ET.SubElement(unpriced, "failure", message=f"{len(cost.estimate.unpriced)} resource(s) without a price")
        failure.text = "\n".join(f"{u.address} ({u.rtype}): {u.reason}" for u in cost.estimate.unpriced)
    else:
        ET.SubElement(unpriced, "system-out").text = "every resource type is priced or declared free"


def junit(stack: Stack, result: SecurityResult, cost: CostOutcome | None = None) -> bytes:
    suite = ET.Element("testsuite", name=f"gates.{stack.env}")
    _security_case(suite, stack.env, "security (Checkov)", result, own=False)
    _security_case(suite, stack.env, "our policies (policies/checks)", result, own=True)
    _cost_cases(suite, stack.env, cost)
    cases = suite.findall("testcase")
    suite.set("tests", str(len(cases)))
    suite.set("failures", str(sum(1 for c in cases if c.find("failure") is not None)))
    suite.set("errors", str(sum(1 for c in cases if c.find("error") is not None)))
    suite.set("skipped", str(sum(1 for c in cases if c.find("skipped") is not None)))
    root = ET.Element("testsuites")
    root.append(suite)
    ET.indent(root)
    data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return data


def write_text_atomically(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def write(target: Path, stack: Stack, result: SecurityResult, cost: CostOutcome | None = None) -> None:
    write_text_atomically(target / "security.sarif", (json.dumps(sarif(stack, result), indent=2) + "\n").encode())
    write_text_atomically(target / "security.junit.xml", junit(stack, result, cost))
