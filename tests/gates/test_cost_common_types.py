"""The common AWS resource types of foreign stacks: each rule on a small hand-written stack,
its expected figure worked out here from the catalogue rows (so the test checks the rule's
arithmetic, not a copied total); the rule table and free.toml classify every type once; an
unknown type fails naming it; a free type carries its reason into the reports."""

from __future__ import annotations

import tomllib
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from gates.cost import CENT, HOURS_PER_MONTH, MILLION, THOUSAND, CostEstimate, estimate, rules
from gates.cost_report import CostOutcome, as_json, markdown, problems
from gates.cost_rules import DuplicateRule, merged
from gates.inputs import Stack
from gates.pricing import Catalogue, Usage, load_catalogue
from tests.conftest import ROOT

PRICING = ROOT / "policies" / "pricing"
USAGE = ROOT / "policies" / "usage"
US = load_catalogue(PRICING, "us-east-1")
EU = load_catalogue(PRICING, "eu-central-1")
# The figures of the profile a foreign stack gets (no "//" metadata, no profile of its own).
DEFAULT = Usage.load(USAGE, "foreign")


def run(resources: dict[str, Any], region: str = "us-east-1") -> CostEstimate:
    document = {"provider": {"aws": [{"region": region}]}, "resource": resources}
    return estimate(Stack("foreign", Path("/nonexistent/cdk.tf.json"), document), PRICING, USAGE)


def usd(quantity: Any, price_id: str, catalogue: Catalogue = US) -> Decimal:
    return (Decimal(str(quantity)) * catalogue.prices[price_id].usd).quantize(CENT)


def cost_of(result: CostEstimate, address: str) -> Decimal:
    assert not result.unpriced, result.unpriced
    (found,) = [r for r in result.resources if r.address == address]
    return found.monthly_usd


def usage(section: str, key: str) -> Decimal:
    return DEFAULT.number(section, key)


# --- block storage and compute ------------------------------------------------------------
def test_gp3_volume_bills_iops_and_throughput_beyond_the_included_baseline() -> None:
    volume = {"availability_zone": "us-east-1a", "size": 100, "type": "gp3", "iops": 5000, "throughput": 250}
    result = run({"aws_ebs_volume": {"data": volume}})
    expected = usd(100, "ebs_gp3_gb_month") + usd(2000, "ebs_gp3_iops_month") + usd(125, "ebs_gp3_throughput_mibps_month")
    assert cost_of(result, "aws_ebs_volume.data") == expected


@pytest.mark.parametrize("volume_type", ["io1", "io2"])
def test_provisioned_iops_volume_bills_every_iops(volume_type: str) -> None:
    volume = {"availability_zone": "us-east-1a", "size": 50, "type": volume_type, "iops": 1000}
    result = run({"aws_ebs_volume": {"db": volume}})
    expected = usd(50, f"ebs_{volume_type}_gb_month") + usd(1000, f"ebs_{volume_type}_iops_month")
    assert cost_of(result, "aws_ebs_volume.db") == expected


@pytest.mark.parametrize("volume_type", ["st1", "sc1", "standard", "gp2"])
def test_volume_without_provisioned_performance_bills_its_gb(volume_type: str) -> None:
    result = run({"aws_ebs_volume": {"logs": {"availability_zone": "us-east-1a", "size": 500, "type": volume_type}}})
    assert cost_of(result, "aws_ebs_volume.logs") == usd(500, f"ebs_{volume_type}_gb_month")


def test_volume_without_a_size_is_unpriced_saying_what_is_missing() -> None:
    result = run({"aws_ebs_volume": {"restored": {"availability_zone": "us-east-1a", "snapshot_id": "snap-1"}}})
    (problem,) = result.unpriced
    assert problem.rtype == "aws_ebs_volume" and "sets no size" in problem.reason


