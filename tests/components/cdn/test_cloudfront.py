"""The CloudFront distribution, its WAF, and the origin and key grants, as synthesized."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.components.storage.test_buckets import _buckets, _for
from tests.config.test_loader import VALID, F, problems_of
from tests.conftest import DOMAIN_VARIANT, Stack


def _distribution(stack: Stack) -> tuple[str, dict[str, Any]]:
    ((name, body),) = stack.of_type("aws_cloudfront_distribution").items()
    return name, body


def test_distribution_is_https_only_http3_ipv6_compressed(prod: Stack) -> None:
    _, dist = _distribution(prod)
    assert (dist["http_version"], dist["is_ipv6_enabled"], dist["price_class"]) == ("http2and3", True, "PriceClass_100")
    behaviors = [dist["default_cache_behavior"], *dist["ordered_cache_behavior"]]
    assert all(b["viewer_protocol_policy"] == "redirect-to-https" and b["compress"] is True for b in behaviors)
    assert all(b["allowed_methods"] == ["GET", "HEAD"] for b in behaviors)
    assert dist["restrictions"]["geo_restriction"] == {
        "restriction_type": "whitelist",
        "locations": ["DE", "AT", "CH", "US", "GB"],
    }
    assert dist["custom_error_response"][0] == {"error_code": 403, "response_code": 404, "error_caching_min_ttl": 10}


def test_origins_use_origin_access_control_with_sigv4_always(prod: Stack) -> None:
    _, dist = _distribution(prod)
    origins = {o["origin_id"]: o for o in dist["origin"]}
    assert sorted(origins) == ["profile", "reports"]
    for origin in origins.values():
        oac = prod.deref(origin["origin_access_control_id"])
        assert (oac["signing_behavior"], oac["signing_protocol"], oac["origin_access_control_origin_type"]) == (
            "always",
            "sigv4",
            "s3",
        )
        assert "s3_origin_config" not in origin, "no legacy origin access identity"
    assert origins["profile"]["domain_name"] == f"${{aws_s3_bucket.{_buckets(prod)['profile'][0]}.bucket_regional_domain_name}}"


def _ttl_days(stack: Stack, ref: str) -> int:
    return stack.deref(ref)["default_ttl"] // 86400


def test_cache_policies_by_content(prod: Stack) -> None:
    _, dist = _distribution(prod)
    by_pattern = {b["path_pattern"]: _ttl_days(prod, b["cache_policy_id"]) for b in dist["ordered_cache_behavior"]}
    assert by_pattern["/reports/tmp/*"] == 0
    assert by_pattern["/reports/*.pdf"] == 0
    assert by_pattern["/reports/*"] == 7
    assert by_pattern["/profile/temp/*"] == 0
    assert {by_pattern[f"/profile/*.{ext}"] for ext in ("jpg", "jpeg", "png", "webp", "gif", "avif")} == {30}
    order = [b["path_pattern"] for b in dist["ordered_cache_behavior"]]
    assert order.index("/reports/tmp/*") < order.index("/reports/*") and order.index("/reports/*.pdf") < order.index("/reports/*")
    no_store = prod.deref(dist["ordered_cache_behavior"][0]["cache_policy_id"])
    assert (no_store["min_ttl"], no_store["max_ttl"]) == (0, 0)


def test_security_headers(prod: Stack) -> None:
    _, dist = _distribution(prod)
    policy = prod.deref(dist["default_cache_behavior"]["response_headers_policy_id"])["security_headers_config"]
    assert policy["strict_transport_security"]["access_control_max_age_sec"] >= 31536000
    assert policy["strict_transport_security"]["include_subdomains"] is True
    assert policy["content_type_options"] == {"override": True}
    assert policy["frame_options"] == {"frame_option": "DENY", "override": True}
    assert policy["referrer_policy"]["referrer_policy"] == "strict-origin-when-cross-origin"


def test_waf_acl_is_cloudfront_scoped_in_us_east_1_with_managed_rules_and_rate_limit(prod: Stack) -> None:
    _, dist = _distribution(prod)
    acl = prod.deref(dist["web_acl_id"])
    assert (acl["scope"], acl["provider"]) == ("CLOUDFRONT", "aws.us_east_1")
    statements = [r["statement"][0] for r in acl["rule"]]
    managed = [s["managed_rule_group_statement"][0]["name"] for s in statements if "managed_rule_group_statement" in s]
    assert managed == [
        "AWSManagedRulesCommonRuleSet",
        "AWSManagedRulesKnownBadInputsRuleSet",
        "AWSManagedRulesAmazonIpReputationList",
    ]
    rate = next(s["rate_based_statement"][0] for s in statements if "rate_based_statement" in s)
    assert rate == {"limit": 2000, "aggregate_key_type": "IP"}
    logging = prod.one("aws_wafv2_web_acl_logging_configuration", under="cdn")
    group = prod.deref(logging["log_destination_configs"][0])
    assert (
        group["name"].startswith("aws-waf-logs-") and group["provider"] == "aws.us_east_1" and group["retention_in_days"] == 365
    )
    assert prod.deref(group["kms_key_id"])["provider"] == "aws.us_east_1"


def _statement(stack: Stack, bucket_name: str, sid: str) -> dict[str, Any] | None:
    policy = _for(stack, "aws_s3_bucket_policy", bucket_name)
    text = policy.get("policy")
    return next((s for s in json.loads(text)["Statement"] if s.get("Sid") == sid), None)


def test_bucket_policies_admit_only_this_distribution(prod: Stack) -> None:
    dist_name, _ = _distribution(prod)
    buckets = _buckets(prod)
    for purpose in ("profile", "reports"):
        statement = _statement(prod, buckets[purpose][0], "CloudFrontReadsThroughOac")
        assert statement == {
            "Sid": "CloudFrontReadsThroughOac",
            "Effect": "Allow",
            "Principal": {"Service": "cloudfront.amazonaws.com"},
            "Action": "s3:GetObject",
            "Resource": f"${{aws_s3_bucket.{buckets[purpose][0]}.arn}}/*",
            "Condition": {"StringEquals": {"AWS:SourceArn": f"${{aws_cloudfront_distribution.{dist_name}.arn}}"}},
        }
    assert _statement(prod, buckets["uploads"][0], "CloudFrontReadsThroughOac") is None


def test_storage_key_lets_only_this_distribution_decrypt(prod: Stack) -> None:
    dist_name, _ = _distribution(prod)
    profile = _buckets(prod)["profile"][0]
    key_ref = _for(prod, "aws_s3_bucket_server_side_encryption_configuration", profile)["rule"][0][
        "apply_server_side_encryption_by_default"
    ]["kms_master_key_id"]
    statements = json.loads(prod.deref(key_ref)["policy"])["Statement"]
    grant = next(s for s in statements if s["Sid"] == "CloudFrontDecryptsForThisDistribution")
    assert grant["Action"] == "kms:Decrypt"
    assert grant["Condition"] == {"StringEquals": {"AWS:SourceArn": f"${{aws_cloudfront_distribution.{dist_name}.arn}}"}}


def test_standard_logging_delivers_to_the_log_bucket(prod: Stack) -> None:
    dist_name, _ = _distribution(prod)
    source = prod.one("aws_cloudwatch_log_delivery_source")
    assert (source["log_type"], source["resource_arn"], source["provider"]) == (
        "ACCESS_LOGS",
        f"${{aws_cloudfront_distribution.{dist_name}.arn}}",
        "aws.us_east_1",
    )
    destination = prod.one("aws_cloudwatch_log_delivery_destination")
    logs = _buckets(prod)["logs"][0]
    assert (
        destination["delivery_destination_configuration"][0]["destination_resource_arn"]
        == f"${{aws_s3_bucket.{logs}.arn}}/cloudfront"
    )
    assert _statement(prod, logs, "CloudFrontStandardLogs") is not None


def test_without_a_domain_no_tls_minimum_is_claimed(prod: Stack) -> None:
    _, dist = _distribution(prod)
    assert dist["viewer_certificate"] == {"cloudfront_default_certificate": True}
    assert "CloudFront then decides the minimum TLS version" in prod.doc["output"]["cdn_tls"]["value"]


def test_custom_domain_gets_a_validated_certificate_tls12_and_alias_records(synthesized: dict[str, Stack]) -> None:
    stack = synthesized[DOMAIN_VARIANT]
    _, dist = _distribution(stack)
    assert dist["aliases"] == ["files.example.com"]
    certificate = dist["viewer_certificate"]
    assert (certificate["minimum_protocol_version"], certificate["ssl_support_method"]) == ("TLSv1.2_2021", "sni-only")
    cert = stack.one("aws_acm_certificate")
    assert (cert["domain_name"], cert["validation_method"], cert["provider"]) == ("files.example.com", "DNS", "aws.us_east_1")
    records = {r["type"]: r for r in stack.of_type("aws_route53_record").values() if "alias" in r}
    assert sorted(records) == ["A", "AAAA"]
    assert all(r["zone_id"] == "Z0123456789ABCDEFGHIJ" and r["alias"]["zone_id"] == "Z2FDTNDATAQYW2" for r in records.values())
    assert "TLSv1.2_2021" in stack.doc["output"]["cdn_tls"]["value"]


CDN = (
    VALID.replace('cdn = "none"\n', 'cdn = "cloudfront"\n').replace('storage = "none"\n', 'storage = "s3"\n')
    + '[buckets.site]\npurpose = "static-site"\n[cdn]\ndefault_behavior = { origin = "site" }\n'
)


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ('geo_allow_list = ["DE", "UK"]', "cdn.geo_allow_list = ['DE', 'UK']: 'UK' is not an ISO 3166-1 alpha-2 country code (the United Kingdom is GB)"),
        ('domain_name = "Files.Example"', "cdn.domain_name = 'Files.Example': a lowercase fully qualified domain name such as files.example.com"),
        ('domain_name = "files.example.com"',
         "cdn.hosted_zone_id = None: domain_name and hosted_zone_id go together (or turn on components.dns): the certificate is validated and the alias created in that zone"),
        ("rate_limit_per_5_minutes = 5", "cdn.rate_limit_per_5_minutes = 5: WAF accepts 10 to 2,000,000,000 requests per 5 minutes"),
        ('price_class = "PriceClass_Cheap"', "cdn.price_class = 'PriceClass_Cheap': one of 'PriceClass_100', 'PriceClass_200' or 'PriceClass_All'"),
        ('cache_policies = { long = { ttl_days = 400 } }', "cdn.cache_policies.long.ttl_days = 400: at most 365"),
        ('behaviors = [{ path_pattern = "/a/*", origin = "site", cache_policy = "forever" }]',
         "cdn.behaviors[0].cache_policy = 'forever': not a cache policy of [cdn.cache_policies]; declared: standard, no-store"),
    ],
)  # fmt: skip
def test_rejects_cdn_values_aws_rejects(tmp_path: Path, setting: str, expected: str) -> None:
    assert problems_of(tmp_path, CDN + setting + "\n") == [f"{F}: {expected}"]


def test_no_geo_restriction_unless_countries_are_listed(synthesized: dict[str, Stack]) -> None:
    _, dist = _distribution(synthesized["nogeo"])
    assert dist["restrictions"]["geo_restriction"] == {"restriction_type": "none"}
    accepted = dist["//"]["accepted_findings"]
    assert {a["check"]: a["pin"] for a in accepted}["CKV_AWS_374"] == {"restrictions.geo_restriction.restriction_type": "none"}


def test_a_declared_bucket_becomes_an_origin_of_a_declared_behaviour(synthesized: dict[str, Stack]) -> None:
    stack = synthesized["extrabucket"]
    _, dist = _distribution(stack)
    # The variant's behaviours replace the shipped ones: the default origin, then the new bucket.
    assert [o["origin_id"] for o in dist["origin"]] == ["profile", "assets"]
    assert [(b["path_pattern"], b["target_origin_id"]) for b in dist["ordered_cache_behavior"]] == [("/assets/*", "assets")]
    assets = next(b for b in stack.of_type("aws_s3_bucket").values() if b["bucket"].startswith("filehub-extrabucket-assets-"))
    assert assets["//"]["metadata"]["path"] == "extrabucket/storage/assets/bucket"
