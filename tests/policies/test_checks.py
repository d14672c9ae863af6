"""Each custom check in policies/checks/ against its failing and passing fixture, through `python -m gates`."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.gates.test_cli import gates

FIXTURES = ROOT / "tests" / "fixtures" / "checks"
# The checks of policy documents, network rules, secrets and construct promises keep theirs apart.
FIXTURE_DIRS = (FIXTURES, ROOT / "tests" / "fixtures" / "policy_checks")


def fixture_path(name: str) -> Path:
    """<name>.tf.json in whichever fixture folder holds it."""
    found = [d / f"{name}.tf.json" for d in FIXTURE_DIRS if (d / f"{name}.tf.json").is_file()]
    assert len(found) == 1, f"{name}.tf.json must exist in exactly one of {FIXTURE_DIRS}"
    return found[0]


CHECKS_DIR = ROOT / "policies" / "checks"

# check id -> (fixture name, the exact (resource, detail) pairs its failing fixture must produce)
EXPECTED: dict[str, tuple[str, set[tuple[str, str]]]] = {
    "FND_S3_1": (
        "s3_lifecycle",
        {
            ("aws_s3_bucket_lifecycle_configuration.ia_after_7_days",
             "rule 'to-ia': current-version transition to STANDARD_IA after 7 days: S3 requires days of at least 30 for STANDARD_IA"),
            ("aws_s3_bucket_lifecycle_configuration.expiry_before_last_transition",
             "rule 'archive': current-version expiration after 60 days is not after the last transition (day 90): S3 requires expiration to come later"),
            ("aws_s3_bucket_lifecycle_configuration.glacier_only_10_days_after_ia",
             "rule 'fast': current-version transition to GLACIER on day 40 is only 10 days after the one to STANDARD_IA: objects must stay 30 days in STANDARD_IA first"),
            ("aws_s3_bucket_lifecycle_configuration.noncurrent_ia_after_1_day",
             "rule 'old': noncurrent-version transition to ONEZONE_IA after 1 days: S3 requires noncurrent_days of at least 30 for ONEZONE_IA"),
        },
    ),
    "FND_S3_2": (
        "s3_cors",
        {
            ("aws_s3_bucket_cors_configuration.cors_exposing_every_header",
             "CORS rule 0: methods PATCH are not allowed; allowed: GET, PUT, HEAD, POST, DELETE"),
            ("aws_s3_bucket_cors_configuration.cors_exposing_every_header",
             "CORS rule 0: '*' in expose_headers: S3 does not accept a wildcard there; name each header (e.g. ETag)"),
        },
    ),
    "FND_S3_3": (
        "s3_bucket_name",
        {
            ("aws_s3_bucket.bucket_with_underscore_and_capitals",
             "a bucket name is 3 to 63 characters: lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit"),
            ("aws_s3_bucket.bucket_shaped_like_an_ip", "a bucket name may not be formatted as an IP address"),
        },
    ),
    "FND_TAG_1": (
        "tag_syntax",
        {
            ("aws_vpc.vpc_with_reserved_and_invalid_tags", "tag 'aws:team': a tag key may not start with 'aws:', which AWS reserves"),
            ("aws_vpc.vpc_with_reserved_and_invalid_tags",
             "tag 'Name' = 'vpc <main>': a tag value may contain only letters, digits, spaces and _ . : / = + - @"),
        },
    ),
    "FND_TAG_2": (
        "tag_required",
        {("aws_vpc.vpc_without_house_tags", "missing house tags: environment, owner, cost-centre, managed-by")},
    ),
    "FND_CF_1": (
        "cloudfront_geo",
        {("aws_cloudfront_distribution.distribution_allowing_uk", "'UK' is not an ISO 3166-1 alpha-2 country code (the United Kingdom is GB)")},
    ),
    "FND_RDS_1": (
        "aurora_instance_class",
        {("aws_rds_cluster_instance.writer_on_micro_class",
          "instance class 'db.t4g.micro' is not offered for Aurora PostgreSQL; use e.g. db.t4g.medium, db.r6g.large, db.r7g.large or db.serverless")},
    ),
    "FND_RDS_2": (
        "aurora_pi_retention",
        {("aws_rds_cluster_instance.instance_keeping_insights_30_days",
          "Performance Insights retention 30 days: AWS accepts 7, a multiple of 31 up to 713, or 731")},
    ),
    "FND_RDS_3": (
        "aurora_backup_retention",
        {("aws_rds_cluster.cluster_without_backups", "backup retention 0 days: Aurora accepts 1 to 35")},
    ),
    "FND_RDS_4": (
        "aurora_acu_bounds",
        {
            ("aws_rds_cluster.cluster_scaling_min_above_max", "max_capacity 4.3 ACU: Aurora Serverless v2 accepts 0 to 256 in steps of 0.5"),
            ("aws_rds_cluster.cluster_scaling_min_above_max", "min_capacity 8.0 is above max_capacity 4.3"),
        },
    ),
    "FND_IAM_1": (
        "iam_wildcard_action",
        {("aws_iam_role_policy.policy_allowing_everything",
          "statement 0 allows every action (Action \"*\" or NotAction); name the actions the role needs")},
    ),
    "FND_IAM_2": (
        "iam_write_any_resource",
        {("aws_iam_role_policy.policy_writing_any_bucket",
          "statement 'Uploads' allows s3:PutObject on Resource \"*\"; scope it to the resources the role writes")},
    ),
    "FND_PROD_1": (
        "prod_deletion_protection",
        {
            ("aws_dynamodb_table.table_without_deletion_protection", "deletion_protection_enabled is not true"),
            ("aws_rds_cluster.cluster_without_deletion_protection", "deletion_protection is not true"),
        },
    ),
    "FND_PROD_2": (
        "prod_prevent_destroy",
        {("aws_s3_bucket.bucket_without_prevent_destroy", "lifecycle.prevent_destroy is not true")},
    ),
    "FND_LOG_1": (
        "log_retention",
        {("aws_cloudwatch_log_group.log_group_kept_forever", "retention_in_days is not set")},
    ),
    "FND_POL_1": (
        "policy_open_principal",
        {
            ("aws_kms_key.key_open_to_everyone",
             "statement 'Anyone' in policy allows any principal (any AWS account) with no condition limiting who"),
            ("aws_iam_role.role_trusting_every_account",
             "statement #0 in assume_role_policy allows any principal (any AWS account) with no condition limiting who"),
            ("aws_s3_bucket_policy.bucket_readable_by_any_distribution",
             "statement 'CloudFront' in policy allows cloudfront.amazonaws.com with no aws:SourceArn or aws:SourceAccount "
             "condition, so the service acting for any AWS account can use it"),
            ("aws_lambda_permission.invoke_from_anyone",
             "statement #0 in principal allows any principal (any AWS account) with no condition limiting who"),
        },
    ),
    "FND_POL_2": (
        "policy_wildcard_action",
        {
            ("aws_iam_role_policy.policy_with_service_wildcard", "statement 'AllOfS3' in policy allows every action of a service: s3:*"),
            ("aws_sqs_queue_policy.queue_allowing_every_action",
             "statement 'Everything' in policy allows every action (Action \"*\" or NotAction)"),
        },
    ),
    "FND_POL_3": (
        "policy_sensitive_any_resource",
        {
            ("aws_iam_role_policy.policy_reading_every_secret",
             "statement 'Secrets' in policy allows secretsmanager:getsecretvalue on arn:aws:secretsmanager:*:*:secret:*"),
            ("aws_iam_role_policy.policy_from_document_passing_any_role", "statement 'Pass' in policy allows iam:passrole on *"),
        },
    ),
    "FND_S3_4": (
        "s3_tls_deny",
        {
            ("aws_s3_bucket.bucket_without_policy",
             "no aws_s3_bucket_policy refers to this bucket, so nothing denies requests without TLS"),
            ("aws_s3_bucket_policy.policy_without_tls_deny",
             "the bucket policy has no statement denying requests with aws:SecureTransport false"),
        },
    ),
    "FND_NET_1": (
        "network_internet_ingress",
        {
            ("aws_security_group.group_with_open_ssh",
             "ingress[0] admits tcp port 22 from 0.0.0.0/0; only TCP 80 and 443 may be open to the internet"),
            ("aws_vpc_security_group_ingress_rule.everything_from_ipv6_internet",
             "rule admits every protocol and port (protocol -1) from ::/0"),
            ("aws_security_group_rule.rdp_from_internet",
             "rule admits tcp port 3389 from 0.0.0.0/0; only TCP 80 and 443 may be open to the internet"),
        },
    ),
    "FND_NET_2": (
        "network_database_ports",
        {
            ("aws_vpc_security_group_ingress_rule.postgres_from_office",
             "rule admits database port 5432 from 203.0.113.0/24, outside the private ranges"),
            ("aws_security_group_rule.mysql_range_from_public",
             "rule admits database port 3306 from 198.51.100.7/32, outside the private ranges"),
        },
    ),
    "FND_NET_3": (
        "network_open_egress",
        {
            ("aws_vpc_security_group_egress_rule.database_to_anywhere",
             "rule lets the database group database reach 0.0.0.0/0 on tcp port 443"),
            ("aws_vpc_security_group_egress_rule.function_every_port",
             "rule lets the function group app reach 0.0.0.0/0 on every protocol and port"),
        },
    ),
    "FND_NET_4": (
        "network_database_routes",
        {
            ("aws_route_table.database", "route[0] of this database route table goes to 0.0.0.0/0 via nat gateway nat-1"),
            ("aws_route.database_default_route",
             "route in database route table database to 0.0.0.0/0 via internet gateway ${aws_internet_gateway.igw.id}"),
        },
    ),
    "FND_DB_1": (
        "database_parameters",
        {
            ("aws_rds_cluster_parameter_group.cluster_without_force_ssl",
             "rds.force_ssl is not set, not 1: connections without TLS are accepted"),
            ("aws_rds_cluster_parameter_group.cluster_without_force_ssl",
             'log_statement is "all": every statement, with any password in it, goes to the logs'),
            ("aws_db_parameter_group.instance_with_force_ssl_off", "rds.force_ssl is 0, not 1: connections without TLS are accepted"),
        },
    ),
    "FND_COG_1": (
        "cognito_password_policy",
        {
            ("aws_cognito_user_pool.pool_with_short_passwords", "password_policy.minimum_length is 8, below 12"),
            ("aws_cognito_user_pool.pool_with_short_passwords", "password_policy does not set require_symbols"),
            ("aws_cognito_user_pool.pool_without_policy", "password_policy is not set: Cognito's default accepts 8 characters"),
        },
    ),
    "FND_PROD_3": (
        "prod_customer_keys",
        {
            ("aws_sqs_queue.queue_with_aws_managed_key", "kms_master_key_id is alias/aws/sqs: not a customer managed key of this stack"),
            ("aws_cloudwatch_log_group.log_group_without_key", "kms_key_id is not set: not a customer managed key of this stack"),
        },
    ),
    "FND_SEC_1": (
        "secrets_in_json",
        {
            ("aws_lambda_function.function_with_credentials",
             "environment.variables.DATABASE_URL is a connection string with a password in it; keep the password in Secrets Manager"),
            ("aws_lambda_function.function_with_credentials",
             "environment.variables.DB_PASSWORD holds a literal credential; pass it from Secrets Manager "
             "(manage_master_user_password, a secret ARN)"),
            ("aws_lambda_function.function_with_credentials",
             "environment.variables.UPLOADER_KEY_ID contains a secret (AWS Access Key)"),
        },
    ),
}  # fmt: skip


def _declared_checks() -> dict[str, str]:
    """check id -> module file, read from the sources (the tests run outside Checkov's environment)."""
    found = {}
    for path in sorted(CHECKS_DIR.glob("*.py")):
        match = re.search(r'^\s+check_id = "([A-Z0-9_]+)"', path.read_text(), re.MULTILINE)
        if match:
            found[match.group(1)] = path.stem
    return found


def test_every_custom_check_has_a_fixture_pair_and_an_expectation() -> None:
    declared = _declared_checks()
    assert set(declared) == set(EXPECTED)
    for check_id, (fixture, _) in EXPECTED.items():
        assert declared[check_id] == fixture, "fixtures are named after the check's file"
        assert fixture_path(f"{fixture}_rejected").is_file()
        assert fixture_path(f"{fixture}_accepted").is_file()


def test_every_custom_check_states_why_and_how_to_fix() -> None:
    for path in CHECKS_DIR.glob("*.py"):
        text = path.read_text()
        if re.search(r'check_id = "\w', text):
            assert re.search(r'^\s+why = \(?\s*["\x27]\w', text, re.MULTILINE), path.name
            assert re.search(r"^\s+fix = ", text, re.MULTILINE), path.name


@pytest.fixture(scope="session")
def fixture_reports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """All fixtures gated in one Checkov run, restricted to the custom checks."""
    reports = tmp_path_factory.mktemp("reports")
    paths = sorted(str(p) for d in FIXTURE_DIRS for p in d.glob("*.tf.json"))
    result = gates(*paths, "--check", ",".join(EXPECTED), "--reports-dir", str(reports), "--suppressions", "/dev/null")
    assert result.returncode == 1, result.stderr
    return reports


def _violations(reports: Path, stack: str, check_id: str) -> tuple[bool, set[tuple[str, str, str]]]:
    """Whether the check passed everywhere in the fixture, and its findings there. Other checks may flag a
    fixture written for one check (a production fixture's table without a customer key, say); each fixture
    answers for its own check."""
    summary = json.loads((reports / stack / "summary.json").read_text())
    found = set()
    for v in summary["violations"]:
        for detail in v["details"]:
            if v["rule"] == check_id:
                found.add((v["rule"], v["resource"], detail))
    return not found and not summary["errors"], found


@pytest.mark.parametrize("check_id", sorted(EXPECTED))
def test_failing_fixture_fails_with_exact_findings(fixture_reports: Path, check_id: str) -> None:
    fixture, expected = EXPECTED[check_id]
    passed, found = _violations(fixture_reports, f"{fixture}_rejected", check_id)
    assert passed is False
    assert found == {(check_id, resource, detail) for resource, detail in expected}


@pytest.mark.parametrize("check_id", sorted(EXPECTED))
def test_passing_fixture_passes(fixture_reports: Path, check_id: str) -> None:
    fixture, _ = EXPECTED[check_id]
    passed, found = _violations(fixture_reports, f"{fixture}_accepted", check_id)
    assert (passed, found) == (True, set())
    summary = json.loads((fixture_reports / f"{fixture}_accepted" / "summary.json").read_text())
    assert summary["checks"]["passed"] > 0


@pytest.mark.parametrize("check_id", ["FND_S3_1", "FND_PROD_2"])
def test_gate_exit_codes_for_a_fixture_and_its_fix(tmp_path: Path, check_id: str) -> None:
    fixture, expected = EXPECTED[check_id]
    args = ("--check", check_id, "--reports-dir", str(tmp_path), "--suppressions", "/dev/null")
    failing = gates(str(fixture_path(f"{fixture}_rejected")), *args)
    assert failing.returncode == 1
    for resource, _ in expected:
        assert f"  {resource}\n    {check_id}  " in failing.stdout
    assert gates(str(fixture_path(f"{fixture}_accepted")), *args).returncode == 0


def test_production_rules_do_not_apply_to_other_environments(tmp_path: Path) -> None:
    document = json.loads((FIXTURES / "prod_prevent_destroy_rejected.tf.json").read_text())
    document["provider"]["aws"][0]["default_tags"][0]["tags"]["environment"] = "dev"
    path = tmp_path / "dev_bucket.tf.json"
    path.write_text(json.dumps(document))
    result = gates(
        str(path), "--check", "FND_PROD_1,FND_PROD_2", "--reports-dir", str(tmp_path / "r"), "--suppressions", "/dev/null"
    )
    # Not applicable in dev: nothing passes or fails, so the gate reports it scanned nothing.
    assert "FND_PROD_2" not in result.stdout