def test_snapshot_of_a_volume_in_the_file_counts_the_full_volume() -> None:
    result = run(
        {
            "aws_ebs_volume": {"data": {"availability_zone": "us-east-1a", "size": 40, "type": "gp3"}},
            "aws_ebs_snapshot": {"nightly": {"volume_id": "${aws_ebs_volume.data.id}"}},
        }
    )
    assert cost_of(result, "aws_ebs_snapshot.nightly") == usd(40, "ebs_snapshot_gb_month")


def test_instance_root_volume_with_extra_gp3_iops_is_billed() -> None:
    instance = {"instance_type": "t3.large", "root_block_device": {"volume_size": 30, "volume_type": "gp3", "iops": 4000}}
    result = run({"aws_instance": {"app": instance}})
    expected = usd(HOURS_PER_MONTH, "ec2_instance_hour:t3.large") + usd(30, "ebs_gp3_gb_month") + usd(1000, "ebs_gp3_iops_month")
    assert cost_of(result, "aws_instance.app") == expected


def test_autoscaling_group_prices_desired_capacity_of_its_launch_template() -> None:
    template = {
        "instance_type": "t3.large",
        "block_device_mappings": [{"device_name": "/dev/xvda", "ebs": {"volume_size": 20, "volume_type": "gp3"}}],
    }
    group = {"desired_capacity": 3, "min_size": 1, "max_size": 6, "launch_template": {"id": "${aws_launch_template.web.id}"}}
    result = run({"aws_launch_template": {"web": template}, "aws_autoscaling_group": {"web": group}})
    expected = usd(3 * HOURS_PER_MONTH, "ec2_instance_hour:t3.large") + usd(3 * 20, "ebs_gp3_gb_month")
    assert cost_of(result, "aws_autoscaling_group.web") == expected
    assert result.free["aws_launch_template"] == 1


def test_autoscaling_group_without_desired_capacity_runs_its_minimum_from_a_launch_configuration() -> None:
    configuration = {"instance_type": "t2.medium", "root_block_device": {"volume_size": 16, "volume_type": "gp2"}}
    group = {"min_size": 2, "max_size": 4, "launch_configuration": "${aws_launch_configuration.old.name}"}
    result = run({"aws_launch_configuration": {"old": configuration}, "aws_autoscaling_group": {"old": group}})
    expected = usd(2 * HOURS_PER_MONTH, "ec2_instance_hour:t2.medium") + usd(2 * 16, "ebs_gp2_gb_month")
    assert cost_of(result, "aws_autoscaling_group.old") == expected


def test_autoscaling_group_whose_template_is_elsewhere_names_what_is_missing() -> None:
    group = {"desired_capacity": 2, "max_size": 2, "min_size": 2, "launch_template": {"id": "lt-0123456789abcdef0"}}
    result = run({"aws_autoscaling_group": {"far": group}})
    (problem,) = result.unpriced
    assert problem.address == "aws_autoscaling_group.far"
    assert "launch template or launch configuration is not a resource of this file" in problem.reason


# --- containers -----------------------------------------------------------------------------
def _task(**extra: Any) -> dict[str, Any]:
    return {"family": "api", "cpu": "512", "memory": "1024", "requires_compatibilities": ["FARGATE"], **extra}


@pytest.mark.parametrize(("platform", "arch"), [(None, "x86_64"), ({"cpu_architecture": "ARM64"}, "arm64")])
def test_fargate_service_bills_task_vcpu_and_memory_times_desired_count(platform: Any, arch: str) -> None:
    task = _task(**({"runtime_platform": platform} if platform else {}))
    service = {"launch_type": "FARGATE", "desired_count": 2, "task_definition": "${aws_ecs_task_definition.api.arn}"}
    result = run({"aws_ecs_task_definition": {"api": task}, "aws_ecs_service": {"api": service}})
    expected = usd(Decimal("0.5") * 2 * HOURS_PER_MONTH, f"fargate_vcpu_hour:{arch}") + usd(
        1 * 2 * HOURS_PER_MONTH, f"fargate_gb_hour:{arch}"
    )
    assert cost_of(result, "aws_ecs_service.api") == expected


