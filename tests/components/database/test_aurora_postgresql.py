"""The Aurora PostgreSQL construct as synthesized."""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import GRANTS_VARIANT, Stack


def _cluster(stack: Stack) -> dict[str, Any]:
    return stack.one("aws_rds_cluster")


def test_prod_cluster_is_encrypted_authenticated_and_protected(prod: Stack) -> None:
    cluster = _cluster(prod)
    assert cluster["engine"] == "aurora-postgresql"
    assert cluster["engine_version"].startswith("16.")
    assert cluster["storage_encrypted"] is True
    assert prod.deref(cluster["kms_key_id"])["enable_key_rotation"] is True
    assert cluster["iam_database_authentication_enabled"] is True
    assert cluster["enable_http_endpoint"] is True
    assert cluster["manage_master_user_password"] is True
    assert cluster["master_user_secret_kms_key_id"] == cluster["kms_key_id"]
    assert cluster["deletion_protection"] is True
    assert cluster["backup_retention_period"] >= 7
    assert cluster["enabled_cloudwatch_logs_exports"] == ["postgresql"]
    assert cluster["lifecycle"] == {"prevent_destroy": True}
    assert (cluster["skip_final_snapshot"], cluster["final_snapshot_identifier"]) == (False, "filehub-prod-final")
    assert cluster["copy_tags_to_snapshot"] is True
    assert "serverlessv2_scaling_configuration" not in cluster
    assert "storage_type" not in cluster, "Aurora Standard is the API default and stays unset"


def test_cluster_sits_in_the_database_subnets_behind_the_database_group(prod: Stack) -> None:
    cluster = _cluster(prod)
    subnet_group = prod.deref(cluster["db_subnet_group_name"])
    assert sorted(prod.deref(s)["tags"]["tier"] for s in subnet_group["subnet_ids"]) == ["database"] * 3
    (group,) = cluster["vpc_security_group_ids"]
    assert prod.deref(group)["name"] == "filehub-prod-database"


def test_prod_has_writer_and_reader_in_different_zones_with_insights_and_monitoring(prod: Stack) -> None:
    instances = sorted(prod.of_type("aws_rds_cluster_instance").values(), key=lambda i: i["identifier"])
    assert [i["identifier"] for i in instances] == ["filehub-prod-1", "filehub-prod-2"]
    assert len({i["availability_zone"] for i in instances}) == 2
    for instance in instances:
        assert instance["instance_class"] == "db.r6g.large"
        assert instance["publicly_accessible"] is False
        assert instance["performance_insights_enabled"] is True
        assert instance["performance_insights_retention_period"] == 7
        assert instance["performance_insights_kms_key_id"] == _cluster(prod)["kms_key_id"]
        assert instance["monitoring_interval"] == 60
        role = prod.deref(instance["monitoring_role_arn"])
        assert json.loads(role["assume_role_policy"])["Statement"][0]["Principal"] == {"Service": "monitoring.rds.amazonaws.com"}


def test_dev_is_serverless_pausing_at_zero_and_easy_to_tear_down(dev: Stack) -> None:
    cluster = _cluster(dev)
    assert cluster["serverlessv2_scaling_configuration"] == {
        "min_capacity": 0,
        "max_capacity": 4,
        "seconds_until_auto_pause": 900,
    }
    assert cluster["backup_retention_period"] == 1
    assert cluster["deletion_protection"] is False
    assert cluster["skip_final_snapshot"] is True
    assert cluster["lifecycle"] == {"prevent_destroy": False}
    (instance,) = dev.of_type("aws_rds_cluster_instance").values()
    assert instance["instance_class"] == "db.serverless"


def test_parameter_groups_force_ssl_and_log_slow_statements(prod: Stack) -> None:
    group = prod.deref(_cluster(prod)["db_cluster_parameter_group_name"])
    assert group["family"] == "aurora-postgresql16"
    parameters = {p["name"]: p["value"] for p in group["parameter"]}
    assert parameters["rds.force_ssl"] == "1"
    assert parameters["log_min_duration_statement"] == "1000"
    assert parameters["log_connections"] == parameters["log_disconnections"] == "1"
    instance_group = prod.deref(next(iter(prod.of_type("aws_rds_cluster_instance").values()))["db_parameter_group_name"])
    assert instance_group["family"] == "aurora-postgresql16"


