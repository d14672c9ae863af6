"""CloudFront's additional metrics: a monitoring subscription, the cache hit rate on the dashboard, an
optional alarm on its floor, priced as CloudWatch metrics beyond the free tier."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from gates import cost
from gates.inputs import Stack as GateStack
from tests.config.test_loader import VALID, F, problems_of
from tests.conftest import ROOT, Stack


def test_the_example_subscribes_its_distribution_to_additional_metrics(synthesized: dict[str, Stack]) -> None:
    stack = synthesized["media-cdn"]
    subscription = stack.one("aws_cloudfront_monitoring_subscription")
    assert subscription["distribution_id"].startswith("${aws_cloudfront_distribution.")
    config = subscription["monitoring_subscription"]["realtime_metrics_subscription_config"]
    assert config == {"realtime_metrics_subscription_status": "Enabled"}
    dashboard = json.loads(stack.one("aws_cloudwatch_dashboard")["dashboard_body"])
    assert any("CacheHitRate" in json.dumps(w) for w in dashboard["widgets"])


def test_without_the_setting_there_is_no_subscription(synthesized: dict[str, Stack]) -> None:
    assert synthesized["prod"].of_type("aws_cloudfront_monitoring_subscription") == {}


def test_eight_metrics_are_priced_beyond_the_free_tier(synthesized: dict[str, Stack]) -> None:
    document = synthesized["media-cdn"].doc
    estimate = cost.estimate(
        GateStack(env="media-cdn", path=Path("media-cdn/cdk.tf.json"), document=document),
        ROOT / "policies" / "pricing",
        ROOT / "policies" / "usage",
    )
    (line,) = [r for r in estimate.resources if r.rtype == "aws_cloudfront_monitoring_subscription"]
    (item,) = line.items
    assert item.name.startswith("Additional distribution metrics (8")
    assert Decimal(0) <= item.quantity <= Decimal(8)


def test_a_hit_rate_alarm_needs_the_metrics(tmp_path: Path) -> None:
    text = (
        VALID.replace('storage = "none"\n', 'storage = "s3"\n')
        .replace('cdn = "none"', 'cdn = "cloudfront"')
        .replace(
            "[network]\n",
            '[buckets.site]\npurpose = "static-site"\n[cdn]\ndefault_behavior = { origin = "site" }\n'
            "alarm_cache_hit_rate_below_percent = 80\n[network]\n",
        )
    )
    assert problems_of(tmp_path, text) == [
        f"{F}: cdn.alarm_cache_hit_rate_below_percent = 80.0: CloudFront publishes the cache hit rate only with "
        "cdn.additional_metrics = true"
    ]