def test_fargate_service_in_frankfurt_uses_the_frankfurt_rate() -> None:
    service = {"launch_type": "FARGATE", "desired_count": 1, "task_definition": "${aws_ecs_task_definition.api.arn}"}
    result = run({"aws_ecs_task_definition": {"api": _task()}, "aws_ecs_service": {"api": service}}, "eu-central-1")
    expected = usd(Decimal("0.5") * HOURS_PER_MONTH, "fargate_vcpu_hour:x86_64", EU) + usd(
        HOURS_PER_MONTH, "fargate_gb_hour:x86_64", EU
    )
    assert cost_of(result, "aws_ecs_service.api") == expected


def test_eks_cluster_and_node_group() -> None:
    group = {"cluster_name": "main", "instance_types": ["m5.xlarge"], "scaling_config": {"desired_size": 2}, "disk_size": 50}
    result = run({"aws_eks_cluster": {"main": {"name": "main"}}, "aws_eks_node_group": {"workers": group}})
    assert cost_of(result, "aws_eks_cluster.main") == usd(HOURS_PER_MONTH, "eks_cluster_hour")
    expected = usd(2 * HOURS_PER_MONTH, "ec2_instance_hour:m5.xlarge") + usd(2 * 50, "ebs_gp2_gb_month")
    assert cost_of(result, "aws_eks_node_group.workers") == expected


def test_ecr_repository_bills_its_stored_images() -> None:
    result = run({"aws_ecr_repository": {"api": {"name": "api"}}})
    assert cost_of(result, "aws_ecr_repository.api") == usd(usage("ecr", "storage_gb"), "ecr_storage_gb_month")


# --- data -----------------------------------------------------------------------------------
def test_elasticache_replication_group_in_cluster_mode_counts_every_node() -> None:
    group = {"node_type": "cache.m4.large", "num_node_groups": 2, "replicas_per_node_group": 1}
    result = run({"aws_elasticache_replication_group": {"cache": group}})
    expected = usd(4 * HOURS_PER_MONTH, "elasticache_node_hour:cache.m4.large")
    assert cost_of(result, "aws_elasticache_replication_group.cache") == expected


def test_elasticache_cluster_bills_its_nodes_unless_it_belongs_to_a_group() -> None:
    result = run(
        {
            "aws_elasticache_cluster": {
                "memcached": {"engine": "memcached", "node_type": "cache.m4.large", "num_cache_nodes": 2},
                "member": {"replication_group_id": "${aws_elasticache_replication_group.cache.id}"},
            },
            "aws_elasticache_replication_group": {"cache": {"node_type": "cache.r5.4xlarge", "num_cache_clusters": 2}},
        }
    )
    assert cost_of(result, "aws_elasticache_cluster.memcached") == usd(
        2 * HOURS_PER_MONTH, "elasticache_node_hour:cache.m4.large"
    )
    assert cost_of(result, "aws_elasticache_cluster.member") == 0


def test_opensearch_domain_bills_data_nodes_masters_and_storage() -> None:
    domain = {
        "cluster_config": {
            "instance_type": "c4.2xlarge.search",
            "instance_count": 3,
            "dedicated_master_enabled": True,
            "dedicated_master_type": "c4.8xlarge.search",
            "dedicated_master_count": 3,
        },
        "ebs_options": {"ebs_enabled": True, "volume_size": 100, "volume_type": "gp3"},
    }
    result = run({"aws_opensearch_domain": {"logs": domain}})
    expected = (
        usd(3 * HOURS_PER_MONTH, "opensearch_instance_hour:c4.2xlarge.search")
        + usd(3 * HOURS_PER_MONTH, "opensearch_instance_hour:c4.8xlarge.search")
        + usd(300, "opensearch_storage_gb_month:gp3")
    )
    assert cost_of(result, "aws_opensearch_domain.logs") == expected


