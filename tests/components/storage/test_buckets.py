"""Buckets and the file table as synthesized, their grants, and the storage configuration errors."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from modules.config import load_environments
from tests.config.test_loader import VALID, F, problems_of
from tests.conftest import GRANTS_VARIANT, Stack

PURPOSES = ("uploads", "profile", "reports", "logs")


def _buckets(stack: Stack) -> dict[str, tuple[str, dict[str, Any]]]:
    """purpose -> (resource name, body), for the storage buckets."""
    found = {}
    for name, body in stack.of_type("aws_s3_bucket").items():
        match = re.match(r"^filehub-\w+-(uploads|profile|reports|logs)-[0-9a-f]{8}$", body["bucket"])
        if match:
            found[match.group(1)] = (name, body)
    return found


def _for(stack: Stack, rtype: str, bucket_name: str) -> dict[str, Any]:
    (found,) = [r for r in stack.of_type(rtype).values() if Stack.ref_name(r["bucket"]) == bucket_name]
    return found


def _rules(stack: Stack, purpose: str) -> dict[str, dict[str, Any]]:
    name, _ = _buckets(stack)[purpose]
    return {r["id"]: r for r in _for(stack, "aws_s3_bucket_lifecycle_configuration", name)["rule"]}


def test_prod_has_the_four_buckets_with_valid_stable_names(prod: Stack) -> None:
    buckets = _buckets(prod)
    assert sorted(buckets) == sorted(PURPOSES)
    assert all(len(body["bucket"]) <= 63 for _, body in buckets.values())


@pytest.mark.parametrize("purpose", PURPOSES)
def test_every_bucket_has_the_secure_defaults(prod: Stack, purpose: str) -> None:
    name, _ = _buckets(prod)[purpose]
    block = _for(prod, "aws_s3_bucket_public_access_block", name)
    assert all(
        block[k] is True for k in ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")
    )
    assert _for(prod, "aws_s3_bucket_ownership_controls", name)["rule"] == {"object_ownership": "BucketOwnerEnforced"}
    assert _for(prod, "aws_s3_bucket_versioning", name)["versioning_configuration"] == {"status": "Enabled"}
    encryption = _for(prod, "aws_s3_bucket_server_side_encryption_configuration", name)["rule"][0]
    expected = "AES256" if purpose == "logs" else "aws:kms"
    assert encryption["apply_server_side_encryption_by_default"]["sse_algorithm"] == expected
    statements = json.loads(_for(prod, "aws_s3_bucket_policy", name)["policy"])["Statement"]
    assert {s["Sid"] for s in statements} >= {"DenyInsecureTransport", "DenyTlsBelow12"}
    rules = _rules(prod, purpose)
    # Access logs are never overwritten, so their old versions go after a day.
    noncurrent_days = 1 if purpose == "logs" else 30
    assert rules["expire-noncurrent-versions"]["noncurrent_version_expiration"] == [{"noncurrent_days": noncurrent_days}]
    assert rules["expire-noncurrent-versions"]["abort_incomplete_multipart_upload"] == [{"days_after_initiation": 7}]
    if purpose != "logs":
        logging = _for(prod, "aws_s3_bucket_logging", name)
        assert (logging["target_prefix"], prod.deref(logging["target_bucket"])["bucket"]) == (
            f"s3/{purpose}/",
            _buckets(prod)["logs"][1]["bucket"],
        )


def test_uploads_lifecycle(prod: Stack) -> None:
    rules = _rules(prod, "uploads")
    assert rules["expire-temp"]["filter"] == [{"prefix": "temp/"}]
    assert rules["expire-temp"]["expiration"] == [{"days": 7}]
    assert rules["infrequent-access"]["filter"] == [{"prefix": ""}]
    assert rules["infrequent-access"]["transition"] == [{"days": 30, "storage_class": "STANDARD_IA"}]
    assert "expiration" not in rules["infrequent-access"]


def test_profile_lifecycle(prod: Stack) -> None:
    rules = _rules(prod, "profile")
    assert (rules["expire-temp"]["filter"], rules["expire-temp"]["expiration"]) == ([{"prefix": "temp/"}], [{"days": 7}])
    assert rules["infrequent-access"]["transition"] == [{"days": 90, "storage_class": "STANDARD_IA"}]


def test_reports_lifecycle(prod: Stack) -> None:
    rules = _rules(prod, "reports")
    assert (rules["expire-reports"]["filter"], rules["expire-reports"]["expiration"]) == ([{"prefix": ""}], [{"days": 30}])
    assert (rules["expire-tmp"]["filter"], rules["expire-tmp"]["expiration"]) == ([{"prefix": "tmp/"}], [{"days": 7}])


def test_log_bucket_lifecycle_bounds_cost_and_admits_only_our_buckets(prod: Stack) -> None:
    assert _rules(prod, "logs")["expire-access-logs"]["expiration"] == [{"days": 365}]
    name, _ = _buckets(prod)["logs"]
    statements = json.loads(_for(prod, "aws_s3_bucket_policy", name)["policy"])["Statement"]
    delivery = next(s for s in statements if s["Principal"] == {"Service": "logging.s3.amazonaws.com"})
    sources = sorted(a.split(":::")[1].rsplit("-", 2)[1] for a in delivery["Condition"]["ArnLike"]["aws:SourceArn"])
    assert sources == ["profile", "reports", "uploads"]


def test_cors_exactly_as_specified(prod: Stack) -> None:
    uploads = _for(prod, "aws_s3_bucket_cors_configuration", _buckets(prod)["uploads"][0])["cors_rule"]
    assert uploads == [
        {
            "allowed_methods": ["GET", "PUT", "HEAD"],
            "allowed_origins": ["https://app.example.com"],
            "allowed_headers": ["*"],
            "expose_headers": ["ETag"],
            "max_age_seconds": 3000,
        }
    ]
    reports = _for(prod, "aws_s3_bucket_cors_configuration", _buckets(prod)["reports"][0])["cors_rule"]
    assert reports == [
        {"allowed_methods": ["GET", "HEAD"], "allowed_origins": ["https://app.example.com"], "max_age_seconds": 3000}
    ]
    profile_name = _buckets(prod)["profile"][0]
    assert [
        c for c in prod.of_type("aws_s3_bucket_cors_configuration").values() if Stack.ref_name(c["bucket"]) == profile_name
    ] == []


def test_prod_buckets_are_retained_and_dev_buckets_removable(prod: Stack, dev: Stack) -> None:
    for _, body in _buckets(prod).values():
        assert body["lifecycle"] == {"prevent_destroy": True} and "force_destroy" not in body
    for _, body in _buckets(dev).values():
        assert body["force_destroy"] is True and "lifecycle" not in body


def test_file_table(prod: Stack, dev: Stack) -> None:
    table = prod.one("aws_dynamodb_table")
    assert table["billing_mode"] == "PAY_PER_REQUEST"
    assert table["point_in_time_recovery"] == {"enabled": True}
    assert table["ttl"] == {"attribute_name": "expires_at", "enabled": True}
    assert table["server_side_encryption"]["enabled"] is True
    assert prod.deref(table["server_side_encryption"]["kms_key_arn"])["enable_key_rotation"] is True
    assert table["global_secondary_index"] == [
        {"hash_key": "owner_id", "name": "by-owner", "projection_type": "ALL", "range_key": "created_at"}
    ]
    assert table["deletion_protection_enabled"] is True and table["lifecycle"] == {"prevent_destroy": True}
    assert dev.one("aws_dynamodb_table")["deletion_protection_enabled"] is False


def _grants(stack: Stack) -> dict[str, list[dict[str, Any]]]:
    return {
        p["name"]: json.loads(p["policy"])["Statement"]
        for p in stack.of_type("aws_iam_role_policy").values()
        if Stack.ref_name(p["role"]).startswith("app-role")
    }


def test_bucket_grants_are_scoped_to_the_prefix_and_bring_the_key(synthesized: dict[str, Stack]) -> None:
    stack = synthesized[GRANTS_VARIANT]
    uploads_name, uploads = _buckets(stack)["uploads"]
    key = _for(stack, "aws_s3_bucket_server_side_encryption_configuration", uploads_name)["rule"][0][
        "apply_server_side_encryption_by_default"
    ]["kms_master_key_id"]
    arn = f"${{aws_s3_bucket.{uploads_name}.arn}}"
    grants = _grants(stack)
    put = grants[f"{uploads['bucket']}-put-uploads"]
    assert put == [
        {"Sid": "Objects", "Effect": "Allow", "Action": ["s3:PutObject"], "Resource": f"{arn}/uploads/*"},
        {
            "Sid": "BucketKey",
            "Effect": "Allow",
            "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
            "Resource": key,
            "Condition": {"StringEquals": {"kms:EncryptionContext:aws:s3:arn": arn}},
        },
    ]
    read = grants[f"{uploads['bucket']}-read-uploads"]
    assert read[0] == {
        "Sid": "Objects",
        "Effect": "Allow",
        "Action": ["s3:GetObject", "s3:GetObjectVersion"],
        "Resource": f"{arn}/uploads/*",
    }
    assert read[1]["Action"] == ["kms:Decrypt"]
    reports_name, reports = _buckets(stack)["reports"]
    read_write = grants[f"{reports['bucket']}-read-write"]
    assert [s["Sid"] for s in read_write] == ["Objects", "List", "BucketKey"]
    assert read_write[1] == {
        "Sid": "List",
        "Effect": "Allow",
        "Action": ["s3:ListBucket"],
        "Resource": f"${{aws_s3_bucket.{reports_name}.arn}}",
    }


def test_table_grants_cover_the_table_and_its_indexes_through_dynamodb_only(synthesized: dict[str, Stack]) -> None:
    stack = synthesized[GRANTS_VARIANT]
    table = next(iter(stack.of_type("aws_dynamodb_table")))
    arn = f"${{aws_dynamodb_table.{table}.arn}}"
    read_write = _grants(stack)["filehub-grants-files-read-write"]
    assert read_write[0] == {
        "Sid": "Items",
        "Effect": "Allow",
        "Action": [
            "dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query",
            "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:ConditionCheckItem",
        ],
        "Resource": [arn, f"{arn}/index/*"],
    }  # fmt: skip
    assert read_write[1]["Condition"] == {"StringEquals": {"kms:ViaService": "dynamodb.eu-central-1.amazonaws.com"}}
    assert _grants(stack)["filehub-grants-files-read"][0]["Action"] == [
        "dynamodb:GetItem",
        "dynamodb:BatchGetItem",
        "dynamodb:Query",
    ]


def test_grant_prefix_must_end_with_a_slash(synthesized: dict[str, Stack]) -> None:
    from modules.primitives.bucket import SecureBucket

    with pytest.raises(ValueError, match="end it with '/'"):
        SecureBucket._grant(object.__new__(SecureBucket), None, "put", ("s3:PutObject",), "uploads", ())  # type: ignore[arg-type]


ST = VALID.replace('storage = "none"\n', 'storage = "s3"\n').replace(
    "[network]\n", '[buckets.inbox]\npurpose = "uploads"\n[network]\n'
)


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ('[buckets.inbox]\nlifecycle = [{ id = "ia", transitions = [{ storage_class = "STANDARD_IA", days = 14 }] }]',
         "buckets.inbox.lifecycle[0] = {'id': 'ia', 'transitions': ({'storage_class': 'STANDARD_IA', 'days': 14},)}: "
         "rule 'ia': current-version transition to STANDARD_IA after 14 days: S3 requires days of at least 30 for STANDARD_IA"),
        ('[buckets.inbox]\nlifecycle = [{ id = "ia", expiration_days = 20, transitions = [{ storage_class = "STANDARD_IA", days = 30 }] }]',
         "buckets.inbox.lifecycle[0] = {'id': 'ia', 'expiration_days': 20, 'transitions': ({'storage_class': 'STANDARD_IA', "
         "'days': 30},)}: rule 'ia': current-version expiration after 20 days is not after the last transition (day 30): "
         "S3 requires expiration to come later"),
        ('[storage]\ncors_allowed_origins = ["https://app.example.com"]\n[buckets.inbox]\ncors_expose_headers = ["*"]',
         "buckets.inbox.cors_expose_headers = ['*']: CORS: '*' in expose_headers: S3 does not accept a wildcard there; "
         "name each header (e.g. ETag)"),
        ('[storage]\ncors_allowed_origins = ["https://app.example.com"]\n[buckets.inbox]\ncors_allowed_methods = ["GET", "PATCH"]',
         "buckets.inbox.cors_allowed_methods = ['GET', 'PATCH']: CORS: methods PATCH are not allowed; allowed: GET, PUT, HEAD, POST, DELETE"),
        ('[storage]\ncors_allowed_origins = ["app.example.com"]',
         "storage.cors_allowed_origins = ['app.example.com']: 'app.example.com' is not an origin URL: use https://host[:port] "
         "(http only for localhost)"),
        ('[storage]\ncors_allowed_origins = ["https://app.example.com/upload"]',
         "storage.cors_allowed_origins = ['https://app.example.com/upload']: 'https://app.example.com/upload': an origin is "
         "scheme, host and port only, without path or wildcard"),
        ('[storage]\nbucket_suffix = "abc"', "storage.bucket_suffix = 'abc': moved: bucket_suffix (a top-level key: audit and storage buckets share it)"),
        ('[buckets.inbox]\npurpose = "temporary"', "buckets.inbox.purpose = 'temporary': one of 'uploads', 'static-site', 'archive', 'logs' or 'media'"),
        ('[buckets.Inbox2]\npurpose = "archive"',
         "buckets.Inbox2 = 'Inbox2': a bucket key is 1 to 20 lowercase letters, digits and hyphens, starting with a letter"),
    ],
)  # fmt: skip
def test_rejects_storage_values_aws_rejects(tmp_path: Path, setting: str, expected: str) -> None:
    text = ST.replace('[buckets.inbox]\npurpose = "uploads"\n', "") if setting.startswith("[buckets.inbox]\npurpose") else ST
    if "[buckets.inbox]" in setting and "purpose" not in setting:
        text = ST.replace('[buckets.inbox]\npurpose = "uploads"\n', "")
        setting = setting.replace("[buckets.inbox]\n", '[buckets.inbox]\npurpose = "uploads"\n')
    assert problems_of(tmp_path, text + setting + "\n") == [f"{F}: {expected}"]


def test_rejects_a_top_level_bucket_suffix_s3_would_reject(tmp_path: Path) -> None:
    text = ST.replace('region = "eu-central-1"', 'region = "eu-central-1"\nbucket_suffix = "My_Suffix"')
    assert problems_of(tmp_path, text) == [f"{F}: bucket_suffix = 'My_Suffix': 1 to 12 lowercase letters and digits"]


def test_a_file_with_only_profile_region_and_tags_is_the_secure_baseline(tmp_path: Path) -> None:
    folder = tmp_path / "environments"
    folder.mkdir()
    text = VALID[VALID.index("[tags]") :].replace("[network]\n", "")
    (folder / "qa.toml").write_text('profile = "production"\nregion = "eu-central-1"\n' + text)
    (config,) = load_environments(folder)
    assert {name for name, variant in config.components.items() if variant != "none"} == {
        "network",
        "storage",
        "audit",
        "monitoring",
    }
    assert config.parts["buckets"] == {}


def test_sse_s3_is_a_choice_the_gate_reports_as_a_risk(synthesized: dict[str, Stack]) -> None:
    stack = synthesized["sses3"]
    (uploads,) = [b for b in stack.of_type("aws_s3_bucket_server_side_encryption_configuration").values()
                  if "storage_uploads" in b["bucket"]]  # fmt: skip
    assert uploads["rule"][0]["apply_server_side_encryption_by_default"] == {"sse_algorithm": "AES256"}
    assert [r["setting"] for r in stack.foundation["risks"]] == ["storage.encryption"]
