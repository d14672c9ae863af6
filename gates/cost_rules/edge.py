"""Edge: CloudFront distributions and their metrics, WAF web ACLs, Route 53 hosted zones and
health checks, Global Accelerator accelerators."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from gates.cost import HOURS_PER_MONTH, MILLION, Context, LineItem, MissingInput, Rule, as_number, single_block

# Viewer zones whose edge locations each CloudFront price class uses (CloudFront pricing page,
# "Price classes"); a viewer outside the class is served, and billed, from US/Europe edges.
# CloudFront's pricing zones by viewer location (Amazon CloudFront pricing, "Regional Data Transfer Out").
VIEWER_ZONES = ("us", "europe", "asia", "japan", "india", "middle_east", "africa", "south_america", "australia")
PRICE_CLASS_ZONES = {
    "PriceClass_100": {"us", "europe"},
    "PriceClass_200": {"us", "europe", "asia", "japan", "india", "middle_east", "africa"},
}


def _cloudfront(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    usage = ctx.usage
    viewers = usage.text("cloudfront", "viewer_region", "europe")
    if viewers not in VIEWER_ZONES:
        raise MissingInput(f"[cloudfront] viewer_region {viewers!r} is not one of {', '.join(VIEWER_ZONES)} (the usage profile)")
    price_class = str(body.get("price_class", "PriceClass_All"))
    served = PRICE_CLASS_ZONES.get(price_class)
    zone = viewers if served is None or viewers in served else "europe"
    where = zone if zone == viewers else f"{viewers} viewers served from {zone} edges, {price_class}"
    gb = usage.number("cloudfront", "gb_out")
    requests = usage.number("cloudfront", "https_requests")
    gb_billed = gb - ctx.free_part("cloudfront_gb", gb)
    requests_billed = requests - ctx.free_part("cloudfront_requests", requests)
    return [
        ctx.item(body, f"Data transfer out ({where}) beyond the free 1 TB", gb_billed, f"cloudfront_gb_out:{zone}"),
        ctx.item(
            body,
            f"HTTPS requests ({where}) beyond the free 10 million (10 thousands)",
            requests_billed / Decimal(10_000),
            f"cloudfront_https_10k:{zone}",
        ),
    ]


def _waf_acl(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    rules = Decimal(len(body.get("rule") or []))
    requests = ctx.usage.number("waf", "requests", name=str(body.get("name", name)))
    return [
        ctx.item(body, "Web ACL", Decimal(1), "waf_acl_month"),
        ctx.item(body, f"Rules and managed rule groups ({rules})", rules, "waf_rule_month"),
        ctx.item(body, "Requests inspected (millions)", requests / MILLION, "waf_requests_million"),
    ]


# CloudFront Developer Guide, "Enable additional CloudFront distribution metrics": cache hit
# rate, origin latency and the 401, 403, 404, 502, 503 and 504 error rates, billed as
# CloudWatch custom metrics.
CLOUDFRONT_ADDITIONAL_METRICS = Decimal(8)


def _cloudfront_monitoring(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    subscription = body.get("monitoring_subscription")
    subscription = single_block(subscription)
    config = subscription.get("realtime_metrics_subscription_config") if isinstance(subscription, dict) else None
    config = single_block(config)
    if not (isinstance(config, dict) and config.get("realtime_metrics_subscription_status") == "Enabled"):
        return []
    metrics = CLOUDFRONT_ADDITIONAL_METRICS - ctx.free_part("cloudwatch_metrics", CLOUDFRONT_ADDITIONAL_METRICS)
    return [
        ctx.item(
            body,
            f"Additional distribution metrics ({CLOUDFRONT_ADDITIONAL_METRICS}, beyond the free tier)",
            metrics,
            "cloudwatch_metric_month",
        )
    ]


def _hosted_zone(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    # Alias queries to CloudFront, API Gateway and other AWS resources are free; the rest
    # (MX, TXT, CAA, DKIM CNAMEs, lookups of names that do not exist) are standard queries.
    queries = ctx.usage.number("route53", "standard_queries")
    return [
        ctx.item(body, "Hosted zone", Decimal(1), "route53_zone_month"),
        ctx.item(body, "Standard queries (millions)", queries / MILLION, "route53_queries_million"),
    ]


# Route 53 health checks of other health checks or of CloudWatch alarms watch AWS resources;
# every other check may watch an endpoint outside AWS, billed at the higher rate (Amazon Route 53
# pricing, "Health checks"); the gate cannot tell where an IP address or name points, so it
# assumes outside AWS.
AWS_ENDPOINT_CHECKS = {"CALCULATED", "CLOUDWATCH_METRIC"}


def _health_check(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    kind = str(body.get("type", ""))
    if kind in AWS_ENDPOINT_CHECKS:
        return [ctx.item(body, f"Health check ({kind}, AWS endpoint)", Decimal(1), "route53_health_check_aws_month")]
    # Optional features, each billed per check-month: HTTPS, string matching, the 10-second
    # interval, latency measurement.
    features = [
        feature
        for feature, on in (
            ("HTTPS", kind.startswith("HTTPS")),
            ("string matching", kind.endswith("_STR_MATCH")),
            ("fast interval", as_number(body.get("request_interval"), Decimal(30)) == 10),
            ("latency measurement", body.get("measure_latency") is True),
        )
        if on
    ]
    items = [
        ctx.item(body, f"Health check ({kind or 'no type'}, endpoint outside AWS)", Decimal(1), "route53_health_check_month")
    ]
    if features:
        items.append(
            ctx.item(
                body, f"Optional features ({', '.join(features)})", Decimal(len(features)), "route53_health_check_feature_month"
            )
        )
    return items


def _accelerator(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    # The fixed fee runs for every hour the accelerator exists, enabled or not (counted so);
    # premium data transfer (DT-Premium) depends on traffic and is not estimated.
    return [ctx.item(body, "Accelerator fixed fee hours", HOURS_PER_MONTH, "globalaccelerator_hour")]


RULES: dict[str, Rule] = {
    "aws_route53_health_check": _health_check,
    "aws_globalaccelerator_accelerator": _accelerator,
    "aws_cloudfront_distribution": _cloudfront,
    "aws_wafv2_web_acl": _waf_acl,
    "aws_cloudfront_monitoring_subscription": _cloudfront_monitoring,
    "aws_route53_zone": _hosted_zone,
}