def test_elasticsearch_domain_is_priced_as_the_same_opensearch_instance() -> None:
    domain = {"cluster_config": {"instance_type": "c4.2xlarge.elasticsearch"}}
    result = run({"aws_elasticsearch_domain": {"old": domain}})
    assert cost_of(result, "aws_elasticsearch_domain.old") == usd(HOURS_PER_MONTH, "opensearch_instance_hour:c4.2xlarge.search")


@pytest.mark.parametrize("engine", ["docdb", "neptune"])
def test_document_and_graph_clusters_bill_like_aurora(engine: str) -> None:
    instance_class = "db.t3.medium"
    result = run(
        {
            f"aws_{engine}_cluster": {"main": {"backup_retention_period": 1}},
            f"aws_{engine}_cluster_instance": {
                "one": {"cluster_identifier": f"${{aws_{engine}_cluster.main.id}}", "instance_class": instance_class}
            },
        }
    )
    storage = usd(usage(engine, "storage_gb"), f"{engine}_storage_gb_month")
    io = usd(usage(engine, "io_millions"), f"{engine}_io_million")
    # One day of 5 % changes stays inside the free backup allowance (the cluster's size).
    assert cost_of(result, f"aws_{engine}_cluster.main") == storage + io
    assert cost_of(result, f"aws_{engine}_cluster_instance.one") == usd(
        HOURS_PER_MONTH, f"{engine}_instance_hour:{instance_class}"
    )


def test_redshift_ra3_cluster_adds_managed_storage() -> None:
    result = run({"aws_redshift_cluster": {"dw": {"node_type": "ra3.4xlarge", "number_of_nodes": 2}}})
    expected = usd(2 * HOURS_PER_MONTH, "redshift_node_hour:ra3.4xlarge") + usd(
        usage("redshift", "managed_storage_gb"), "redshift_managed_storage_gb_month"
    )
    assert cost_of(result, "aws_redshift_cluster.dw") == expected


def test_msk_cluster_bills_brokers_and_their_storage() -> None:
    cluster = {
        "number_of_broker_nodes": 3,
        "broker_node_group_info": {"instance_type": "kafka.t3.small", "storage_info": {"ebs_storage_info": {"volume_size": 100}}},
    }
    result = run({"aws_msk_cluster": {"events": cluster}})
    expected = usd(3 * HOURS_PER_MONTH, "msk_broker_hour:kafka.t3.small") + usd(300, "msk_storage_gb_month")
    assert cost_of(result, "aws_msk_cluster.events") == expected


def test_kinesis_streams_provisioned_and_on_demand() -> None:
    result = run(
        {
            "aws_kinesis_stream": {
                "clicks": {"name": "clicks", "shard_count": 4},
                "audit": {"name": "audit", "stream_mode_details": {"stream_mode": "ON_DEMAND"}},
            }
        }
    )
    provisioned = usd(4 * HOURS_PER_MONTH, "kinesis_shard_hour") + usd(
        usage("kinesis", "put_payload_units") / MILLION, "kinesis_put_payload_units_million"
    )
    on_demand = (
        usd(HOURS_PER_MONTH, "kinesis_on_demand_stream_hour")
        + usd(usage("kinesis", "gb_ingested"), "kinesis_on_demand_ingested_gb")
        + usd(usage("kinesis", "gb_retrieved"), "kinesis_on_demand_retrieved_gb")
    )
    assert cost_of(result, "aws_kinesis_stream.clicks") == provisioned
    assert cost_of(result, "aws_kinesis_stream.audit") == on_demand


def test_firehose_bills_ingested_gb() -> None:
    result = run({"aws_kinesis_firehose_delivery_stream": {"logs": {"name": "logs", "destination": "extended_s3"}}})
    assert cost_of(result, "aws_kinesis_firehose_delivery_stream.logs") == usd(
        usage("firehose", "gb_ingested"), "firehose_ingested_gb"
    )


