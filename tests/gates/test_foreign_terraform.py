"""The gates on Terraform another team wrote: the array forms an HCL-to-JSON converter emits, aliased
providers in two Regions, a terraform block with backend and required_version, expressions for tags
and settings; and the saved plan of the same configuration.

tests/fixtures/foreign/shop.tf.json is that configuration (69 resources of 33 types);
shop.plan.json is the `terraform show -json` output of its plan with log_retention_days = 7;
suppressions.toml is the team's own reviewed file. Two gate runs serve every test here: one over
the clean configuration, a vulnerable variant and the plan with the team's suppressions; one over
the configuration alone, from a folder outside the repository, with nothing but a Region.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "foreign"
CONFIG = FIXTURES / "shop.tf.json"
PLAN = FIXTURES / "shop.plan.json"
HOUSE_TAGS = ("project", "environment", "owner", "cost-centre", "managed-by")


def _gates(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "gates", *args], capture_output=True, text=True, cwd=cwd, env=env, check=False)


def _body(document: dict[str, Any], rtype: str, name: str) -> dict[str, Any]:
    """A resource body in the converter's form: "resource": [{type: {name: [body]}}]."""
    for entry in document["resource"]:
        if rtype in entry and name in entry[rtype]:
            return entry[rtype][name][0]
    raise KeyError(f"{rtype}.{name}")


def _data_body(document: dict[str, Any], rtype: str, name: str) -> dict[str, Any]:
    return document["data"][0][rtype][name][0]


# Each change a reviewer would reject, and the findings it must bring (at least these; no others
# may appear on resources the changes did not touch).
def _vulnerable(document: dict[str, Any]) -> dict[str, Any]:
    broken = copy.deepcopy(document)
    _body(broken, "aws_vpc_security_group_ingress_rule", "endpoints_https").update(
        {"cidr_ipv4": "0.0.0.0/0", "from_port": 22, "to_port": 22}
    )
    _body(broken, "aws_dynamodb_table", "orders")["point_in_time_recovery"] = [{"enabled": False}]
    _body(broken, "aws_kms_key", "documents")["enable_key_rotation"] = False
    _body(broken, "aws_s3_bucket_public_access_block", "documents")["block_public_policy"] = False
    _body(broken, "aws_cloudwatch_log_group", "flow_logs")["retention_in_days"] = 30
    del _body(broken, "aws_sqs_queue", "orders")["kms_master_key_id"]
    _body(broken, "aws_sns_topic", "global_alerts")["tags"] = {"project": "shop", "environment": "prod"}
    _data_body(broken, "aws_iam_policy_document", "flow_logs_write")["statement"][0].update(
        {"actions": ["logs:*"], "resources": ["*"]}
    )
    return broken


EXPECTED_VULNERABLE = {
    ("aws_vpc_security_group_ingress_rule.endpoints_https", "FND_NET_1"),
    ("aws_dynamodb_table.orders", "CKV_AWS_28"),
    ("aws_kms_key.documents", "CKV_AWS_7"),
    ("aws_s3_bucket_public_access_block.documents", "CKV_AWS_54"),
    ("aws_cloudwatch_log_group.flow_logs", "CKV_AWS_338"),
    ("aws_sqs_queue.orders", "CKV_AWS_27"),
    ("aws_sns_topic.global_alerts", "FND_TAG_2"),
    ("data.aws_iam_policy_document.flow_logs_write", "CKV_AWS_356"),
}
# The bucket answers for its public access block (CKV2_AWS_6), the role policy for its document.
TOUCHED = {resource for resource, _ in EXPECTED_VULNERABLE} | {"aws_iam_role_policy.flow_logs", "aws_s3_bucket.documents"}


@pytest.fixture(scope="module")
def gated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One run: the clean configuration, the vulnerable variant and the plan, with the team's suppressions."""
    folder = tmp_path_factory.mktemp("foreign")
    document = json.loads(CONFIG.read_text())
    (folder / "shop").mkdir()
    (folder / "shop" / "shop.tf.json").write_text(CONFIG.read_text())
    (folder / "shop-vulnerable.tf.json").write_text(json.dumps(_vulnerable(document), indent=2))
    (folder / "shop-plan.json").write_text(PLAN.read_text())
    # The team's entries, for the three names this run gives the same configuration.
    text = (FIXTURES / "suppressions.toml").read_text()
    (folder / "suppressions.toml").write_text(
        text.replace('environments = ["shop"]', 'environments = ["shop", "shop-vulnerable", "shop-plan"]')
    )
    result = _gates(
        "shop/shop.tf.json",
        "shop-vulnerable.tf.json",
        "shop-plan.json",
        "--suppressions",
        "suppressions.toml",
        "--region",
        "eu-central-1",
        "--reports-dir",
        "reports",
        cwd=folder,
    )
    summaries = {
        env: json.loads((folder / "reports" / env / "summary.json").read_text())
        for env in ("shop", "shop-vulnerable", "shop-plan")
    }
    return {"result": result, "summaries": summaries, "folder": folder}


