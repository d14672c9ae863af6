"""A saved plan's JSON (`terraform show -json`) read as Terraform JSON: known values kept, unknown ones
marked as expressions, every planned resource present, module and index addresses mapped back."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from gates.inputs import InputError
from gates.plan_input import is_plan, to_terraform_json

PLAN = Path(__file__).resolve().parents[1] / "fixtures" / "plan" / "web.plan.json"
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


@pytest.fixture(scope="module")
def plan() -> dict:
    return json.loads(PLAN.read_text())


def test_a_plan_is_told_from_configuration(plan: dict) -> None:
    assert is_plan(plan)
    assert not is_plan({"resource": {"aws_s3_bucket": {"b": {}}}})


def test_every_planned_resource_becomes_a_block_with_a_valid_name(plan: dict) -> None:
    converted = to_terraform_json(plan, "web.plan.json")
    addresses = converted["//"]["plan"]["addresses"]
    assert addresses == {
        "aws_s3_bucket.logs": "aws_s3_bucket.logs",
        "aws_security_group.web_0": "aws_security_group.web[0]",
        "data.aws_iam_policy_document.read": "data.aws_iam_policy_document.read",
        "aws_db_instance.module_db__main_primary": 'module.db.aws_db_instance.main["primary"]',
    }
    for block in ("resource", "data"):
        for names in converted[block].values():
            assert all(NAME.match(name) for name in names)


def test_known_values_are_kept_and_unknown_ones_are_expressions(plan: dict) -> None:
    converted = to_terraform_json(plan, "web.plan.json")
    database = converted["resource"]["aws_db_instance"]["module_db__main_primary"]
    assert database["instance_class"] == "db.m6g.large" and database["storage_encrypted"] is True
    assert database["kms_key_id"] == '${unknown: module.db.aws_db_instance.main["primary"].kms_key_id}'
    assert database["endpoint"].startswith("${unknown: ")
    bucket = converted["resource"]["aws_s3_bucket"]["logs"]
    assert bucket["arn"] == "${unknown: aws_s3_bucket.logs.arn}" and bucket["tags"] == {"project": "web", "owner": "ops"}
    rule = converted["resource"]["aws_security_group"]["web_0"]["ingress"][0]
    assert rule["cidr_blocks"] == ["0.0.0.0/0"] and rule["from_port"] == 22


def test_the_region_of_an_aliased_provider_is_kept(plan: dict) -> None:
    assert to_terraform_json(plan, "web.plan.json")["provider"] == {"aws": [{"region": "eu-central-1", "alias": "eu"}]}


def test_another_major_format_version_is_refused(plan: dict) -> None:
    with pytest.raises(InputError, match=r"format_version '2.0': only 1.x is understood"):
        to_terraform_json({**plan, "format_version": "2.0"}, "web.plan.json")


def test_a_plan_without_planned_values_is_refused() -> None:
    with pytest.raises(InputError, match=r"planned_values\.root_module is missing"):
        to_terraform_json({"format_version": "1.2", "planned_values": {}}, "web.plan.json")


def test_a_resource_without_a_type_is_refused(plan: dict) -> None:
    broken = json.loads(json.dumps(plan))
    broken["planned_values"]["root_module"]["resources"].append({"address": "x"})
    with pytest.raises(InputError, match="a planned resource without a type"):
        to_terraform_json(broken, "web.plan.json")


def test_the_gate_reads_a_plan_and_names_what_it_will_build(tmp_path: Path) -> None:
    import subprocess
    import sys

    from tests.conftest import ROOT

    result = subprocess.run(
        [sys.executable, "-m", "gates", str(PLAN), "--suppressions", "/dev/null", "--reports-dir", str(tmp_path)],
        capture_output=True, text=True, cwd=ROOT, timeout=600,
    )  # fmt: skip
    assert result.returncode == 1, result.stderr[-2000:]
    summary = json.loads((tmp_path / "web" / "summary.json").read_text())
    assert summary["resources"] == 3
    found = {(v["rule"], v["resource"]) for v in summary["violations"]}
    assert {("CKV_AWS_24", "aws_security_group.web_0"), ("FND_NET_1", "aws_security_group.web_0")} <= found
    # The only provider is aliased: its Region prices the plan.
    assert summary["cost"]["unpriced"] == [] and summary["cost"]["monthly_usd"] > 0