def test_manual_db_snapshot_counts_the_instance_storage() -> None:
    result = run(
        {
            "aws_db_instance": {"db": {"instance_class": "db.t4g.micro", "allocated_storage": 50, "storage_type": "gp3"}},
            "aws_db_snapshot": {"before_upgrade": {"db_instance_identifier": "${aws_db_instance.db.identifier}"}},
        }
    )
    assert cost_of(result, "aws_db_snapshot.before_upgrade") == usd(50, "rds_backup_gb_month")


# --- network and edge ---------------------------------------------------------------------------
@pytest.mark.parametrize(("resource", "body", "prefix"), [
    ("aws_lb", {"load_balancer_type": "application"}, "alb"),
    ("aws_alb", {}, "alb"),
    ("aws_lb", {"load_balancer_type": "network"}, "nlb"),
    ("aws_lb", {"load_balancer_type": "gateway"}, "gwlb"),
])  # fmt: skip
def test_load_balancers_bill_hours_and_capacity_units(resource: str, body: dict[str, Any], prefix: str) -> None:
    result = run({resource: {"front": body}})
    units = usage("load_balancer", "average_lcu")
    expected = usd(HOURS_PER_MONTH, f"{prefix}_hour") + usd(units * HOURS_PER_MONTH, f"{prefix}_capacity_unit_hour")
    assert cost_of(result, f"{resource}.front") == expected


def test_a_load_balancer_type_aws_does_not_offer_is_unpriced_naming_the_kinds() -> None:
    result = run({"aws_lb": {"inspection": {"load_balancer_type": "classic"}}})
    (problem,) = result.unpriced
    assert "application, network, gateway" in problem.reason


def test_classic_load_balancer_bills_hours_and_gb() -> None:
    result = run({"aws_elb": {"legacy": {"listener": []}}})
    expected = usd(HOURS_PER_MONTH, "elb_classic_hour") + usd(usage("load_balancer", "classic_gb_processed"), "elb_classic_gb")
    assert cost_of(result, "aws_elb.legacy") == expected


def test_vpn_to_a_transit_gateway_is_also_an_attachment() -> None:
    result = run(
        {
            "aws_ec2_transit_gateway": {"hub": {}},
            "aws_vpn_connection": {"office": {"transit_gateway_id": "${aws_ec2_transit_gateway.hub.id}", "type": "ipsec.1"}},
            "aws_ec2_transit_gateway_vpc_attachment": {"app": {"transit_gateway_id": "${aws_ec2_transit_gateway.hub.id}"}},
        }
    )
    attachment = usd(HOURS_PER_MONTH, "transit_gateway_attachment_hour") + usd(
        usage("transit_gateway", "gb_processed"), "transit_gateway_gb"
    )
    assert cost_of(result, "aws_vpn_connection.office") == usd(HOURS_PER_MONTH, "vpn_connection_hour") + attachment
    assert cost_of(result, "aws_ec2_transit_gateway_vpc_attachment.app") == attachment
    assert result.free_reasons["aws_ec2_transit_gateway"].startswith("A transit gateway has no charge by itself")


def test_global_accelerator_bills_its_fixed_fee() -> None:
    result = run({"aws_globalaccelerator_accelerator": {"edge": {"name": "edge"}}})
    assert cost_of(result, "aws_globalaccelerator_accelerator.edge") == usd(HOURS_PER_MONTH, "globalaccelerator_hour")


def test_health_check_with_https_string_matching_and_latency_bills_three_features() -> None:
    check = {"type": "HTTPS_STR_MATCH", "fqdn": "example.com", "search_string": "ok", "measure_latency": True}
    result = run({"aws_route53_health_check": {"site": check}})
    expected = usd(1, "route53_health_check_month") + usd(3, "route53_health_check_feature_month")
    assert cost_of(result, "aws_route53_health_check.site") == expected