@pytest.fixture(scope="module")
def bare(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The configuration gated from a folder outside the repository with nothing but a Region."""
    folder = tmp_path_factory.mktemp("outside")
    (folder / "shop.tf.json").write_text(CONFIG.read_text())
    result = _gates("shop.tf.json", "--region", "eu-central-1", cwd=folder)
    reports = folder / "cdktf.out" / "reports" / "shop"
    return {
        "result": result,
        "summary": json.loads((reports / "summary.json").read_text()),
        "sarif": json.loads((reports / "security.sarif").read_text()),
    }


def _failures(summary: dict[str, Any]) -> set[tuple[str, str]]:
    return {(v["resource"], v["rule"]) for v in summary["violations"]}


def test_the_fixture_is_written_as_converted_projects_are() -> None:
    document = json.loads(CONFIG.read_text())
    assert isinstance(document["terraform"], list)
    assert document["terraform"][0]["required_version"]
    assert isinstance(document["terraform"][0]["backend"], list)
    providers = document["provider"]["aws"]
    assert providers and all("alias" in p for p in providers)
    assert len({p["region"] for p in providers}) == 2
    assert isinstance(document["resource"], list)
    types: Counter[str] = Counter()
    expression_tags = 0
    for entry in document["resource"]:
        for rtype, named in entry.items():
            for body in named.values():
                assert isinstance(body, list) and len(body) == 1
                types[rtype] += 1
                expression_tags += isinstance(body[0].get("tags"), str) and body[0]["tags"].startswith("${")
    assert sum(types.values()) >= 60
    assert len(types) >= 25
    assert expression_tags >= 30


def test_every_resource_is_scanned(gated: dict[str, Any]) -> None:
    for env, summary in gated["summaries"].items():
        assert summary["resources"] == 69, env
        assert summary["resources_scanned"] == summary["resources"], env
        assert not [e for e in summary["errors"] if "Checkov" in e], (env, summary["errors"])


def test_the_clean_configuration_passes(gated: dict[str, Any]) -> None:
    summary = gated["summaries"]["shop"]
    assert summary["passed"], (summary["violations"], summary["errors"], gated["result"].stdout[-3000:])
    assert summary["checks"]["suppressed"] == 4


def test_expression_tags_are_unknown_and_literal_tags_missing_a_house_tag_fail(gated: dict[str, Any]) -> None:
    clean, vulnerable = gated["summaries"]["shop"], gated["summaries"]["shop-vulnerable"]
    assert not [v for v in clean["violations"] if v["rule"] == "FND_TAG_2"]
    unknown = {(u["resource"], u["rule"]) for u in clean["unknown"]}
    # On the us-east-1 provider, which has no default_tags, the expression may or may not hold them.
    assert ("aws_sns_topic.global_deploys", "FND_TAG_2") in unknown
    assert ("aws_cloudwatch_log_group.orders", "FND_LOG_1") in unknown  # retention_in_days = var.log_retention_days
    [missing] = [v for v in vulnerable["violations"] if v["rule"] == "FND_TAG_2"]
    assert missing["resource"] == "aws_sns_topic.global_alerts"
    assert missing["details"] == ["missing house tags: owner, cost-centre, managed-by"]


def test_the_vulnerable_variant_fails_with_the_expected_findings(gated: dict[str, Any]) -> None:
    summary = gated["summaries"]["shop-vulnerable"]
    assert not summary["passed"]
    found = _failures(summary)
    assert found >= EXPECTED_VULNERABLE, EXPECTED_VULNERABLE - found
    # Every finding is on a resource the changes touched: names shared by several types (orders,
    # documents, data) are not mixed up.
    assert {resource for resource, _ in found} <= TOUCHED, {r for r, _ in found} - TOUCHED


def test_the_plan_gates_with_the_configurations_findings_plus_those_known_values_reveal(gated: dict[str, Any]) -> None:
    config, plan = gated["summaries"]["shop"], gated["summaries"]["shop-plan"]
    suppressed = {(s["resource"], s["rule"]) for s in config["suppressed"]}
    assert {(s["resource"], s["rule"]) for s in plan["suppressed"]} == suppressed
    assert _failures(config) == set()
    # Only the plan knows: log_retention_days is 7 for this plan (a year is required), and the
    # expression tags of the us-east-1 topic hold no house tag.
    assert _failures(plan) == {
        ("aws_cloudwatch_log_group.orders", "CKV_AWS_338"),
        ("aws_sns_topic.global_deploys", "FND_TAG_2"),
    }
    # Every type priced the same way from the plan's values.
    assert plan["cost"]["unpriced"] == [] and config["cost"]["unpriced"] == []


def test_outside_the_repository_only_a_region_is_needed(bare: dict[str, Any]) -> None:
    summary, result = bare["summary"], bare["result"]
    assert result.returncode == 1, result.stderr  # the team's S3 findings, unsuppressed here
    assert summary["checks"]["suppressed"] == 0
    assert "policies/suppressions.toml" not in result.stdout + result.stderr
    assert {v["rule"] for v in summary["violations"]} == {"CKV_AWS_144", "CKV_AWS_145", "CKV2_AWS_62"}
    assert not [e for e in summary["errors"] if "suppression" in e.lower()]
    cost = summary["cost"]
    assert cost["unpriced"] == []
    assert cost["budget_usd"] is None and cost["passed"]  # no budget given: reported, not gated
    assert cost["monthly_usd"] > 0


def test_findings_point_at_the_users_own_file_and_line(bare: dict[str, Any]) -> None:
    lines = CONFIG.read_text().splitlines()
    bucket_type = next(i for i, line in enumerate(lines) if '"aws_s3_bucket": {' in line)
    documents = next(i + 1 for i in range(bucket_type, len(lines)) if '"documents"' in lines[i])
    [result] = [
        r
        for r in bare["sarif"]["runs"][0]["results"]
        if r["ruleId"] == "CKV_AWS_144" and "aws_s3_bucket.documents" in r["message"]["text"]
    ]
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "shop.tf.json"
    assert location["region"]["startLine"] == documents
