"""The audit baseline as synthesized: CloudTrail, its bucket, key and log group, Config, GuardDuty."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from modules.components.audit.settings import DEFAULT_CONFIG_RULES
from tests.config.test_loader import VALID, F, problems_of
from tests.conftest import Stack


def _statements(document: str) -> dict[str, dict[str, Any]]:
    return {s["Sid"]: s for s in json.loads(document)["Statement"]}


def _trail(stack: Stack) -> dict[str, Any]:
    return stack.one("aws_cloudtrail")


def test_trail_is_multi_region_validated_and_encrypted_with_the_audit_key(prod: Stack) -> None:
    trail = _trail(prod)
    assert trail["name"] == "filehub-prod-trail"
    assert trail["is_multi_region_trail"] is True
    assert trail["include_global_service_events"] is True
    assert trail["enable_log_file_validation"] is True
    key = prod.deref(trail["kms_key_id"])
    assert key["enable_key_rotation"] is True
    assert key["lifecycle"] == {"prevent_destroy": True}
    assert prod.deref(trail["s3_bucket_name"])["bucket"].startswith("filehub-prod-audit-")
    # CloudTrail checks the bucket policy when the trail is created.
    assert any(d.startswith("aws_s3_bucket_policy.audit_bucket_policy") for d in trail["depends_on"])


def test_trail_delivers_to_an_encrypted_log_group_through_a_role_only_it_can_assume(prod: Stack) -> None:
    trail = _trail(prod)
    group_ref = trail["cloud_watch_logs_group_arn"].removesuffix(":*")
    group = prod.deref(group_ref)
    assert group["name"] == "/aws/cloudtrail/filehub-prod"
    assert group["retention_in_days"] == 365
    assert group["kms_key_id"] == trail["kms_key_id"]
    role = prod.deref(trail["cloud_watch_logs_role_arn"])
    (trust,) = json.loads(role["assume_role_policy"])["Statement"]
    assert trust["Principal"] == {"Service": "cloudtrail.amazonaws.com"}
    assert trust["Condition"]["ArnLike"]["aws:SourceArn"].endswith(":trail/filehub-prod-trail")
    (policy,) = [p for p in prod.of_type("aws_iam_role_policy").values() if p["name"] == "deliver-to-trail-log-group"]
    (statement,) = json.loads(policy["policy"])["Statement"]
    assert statement["Action"] == ["logs:CreateLogStream", "logs:PutLogEvents"]
    assert statement["Resource"] == f"{group_ref}:log-stream:*"


def test_audit_key_policy_names_cloudtrail_for_this_trail_and_logs_for_its_group(prod: Stack) -> None:
    key = prod.deref(_trail(prod)["kms_key_id"])
    statements = _statements(key["policy"])
    encrypt = statements["CloudTrailEncryptThisTrail"]
    assert encrypt["Action"] == "kms:GenerateDataKey*"
    assert encrypt["Condition"]["StringEquals"]["aws:SourceArn"].endswith(":trail/filehub-prod-trail")
    assert statements["CloudTrailDescribeKey"]["Action"] == "kms:DescribeKey"
    logs = statements["CloudWatchLogsForNamedGroups"]
    (group_arn,) = logs["Condition"]["ArnEquals"]["kms:EncryptionContext:aws:logs:arn"]
    assert group_arn.endswith(":log-group:/aws/cloudtrail/filehub-prod")
    assert statements["ConfigEncryptDeliveries"]["Principal"] == {"Service": "config.amazonaws.com"}


def test_audit_bucket_is_a_secure_bucket_with_the_cloudtrail_statements(prod: Stack) -> None:
    policy = prod.one("aws_s3_bucket_policy", under="audit")
    statements = _statements(policy["policy"])
    assert {"DenyInsecureTransport", "DenyTlsBelow12"} <= set(statements)
    acl, write = statements["CloudTrailAclCheck"], statements["CloudTrailWrite"]
    assert acl["Action"] == "s3:GetBucketAcl" and acl["Principal"] == {"Service": "cloudtrail.amazonaws.com"}
    assert write["Action"] == "s3:PutObject"
    assert "/AWSLogs/" in write["Resource"]
    assert write["Condition"]["StringEquals"]["aws:SourceArn"].endswith(":trail/filehub-prod-trail")
    assert statements["ConfigWrite"]["Resource"].endswith("/Config/*")
    assert "/config/AWSLogs/" in statements["ConfigWrite"]["Resource"]
    assert prod.one("aws_s3_bucket_public_access_block", under="audit")["restrict_public_buckets"] is True
    (rule,) = prod.one("aws_s3_bucket_server_side_encryption_configuration", under="audit")["rule"]
    assert rule["apply_server_side_encryption_by_default"]["sse_algorithm"] == "aws:kms"
    logging = prod.one("aws_s3_bucket_logging", under="audit")
    assert logging["target_prefix"] == "s3/audit/"
    rules = {r["id"]: r for r in prod.one("aws_s3_bucket_lifecycle_configuration", under="audit")["rule"]}
    assert rules["expire-audit-logs"]["expiration"] == [{"days": 2557}]
    assert rules["expire-audit-logs"]["transition"] == [{"days": 30, "storage_class": "STANDARD_IA"}]
    assert prod.one("aws_s3_bucket", under="audit")["lifecycle"] == {"prevent_destroy": True}


def test_log_bucket_admits_the_audit_bucket_access_logs(prod: Stack) -> None:
    policy = prod.one("aws_s3_bucket_policy", under="storage/logs")
    sids = _statements(policy["policy"])
    audit = sids["S3ServerAccessLogsS3Audit"]
    assert audit["Resource"].endswith("/s3/audit/*")
    (source,) = audit["Condition"]["ArnLike"]["aws:SourceArn"]
    assert source.endswith(":s3:::" + prod.one("aws_s3_bucket", under="audit")["bucket"])


def test_prod_records_with_config_and_evaluates_the_default_rules(prod: Stack) -> None:
    recorder = prod.one("aws_config_configuration_recorder")
    assert recorder["recording_group"] == {"all_supported": True, "include_global_resource_types": True}
    channel = prod.one("aws_config_delivery_channel")
    assert channel["s3_key_prefix"] == "config"
    assert prod.deref(channel["s3_bucket_name"])["bucket"].startswith("filehub-prod-audit-")
    assert prod.one("aws_config_configuration_recorder_status")["is_enabled"] is True
    rules = sorted(r["source"]["source_identifier"] for r in prod.of_type("aws_config_config_rule").values())
    assert rules == sorted(DEFAULT_CONFIG_RULES)
    assert all(r["source"]["owner"] == "AWS" for r in prod.of_type("aws_config_config_rule").values())
    role = prod.deref(recorder["role_arn"])
    attachment = prod.one("aws_iam_role_policy_attachment", under="audit")
    assert attachment["policy_arn"].endswith(":iam::aws:policy/service-role/AWS_ConfigRole")
    assert role["name"] == "filehub-prod-config-recorder"


def test_prod_enables_guardduty(prod: Stack) -> None:
    detector = prod.one("aws_guardduty_detector")
    assert detector["enable"] is True and detector["finding_publishing_frequency"] == "FIFTEEN_MINUTES"


def test_dev_has_the_trail_but_neither_config_nor_guardduty(dev: Stack) -> None:
    trail = _trail(dev)
    assert trail["is_multi_region_trail"] is True and trail["enable_log_file_validation"] is True
    assert dev.deref(trail["cloud_watch_logs_group_arn"].removesuffix(":*"))["retention_in_days"] == 14
    rules = {r["id"]: r for r in dev.one("aws_s3_bucket_lifecycle_configuration", under="audit")["rule"]}
    assert rules["expire-audit-logs"]["expiration"] == [{"days": 90}]
    assert rules["expire-audit-logs"]["transition"] == [{"days": 30, "storage_class": "STANDARD_IA"}]
    assert dev.one("aws_s3_bucket", under="audit")["force_destroy"] is True
    for rtype in ("aws_config_configuration_recorder", "aws_config_config_rule", "aws_guardduty_detector"):
        assert dev.of_type(rtype) == {}, rtype


def test_stack_outputs_the_trail_and_audit_bucket(prod: Stack) -> None:
    outputs = prod.doc["output"]
    assert outputs["trail_arn"]["value"].startswith("${aws_cloudtrail.")
    assert outputs["audit_bucket"]["value"].startswith("${aws_s3_bucket.audit_bucket")


AUDIT = (
    VALID.replace('storage = "none"\n', 'storage = "s3"\n')
    .replace('audit = "none"\n', 'audit = "cloudtrail"\n')
    .replace("[network]\n", '[buckets.inbox]\npurpose = "uploads"\n[network]\n')
)


def test_guardduty_off_under_the_production_profile_is_a_reported_risk(synthesized: dict[str, Stack]) -> None:
    stack = synthesized["noguardduty"]
    assert stack.of_type("aws_guardduty_detector") == {}
    assert [r["setting"] for r in stack.foundation["risks"]] == ["audit.enable_guardduty"]


def test_rejects_a_config_rule_this_project_does_not_know(tmp_path: Path) -> None:
    text = AUDIT.replace(
        "[network]\n", '[audit]\nconfig_rules = ["S3_BUCKET_SSL_REQUESTS_ONLY", "S3_BUCKET_IS_SAFE"]\n[network]\n'
    )
    (problem,) = problems_of(tmp_path, text)
    assert problem.startswith(
        f"{F}: audit.config_rules = ['S3_BUCKET_SSL_REQUESTS_ONLY', 'S3_BUCKET_IS_SAFE']: "
        "not a managed rule this project supports: 'S3_BUCKET_IS_SAFE'; one of CLOUD_TRAIL_ENABLED, "
    )


def test_rejects_an_audit_expiration_shorter_than_a_month(tmp_path: Path) -> None:
    text = AUDIT.replace("[network]\n", "[audit]\naudit_log_expiration_days = 7\n[network]\n")
    assert problems_of(tmp_path, text) == [f"{F}: audit.audit_log_expiration_days = 7: 30 to 3650 days"]


def test_rejects_a_trail_log_retention_cloudwatch_does_not_offer(tmp_path: Path) -> None:
    text = AUDIT.replace("[network]\n", "[audit]\ntrail_log_retention_days = 100\n[network]\n")
    (problem,) = problems_of(tmp_path, text)
    assert problem.startswith(
        f"{F}: audit.trail_log_retention_days = 100: one of the retention periods CloudWatch Logs accepts: 1, 3, 5,"
    )


def test_rejects_a_switch_that_is_not_a_boolean(tmp_path: Path) -> None:
    text = AUDIT.replace("[network]\n", '[audit]\nenable_guardduty = "yes"\n[network]\n')
    assert problems_of(tmp_path, text) == [f"{F}: audit.enable_guardduty = 'yes': true or false, without quotes"]
