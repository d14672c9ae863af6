"""A single-page application on the CDN's own domain, with named response headers policies."""

from __future__ import annotations

from tests.conftest import Stack


def test_spa_fallback_answers_unknown_paths_with_the_root_document(synthesized: dict[str, Stack]) -> None:
    stack = synthesized["dnszone"]
    dist = stack.one("aws_cloudfront_distribution")
    assert dist["default_root_object"] == "index.html"
    assert dist["custom_error_response"] == [
        {"error_code": code, "response_code": 200, "response_page_path": "/index.html", "error_caching_min_ttl": 10}
        for code in (403, 404)
    ]


def test_named_headers_policy_adds_csp_and_cors_to_the_security_headers(synthesized: dict[str, Stack]) -> None:
    stack = synthesized["dnszone"]
    dist = stack.one("aws_cloudfront_distribution")
    policy = stack.deref(dist["default_cache_behavior"]["response_headers_policy_id"])
    assert policy["name"] == "filehub-dnszone-app"
    security = policy["security_headers_config"]
    assert security["content_security_policy"] == {"content_security_policy": "default-src 'self'", "override": True}
    assert security["strict_transport_security"]["access_control_max_age_sec"] == 63072000
    assert security["frame_options"] == {"frame_option": "DENY", "override": True}
    cors = policy["cors_config"]
    assert cors["access_control_allow_origins"] == {"items": ["https://app.example.com"]}
    assert cors["access_control_allow_credentials"] is False
    # Behaviours that name no policy keep the security headers alone.
    others = {b["response_headers_policy_id"] for b in dist["ordered_cache_behavior"]}
    assert [stack.deref(ref)["name"] for ref in others] == ["filehub-dnszone-security-headers"]


def test_cdn_domain_uses_the_dns_zone_and_a_us_east_1_certificate(synthesized: dict[str, Stack]) -> None:
    stack = synthesized["dnszone"]
    dist = stack.one("aws_cloudfront_distribution")
    assert dist["aliases"] == ["files.example.com"]
    assert dist["viewer_certificate"]["minimum_protocol_version"] == "TLSv1.2_2021"
    certificate = stack.one("aws_acm_certificate", under="cdn")
    assert certificate["provider"] == "aws.us_east_1" and certificate["domain_name"] == "files.example.com"
    zone = next(iter(stack.of_type("aws_route53_zone")))
    assert all(r["zone_id"] == f"${{aws_route53_zone.{zone}.zone_id}}" for r in stack.under("aws_route53_record", "cdn").values())
