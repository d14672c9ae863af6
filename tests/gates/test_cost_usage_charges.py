"""Usage charges no single setting shows (data transfer, free tiers, detailed metrics, traces,
Data API, mail), the low/expected/high columns, and the advice: exact figures from the catalogue."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from gates.cost import CENT, CostEstimate, estimate
from gates.cost_report import CostOutcome, markdown
from gates.inputs import Stack
from gates.pricing import load_catalogue
from tests.conftest import ROOT

PRICING = ROOT / "policies" / "pricing"
EU = load_catalogue(PRICING, "eu-central-1")

BASE = """
[nat_gateway]
gb_processed = 10
[vpc_endpoint]
gb_processed = 1
[aurora]
storage_gb = 100
io_millions = 400
daily_change_percent = 0
serverless_active_hours = 0
serverless_average_acu = 0
enhanced_monitoring_gb_per_instance = 0
data_api_requests = 4000000
[rds]
daily_change_percent = 0
enhanced_monitoring_gb_per_instance = 0
[lambda]
invocations = 3000000
average_duration_ms = 100
[cloudfront]
viewer_region = "asia"
gb_out = 1500
https_requests = 30000000
[ses]
messages = 25000
[xray]
sampled_fraction = 0.05
[data_transfer]
internet_gb_out = 160
inter_az_gb = 40
[secretsmanager]
api_calls = 25000
[secretsmanager.match."app-*"]
api_calls = 400000
[sensitivity]
low = 0.5
high = 3
"""


def run(tmp_path: Path, resources: dict[str, Any], share: str = "1", profile: str = "production") -> CostEstimate:
    usage = tmp_path / "usage"
    usage.mkdir(exist_ok=True)
    (usage / "default.toml").write_text(BASE + f"[free_tier]\nshare = {share}\n")
    document = {
        "//": {"foundation": {"profile": profile}},
        "provider": {"aws": [{"region": "eu-central-1"}]},
        "resource": resources,
    }
    return estimate(Stack("handmade", tmp_path / "cdk.tf.json", document), PRICING, usage)


def money(quantity: Any, price_id: str) -> Decimal:
    return (Decimal(str(quantity)) * EU.prices[price_id].usd).quantize(CENT)


def line(result: CostEstimate, address: str) -> Decimal:
    assert not result.unpriced, result.unpriced
    (found,) = [r for r in result.resources if r.address == address]
    return found.monthly_usd


SUBNETS = {"aws_subnet": {"a": {"availability_zone": "eu-central-1a"}, "b": {"availability_zone": "eu-central-1b"}}}


def test_internet_egress_beyond_the_free_100_gb_and_inter_az_both_ways(tmp_path: Path) -> None:
    result = run(tmp_path, SUBNETS)
    assert line(result, "(usage).data_transfer") == money(60, "data_transfer_internet_gb") + money(
        80, "data_transfer_inter_az_gb"
    )


def test_a_profile_without_data_transfer_prices_none(tmp_path: Path) -> None:
    (tmp_path / "usage").mkdir()
    (tmp_path / "usage" / "default.toml").write_text("[nat_gateway]\ngb_processed = 1\n")
    document = {"provider": {"aws": [{"region": "eu-central-1"}]}, "resource": {"aws_nat_gateway": {"n": {}}}}
    result = estimate(Stack("handmade", tmp_path / "cdk.tf.json", document), PRICING, tmp_path / "usage")
    assert [r.address for r in result.resources] == ["aws_nat_gateway.n"]


def test_a_stack_without_the_free_tier_share_pays_every_gb(tmp_path: Path) -> None:
    result = run(tmp_path, {}, share="0")
    assert line(result, "(usage).data_transfer") == money(160, "data_transfer_internet_gb")


def test_no_inter_az_charge_in_a_single_zone(tmp_path: Path) -> None:
    result = run(tmp_path, {"aws_subnet": {"a": {"availability_zone": "eu-central-1a"}}})
    assert [i.price.id for r in result.resources if r.rtype == "data_transfer" for i in r.items] == ["data_transfer_internet_gb"]


def test_cloudfront_free_tier_and_price_class_bills_asian_viewers_at_european_edges(tmp_path: Path) -> None:
    result = run(tmp_path, {"aws_cloudfront_distribution": {"cdn": {"price_class": "PriceClass_100"}}})
    expected = money(500, "cloudfront_gb_out:europe") + money(2000, "cloudfront_https_10k:europe")
    assert line(result, "aws_cloudfront_distribution.cdn") == expected
    names = [i.name for r in result.resources for i in r.items if r.rtype == "aws_cloudfront_distribution"]
    assert "asia viewers served from europe edges, PriceClass_100" in names[0]


def test_cloudfront_price_class_all_bills_the_viewers_own_zone(tmp_path: Path) -> None:
    result = run(tmp_path, {"aws_cloudfront_distribution": {"cdn": {"price_class": "PriceClass_All"}}})
    expected = money(500, "cloudfront_gb_out:asia") + money(2000, "cloudfront_https_10k:asia")
    assert line(result, "aws_cloudfront_distribution.cdn") == expected


def test_a_viewer_region_cloudfront_does_not_price_is_named(tmp_path: Path) -> None:
    (tmp_path / "usage").mkdir()
    (tmp_path / "usage" / "default.toml").write_text(
        BASE.replace('viewer_region = "asia"', 'viewer_region = "antarctica"') + "[free_tier]\nshare = 1\n"
    )
    document = {"provider": {"aws": [{"region": "eu-central-1"}]}, "resource": {"aws_cloudfront_distribution": {"cdn": {}}}}
    result = estimate(Stack("handmade", tmp_path / "cdk.tf.json", document), PRICING, tmp_path / "usage")
    [(address, reason)] = [(u.address, u.reason) for u in result.unpriced]
    assert address == "aws_cloudfront_distribution.cdn"
    assert "viewer_region 'antarctica' is not one of us, europe, asia" in reason


def test_detailed_api_metrics_are_seven_metrics_per_method(tmp_path: Path) -> None:
    api = "${aws_api_gateway_rest_api.api.id}"
    resources = {
        "aws_api_gateway_method": {"get": {"rest_api_id": api}, "put": {"rest_api_id": api}, "other": {"rest_api_id": "x"}},
        "aws_api_gateway_method_settings": {
            "all": {"rest_api_id": api, "method_path": "*/*", "settings": {"metrics_enabled": True}},
            "off": {"rest_api_id": api, "method_path": "*/*", "settings": {"metrics_enabled": False}},
        },
    }
    result = run(tmp_path, resources)
    # 2 methods x 7 metrics, less the 10 metrics of the CloudWatch free tier.
    assert line(result, "aws_api_gateway_method_settings.all") == money(4, "cloudwatch_metric_month")
    assert line(result, "aws_api_gateway_method_settings.off") == 0


def test_active_tracing_records_sampled_traces_beyond_the_free_100_thousand(tmp_path: Path) -> None:
    function = {"function_name": "f", "memory_size": 1024, "architectures": ["arm64"], "tracing_config": {"mode": "Active"}}
    result = run(tmp_path, {"aws_lambda_function": {"f": function}})
    # 3M invocations x 5 % = 150,000 traces, 50,000 beyond the free tier.
    traced = [i for r in result.resources for i in r.items if i.price.id == "xray_traces_million"]
    assert [(i.quantity, i.monthly_usd) for i in traced] == [(Decimal("0.05"), money("0.05", "xray_traces_million"))]


def test_data_api_requests_on_a_cluster_with_the_http_endpoint(tmp_path: Path) -> None:
    result = run(tmp_path, {"aws_rds_cluster": {"c": {"enable_http_endpoint": True, "backup_retention_period": 1}}})
    assert line(result, "aws_rds_cluster.c") == (
        money(100, "aurora_storage_gb_month") + money(400, "aurora_io_million") + money(4, "aurora_data_api_million")
    )


def test_ses_messages_on_the_identity(tmp_path: Path) -> None:
    result = run(tmp_path, {"aws_sesv2_email_identity": {"mail": {"email_identity": "example.com"}}})
    assert line(result, "aws_sesv2_email_identity.mail") == money(25, "ses_messages_1k")


def test_low_and_high_columns_scale_traffic_not_hours(tmp_path: Path) -> None:
    result = run(tmp_path, {"aws_nat_gateway": {"n": {}}}, share="0")
    hours = money(730, "nat_gateway_hour")
    assert result.scenarios == {
        "low": hours + money(5, "nat_gateway_gb") + money(80, "data_transfer_internet_gb"),
        "expected": hours + money(10, "nat_gateway_gb") + money(160, "data_transfer_internet_gb"),
        "high": hours + money(30, "nat_gateway_gb") + money(480, "data_transfer_internet_gb"),
    }


def test_budget_holds_on_expected_and_warns_when_high_exceeds_it(tmp_path: Path) -> None:
    result = run(tmp_path, {"aws_nat_gateway": {"n": {}}}, share="0")
    outcome = CostOutcome(result, Decimal(60), budget_source="test")
    assert result.scenarios["expected"] < 60 < result.scenarios["high"]
    assert outcome.ok and outcome.high_over_budget
    assert "Warning: with high usage" in markdown(outcome)


def test_cost_md_leads_with_total_budget_drivers_and_advice_before_the_line_items(tmp_path: Path) -> None:
    resources = {
        "aws_nat_gateway": {"a": {}, "b": {}},
        "aws_eip": {"a": {}, "b": {}},
        "aws_lambda_function": {"f": {"function_name": "f", "memory_size": 1024}},
    }
    text = markdown(CostOutcome(run(tmp_path, resources, share="0", profile="development"), Decimal(500), budget_source="test"))
    order = [text.index(marker) for marker in ("USD / month**", "Largest drivers:", "**Advice**", "| usage | low", "| module |")]
    assert order == sorted(order)
    assert "network.nat_gateways = 1 in development" in text
    assert 'architectures = ["arm64"]' in text
    assert "- `data_transfer.internet_gb_out` = 160" in text


def test_io_optimized_advice_past_the_break_even(tmp_path: Path) -> None:
    resources = {
        "aws_rds_cluster": {"c": {"backup_retention_period": 1}},
        "aws_rds_cluster_instance": {"w": {"instance_class": "db.r6g.large", "cluster_identifier": "${aws_rds_cluster.c.id}"}},
    }
    result = run(tmp_path, resources)
    standard = (
        money(100, "aurora_storage_gb_month") + money(400, "aurora_io_million") + money(730, "aurora_instance_hour:db.r6g.large")
    )
    optimized = money(100, "aurora_iopt_storage_gb_month") + (
        money(730, "aurora_instance_hour:db.r6g.large") * Decimal("1.3")
    ).quantize(CENT)
    (advice,) = [a for a in result.advice if "aurora-iopt1" in a.change]
    assert advice.monthly_saving_usd == standard - optimized > 0


def test_no_io_optimized_advice_below_the_break_even(tmp_path: Path) -> None:
    usage = BASE.replace("io_millions = 400", "io_millions = 10")
    (tmp_path / "usage").mkdir()
    (tmp_path / "usage" / "default.toml").write_text(usage + "[free_tier]\nshare = 1\n")
    resources = {
        "aws_rds_cluster": {"c": {"backup_retention_period": 1}},
        "aws_rds_cluster_instance": {"w": {"instance_class": "db.r6g.large", "cluster_identifier": "${aws_rds_cluster.c.id}"}},
    }
    document = {"provider": {"aws": [{"region": "eu-central-1"}]}, "resource": resources}
    result = estimate(Stack("handmade", tmp_path / "cdk.tf.json", document), PRICING, tmp_path / "usage")
    assert [a for a in result.advice if "aurora-iopt1" in a.change] == []


def test_rds_instance_without_a_storage_type_is_priced_as_gp2_single_az(tmp_path: Path) -> None:
    result = run(tmp_path, {"aws_db_instance": {"db": {"instance_class": "db.m6g.large", "allocated_storage": 50}}})
    assert line(result, "aws_db_instance.db") == money(730, "rds_instance_hour:db.m6g.large") + money(
        50, "rds_gp2_storage_gb_month"
    )


def test_rds_gp3_throughput_above_the_baseline_is_unpriced_naming_the_price(tmp_path: Path) -> None:
    instance = {"instance_class": "db.m6g.large", "allocated_storage": 50, "storage_type": "gp3", "storage_throughput": 250}
    result = run(tmp_path, {"aws_db_instance": {"db": instance}})
    assert [(u.address, u.reason) for u in result.unpriced] == [
        ("aws_db_instance.db", "needs price 'rds_gp3_throughput_mibps_month', which the eu-central-1 catalogue does not have")
    ]


def test_ec2_instance_hours_root_volume_public_ip_and_graviton_and_gp3_advice(tmp_path: Path) -> None:
    instance = {
        "instance_type": "t3.medium",
        "root_block_device": {"volume_type": "gp2", "volume_size": 30},
        "associate_public_ip_address": True,
    }
    result = run(tmp_path, {"aws_instance": {"web": instance}})
    assert line(result, "aws_instance.web") == (
        money(730, "ec2_instance_hour:t3.medium") + money(30, "ebs_gp2_gb_month") + money(730, "public_ipv4_hour")
    )
    changes = {a.change: a.monthly_saving_usd for a in result.advice}
    assert changes["t3.medium -> t4g.medium (Graviton, same vCPUs and memory)"] == money(
        730, "ec2_instance_hour:t3.medium"
    ) - money(730, "ec2_instance_hour:t4g.medium")
    assert changes["volume type gp2 -> gp3 (same size, 3,000 IOPS included)"] == money(30, "ebs_gp2_gb_month") - money(
        30, "ebs_gp3_gb_month"
    )


def test_ec2_instance_type_without_a_price_is_unpriced(tmp_path: Path) -> None:
    result = run(tmp_path, {"aws_instance": {"big": {"instance_type": "x2iedn.32xlarge"}}})
    assert [u.address for u in result.unpriced] == ["aws_instance.big"]


def test_secret_api_calls_on_secrets_and_managed_master_secrets(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        {
            "aws_secretsmanager_secret": {"app": {"name": "app-signing-key"}, "other": {"name": "webhook"}},
            "aws_db_instance": {
                "main": {
                    "instance_class": "db.t4g.micro",
                    "engine": "postgres",
                    "allocated_storage": 20,
                    "manage_master_user_password": True,
                }
            },
        },
    )
    secret = money(1, "secretsmanager_secret_month")
    assert line(result, "aws_secretsmanager_secret.app") == secret + money(
        40, "secretsmanager_api_10k"
    )  # [secretsmanager.match."app-*"]
    assert line(result, "aws_secretsmanager_secret.other") == secret + money("2.5", "secretsmanager_api_10k")
    (database,) = [r for r in result.resources if r.address == "aws_db_instance.main"]
    calls = [i for i in database.items if i.price.id == "secretsmanager_api_10k"]
    assert [i.quantity for i in calls] == [Decimal("2.5")]
