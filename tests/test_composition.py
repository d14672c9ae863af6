"""An environment file chooses its components and declares its parts; every such choice
passes the gates without a suppression edit, and a wrong one is one clear error."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.config.test_loader import VALID
from tests.conftest import COMPOSITIONS, ROOT, Stack


@pytest.fixture(scope="module")
def gated(synth_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], Path]:
    """One gate run (one Checkov process) over every composition."""
    reports = tmp_path_factory.mktemp("reports")
    stacks = [str(synth_dir / "stacks" / name) for name in COMPOSITIONS]
    result = subprocess.run(
        [sys.executable, "-m", "gates", *stacks, "--reports-dir", str(reports)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    return result, reports


@pytest.mark.parametrize("name", COMPOSITIONS)
def test_every_composition_passes_every_gate(gated: tuple[subprocess.CompletedProcess[str], Path], name: str) -> None:
    result, reports = gated
    summary = json.loads((reports / name / "summary.json").read_text())
    assert summary["passed"] is True, result.stdout + result.stderr


def test_weakened_protections_are_risks_in_the_summary_with_their_reason(
    gated: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    # GuardDuty off, throttling raised (less throttled), every statement logged: each a named risk.
    _, reports = gated
    risks = {r["setting"]: r for r in json.loads((reports / "weakened" / "summary.json").read_text())["risks"]}
    assert sorted(risks) == ["api.throttle_rate_per_second", "audit.enable_guardduty", "database.log_min_duration_statement_ms"]
    assert risks["audit.enable_guardduty"]["reason"] == "GuardDuty runs in the organisation's security account."
    assert risks["api.throttle_rate_per_second"]["risk"].endswith("(500; production default 100).")
    assert "reason" not in risks["database.log_min_duration_statement_ms"]
    assert "audit.enable_guardduty" in (reports / "weakened" / "risks.md").read_text()


def test_a_copy_of_prod_under_another_name_needs_nothing_else(synthesized: dict[str, Stack]) -> None:
    qa, prod = synthesized["qa"], synthesized["prod"]
    assert qa.foundation == {**prod.foundation, "environment": "qa"}
    assert sorted(qa.doc["resource"]) == sorted(prod.doc["resource"])


def test_database_none_builds_no_database(synthesized: dict[str, Stack]) -> None:
    stack = synthesized["nodb"]
    assert stack.of_type("aws_rds_cluster") == {} and "db_writer_endpoint" not in stack.doc["output"]
    assert stack.foundation["components"]["database"] == "none"


def test_network_none_builds_no_vpc(synthesized: dict[str, Stack]) -> None:
    stack = synthesized["nonet"]
    assert stack.of_type("aws_vpc") == {} and stack.of_type("aws_subnet") == {}
    assert stack.of_type("aws_lambda_function") != {}


def test_cdn_none_builds_no_distribution_and_no_us_east_1_alarms(synthesized: dict[str, Stack]) -> None:
    stack = synthesized["nocdn"]
    assert stack.of_type("aws_cloudfront_distribution") == {}
    assert not any(a.get("provider") for a in stack.of_type("aws_cloudwatch_metric_alarm").values())


def test_api_none_builds_no_function_and_no_api(synthesized: dict[str, Stack]) -> None:
    stack = synthesized["noapi"]
    assert stack.of_type("aws_lambda_function") == {} and stack.of_type("aws_api_gateway_rest_api") == {}
    assert stack.of_type("aws_s3_bucket_notification") == {}


def test_a_declared_function_on_a_bucket_event_writes_the_table_through_grants(synthesized: dict[str, Stack]) -> None:
    stack = synthesized["thumbnails"]
    (function,) = [
        f for f in stack.of_type("aws_lambda_function").values() if f["function_name"] == "filehub-thumbnails-thumbnailer"
    ]
    assert function["dead_letter_config"]["target_arn"].startswith("${aws_sqs_queue.api_thumbnailer-dead-letters")
    notifications = [n for n in stack.of_type("aws_s3_bucket_notification").values() if "profile" in n["bucket"]]
    assert [(e["id"], e["events"], e["filter_prefix"]) for n in notifications for e in n["lambda_function"]] == [
        ("thumbnailer", ["s3:ObjectCreated:*"], "uploads/")
    ]
    grants = {
        p["name"]: json.loads(p["policy"])["Statement"][0]["Action"]
        for p in stack.of_type("aws_iam_role_policy").values()
        if "thumbnailer" in p["//"]["metadata"]["path"] or "thumbnailer" in p["role"]
    }
    assert grants["filehub-thumbnails-files-update"] == ["dynamodb:UpdateItem"]
    assert any(name.startswith("filehub-thumbnails-profile-") and name.endswith("read-uploads") for name in grants)


def test_functions_in_the_vpc_use_the_app_tier_and_need_no_acceptance(synthesized: dict[str, Stack]) -> None:
    stack = synthesized["fnvpc"]
    for function in stack.of_type("aws_lambda_function").values():
        assert function["vpc_config"]["security_group_ids"][0].startswith("${aws_security_group.network_app-security-group")
        assert "CKV_AWS_117" not in [a["check"] for a in function["//"].get("accepted_findings", [])]
    (group,) = [
        g
        for g in stack.of_type("aws_security_group").values()
        if g["//"]["metadata"]["path"] == "fnvpc/network/app-security-group"
    ]
    assert "accepted_findings" not in group["//"]


def _main(tmp_path: Path, text: str) -> tuple[subprocess.CompletedProcess[str], Path]:
    folder = tmp_path / "environments"
    folder.mkdir()
    (folder / "prod.toml").write_text(text)
    outdir = tmp_path / "cdktf.out"
    result = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--quiet", "--environments-dir", str(folder), "--outdir", str(outdir)],
        capture_output=True,
        text=True,
        check=False,
    )
    return result, outdir


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda text: (
                text.replace('database = "none"\n', 'database = "aurora-postgresql"\n')
                .replace("[components]\n", '[components]\nnetwork = "none"\n')
                .replace("[network]\n", "")
            ),
            "components.database = 'aurora-postgresql': needs components.network, which is \"none\"",
        ),
        (
            lambda text: (
                text.replace('storage = "none"\n', 'storage = "s3"\n').replace('api = "none"', 'api = "functions"')
                + '[buckets.inbox]\npurpose = "uploads"\n[functions.worker]\nsource = "object_processor"\nwrites = ["outbox"]\n'
            ),
            "functions.worker.writes[0] = 'outbox': not a declared bucket; declared: inbox",
        ),
        (
            lambda text: (
                text.replace('storage = "none"\n', 'storage = "s3"\n').replace('cdn = "none"\n', 'cdn = "cloudfront"\n')
                + '[buckets.site]\npurpose = "static-site"\n[cdn]\ndefault_behavior = { origin = "website" }\n'
            ),
            "cdn.default_behavior.origin = 'website': not a declared bucket; declared: site",
        ),
    ],
    ids=["component-without-its-need", "function-granted-an-undeclared-bucket", "behaviour-on-an-unknown-origin"],
)
def test_a_wrong_composition_is_one_error_with_exit_2_and_nothing_written(tmp_path: Path, change: object, message: str) -> None:
    result, outdir = _main(tmp_path, change(VALID))  # type: ignore[operator]
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.startswith("Configuration error: 1 problem found.\n")
    assert message in result.stderr
    assert not outdir.exists()