# --- messaging, API, storage, parameters ----------------------------------------------------------
def test_sns_topic_bills_publishes_and_email_deliveries_with_no_free_tier_share() -> None:
    result = run(
        {
            "aws_sns_topic": {"alerts": {"name": "alerts"}},
            "aws_sns_topic_subscription": {
                "ops": {"protocol": "email", "endpoint": "ops@example.com", "topic_arn": "${aws_sns_topic.alerts.arn}"}
            },
        }
    )
    publishes = usage("sns", "publishes")
    # default.toml shares no free tier: every publish and delivery is billed.
    expected = usd(publishes / MILLION, "sns_requests_million") + usd(publishes / Decimal(100_000), "sns_email_100k")
    assert cost_of(result, "aws_sns_topic.alerts") == expected


def test_event_bus_bills_published_events() -> None:
    result = run({"aws_cloudwatch_event_bus": {"orders": {"name": "orders"}}})
    expected = usd(usage("eventbridge", "events_published") / MILLION, "eventbridge_events_million")
    assert cost_of(result, "aws_cloudwatch_event_bus.orders") == expected


def test_state_machines_standard_transitions_and_express_requests_and_duration() -> None:
    result = run({"aws_sfn_state_machine": {"flow": {"name": "flow"}, "fast": {"name": "fast", "type": "EXPRESS"}}})
    standard = usd(usage("step_functions", "state_transitions") / THOUSAND, "sfn_transitions_1k")
    requests = usage("step_functions", "express_requests")
    seconds = DEFAULT.number("step_functions", "express_average_duration_ms", scaled=False) / THOUSAND
    gb_hours = (requests * seconds * Decimal(64) / Decimal(1024) / Decimal(3600)).quantize(Decimal("0.000001"))
    express = usd(requests / MILLION, "sfn_express_requests_million") + usd(gb_hours, "sfn_express_gb_hour")
    assert cost_of(result, "aws_sfn_state_machine.flow") == standard
    assert cost_of(result, "aws_sfn_state_machine.fast") == express


def test_http_and_websocket_apis() -> None:
    result = run(
        {
            "aws_apigatewayv2_api": {
                "http": {"name": "http", "protocol_type": "HTTP"},
                "chat": {"name": "chat", "protocol_type": "WEBSOCKET"},
            }
        }
    )
    assert cost_of(result, "aws_apigatewayv2_api.http") == usd(
        usage("api_gateway_v2", "http_requests") / MILLION, "apigateway_http_million"
    )
    websocket = usd(usage("api_gateway_v2", "websocket_messages") / MILLION, "apigateway_websocket_messages_million") + usd(
        usage("api_gateway_v2", "websocket_connection_minutes") / MILLION, "apigateway_websocket_minutes_million"
    )
    assert cost_of(result, "aws_apigatewayv2_api.chat") == websocket


def test_efs_one_zone_with_provisioned_throughput() -> None:
    system = {"availability_zone_name": "us-east-1a", "throughput_mode": "provisioned", "provisioned_throughput_in_mibps": 10}
    result = run({"aws_efs_file_system": {"shared": system}})
    expected = usd(usage("efs", "standard_gb"), "efs_standard_gb_month:one_zone") + usd(10, "efs_provisioned_mibps_month")
    assert cost_of(result, "aws_efs_file_system.shared") == expected


def test_backup_plan_bills_its_recovery_points_and_the_vault_is_free() -> None:
    result = run({"aws_backup_vault": {"main": {"name": "main"}}, "aws_backup_plan": {"daily": {"name": "daily"}}})
    assert cost_of(result, "aws_backup_plan.daily") == usd(usage("backup", "storage_gb"), "ebs_snapshot_gb_month")
    assert result.free["aws_backup_vault"] == 1


def test_only_advanced_ssm_parameters_are_billed() -> None:
    result = run({"aws_ssm_parameter": {"plain": {"type": "String"}, "big": {"type": "String", "tier": "Advanced"}}})
    assert cost_of(result, "aws_ssm_parameter.plain") == 0
    assert cost_of(result, "aws_ssm_parameter.big") == usd(1, "ssm_advanced_parameter_month")


