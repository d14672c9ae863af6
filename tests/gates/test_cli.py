"""`python -m gates` on synthesized and hand-written Terraform JSON, with real Checkov."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.conftest import ROOT

HOUSE_TAGS = {
    "project": "filehub",
    "environment": "dev",
    "owner": "platform-team",
    "cost-centre": "cc-4711",
    "managed-by": "hand",
}
TRUSTED_ROLE = {
    "provider": {"aws": [{"region": "eu-central-1", "default_tags": [{"tags": HOUSE_TAGS}]}]},
    "resource": {
        "aws_iam_role": {
            "ci_deployer": {
                "name": "ci-deployer",
                "assume_role_policy": json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
                        ],
                    }
                ),
            }
        }
    },
}
BARE_BUCKET = {"resource": {"aws_s3_bucket": {"uploads": {"bucket": "filehub-uploads-test"}}}}


def gates(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "gates", *args], capture_output=True, text=True, cwd=cwd, check=False)


def stack(tmp_path: Path, name: str, document: object) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    (folder / "cdk.tf.json").write_text(json.dumps(document) if not isinstance(document, str) else document)
    return folder


def suppressions(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "suppressions.toml"
    path.write_text(text)
    return path


def test_every_synthesized_stack_passes_and_writes_summaries(synth_dir: Path, tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    stacks = [str(synth_dir / "stacks" / name) for name in ("dev", "prod", "bootstrap")]
    result = gates(*stacks, "--reports-dir", str(reports))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "All gates passed." in result.stdout
    for name in ("dev", "prod", "bootstrap"):
        summary = json.loads((reports / name / "summary.json").read_text())
        assert summary["env"] == name and summary["passed"] is True
        assert summary["checks"]["failed"] == 0 and summary["checks"]["passed"] > 0
        assert summary["violations"] == [] and summary["errors"] == []
        assert all(s["reason"] for s in summary["suppressed"])
    # Every covered finding, whether accepted in code or in the suppression file, is in all three reports.
    prod = json.loads((reports / "prod" / "summary.json").read_text())
    covered = sorted((s["rule"], s["resource"]) for s in prod["suppressed"])
    assert len(covered) == prod["checks"]["suppressed"] > 0
    sarif = json.loads((reports / "prod" / "security.sarif").read_text())
    assert sarif["version"] == "2.1.0"
    (run,) = sarif["runs"]
    suppressed = [r for r in run["results"] if r.get("suppressions")]
    assert sorted((r["ruleId"], r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]) for r in suppressed) == covered
    assert all(r["suppressions"][0]["justification"] for r in suppressed)
    in_code = {(s["rule"], s["resource"]) for s in prod["suppressed"] if s["source"] == "acceptance"}
    assert {(r["ruleId"], r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]) for r in suppressed
            if r["suppressions"][0]["kind"] == "inSource"} == in_code  # fmt: skip
    suite = ET.parse(reports / "prod" / "security.junit.xml").getroot().find("testsuite")
    assert suite is not None
    # One case per gate; the covered findings are listed in the cases' output, each once.
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("4", "0", "0")
    listed = "\n".join(out.text or "" for out in suite.iter("system-out"))
    lines = [line for line in listed.splitlines() if ": accepted at " in line or ": suppressed: " in line]
    assert len(lines) == len(set(lines))
    assert {tuple(line.split(":", 1)[0].split(" ", 1)) for line in lines} == set(covered)


def test_hand_written_compliant_stack_passes(tmp_path: Path) -> None:
    folder = stack(tmp_path, "handmade", TRUSTED_ROLE)
    result = gates(str(folder / "cdk.tf.json"), "--reports-dir", str(tmp_path / "r"), "--suppressions", "/dev/null")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("handmade  PASS  security: ")


def test_failure_names_the_check_and_the_resource(tmp_path: Path) -> None:
    folder = stack(tmp_path, "handmade", BARE_BUCKET)
    result = gates(str(folder), "--reports-dir", str(tmp_path / "r"), "--suppressions", "/dev/null")
    assert result.returncode == 1
    assert "handmade: what to fix" in result.stdout
    assert "  aws_s3_bucket.uploads\n" in result.stdout
    assert "CKV2_AWS_6  Ensure that S3 bucket has a Public Access block" in result.stdout
    summary = json.loads((tmp_path / "r" / "handmade" / "summary.json").read_text())
    assert {"rule": "CKV2_AWS_6", "resource": "aws_s3_bucket.uploads"}.items() <= next(
        v for v in summary["violations"] if v["rule"] == "CKV2_AWS_6"
    ).items()
    sarif = json.loads((tmp_path / "r" / "handmade" / "security.sarif").read_text())
    result = next(r for r in sarif["runs"][0]["results"] if r["ruleId"] == "CKV2_AWS_6")
    assert result["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == "aws_s3_bucket.uploads"
    assert "suppressions" not in result
    # JUnit: the security gate's case fails and names the check on the resource.
    failures = list(ET.parse(tmp_path / "r" / "handmade" / "security.junit.xml").getroot().iter("failure"))
    assert any("CKV2_AWS_6 aws_s3_bucket.uploads: " in (f.text or "") for f in failures)


def test_reasoned_suppression_lets_the_finding_pass(tmp_path: Path) -> None:
    folder = stack(tmp_path, "handmade", BARE_BUCKET)
    assert gates(str(folder), "--reports-dir", str(tmp_path / "r"), "--suppressions", "/dev/null").returncode == 1
    report = json.loads((tmp_path / "r" / "handmade" / "summary.json").read_text())
    # Hand-written JSON carries no "//".foundation, so only entries scoped to it apply.
    entries = "".join(
        f'[[suppression]]\ncheck = "{v["rule"]}"\nresource = "aws_s3_bucket.uploads"\nenvironments = ["handmade"]\n'
        'reason = "This fixture bucket exists only to prove that suppressions apply."\n'
        for v in report["violations"]
    )
    # The bucket's provider names no Region: --region lets the cost gate price it.
    result = gates(
        str(folder),
        "--reports-dir",
        str(tmp_path / "r"),
        "--suppressions",
        str(suppressions(tmp_path, entries)),
        "--region",
        "eu-central-1",
    )
    assert result.returncode == 0, result.stdout
    assert f"0 failed, {len(report['violations'])} suppressed" in result.stdout


def test_stale_suppression_fails(tmp_path: Path) -> None:
    folder = stack(tmp_path, "handmade", TRUSTED_ROLE)
    path = suppressions(
        tmp_path,
        '[[suppression]]\ncheck = "CKV2_AWS_6"\nresource = "aws_s3_bucket.gone"\nenvironments = ["handmade"]\n'
        'reason = "The bucket this entry covered was deleted long ago."\n',
    )
    result = gates(str(folder), "--reports-dir", str(tmp_path / "r"), "--suppressions", str(path))
    assert result.returncode == 1
    assert (
        "suppression #1 (CKV2_AWS_6 on aws_s3_bucket.gone, handmade) matches no failed check: "
        "the finding is gone or the address changed; delete or correct the entry."
    ) in result.stdout


def test_expired_suppression_fails_even_when_it_matches(tmp_path: Path) -> None:
    folder = stack(tmp_path, "handmade", BARE_BUCKET)
    path = suppressions(
        tmp_path,
        '[[suppression]]\ncheck = "CKV2_AWS_6"\nresource = "aws_s3_bucket.uploads"\nenvironments = ["handmade"]\n'
        'reason = "Public access is blocked at the account level until the bucket construct lands."\nexpires = 2026-01-31\n',
    )
    result = gates(str(folder), "--reports-dir", str(tmp_path / "r"), "--suppressions", str(path), "--today", "2026-02-01")
    assert result.returncode == 1
    assert "suppression #1 (CKV2_AWS_6 on aws_s3_bucket.uploads, handmade) expired on 2026-01-31" in result.stdout
    assert "CKV2_AWS_6  Ensure that S3 bucket has a Public Access block" in result.stdout


def test_suppression_scoped_to_another_environment_is_neither_used_nor_stale(tmp_path: Path) -> None:
    folder = stack(tmp_path, "handmade", TRUSTED_ROLE)
    path = suppressions(
        tmp_path,
        '[[suppression]]\ncheck = "CKV2_AWS_6"\nresource = "aws_s3_bucket.gone"\nenvironments = ["prod"]\n'
        'reason = "Applies to prod only, which this run does not gate."\n',
    )
    assert gates(str(folder), "--reports-dir", str(tmp_path / "r"), "--suppressions", str(path)).returncode == 0


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            'check = "CKV_AWS_18"\nresource = "aws_s3_bucket.x"\nreason = "Not needed."\n',
            "reason = 'Not needed.': a sentence of at least 6 words",
        ),
        (
            'check = "no id"\nresource = "aws_s3_bucket.x"\nreason = "A long enough reason for this entry."\n',
            "check = 'no id': a check id",
        ),
        (
            'check = "CKV_AWS_18"\nresource = "x"\nreason = "A long enough reason for this entry."\n',
            "resource = 'x': a resource address",
        ),
        (
            'check = "CKV_AWS_18"\nresource = "aws_s3_bucket.x"\nreason = "A long enough reason for this entry."\nexpires = "soon"\n',
            "expires = 'soon': a TOML date",
        ),
        (
            'check = "CKV_AWS_18"\nresource = "aws_s3_bucket.x"\nreason = "A long enough reason for this entry."\nowner = "me"\n',
            "unknown key 'owner'",
        ),
        (
            'check = "CKV_AWS_18"\nresource = "aws_s3_bucket.x"\npath = "storage/x"\nreason = "A long enough reason for this entry."\n',
            "has both resource and path; keep one",
        ),
        (
            'check = "CKV_AWS_18"\nreason = "A long enough reason for this entry."\n',
            "names no resource; add resource = <type>.<name> or path = <construct path below the stack>",
        ),
        (
            'check = "CKV_AWS_18"\npath = "/storage/x"\nreason = "A long enough reason for this entry."\n',
            "path = '/storage/x': a construct path below the stack",
        ),
        (
            'check = "CKV_AWS_18"\npath = "storage/x"\nprofiles = ["prod"]\nreason = "A long enough reason for this entry."\n',
            "profiles = ['prod']: a non-empty list of 'development' and 'production'",
        ),
    ],
)
def test_invalid_suppression_file_is_unusable_input(tmp_path: Path, entry: str, message: str) -> None:
    folder = stack(tmp_path, "handmade", TRUSTED_ROLE)
    path = suppressions(tmp_path, "[[suppression]]\n" + entry)
    result = gates(str(folder), "--suppressions", str(path), "--reports-dir", str(tmp_path / "r"))
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_terraform_settings_checkov_cannot_parse_are_scanned_anyway(tmp_path: Path) -> None:
    # Checkov 3.3 rejects a file with terraform.required_version and scans none of it; the gate
    # gives it a copy without the settings it cannot read, so every resource is checked.
    document = {"terraform": {"required_version": ">= 1.11"}, **TRUSTED_ROLE}
    folder = stack(tmp_path, "handmade", document)
    result = gates(str(folder), "--reports-dir", str(tmp_path / "r"), "--suppressions", "/dev/null")
    assert "could not parse" not in result.stdout
    summary = json.loads((tmp_path / "r" / "handmade" / "summary.json").read_text())
    assert summary["resources"] == len(TRUSTED_ROLE["resource"]["aws_iam_role"])
    assert not [e for e in summary["errors"] if "Checkov" in e]
    assert summary["checks"]["passed"] > 0


def test_empty_resource_set_fails(tmp_path: Path) -> None:
    folder = stack(tmp_path, "handmade", {"provider": {"aws": [{"region": "eu-central-1"}]}, "terraform": {}})
    result = gates(str(folder), "--reports-dir", str(tmp_path / "r"), "--suppressions", "/dev/null")
    assert result.returncode == 1
    assert "Checkov scanned no resource in" in result.stdout


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON (line 1, column 2"),
        ('{"name": "a package.json perhaps"}', "JSON, but not Terraform JSON"),
        ("[1, 2]", "JSON, but not Terraform JSON"),
    ],
)
def test_unusable_input_exits_2(tmp_path: Path, content: str, message: str) -> None:
    folder = stack(tmp_path, "handmade", content)
    result = gates(str(folder), "--reports-dir", str(tmp_path / "r"))
    assert result.returncode == 2
    assert message in result.stderr
    assert not (tmp_path / "r").exists()


def test_missing_file_exits_2(tmp_path: Path) -> None:
    result = gates(str(tmp_path / "nowhere" / "cdk.tf.json"))
    assert result.returncode == 2
    assert "no such file" in result.stderr


def test_gates_never_import_cdktf_or_the_constructs() -> None:
    code = (
        "import sys, gates.cli, gates.security, gates.report, gates.suppressions, gates.inputs, gates.acceptances\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('cdktf', 'constructs', 'jsii', 'modules', 'cdktf_cdktf_provider_aws'))\n"
        "print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]"