def test_log_group_exists_before_the_cluster_encrypted_with_retention(prod: Stack) -> None:
    cluster = _cluster(prod)
    (dependency,) = cluster["depends_on"]
    group_type, group_name = dependency.split(".")
    group = prod.of_type(group_type)[group_name]
    assert group["name"] == "/aws/rds/cluster/filehub-prod/postgresql"
    assert group["retention_in_days"] == 365
    assert group["kms_key_id"] == cluster["kms_key_id"]
    key_policy = json.loads(prod.deref(cluster["kms_key_id"])["policy"])
    logs = next(s for s in key_policy["Statement"] if s["Sid"] == "CloudWatchLogsForNamedGroups")
    assert logs["Condition"]["ArnEquals"]["kms:EncryptionContext:aws:logs:arn"][0].endswith(
        ":log-group:/aws/rds/cluster/filehub-prod/postgresql"
    )


def test_windows_do_not_overlap_in_either_environment(prod: Stack, dev: Stack) -> None:
    for stack in (prod, dev):
        cluster = _cluster(stack)
        assert (cluster["preferred_backup_window"], cluster["preferred_maintenance_window"]) == (
            "02:00-03:00",
            "sun:04:00-sun:05:00",
        )


def test_io_optimized_storage(synthesized: dict[str, Stack]) -> None:
    assert _cluster(synthesized[GRANTS_VARIANT])["storage_type"] == "aurora-iopt1"


def _grants(stack: Stack) -> dict[str, list[dict[str, Any]]]:
    found = {}
    for policy in stack.of_type("aws_iam_role_policy").values():
        if stack.ref_name(policy["role"]).startswith("app-role"):
            found[policy["name"]] = json.loads(policy["policy"])["Statement"]
    return found


def test_grant_data_api_is_exactly_the_cluster_its_secret_and_its_key(synthesized: dict[str, Stack]) -> None:
    stack = synthesized[GRANTS_VARIANT]
    cluster = next(iter(stack.of_type("aws_rds_cluster")))
    key_ref = _cluster(stack)["kms_key_id"]
    assert _grants(stack)["filehub-grants-data-api"] == [
        {
            "Sid": "DataApiOnThisCluster",
            "Effect": "Allow",
            "Action": [
                "rds-data:BatchExecuteStatement",
                "rds-data:BeginTransaction",
                "rds-data:CommitTransaction",
                "rds-data:ExecuteStatement",
                "rds-data:RollbackTransaction",
            ],
            "Resource": f"${{aws_rds_cluster.{cluster}.arn}}",
        },
        {
            "Sid": "ReadThisClusterSecret",
            "Effect": "Allow",
            "Action": "secretsmanager:GetSecretValue",
            "Resource": f"${{aws_rds_cluster.{cluster}.master_user_secret[0].secret_arn}}",
        },
        {
            "Sid": "DecryptThisClusterSecret",
            "Effect": "Allow",
            "Action": "kms:Decrypt",
            "Resource": key_ref,
            "Condition": {"StringEquals": {"kms:ViaService": "secretsmanager.eu-central-1.amazonaws.com"}},
        },
    ]


def test_grant_connect_is_one_database_user_on_this_cluster(synthesized: dict[str, Stack]) -> None:
    stack = synthesized[GRANTS_VARIANT]
    cluster = next(iter(stack.of_type("aws_rds_cluster")))
    (statement,) = _grants(stack)["filehub-grants-connect-app_user"]
    assert statement["Action"] == "rds-db:connect"
    assert statement["Resource"].endswith(f":dbuser:${{aws_rds_cluster.{cluster}.cluster_resource_id}}/app_user")
    assert statement["Resource"].startswith("arn:${data.aws_partition.")
    assert ":rds-db:eu-central-1:${data.aws_caller_identity." in statement["Resource"]


def _keys(value: Any) -> list[tuple[str, Any]]:
    if isinstance(value, dict):
        return [(k, v) for k, v in value.items()] + [kv for v in value.values() for kv in _keys(v)]
    if isinstance(value, list):
        return [kv for v in value for kv in _keys(v)]
    return []


def test_no_secret_value_in_any_synthesized_environment(prod: Stack, dev: Stack) -> None:
    for stack in (prod, dev):
        for key, value in _keys(stack.doc):
            if key == "password_policy":
                # Cognito's rules for user passwords: lengths and flags, never a password.
                assert all(isinstance(v, bool | int) for v in value.values()), value
            elif key == "temporary_password_validity_days":
                assert isinstance(value, int)
            elif "password" in key.lower():
                assert (key, value) == ("manage_master_user_password", True)
            assert "secret_string" not in key
        text = json.dumps(stack.doc)
        assert "master_password" not in text
        assert stack.doc["output"]["db_secret_arn"]["value"].endswith(".master_user_secret[0].secret_arn}")