def test_log_metric_filter_publishes_a_billed_custom_metric() -> None:
    metric_filter = {"pattern": "ERROR", "metric_transformation": [{"name": "errors", "namespace": "app", "value": "1"}]}
    result = run({"aws_cloudwatch_log_metric_filter": {"errors": metric_filter}})
    assert cost_of(result, "aws_cloudwatch_log_metric_filter.errors") == usd(1, "cloudwatch_metric_month")


# --- classification -----------------------------------------------------------------------------
def test_every_type_is_priced_or_free_exactly_once_and_sixty_charged_types_are_priced() -> None:
    free = tomllib.loads((PRICING / "free.toml").read_text())["free"]
    table = rules()
    assert not set(free) & set(table), "a type is both priced and declared free"
    assert len(table) >= 60, sorted(table)


def test_two_modules_pricing_one_type_stop_the_import() -> None:
    first, second = ModuleType("gates.cost_rules.first"), ModuleType("gates.cost_rules.second")
    first.RULES = second.RULES = {"aws_lb": rules()["aws_lb"]}  # type: ignore[attr-defined]
    with pytest.raises(DuplicateRule, match=r"aws_lb is priced by both gates\.cost_rules\.first and gates\.cost_rules\.second"):
        merged((first, second))


def test_every_priced_common_type_has_its_us_east_rows() -> None:
    """Each new price id the rules read exists in the US East catalogue with a source and status."""
    section = (PRICING / "us-east-1.toml").read_text().split("# Common AWS resource types (foreign stacks)", 1)[1]
    rows = tomllib.loads(section)["prices"]
    assert all(row["source"] and row["status"] in ("confirmed", "unconfirmed") for row in rows.values())
    assert {"alb_hour", "eks_cluster_hour", "ebs_io1_gb_month", "sns_requests_million", "fargate_vcpu_hour:x86_64"} <= set(rows)


def test_unknown_type_fails_the_cost_gate_naming_it() -> None:
    result = run({"aws_fsx_lustre_file_system": {"scratch": {"storage_capacity": 1200}}})
    (problem,) = result.unpriced
    assert problem.rtype == "aws_fsx_lustre_file_system"
    assert problem.address == "aws_fsx_lustre_file_system.scratch"
    outcome = CostOutcome(result, Decimal(100))
    assert outcome.ok is False
    assert any(line.startswith("  ! unpriced aws_fsx_lustre_file_system.scratch: ") for line in problems(outcome))


def test_node_type_the_catalogue_lacks_fails_naming_the_missing_price() -> None:
    result = run({"aws_elasticache_cluster": {"small": {"node_type": "cache.t4g.micro", "num_cache_nodes": 1}}})
    (problem,) = result.unpriced
    assert problem.reason == "needs price 'elasticache_node_hour:cache.t4g.micro', which the us-east-1 catalogue does not have"


def test_frankfurt_stand_in_rows_are_unconfirmed_and_say_what_they_rest_on() -> None:
    result = run({"aws_lb": {"front": {"load_balancer_type": "network"}}}, "eu-central-1")
    (front,) = result.resources[:1]
    assert front.items and all(
        i.price.status == "unconfirmed" and "Frankfurt rate not found" in i.price.source for i in front.items
    )
    assert result.unconfirmed_usd >= front.monthly_usd


def test_declared_free_type_is_reported_with_its_reason() -> None:
    reason = tomllib.loads((PRICING / "free.toml").read_text())["free"]["aws_eks_fargate_profile"]
    result = run({"aws_eks_fargate_profile": {"pods": {"cluster_name": "main"}}})
    assert result.free_reasons == {"aws_eks_fargate_profile": reason}
    outcome = CostOutcome(result, Decimal(100))
    assert f"- `aws_eks_fargate_profile`: {reason}" in markdown(outcome)
    assert as_json(outcome)["free_reasons"] == {"aws_eks_fargate_profile": reason}
