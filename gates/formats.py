"""SARIF 2.1.0 and JUnit XML renderings of the security gate, for code scanning and CI test views.

Suppressed findings stay in both files, marked as suppressed with their reason,
so a reviewer can see what was accepted and why: an acceptance written by a
construct as an in-source suppression, an entry of the suppression file as an
external one. Risks the environment file accepts are note-level results.
"""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from gates.acceptances import Acceptance
from gates.inputs import Risk, Stack
from gates.security import Finding, SecurityResult

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
TOOL_NAME = "foundation-gates"
RISK_RULE = "FND_RISK"


def _uri(path: Path) -> str:
    try:
        return Path(os.path.relpath(path.resolve(), Path.cwd())).as_posix()
    except ValueError:
        return path.resolve().as_posix()


def _rule(finding: Finding) -> dict[str, Any]:
    rule: dict[str, Any] = {
        "id": finding.check_id,
        "name": finding.check_id,
        "shortDescription": {"text": finding.check_name or finding.check_id},
    }
    if finding.guideline:
        rule["help"] = {"text": finding.guideline}
    return rule


def _result(stack: Stack, finding: Finding) -> dict[str, Any]:
    text = finding.check_name + (": " + "; ".join(finding.details) if finding.details else "")
    if finding.acceptance_problem:
        text += f" ({finding.acceptance_problem})"
    result: dict[str, Any] = {
        "ruleId": finding.check_id,
        "level": "error",
        "message": {"text": f"{finding.resource}: {text}"},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": _uri(stack.path)},
                    "region": {"startLine": max(1, finding.line)},
                },
                "logicalLocations": [{"fullyQualifiedName": finding.resource, "kind": "resource"}],
            }
        ],
    }
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


def _risk(stack: Stack, risk: Risk) -> dict[str, Any]:
    """A risk accepted in the environment file: reported for review, never failing the gate."""
    return {
        "ruleId": RISK_RULE,
        "level": "note",
        "message": {"text": f"{risk.component}: {risk.risk} (accepted by {risk.setting})"},
        "locations": [
            {
                "physicalLocation": {"artifactLocation": {"uri": _uri(stack.path)}, "region": {"startLine": 1}},
                "logicalLocations": [{"fullyQualifiedName": risk.setting, "kind": "member"}],
            }
        ],
        "properties": {"component": risk.component, "setting": risk.setting},
    }


def sarif(stack: Stack, result: SecurityResult) -> dict[str, Any]:
    rules = {f.check_id: _rule(f) for f in [*result.findings, *result.passed]}
    risks = stack.foundation.risks
    if risks:
        rules[RISK_RULE] = {
            "id": RISK_RULE,
            "name": RISK_RULE,
            "shortDescription": {"text": "A risk the environment file accepts on purpose"},
            "defaultConfiguration": {"level": "note"},
        }
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": TOOL_NAME, "rules": [rules[k] for k in sorted(rules)]}},
                "automationDetails": {"id": f"security/{stack.env}"},
                "results": [*(_result(stack, f) for f in result.findings), *(_risk(stack, r) for r in risks)],
                "invocations": [
                    {
                        "executionSuccessful": not result.errors,
                        "toolExecutionNotifications": [{"level": "error", "message": {"text": e}} for e in result.errors],
                    }
                ],
            }
        ],
    }


def junit(stack: Stack, result: SecurityResult) -> bytes:
    cases = [*result.passed, *result.findings]
    suite = ET.Element(
        "testsuite",
        name=f"security.{stack.env}",
        tests=str(len(cases) + len(result.errors)),
        failures=str(len(result.failed)),
        errors=str(len(result.errors)),
        skipped=str(len(result.suppressed)),
    )
    for finding in cases:
        case = ET.SubElement(
            suite, "testcase", classname=f"{stack.env}.{finding.resource}", name=f"{finding.check_id} {finding.check_name}"
        )
        cover = finding.suppressed_by
        if isinstance(cover, Acceptance):
            ET.SubElement(case, "skipped", message=f"accepted at {cover.where}: {cover.reason}")
        elif cover is not None:
            ET.SubElement(case, "skipped", message=f"suppressed: {cover.reason}")
        elif finding in result.findings:
            failure = ET.SubElement(case, "failure", message=finding.check_name, type=finding.check_id)
            lines = [*finding.details, finding.acceptance_problem or "", f"fix: {finding.guideline}" if finding.guideline else ""]
            failure.text = "\n".join(line for line in lines if line)
    for index, error in enumerate(result.errors):
        case = ET.SubElement(suite, "testcase", classname=f"{stack.env}.gate", name=f"gate error {index + 1}")
        ET.SubElement(case, "error", message=error)
    root = ET.Element("testsuites")
    root.append(suite)
    ET.indent(root)
    data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return data


def write_text_atomically(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def write(target: Path, stack: Stack, result: SecurityResult) -> None:
    write_text_atomically(target / "security.sarif", (json.dumps(sarif(stack, result), indent=2) + "\n").encode())
    write_text_atomically(target / "security.junit.xml", junit(stack, result))
