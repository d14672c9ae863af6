"""gates/formats.py: SARIF 2.1.0 that validates against the OASIS schema and points at the files
that made each resource, and JUnit with one case per gate, read by a JUnit library."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from junitparser import Error, Failure, JUnitXml, Skipped

from gates import formats
from tests.conftest import ROOT

SCHEMA = json.loads((ROOT / "tests" / "fixtures" / "sarif" / "sarif-schema-2.1.0.json").read_text())
SHIPPED = ("dev", "prod", "bootstrap")
# A bucket with nothing set: Checkov's built-in checks and our own both fail on it.
BARE = {
    "provider": {"aws": [{"region": "eu-central-1"}]},
    "resource": {"aws_s3_bucket": {"bare": {"bucket": "Not_A_Valid_Name"}}},
}


@pytest.fixture(scope="module")
def reports(synth_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real gate over the shipped stacks and one failing hand-written stack, once."""
    work = tmp_path_factory.mktemp("formats")
    (work / "handmade").mkdir()
    (work / "handmade" / "cdk.tf.json").write_text(json.dumps(BARE, indent=2))
    out = work / "reports"
    stacks = [str(synth_dir / "stacks" / name) for name in SHIPPED]
    result = subprocess.run(
        # With a stack of someone else's in the run, the project's reviewed suppressions apply only
        # when named (gates/cli.py): named here, so that the shipped stacks are judged as in make check.
        [sys.executable, "-m", "gates", *stacks, str(work / "handmade"), "--reports-dir", str(out),
         "--suppressions", str(ROOT / "policies" / "suppressions.toml")],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )  # fmt: skip
    assert result.returncode == 1, result.stdout + result.stderr  # the hand-written stack fails
    return out


def _sarif(reports: Path, env: str) -> dict[str, Any]:
    return dict(json.loads((reports / env / "security.sarif").read_text()))


@pytest.mark.parametrize("env", [*SHIPPED, "handmade"])
def test_sarif_validates_against_the_2_1_0_schema(reports: Path, env: str) -> None:
    jsonschema.Draft4Validator(SCHEMA).validate(_sarif(reports, env))


def test_results_point_at_the_construct_source_and_the_environment_file(reports: Path) -> None:
    (run,) = _sarif(reports, "prod")["runs"]
    assert run["results"], "prod has accepted findings, so results"
    for result in run["results"]:
        location = result["locations"][0]["physicalLocation"]
        uri = location["artifactLocation"]["uri"]
        assert not uri.endswith("cdk.tf.json"), result
        assert location["artifactLocation"]["uriBaseId"] == "SRCROOT"
        path = ROOT / uri
        assert path.is_file(), uri
        assert 1 <= location["region"]["startLine"] <= len(path.read_text().splitlines())
        if result["ruleId"] != formats.RISK_RULE:
            assert uri.startswith("modules/"), uri
            (related,) = result["relatedLocations"]
            assert related["physicalLocation"]["artifactLocation"]["uri"] == "environments/prod.toml"


def test_declared_part_is_located_at_its_section(reports: Path) -> None:
    (run,) = _sarif(reports, "dev")["runs"]
    lines = (ROOT / "environments" / "dev.toml").read_text().splitlines()
    sections = {
        lines[r["relatedLocations"][0]["physicalLocation"]["region"]["startLine"] - 1]
        for r in run["results"]
        if r.get("relatedLocations")
    }
    # Declared parts at their own section; components without a table at their [components] line.
    assert {"[buckets.uploads]", "[database]"} <= sections, sections
    components = {
        f"{name} = " for name in ("network", "database", "storage", "metadata_table", "audit", "cdn", "api", "monitoring")
    }
    assert all(s.startswith("[") or s.startswith(tuple(components)) for s in sections), sections


def test_foreign_json_is_located_in_itself_with_levels_from_severity(reports: Path) -> None:
    (run,) = _sarif(reports, "handmade")["runs"]
    results = run["results"]
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].rsplit("/", 1)[-1] for r in results} == {
        "cdk.tf.json"
    }
    rules = {rule["id"]: rule for rule in run["tool"]["driver"]["rules"]}
    for result in results:
        rule = rules[result["ruleId"]]
        level = formats.severity(rule["id"], rule["shortDescription"]["text"])
        assert result["level"] == formats.LEVEL[level] == rule["defaultConfiguration"]["level"]
        assert rule["properties"]["security-severity"] == formats.SECURITY_SEVERITY[level]
        assert rule["help"]["text"] and rule["helpUri"].startswith(("https://", "policies/checks/"))
    assert len({r["level"] for r in results}) > 1, "not every finding is an error"
    assert {"FND_S3_3", "FND_TAG_2"} <= {r["ruleId"] for r in results}


@pytest.mark.parametrize(
    ("check_id", "name", "expected"),
    [
        ("FND_IAM_1", "IAM policies we create must not allow Action *", "high"),
        ("FND_TAG_2", "Taggable resources must carry the house tags", "low"),
        ("FND_S3_3", "S3 bucket names must follow the general purpose bucket naming rules", "medium"),
        ("CKV_AWS_145", "Ensure that S3 buckets are encrypted with KMS by default", "high"),
        ("CKV_AWS_18", "Ensure the S3 bucket has access logging enabled", "medium"),
    ],
)
def test_severity_follows_the_check(check_id: str, name: str, expected: str) -> None:
    assert formats.severity(check_id, name) == expected


GATE_CASES = ["security (Checkov)", "our policies (policies/checks)", "cost budget", "unpriced resource types"]


@pytest.mark.parametrize("env", [*SHIPPED, "handmade"])
def test_junit_has_one_case_per_gate(reports: Path, env: str) -> None:
    xml = JUnitXml.fromfile(str(reports / env / "security.junit.xml"))
    cases = [case for suite in xml for case in suite]
    assert [c.name for c in cases] == GATE_CASES
    assert len({(c.classname, c.name) for c in cases}) == len(cases)


def test_junit_verdicts_match_the_gates(reports: Path) -> None:
    def outcome(env: str) -> dict[str, str]:
        xml = JUnitXml.fromfile(str(reports / env / "security.junit.xml"))
        found = {}
        for suite in xml:
            for case in suite:
                kinds = {type(r) for r in case.result}
                found[case.name] = (
                    "failure" if Failure in kinds else "error" if Error in kinds else "skipped" if Skipped in kinds else "pass"
                )
        return found

    assert set(outcome("prod").values()) == {"pass"}
    handmade = outcome("handmade")
    assert handmade["security (Checkov)"] == "failure" and handmade["our policies (policies/checks)"] == "failure"
    assert handmade["cost budget"] == "skipped"  # a hand-written stack carries no budget


def test_junit_lists_each_failure_once(reports: Path) -> None:
    xml = JUnitXml.fromfile(str(reports / "handmade" / "security.junit.xml"))
    (suite,) = list(xml)
    failures = [r for case in suite for r in case.result if isinstance(r, Failure)]
    lines = [line for f in failures for line in (f.text or "").splitlines() if not line.startswith("  fix:")]
    assert lines and len(lines) == len(set(lines))
