"""The dns component: a zone created here (DNSSEC, query logs, CAA) or an existing one, as synthesized."""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import Stack


def _policy(body: dict[str, Any]) -> list[dict[str, Any]]:
    return list(json.loads(body["policy"])["Statement"])


def test_created_zone_is_kept_signed_and_limits_certificate_authorities(synthesized: dict[str, Stack]) -> None:
    stack = synthesized["dnszone"]
    zone = stack.one("aws_route53_zone")
    assert (zone["name"], zone["force_destroy"], zone["lifecycle"]) == ("example.com", False, {"prevent_destroy": True})
    caa = stack.one("aws_route53_record", under="dns")
    assert (caa["type"], caa["name"], caa["records"]) == ("CAA", "example.com", ['0 issue "amazon.com"'])
    ksk = stack.one("aws_route53_key_signing_key")
    assert ksk["status"] == "ACTIVE" and stack.deref(ksk["hosted_zone_id"].replace(".id}", ".zone_id}")) == zone
    key = stack.deref(ksk["key_management_service_arn"])
    assert (key["customer_master_key_spec"], key["key_usage"], key["enable_key_rotation"]) == (
        "ECC_NIST_P256",
        "SIGN_VERIFY",
        False,
    )
    signer = [s for s in _policy(key) if s["Principal"] == {"Service": "dnssec-route53.amazonaws.com"}]
    assert {s["Sid"] for s in signer} == {"Route53DnssecSigns", "Route53DnssecGrant"}
    signs = next(s for s in signer if s["Sid"] == "Route53DnssecSigns")
    assert sorted(signs["Action"]) == ["kms:DescribeKey", "kms:GetPublicKey", "kms:Sign"]
    assert signs["Condition"]["ArnLike"]["aws:SourceArn"].endswith(":route53:::hostedzone/*")
    assert stack.one("aws_route53_hosted_zone_dnssec")["signing_status"] == "SIGNING"
    # Route 53 takes DNSSEC keys and query-log groups from us-east-1 only.
    assert key["provider"] == "aws.us_east_1"
    assert {"dns_zone_id", "dns_name_servers", "dnssec_ds_record"} <= set(stack.doc["output"])


def test_created_zone_logs_queries_to_an_encrypted_group_in_us_east_1(synthesized: dict[str, Stack]) -> None:
    stack = synthesized["dnszone"]
    query_log = stack.one("aws_route53_query_log")
    group = stack.deref(query_log["cloudwatch_log_group_arn"])
    assert group["name"] == "/aws/route53/example.com" and group["provider"] == "aws.us_east_1"
    assert group["retention_in_days"] == 365 and group["kms_key_id"].startswith("${aws_kms_key.dns_query-log-key")
    policy = stack.one("aws_cloudwatch_log_resource_policy")
    (statement,) = json.loads(policy["policy_document"])["Statement"]
    assert statement["Principal"] == {"Service": "route53.amazonaws.com"}
    assert statement["Resource"].endswith(":log-group:/aws/route53/example.com:*")
    assert "aws:SourceAccount" in statement["Condition"]["StringEquals"]
    assert query_log["depends_on"] == [
        f"aws_cloudwatch_log_resource_policy.{next(iter(stack.of_type('aws_cloudwatch_log_resource_policy')))}"
    ]


def test_an_existing_zone_is_found_by_name_and_left_as_it_is(synthesized: dict[str, Stack]) -> None:
    stack = synthesized["dnsexisting"]
    assert stack.of_type("aws_route53_zone") == {} and stack.of_type("aws_route53_key_signing_key") == {}
    zones = stack.doc["data"]["aws_route53_zone"]
    assert [{k: v for k, v in z.items() if k != "//"} for z in zones.values()] == [{"name": "example.org", "private_zone": False}]
    assert "dns_name_servers" not in stack.doc["output"]
    # The CDN's certificate is validated and its alias created in that zone.
    (zone_name,) = zones
    records = stack.under("aws_route53_record", "cdn")
    assert records and all(r["zone_id"] == f"${{data.aws_route53_zone.{zone_name}.zone_id}}" for r in records.values())


def test_shipped_environments_have_no_dns(prod: Stack, dev: Stack) -> None:
    for stack in (prod, dev):
        assert stack.foundation["components"]["dns"] == "none" and stack.of_type("aws_route53_zone") == {}
