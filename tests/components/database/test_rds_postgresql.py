"""The rds-postgresql variant: one encrypted, IAM-authenticated, TLS-only instance; Multi-AZ and
protected under the production profile; interchangeable with Aurora for everything else."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import Stack


def _instance(stack: Stack) -> dict[str, Any]:
    return stack.one("aws_db_instance")


@pytest.fixture(scope="module")
def rdsprod(synthesized: dict[str, Stack]) -> Stack:
    return synthesized["rdsprod"]


@pytest.fixture(scope="module")
def rdsdev(synthesized: dict[str, Stack]) -> Stack:
    return synthesized["rdsdev"]


def test_production_instance_is_multi_az_protected_and_snapshotted(rdsprod: Stack) -> None:
    db = _instance(rdsprod)
    assert (db["engine"], db["engine_version"], db["instance_class"], db["multi_az"]) == (
        "postgres",
        "16.6",
        "db.m6g.large",
        True,
    )
    assert (db["deletion_protection"], db["skip_final_snapshot"], db["final_snapshot_identifier"]) == (
        True,
        False,
        "filehub-rdsprod-final",
    )
    assert db["lifecycle"] == {"prevent_destroy": True} and db["backup_retention_period"] == 7


def test_development_instance_is_single_and_disposable_with_reasons(rdsdev: Stack) -> None:
    db = _instance(rdsdev)
    assert (db["instance_class"], db["multi_az"], db["deletion_protection"], db["skip_final_snapshot"]) == (
        "db.t4g.micro",
        False,
        False,
        True,
    )
    accepted = {a["check"]: a["pin"] for a in db["//"]["accepted_findings"]}
    assert accepted == {"CKV_AWS_157": {"multi_az": False}, "CKV_AWS_293": {"deletion_protection": False}}


def test_storage_is_gp3_encrypted_with_the_database_key_and_grows_to_a_limit(rdsprod: Stack) -> None:
    db = _instance(rdsprod)
    key = rdsprod.deref(db["kms_key_id"])
    assert (db["storage_type"], db["storage_encrypted"], db["allocated_storage"], db["max_allocated_storage"]) == (
        "gp3",
        True,
        20,
        100,
    )
    assert key["enable_key_rotation"] is True
    assert db["performance_insights_kms_key_id"] == db["kms_key_id"] == db["master_user_secret_kms_key_id"]


def test_no_password_anywhere_and_iam_authentication_on(rdsprod: Stack) -> None:
    db = _instance(rdsprod)
    assert db["manage_master_user_password"] is True and "password" not in db
    assert db["iam_database_authentication_enabled"] is True and db["publicly_accessible"] is False


def test_parameter_group_forces_tls_and_logs_slow_statements(rdsprod: Stack) -> None:
    group = rdsprod.deref(f"${{aws_db_parameter_group.{Stack.ref_name(_instance(rdsprod)['parameter_group_name'])}.name}}")
    parameters = {p["name"]: p["value"] for p in group["parameter"]}
    assert group["family"] == "postgres16"
    assert parameters["rds.force_ssl"] == "1" and parameters["log_min_duration_statement"] == "1000"


def test_in_the_isolated_database_subnets_behind_the_database_group(rdsprod: Stack) -> None:
    db = _instance(rdsprod)
    subnets = rdsprod.deref(f"${{aws_db_subnet_group.{Stack.ref_name(db['db_subnet_group_name'])}.name}}")["subnet_ids"]
    tiers = {rdsprod.deref(s)["tags"]["tier"] for s in subnets}
    assert tiers == {"database"} and db["port"] == 5432
    group = rdsprod.deref(db["vpc_security_group_ids"][0])
    assert group["name"] == "filehub-rdsprod-database"


def test_log_exports_have_encrypted_groups_with_retention(rdsprod: Stack, rdsdev: Stack) -> None:
    for stack, days in ((rdsprod, 365), (rdsdev, 14)):
        assert _instance(stack)["enabled_cloudwatch_logs_exports"] == ["postgresql", "upgrade"]
        groups = {g["name"]: g for g in stack.under("aws_cloudwatch_log_group", "database").values()}
        name = stack.foundation["environment"]
        assert sorted(groups) == [f"/aws/rds/instance/filehub-{name}/postgresql", f"/aws/rds/instance/filehub-{name}/upgrade"]
        assert all(g["retention_in_days"] == days and "kms_key_id" in g for g in groups.values())


def test_switching_the_variant_changes_only_the_database_and_its_alarms(synthesized: dict[str, Stack]) -> None:
    prod, rds = synthesized["prod"], synthesized["rdsprod"]

    def outside(stack: Stack) -> set[str]:
        """Construct paths of everything else, with the environment's name taken out."""
        env = stack.foundation["environment"]
        paths = {
            body["//"]["metadata"]["path"].split("/", 1)[1] for named in stack.doc["resource"].values() for body in named.values()
        }
        return {p.replace(f"-{env}-", "-ENV-") for p in paths if not p.startswith(("database/", "monitoring/alarm-db-"))}

    assert outside(prod) == outside(rds)
    widget_titles = [
        w["properties"]["title"] for w in json.loads(rds.one("aws_cloudwatch_dashboard")["dashboard_body"])["widgets"]
    ]
    assert "RDS CPU and connections" in widget_titles
