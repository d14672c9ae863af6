"""The cost gate: exact figures from the catalogue for every priced type, unpriced types,
budgets (from the stack's metadata or --budget-usd), comparisons, and the seed team's VPC + Aurora shape."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from gates.cost import CENT, CostEstimate, estimate
from gates.inputs import Stack
from gates.pricing import load_catalogue
from tests.conftest import ROOT

PRICING = ROOT / "policies" / "pricing"
EU = load_catalogue(PRICING, "eu-central-1")
US = load_catalogue(PRICING, "us-east-1")

USAGE = """
[nat_gateway]
gb_processed = 40
[vpc_endpoint]
gb_processed = 7
[aurora]
storage_gb = 100
io_millions = 30
daily_change_percent = 5
serverless_active_hours = 200
serverless_average_acu = 1.5
enhanced_monitoring_gb_per_instance = 0.5
data_api_requests = 3000000
[rds]
daily_change_percent = 10
enhanced_monitoring_gb_per_instance = 0.5
[s3]
standard_gb = 2
standard_ia_gb = 0
put_requests = 3000
get_requests = 9000
[s3.match."*-uploads-*"]
standard_gb = 120
standard_ia_gb = 80
[cloudfront]
viewer_region = "europe"
gb_out = 300
https_requests = 4000000
[waf]
requests = 3000000
[kms]
requests = 50000
billed_rotations = 2
[logs]
gb_ingested = 2
[logs.match."/aws/lambda/*"]
gb_ingested = 5
[flow_logs]
gb = 12
[log_delivery]
gb = 3
[lambda]
invocations = 2000000
average_duration_ms = 250
[api_gateway]
requests = 5000000
[dynamodb]
write_request_units = 4000000
read_request_units = 9000000
storage_gb = 6
[sqs]
requests = 3000000
[cognito]
monthly_active_users = 12000
[cloudtrail]
management_events = 700000
paid_copies = 1
data_events = 5000000
[config]
configuration_items = 4000
evaluations_per_rule = 2500
[guardduty]
management_events = 700000
flow_and_dns_gb = 9
s3_data_events = 3000000
[data_transfer]
internet_gb_out = 0
inter_az_gb = 0
[free_tier]
share = 0
[xray]
sampled_fraction = 0.05
[route53]
standard_queries = 2000000
[ses]
messages = 40000
"""


def money(*parts: tuple[Any, str] | tuple[Any, str, Any]) -> Decimal:
    """Sum of quantity x catalogue price, each rounded like a line item."""
    total = Decimal(0)
    for part in parts:
        quantity, price_id = Decimal(str(part[0])), part[1]
        catalogue = part[2] if len(part) > 2 else EU
        total += (quantity * catalogue.prices[price_id].usd).quantize(CENT)
    return total


def run(
    tmp_path: Path, resources: dict[str, Any], region: str = "eu-central-1", pricing: Path = PRICING, usage_text: str = USAGE
) -> CostEstimate:
    usage = tmp_path / "usage"
    usage.mkdir(exist_ok=True)
    (usage / "default.toml").write_text(usage_text)
    document = {"provider": {"aws": [{"region": region}, {"region": "us-east-1", "alias": "us_east_1"}]}, "resource": resources}
    return estimate(Stack("handmade", tmp_path / "cdk.tf.json", document), pricing, usage)


def cost_of(result: CostEstimate, address: str) -> Decimal:
    assert not result.unpriced, result.unpriced
    (found,) = [r for r in result.resources if r.address == address]
    return found.monthly_usd


def test_nat_gateway_hours_and_gb(tmp_path: Path) -> None:
    result = run(tmp_path, {"aws_nat_gateway": {"a": {"subnet_id": "x"}}})
    assert cost_of(result, "aws_nat_gateway.a") == money((730, "nat_gateway_hour"), (40, "nat_gateway_gb"))


def test_every_elastic_ip_pays_the_public_ipv4_charge(tmp_path: Path) -> None:
    result = run(tmp_path, {"aws_eip": {"a": {"domain": "vpc"}}})
    assert cost_of(result, "aws_eip.a") == money((730, "public_ipv4_hour")) == Decimal("3.65")


def test_interface_endpoint_per_az_hour_and_gb_gateway_endpoint_free(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        {
            "aws_vpc_endpoint": {
                "kms": {"vpc_endpoint_type": "Interface", "subnet_ids": ["a", "b", "c"]},
                "s3": {"vpc_endpoint_type": "Gateway"},
            }
        },
    )
    assert cost_of(result, "aws_vpc_endpoint.kms") == money((3 * 730, "vpc_endpoint_az_hour"), (7, "vpc_endpoint_gb"))
    assert cost_of(result, "aws_vpc_endpoint.s3") == 0


def test_aurora_cluster_storage_io_backup_beyond_free_and_managed_secret(tmp_path: Path) -> None:
    cluster = {"engine": "aurora-postgresql", "backup_retention_period": 35, "manage_master_user_password": True}
    result = run(tmp_path, {"aws_rds_cluster": {"db": cluster}}, region="us-east-1")
    # The window holds the 100 GB volume and 100 GB x 5 % x 35 days = 175 GB of changes; the
    # volume's size is free, so the changes are billed.
    assert cost_of(result, "aws_rds_cluster.db") == money(
        (100, "aurora_storage_gb_month", US),
        (30, "aurora_io_million", US),
        (175, "aurora_backup_gb_month", US),
        (1, "secretsmanager_secret_month", US),
    )


def test_rds_instance_multi_az_hours_storage_backup_beyond_free_secret_and_monitoring(tmp_path: Path) -> None:
    instance = {
        "engine": "postgres",
        "instance_class": "db.m6g.large",
        "multi_az": True,
        "allocated_storage": 100,
        "storage_type": "gp3",
        "iops": 5000,
        "backup_retention_period": 14,
        "manage_master_user_password": True,
        "monitoring_interval": 60,
    }
    result = run(tmp_path, {"aws_db_instance": {"db": instance}})
    # 100 GB x 10 % x 14 days = 140 GB of changes beyond the free 100 GB (the provisioned size).
    assert cost_of(result, "aws_db_instance.db") == money(
        (730, "rds_multi_az_instance_hour:db.m6g.large"),
        (100, "rds_multi_az_gp3_storage_gb_month"),
        (2000, "rds_multi_az_gp3_iops_month"),
        (140, "rds_backup_gb_month"),
        (1, "secretsmanager_secret_month"),
        (0.5, "logs_ingestion_gb"),
    )


def test_rds_instance_class_without_a_price_is_unpriced(tmp_path: Path) -> None:
    result = run(tmp_path, {"aws_db_instance": {"db": {"engine": "postgres", "instance_class": "db.x2iedn.32xlarge"}}})
    assert [u.address for u in result.unpriced] == ["aws_db_instance.db"]


def test_aurora_backup_of_one_day_costs_nothing(tmp_path: Path) -> None:
    result = run(tmp_path, {"aws_rds_cluster": {"db": {"backup_retention_period": 1}}})
    names = [i.name for r in result.resources for i in r.items]
    assert "Backup storage beyond the free allowance" not in names
    assert cost_of(result, "aws_rds_cluster.db") == money((100, "aurora_storage_gb_month"), (30, "aurora_io_million"))


def test_aurora_backup_is_billed_at_most_one_volume_a_day_beyond_the_first(tmp_path: Path) -> None:
    # 100 GB changing 90 % a day for 3 days would be 270 GB of changes, but the window never holds
    # more than the volume for each day: 3 x 100 GB, of which the volume's 100 GB are free.
    cluster = {"db": {"backup_retention_period": 3}}
    aurora = USAGE[USAGE.index("[aurora]") :]
    aurora = aurora[: aurora.index("daily_change_percent = 5") + len("daily_change_percent = 5")]
    fast = USAGE.replace(aurora, aurora.replace("daily_change_percent = 5", "daily_change_percent = 90"))
    result = run(tmp_path, {"aws_rds_cluster": cluster}, usage_text=fast)
    backup = [i for r in result.resources for i in r.items if i.name == "Backup storage beyond the free allowance"]
    assert [i.quantity for i in backup] == [200]


def test_io_optimized_cluster_has_no_io_charge(tmp_path: Path) -> None:
    result = run(tmp_path, {"aws_rds_cluster": {"db": {"storage_type": "aurora-iopt1"}}}, region="us-east-1")
    assert cost_of(result, "aws_rds_cluster.db") == money((100, "aurora_iopt_storage_gb_month", US))


def test_provisioned_instance_by_class_with_enhanced_monitoring(tmp_path: Path) -> None:
    instance = {"instance_class": "db.r6g.large", "monitoring_interval": 60, "performance_insights_enabled": True}
    result = run(tmp_path, {"aws_rds_cluster_instance": {"writer": instance}})
    assert cost_of(result, "aws_rds_cluster_instance.writer") == money(
        (730, "aurora_instance_hour:db.r6g.large"), (Decimal("0.5"), "logs_ingestion_gb")
    )


def test_serverless_instance_bills_acu_hours_with_the_minimum_as_floor(tmp_path: Path) -> None:
    resources = {
        "aws_rds_cluster": {
            "paused": {"serverlessv2_scaling_configuration": [{"min_capacity": 0, "max_capacity": 4}]},
            "floor": {"serverlessv2_scaling_configuration": [{"min_capacity": 2, "max_capacity": 8}]},
        },
        "aws_rds_cluster_instance": {
            "a": {"instance_class": "db.serverless", "cluster_identifier": "${aws_rds_cluster.paused.id}"},
            "b": {"instance_class": "db.serverless", "cluster_identifier": "${aws_rds_cluster.floor.id}"},
        },
    }
    result = run(tmp_path, resources)
    assert cost_of(result, "aws_rds_cluster_instance.a") == money((300, "aurora_serverless_v2_acu_hour"))  # 200 h x 1.5
    assert cost_of(result, "aws_rds_cluster_instance.b") == money((1460, "aurora_serverless_v2_acu_hour"))  # 2 x 730


def test_performance_insights_beyond_seven_days_per_vcpu(tmp_path: Path) -> None:
    pricing = tmp_path / "pricing"
    shutil.copytree(PRICING, pricing)
    with (pricing / "eu-central-1.toml").open("a") as f:
        f.write('\n[prices.performance_insights_long_term_vcpu_month]\nusd = 2.5\nunit = "vCPU-month"\n')
        f.write('source = "test fixture"\nstatus = "unconfirmed"\n')
    instance = {
        "instance_class": "db.r6g.xlarge",
        "performance_insights_enabled": True,
        "performance_insights_retention_period": 93,
    }
    result = run(tmp_path, {"aws_rds_cluster_instance": {"big": instance}}, pricing=pricing)
    # db.r6g.xlarge has no price in the catalogue: the instance is unpriced, named with the missing price.
    assert [u.reason for u in result.unpriced] == [
        "needs price 'aurora_instance_hour:db.r6g.xlarge', which the eu-central-1 catalogue does not have"
    ]
    instance["instance_class"] = "db.r6g.large"
    result = run(tmp_path, {"aws_rds_cluster_instance": {"big": instance}}, pricing=pricing)
    assert cost_of(result, "aws_rds_cluster_instance.big") == money((730, "aurora_instance_hour:db.r6g.large")) + Decimal(
        "5.0000"
    )


def test_performance_insights_beyond_seven_days_is_unpriced_without_a_price(tmp_path: Path) -> None:
    instance = {
        "instance_class": "db.r6g.large",
        "performance_insights_enabled": True,
        "performance_insights_retention_period": 31,
    }
    result = run(tmp_path, {"aws_rds_cluster_instance": {"w": instance}})
    assert [(u.address, u.reason) for u in result.unpriced] == [
        (
            "aws_rds_cluster_instance.w",
            "needs price 'performance_insights_long_term_vcpu_month', which the eu-central-1 catalogue does not have",
        )
    ]


def test_s3_storage_by_class_and_requests_with_per_bucket_usage(tmp_path: Path) -> None:
    result = run(tmp_path, {"aws_s3_bucket": {"u": {"bucket": "app-prod-uploads-1a2b"}, "o": {"bucket": "other"}}})
    assert cost_of(result, "aws_s3_bucket.u") == money(
        (120, "s3_standard_gb_month"), (80, "s3_standard_ia_gb_month"), (3, "s3_put_1k"), (9, "s3_get_1k")
    )
    assert cost_of(result, "aws_s3_bucket.o") == money((2, "s3_standard_gb_month"), (3, "s3_put_1k"), (9, "s3_get_1k"))


def test_cloudfront_transfer_and_https_requests_by_viewer_region(tmp_path: Path) -> None:
    result = run(tmp_path, {"aws_cloudfront_distribution": {"cdn": {"enabled": True}}})
    assert cost_of(result, "aws_cloudfront_distribution.cdn") == money(
        (300, "cloudfront_gb_out:europe"), (400, "cloudfront_https_10k:europe")
    )


def test_waf_acl_rules_and_requests_in_the_acl_region(tmp_path: Path) -> None:
    acl = {"scope": "CLOUDFRONT", "provider": "aws.us_east_1", "rule": [{}, {}, {}, {}]}
    result = run(tmp_path, {"aws_wafv2_web_acl": {"edge": acl}})
    assert cost_of(result, "aws_wafv2_web_acl.edge") == money(
        (1, "waf_acl_month", US), (4, "waf_rule_month", US), (3, "waf_requests_million", US)
    )
    assert result.resources[0].region == "us-east-1"


def test_kms_key_requests_and_its_first_two_rotated_versions(tmp_path: Path) -> None:
    result = run(tmp_path, {"aws_kms_key": {"k": {"enable_key_rotation": True}}})
    # billed_rotations = 2: the key-month plus one for each of the first two rotations.
    assert cost_of(result, "aws_kms_key.k") == money((1, "kms_key_month"), (5, "kms_requests_10k"), (2, "kms_key_month"))


def test_kms_key_without_rotation_pays_no_rotated_versions(tmp_path: Path) -> None:
    result = run(tmp_path, {"aws_kms_key": {"k": {"enable_key_rotation": False}}})
    assert cost_of(result, "aws_kms_key.k") == money((1, "kms_key_month"), (5, "kms_requests_10k"))


def test_secrets_manager_secret(tmp_path: Path) -> None:
    result = run(tmp_path, {"aws_secretsmanager_secret": {"s": {"name": "x"}}})
    assert cost_of(result, "aws_secretsmanager_secret.s") == money((1, "secretsmanager_secret_month"))


def test_log_group_ingestion_and_retained_storage(tmp_path: Path) -> None:
    result = run(tmp_path, {"aws_cloudwatch_log_group": {"fn": {"name": "/aws/lambda/x", "retention_in_days": 365}}})
    # 5 GB a month kept for 365 days: 365 / 30.4167 months of it stored at any time.
    stored = (Decimal(5) * Decimal(365) / Decimal("30.4167")).quantize(CENT)
    assert cost_of(result, "aws_cloudwatch_log_group.fn") == money((5, "logs_ingestion_gb"), (stored, "logs_storage_gb_month"))


def test_flow_logs_billed_as_vended_logs_and_their_group_stores_the_flow_log_volume(tmp_path: Path) -> None:
    resources = {
        "aws_cloudwatch_log_group": {"flow": {"name": "/vpc/flow", "retention_in_days": 14}},
        "aws_flow_log": {"vpc": {"log_destination": "${aws_cloudwatch_log_group.flow.arn}"}},
    }
    result = run(tmp_path, resources)
    assert cost_of(result, "aws_flow_log.vpc") == money((12, "logs_vended_ingestion_gb"))
    # The group keeps the 12 GB [flow_logs] delivers, not the 2 GB of a general [logs] group.
    stored = (Decimal(12) * Decimal(14) / Decimal("30.4167")).quantize(CENT)
    assert cost_of(result, "aws_cloudwatch_log_group.flow") == money((stored, "logs_storage_gb_month"))


def test_log_delivery_to_s3(tmp_path: Path) -> None:
    result = run(tmp_path, {"aws_cloudwatch_log_delivery": {"d": {"provider": "aws.us_east_1"}}})
    assert cost_of(result, "aws_cloudwatch_log_delivery.d") == money((3, "logs_vended_s3_delivery_gb", US))


@pytest.mark.parametrize(
    ("architecture", "price_id"), [("arm64", "lambda_gb_second:arm64"), ("x86_64", "lambda_gb_second:x86_64")]
)
def test_lambda_gb_seconds_by_architecture_and_requests(tmp_path: Path, architecture: str, price_id: str) -> None:
    function = {"function_name": "f", "memory_size": 512, "architectures": [architecture]}
    result = run(tmp_path, {"aws_lambda_function": {"f": function}})
    # 2M invocations x 0.25 s x 0.5 GB = 250,000 GB-s.
    assert cost_of(result, "aws_lambda_function.f") == money((250000, price_id), (2, "lambda_requests_million"))


def test_rest_api_requests_and_stage_without_cache_is_free(tmp_path: Path) -> None:
    result = run(tmp_path, {"aws_api_gateway_rest_api": {"api": {"name": "a"}}, "aws_api_gateway_stage": {"v1": {}}})
    assert cost_of(result, "aws_api_gateway_rest_api.api") == money((5, "apigateway_rest_million"))
    assert cost_of(result, "aws_api_gateway_stage.v1") == 0


def test_stage_cache_cluster_is_unpriced(tmp_path: Path) -> None:
    result = run(tmp_path, {"aws_api_gateway_stage": {"v1": {"cache_cluster_enabled": True, "cache_cluster_size": "0.5"}}})
    assert [u.address for u in result.unpriced] == ["aws_api_gateway_stage.v1"]


def test_dynamodb_on_demand_requests_storage_and_pitr(tmp_path: Path) -> None:
    table = {"billing_mode": "PAY_PER_REQUEST", "point_in_time_recovery": [{"enabled": True}]}
    result = run(tmp_path, {"aws_dynamodb_table": {"t": table}})
    assert cost_of(result, "aws_dynamodb_table.t") == money(
        (4, "dynamodb_wru_million"), (9, "dynamodb_rru_million"), (6, "dynamodb_storage_gb_month"), (6, "dynamodb_pitr_gb_month")
    )


def test_dynamodb_global_secondary_indexes_bill_their_writes_and_copies(tmp_path: Path) -> None:
    indexes = [
        {"name": "by-owner", "hash_key": "owner_id", "projection_type": "ALL"},
        {"name": "by-date", "hash_key": "day", "projection_type": "KEYS_ONLY"},
    ]
    table = {"billing_mode": "PAY_PER_REQUEST", "global_secondary_index": indexes}
    result = run(tmp_path, {"aws_dynamodb_table": {"t": table}})
    # 4 M table writes, written again to each of the two indexes; the ALL index stores the 6 GB again.
    assert cost_of(result, "aws_dynamodb_table.t") == money(
        (4, "dynamodb_wru_million"), (8, "dynamodb_wru_million"), (9, "dynamodb_rru_million"), (12, "dynamodb_storage_gb_month")
    )
    one = run(tmp_path, {"aws_dynamodb_table": {"t": {**table, "global_secondary_index": indexes[1]}}})
    assert cost_of(one, "aws_dynamodb_table.t") == money(
        (4, "dynamodb_wru_million"), (4, "dynamodb_wru_million"), (9, "dynamodb_rru_million"), (6, "dynamodb_storage_gb_month")
    )


def test_sqs_requests(tmp_path: Path) -> None:
    result = run(tmp_path, {"aws_sqs_queue": {"q": {"name": "q"}}})
    assert cost_of(result, "aws_sqs_queue.q") == money((3, "sqs_requests_million"))


def test_cognito_users_beyond_the_free_ten_thousand(tmp_path: Path) -> None:
    result = run(tmp_path, {"aws_cognito_user_pool": {"p": {"user_pool_tier": "LITE"}}})
    assert cost_of(result, "aws_cognito_user_pool.p") == money((2000, "cognito_mau:lite"))


def test_route53_hosted_zone_and_its_standard_queries(tmp_path: Path) -> None:
    result = run(tmp_path, {"aws_route53_zone": {"z": {"name": "example.com"}}})
    assert cost_of(result, "aws_route53_zone.z") == money((1, "route53_zone_month"), (2, "route53_queries_million"))


def test_free_types_are_counted_not_priced_and_unknown_types_are_unpriced(tmp_path: Path) -> None:
    result = run(tmp_path, {"aws_vpc": {"v": {}}, "aws_subnet": {"a": {}, "b": {}}, "aws_sagemaker_domain": {"d": {}}})
    assert dict(result.free) == {"aws_vpc": 1, "aws_subnet": 2}
    assert [(u.address, u.reason) for u in result.unpriced] == [
        ("aws_sagemaker_domain.d", "not in the price catalogue and not declared free in free.toml")
    ]


def test_unconfirmed_share_is_reported(tmp_path: Path) -> None:
    result = run(tmp_path, {"aws_eip": {"a": {}}, "aws_config_configuration_recorder": {"r": {"name": "r"}}})
    # In Frankfurt the public IPv4 rate is confirmed, the AWS Config item rate is not.
    assert result.unconfirmed_usd == money((4000, "config_configuration_item")) > 0


def test_seed_vpc_and_aurora_shape_in_frankfurt(tmp_path: Path) -> None:
    """The seed team's plan (000): 2 NAT gateways, 2 interface endpoints in 3 AZs, two
    db.t4g.medium, 100 GB, 7-day backups. They estimated EUR 273-313 a month."""
    usage = tmp_path / "usage"
    usage.mkdir()
    # Their data-transfer line (EUR 10-20) is not part of this shape: no GB through NAT or endpoints.
    (usage / "default.toml").write_text(
        "[nat_gateway]\ngb_processed = 0\n[vpc_endpoint]\ngb_processed = 0\n"
        "[aurora]\nstorage_gb = 100\nio_millions = 0\ndaily_change_percent = 5\n"
        "serverless_active_hours = 0\nserverless_average_acu = 0\nenhanced_monitoring_gb_per_instance = 0\n"
        "[data_transfer]\ninternet_gb_out = 0\ninter_az_gb = 0\n[free_tier]\nshare = 0\n"
    )
    subnets = ["${aws_subnet.private_a.id}", "${aws_subnet.private_b.id}", "${aws_subnet.private_c.id}"]
    document = {
        "provider": {"aws": [{"region": "eu-central-1"}]},
        "resource": {
            "aws_nat_gateway": {"nat_1": {}, "nat_2": {}},
            "aws_eip": {"nat_1": {}, "nat_2": {}},
            "aws_vpc_endpoint": {
                "secretsmanager": {"vpc_endpoint_type": "Interface", "subnet_ids": subnets},
                "rds_data": {"vpc_endpoint_type": "Interface", "subnet_ids": subnets},
            },
            "aws_rds_cluster": {"matbakh": {"backup_retention_period": 7, "manage_master_user_password": True}},
            "aws_rds_cluster_instance": {
                "writer": {"instance_class": "db.t4g.medium", "cluster_identifier": "${aws_rds_cluster.matbakh.id}"},
                "reader": {"instance_class": "db.t4g.medium", "cluster_identifier": "${aws_rds_cluster.matbakh.id}"},
            },
        },
    }
    result = estimate(Stack("seed", tmp_path / "cdk.tf.json", document), PRICING, usage)
    assert not result.unpriced
    expected = money(
        (2 * 730, "nat_gateway_hour"),
        (730, "public_ipv4_hour"),
        (730, "public_ipv4_hour"),
        (2 * 3 * 730, "vpc_endpoint_az_hour"),
        (730, "aurora_instance_hour:db.t4g.medium"),
        (730, "aurora_instance_hour:db.t4g.medium"),
        (100, "aurora_storage_gb_month"),
        (35, "aurora_backup_gb_month"),  # 100 GB x 5 % x 7 days of changes beyond the free volume
        (1, "secretsmanager_secret_month"),
    )
    assert result.monthly_usd == expected == Decimal("272.9850")
    print(f"\nseed VPC + Aurora shape, eu-central-1: {result.monthly_usd:.2f} USD/month (seed's own estimate: EUR 273-313)")


# --- the command line ----------------------------------------------------------------
def gates(*args: str) -> subprocess.CompletedProcess[str]:
    # Only the house-tag check runs in Checkov (it applies to every stack): these tests are about cost.
    command = [sys.executable, "-m", "gates", *args, "--check", "FND_TAG_2"]
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)


def test_unknown_type_fails_the_gate_naming_it(tmp_path: Path) -> None:
    folder = tmp_path / "handmade"
    folder.mkdir()
    tags = {"project": "p", "environment": "dev", "owner": "o", "cost-centre": "c", "managed-by": "hand"}
    document = {
        "provider": {"aws": [{"region": "eu-central-1", "default_tags": [{"tags": tags}]}]},
        "resource": {"aws_sagemaker_domain": {"studio": {"domain_name": "studio"}}},
    }
    (folder / "cdk.tf.json").write_text(json.dumps(document))
    result = gates(str(folder), "--reports-dir", str(tmp_path / "r"))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "unpriced aws_sagemaker_domain.studio: not in the price catalogue and not declared free in free.toml" in result.stdout
    cost = json.loads((tmp_path / "r" / "handmade" / "cost.json").read_text())
    assert cost["unpriced"] == [
        {
            "address": "aws_sagemaker_domain.studio",
            "type": "aws_sagemaker_domain",
            "reason": "not in the price catalogue and not declared free in free.toml",
        }
    ]


def test_budget_of_one_dollar_fails_naming_the_largest_contributors(synth_dir: Path, tmp_path: Path) -> None:
    result = gates(str(synth_dir / "stacks" / "prod"), "--reports-dir", str(tmp_path / "r"), "--budget-usd", "1")
    assert result.returncode == 1
    cost = json.loads((tmp_path / "r" / "prod" / "cost.json").read_text())
    ranked = sorted(cost["resources"], key=lambda r: (-r["monthly_usd"], r["address"]))
    assert "! over budget by" in result.stdout and "largest contributors:" in result.stdout
    lines = result.stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if "largest contributors:" in line)
    named = [line.split()[-1] for line in lines[start + 1 : start + 6]]
    assert named == [r["address"] for r in ranked[:5]]
    assert named[0].startswith("aws_rds_cluster_instance.")
    summary = json.loads((tmp_path / "r" / "prod" / "summary.json").read_text())
    assert summary["passed"] is False
    assert summary["cost"] == {
        "monthly_usd": cost["monthly_usd"],
        "budget_usd": 1.0,
        "budget_source": "--budget-usd",
        "usage_profile": cost["usage_profile"],
        "passed": False,
        "unpriced": [],
    }


def test_compare_to_shows_the_delta_of_a_nat_count_change(synth_dir: Path, tmp_path: Path) -> None:
    before = gates(str(synth_dir / "stacks" / "nat1"), "--reports-dir", str(tmp_path / "before"))
    assert before.returncode == 0, before.stdout
    old = tmp_path / "before" / "nat1" / "cost.json"
    after = gates(str(synth_dir / "stacks" / "nat3"), "--reports-dir", str(tmp_path / "after"), "--compare-to", str(old))
    assert after.returncode == 0, after.stdout
    cost = json.loads((tmp_path / "after" / "nat3" / "cost.json").read_text())
    # Two more NAT gateways (GB each from the usage profile the stack was priced with), their
    # two public IPv4 addresses, and the two alarms that watch each of them.
    usage = tomllib.loads((ROOT / "policies" / "usage" / cost["usage_profile"]).read_text())
    gb = usage["nat_gateway"]["gb_processed"]
    per_nat = money((730, "nat_gateway_hour"), (gb, "nat_gateway_gb")) + money((730, "public_ipv4_hour"))
    per_nat += 2 * money((1, "cloudwatch_alarm_month"))
    assert Decimal(str(cost["compared_to"]["delta_usd"])).quantize(Decimal("0.01")) == (2 * per_nat).quantize(Decimal("0.01"))
    added = {r["address"].split(".")[0] for r in cost["compared_to"]["resources"] if r["before_usd"] == 0}
    assert added == {"aws_nat_gateway", "aws_eip", "aws_cloudwatch_metric_alarm"}
    assert "nat3: monthly change per resource" in after.stdout
    assert f"+{(2 * per_nat).quantize(Decimal('0.01'))} vs compared" in after.stdout
    markdown = (tmp_path / "after" / "nat3" / "cost.md").read_text()
    assert "Change against the compared estimate: **+" in markdown


def test_compare_to_shows_the_delta_of_an_instance_class_change(synth_dir: Path, tmp_path: Path) -> None:
    document = json.loads((synth_dir / "stacks" / "prod" / "cdk.tf.json").read_text())
    folder = tmp_path / "prod"
    folder.mkdir()
    for instance in document["resource"]["aws_rds_cluster_instance"].values():
        instance["instance_class"] = "db.t4g.medium"
    (folder / "cdk.tf.json").write_text(json.dumps(document))
    assert gates(str(synth_dir / "stacks" / "prod"), "--reports-dir", str(tmp_path / "before")).returncode == 0
    result = gates(str(folder), "--reports-dir", str(tmp_path / "after"), "--compare-to", str(tmp_path / "before"))
    assert result.returncode == 0, result.stdout
    compared = json.loads((tmp_path / "after" / "prod" / "cost.json").read_text())["compared_to"]
    step = money((730, "aurora_instance_hour:db.t4g.medium")) - money((730, "aurora_instance_hour:db.r6g.large"))
    instances = [r for r in compared["resources"] if r["address"].startswith("aws_rds_cluster_instance.")]
    assert len(instances) == 2 and all(Decimal(str(r["delta_usd"])).quantize(CENT) == step for r in instances)
    assert Decimal(str(compared["delta_usd"])).quantize(Decimal("0.01")) == (2 * step).quantize(Decimal("0.01"))


def test_make_check_stacks_are_within_the_budget_they_carry_and_report_cost(synth_dir: Path, tmp_path: Path) -> None:
    stacks = [str(synth_dir / "stacks" / n) for n in ("dev", "prod", "bootstrap")]
    result = gates(*stacks, "--reports-dir", str(tmp_path / "r"))
    assert result.returncode == 0, result.stdout
    for env in ("dev", "prod", "bootstrap"):
        document = json.loads((synth_dir / "stacks" / env / "cdk.tf.json").read_text())
        budget = document.get("//", {}).get("foundation", {}).get("budget_usd")
        summary = json.loads((tmp_path / "r" / env / "summary.json").read_text())
        assert summary["cost"]["budget_usd"] == budget and summary["cost"]["monthly_usd"] > 0
        if budget is not None:
            assert summary["cost"]["monthly_usd"] <= budget
            assert f"USD/month / {budget:,.2f} budget" in result.stdout


def test_budget_in_the_stack_metadata_gates_the_cost(tmp_path: Path) -> None:
    document = {
        "//": {"foundation": {"profile": "development", "budget_usd": 10, "usage_profile": "development"}},
        "provider": {"aws": [{"region": "eu-central-1"}]},
        "resource": {"aws_nat_gateway": {"nat": {"subnet_id": "subnet-1"}}},
    }
    folder = tmp_path / "team"
    folder.mkdir()
    (folder / "cdk.tf.json").write_text(json.dumps(document))
    result = gates(str(folder), "--reports-dir", str(tmp_path / "r"), "--suppressions", "/dev/null")
    assert result.returncode == 1
    assert "! over budget by" in result.stdout and "USD/month / 10.00 budget" in result.stdout
    cost = json.loads((tmp_path / "r" / "team" / "cost.json").read_text())
    assert cost["budget_usd"] == 10.0 and cost["budget_source"] == 'the stack\'s "//".foundation.budget_usd'
    assert (cost["usage_profile"], cost["usage_source"]) == ("development.toml", "named by the stack's metadata")
    markdown = (tmp_path / "r" / "team" / "cost.md").read_text()
    assert 'of a 10.00 USD budget (from the stack\'s "//".foundation.budget_usd)' in markdown
    assert "Usage assumptions: `policies/usage/development.toml` (named by the stack's metadata)." in markdown


def test_a_catalogue_row_without_a_source_is_unusable_input(synth_dir: Path, tmp_path: Path) -> None:
    pricing = tmp_path / "pricing"
    shutil.copytree(PRICING, pricing)
    text = (pricing / "eu-central-1.toml").read_text()
    (pricing / "eu-central-1.toml").write_text(text.replace('source = "AWS News Blog', 'sauce = "AWS News Blog', 1))
    result = gates(str(synth_dir / "stacks" / "dev"), "--reports-dir", str(tmp_path / "r"), "--pricing-dir", str(pricing))
    assert result.returncode == 2
    assert "prices.public_ipv4_hour: unknown key(s) sauce" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_budget_argument_is_unusable_input(synth_dir: Path, tmp_path: Path) -> None:
    result = gates(str(synth_dir / "stacks" / "dev"), "--reports-dir", str(tmp_path / "r"), "--budget-usd", "lots")
    assert result.returncode == 2
    assert "--budget-usd 'lots': a number of US dollars such as 250 or 99.50" in result.stderr


def test_alarms_and_dashboards(tmp_path: Path) -> None:
    resources = {
        "aws_cloudwatch_metric_alarm": {"a": {"period": 300}, "fast": {"period": 10}},
        "aws_cloudwatch_dashboard": {"d": {"dashboard_name": "x"}},
    }
    result = run(tmp_path, resources)
    assert [(u.address, u.reason) for u in result.unpriced] == [
        (
            "aws_cloudwatch_metric_alarm.fast",
            "needs price 'cloudwatch_high_resolution_alarm_month', which the eu-central-1 catalogue does not have",
        )
    ]
    costs = {r.address: r.monthly_usd for r in result.resources if r.rtype != "data_transfer"}
    assert costs == {
        "aws_cloudwatch_dashboard.d": money((1, "cloudwatch_dashboard_month")),
        "aws_cloudwatch_metric_alarm.a": money((1, "cloudwatch_alarm_month")),
    }


def test_cloudtrail_pays_for_management_events_beyond_the_first_copy_and_for_data_events(tmp_path: Path) -> None:
    resources = {
        "aws_cloudtrail": {
            "management": {"name": "t", "is_multi_region_trail": True},
            "data": {"name": "d", "event_selector": [{"data_resource": [{"type": "AWS::S3::Object", "values": ["x"]}]}]},
        }
    }
    result = run(tmp_path, resources)
    # 700,000 events in one paid copy: 7 x 2.00.
    assert cost_of(result, "aws_cloudtrail.management") == money((7, "cloudtrail_management_events_100k")) == Decimal("14.00")
    assert cost_of(result, "aws_cloudtrail.data") == money(
        (7, "cloudtrail_management_events_100k"), (50, "cloudtrail_data_events_100k")
    )


def test_the_first_trail_in_an_account_records_management_events_for_free(tmp_path: Path) -> None:
    usage = tmp_path / "usage"
    usage.mkdir()
    (usage / "default.toml").write_text(USAGE.replace("paid_copies = 1", "paid_copies = 0"))
    document = {"provider": {"aws": [{"region": "eu-central-1"}]}, "resource": {"aws_cloudtrail": {"t": {"name": "t"}}}}
    result = estimate(Stack("handmade", tmp_path / "cdk.tf.json", document), PRICING, usage)
    assert cost_of(result, "aws_cloudtrail.t") == 0
    # Shown as a line at zero quantity with its price, not left out.
    (item,) = result.resources[0].items
    assert item.price.id == "cloudtrail_management_events_100k" and item.quantity == 0


def test_config_recorder_items_and_rule_evaluations(tmp_path: Path) -> None:
    resources = {
        "aws_config_configuration_recorder": {"r": {"name": "r"}},
        "aws_config_config_rule": {"a": {"name": "a"}, "b": {"name": "b"}},
        "aws_config_delivery_channel": {"c": {"name": "c"}},
        "aws_config_configuration_recorder_status": {"s": {"name": "r", "is_enabled": True}},
    }
    result = run(tmp_path, resources)
    assert cost_of(result, "aws_config_configuration_recorder.r") == money((4000, "config_configuration_item"))
    assert cost_of(result, "aws_config_config_rule.a") == money((2500, "config_rule_evaluation")) == Decimal("2.50")
    assert result.free["aws_config_delivery_channel"] == 1
    assert result.free["aws_config_configuration_recorder_status"] == 1


def test_guardduty_events_logs_and_s3_protection_analysed_and_a_suspended_detector_free(tmp_path: Path) -> None:
    result = run(tmp_path, {"aws_guardduty_detector": {"on": {"enable": True}, "off": {"enable": False}}})
    assert cost_of(result, "aws_guardduty_detector.on") == money(
        (Decimal("0.7"), "guardduty_management_events_million"),
        (9, "guardduty_flow_dns_gb"),
        (3, "guardduty_s3_data_events_million"),
    )
    assert cost_of(result, "aws_guardduty_detector.off") == 0


def test_prod_cost_report_shows_what_config_and_guardduty_add(synth_dir: Path) -> None:
    """The optional detectors are visible per resource in prod and absent from dev."""
    usage = ROOT / "policies" / "usage"

    def priced(env: str) -> CostEstimate:
        path = synth_dir / "stacks" / env / "cdk.tf.json"
        return estimate(Stack(env, path, json.loads(path.read_text())), PRICING, usage)

    prod, dev = priced("prod"), priced("dev")
    types = {r.rtype for r in prod.resources if r.monthly_usd > 0}
    assert {"aws_config_configuration_recorder", "aws_config_config_rule", "aws_guardduty_detector"} <= types
    assert not {r.rtype for r in dev.resources} & {"aws_config_configuration_recorder", "aws_guardduty_detector"}
    assert not prod.unpriced and not dev.unpriced
