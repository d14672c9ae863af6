"""The AWS constraints shared by the configuration model and the custom checks."""

from __future__ import annotations

import pytest

from policies import aws_rules as rules


def lifecycle(transitions=(), expiration=None, noncurrent=(), noncurrent_expiration=None) -> list[str]:  # type: ignore[no-untyped-def]
    rule: dict[str, object] = {"id": "r", "transition": [{"days": d, "storage_class": c} for c, d in transitions]}
    if expiration is not None:
        rule["expiration"] = [{"days": expiration}]
    rule["noncurrent_version_transition"] = [{"noncurrent_days": d, "storage_class": c} for c, d in noncurrent]
    if noncurrent_expiration is not None:
        rule["noncurrent_version_expiration"] = [{"noncurrent_days": noncurrent_expiration}]
    return rules.lifecycle_rule_problems(rule)


def test_accepts_standard_ia_at_30_days() -> None:
    assert lifecycle([("STANDARD_IA", 30)]) == []


@pytest.mark.parametrize("storage_class", ["STANDARD_IA", "ONEZONE_IA"])
def test_rejects_ia_transition_before_30_days(storage_class: str) -> None:
    assert lifecycle([(storage_class, 29)]) == [
        f"rule 'r': current-version transition to {storage_class} after 29 days: S3 requires days of at least 30 for {storage_class}"
    ]


def test_glacier_can_start_on_day_zero() -> None:
    assert lifecycle([("GLACIER", 0)], expiration=180) == []


def test_rejects_transitions_out_of_waterfall_order() -> None:
    assert lifecycle([("GLACIER", 30), ("STANDARD_IA", 60)]) == [
        "rule 'r': current-version transitions go from GLACIER (day 30) to STANDARD_IA (day 60): S3 moves objects only "
        "down the order STANDARD_IA > INTELLIGENT_TIERING > ONEZONE_IA > GLACIER_IR > GLACIER > DEEP_ARCHIVE"
    ]


def test_rejects_a_transition_less_than_30_days_after_ia() -> None:
    assert lifecycle([("STANDARD_IA", 30), ("GLACIER", 59)]) == [
        "rule 'r': current-version transition to GLACIER on day 59 is only 29 days after the one to STANDARD_IA: "
        "objects must stay 30 days in STANDARD_IA first"
    ]
    assert lifecycle([("STANDARD_IA", 30), ("GLACIER", 60)]) == []


def test_rejects_expiration_not_after_the_last_transition() -> None:
    assert lifecycle([("STANDARD_IA", 30)], expiration=30) == [
        "rule 'r': current-version expiration after 30 days is not after the last transition (day 30): S3 requires expiration to come later"
    ]


def test_noncurrent_versions_follow_the_same_rules() -> None:
    assert lifecycle(noncurrent=[("STANDARD_IA", 10)], noncurrent_expiration=5) == [
        "rule 'r': noncurrent-version transition to STANDARD_IA after 10 days: S3 requires noncurrent_days of at least 30 for STANDARD_IA",
        "rule 'r': noncurrent-version expiration after 5 days is not after the last transition (day 10): S3 requires expiration to come later",
    ]


def test_rejects_unknown_storage_class() -> None:
    assert lifecycle([("COLD", 40)])[0].startswith("rule 'r': current-version transition to 'COLD': not a storage class")


def test_cors_rejects_more_rules_than_s3_allows() -> None:
    rule = {"allowed_methods": ["GET"], "allowed_origins": ["https://a.example"]}
    assert rules.cors_problems([rule] * 101) == ["101 CORS rules: S3 accepts at most 100"]
    assert rules.cors_problems([rule] * 100) == []


@pytest.mark.parametrize(
    ("name", "ok"),
    [("filehub-dev-uploads", True), ("ab", False), ("a" * 64, False), ("my..bucket", False), ("my.-bucket", False),
     ("10.0.0.1", False), ("xn--bucket", False), ("bucket-s3alias", False), ("Bucket", False), ("bucket_name", False)],
)  # fmt: skip
def test_bucket_names(name: str, ok: bool) -> None:
    assert (rules.bucket_name_problems(name) == []) is ok


def test_terraform_references_are_not_judged() -> None:
    assert rules.bucket_name_problems("${var.bucket}") == []
    assert rules.tag_value_problems("${var.owner}") == []


def test_tag_rules() -> None:
    assert rules.tags_problems({"team": "a.b:c/d=e+f-g@h i_j"}) == []
    assert rules.tags_problems({"AWS:Team": "x"}) == ["tag 'AWS:Team': a tag key may not start with 'aws:', which AWS reserves"]
    assert rules.tags_problems({"k" * 129: "x"}) == [f"tag {'k' * 129!r}: a tag key must be 1 to 128 characters long"]
    assert rules.tags_problems({"team": "v" * 257}) == [
        "tag 'team' = " + repr("v" * 257) + ": a tag value may be at most 256 characters long"
    ]
    assert len(rules.tags_problems({f"k{i}": "v" for i in range(51)})) == 1


def test_geo_codes() -> None:
    assert rules.geo_code_problems(["DE", "AT", "CH", "US", "GB"]) == []
    assert rules.geo_code_problems(["UK", "XX"]) == [
        "'UK' is not an ISO 3166-1 alpha-2 country code (the United Kingdom is GB)",
        "'XX' is not an ISO 3166-1 alpha-2 country code",
    ]


@pytest.mark.parametrize(
    ("days", "ok"), [(7, True), (31, True), (713, True), (731, True), (0, False), (30, False), (62, True), (732, False)]
)
def test_performance_insights_retention(days: int, ok: bool) -> None:
    assert (rules.pi_retention_problems(days) == []) is ok


@pytest.mark.parametrize(("days", "ok"), [(0, False), (1, True), (35, True), (36, False)])
def test_backup_retention(days: int, ok: bool) -> None:
    assert (rules.backup_retention_problems(days) == []) is ok


@pytest.mark.parametrize(
    ("low", "high", "count"),
    [(0, 1, 0), (0.5, 256, 0), (0, 0.5, 1), (0.25, 4, 1), (0, 257, 1), (8, 4, 1)],
)
def test_acu_bounds(low: float, high: float, count: int) -> None:
    assert len(rules.acu_problems(low, high)) == count


def test_instance_classes() -> None:
    assert rules.aurora_instance_class_problems("db.t4g.medium") == []
    assert rules.aurora_instance_class_problems("db.serverless") == []
    assert rules.aurora_instance_class_problems("db.m6g.large") != []
    assert rules.aurora_instance_class_problems("db.t4g.micro", engine="mysql") == []


def test_identity_policy_classification() -> None:
    policy = {
        "Statement": [
            {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket", "dynamodb:Query"], "Resource": "*"},
            {"Effect": "Allow", "Action": ["xray:PutTraceSegments"], "Resource": "*"},
            {"Effect": "Deny", "Action": "*", "Resource": "*"},
        ]
    }
    assert rules.identity_policy_problems(policy) == ([], [])
    wildcard, write = rules.identity_policy_problems(
        {"Statement": [{"Sid": "S", "Effect": "Allow", "Action": ["s3:*", "kms:Decrypt"], "Resource": ["*"]}]}
    )
    assert wildcard == []
    # kms:Decrypt is a Write-level action in the Service Authorization Reference.
    assert write == ["statement 'S' allows kms:Decrypt, s3:* on Resource \"*\"; scope it to the resources the role writes"]
    wildcard, _ = rules.identity_policy_problems({"Statement": {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}})
    assert wildcard == ['statement 0 allows every action (Action "*" or NotAction); name the actions the role needs']
