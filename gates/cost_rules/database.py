"""Databases: Aurora clusters, instances and snapshots, RDS instances and snapshots, DynamoDB tables."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from gates.cost import HOURS_PER_MONTH, MILLION, Context, LineItem, MissingPrice, Rule, as_number, single_block
from gates.cost_rules.security import secret_charges

# vCPUs per Aurora instance class (Aurora User Guide, "Hardware specifications for DB
# instance classes"); Performance Insights long-term retention is billed per vCPU.
AURORA_VCPUS = {
    "db.t4g.medium": Decimal(2),
    "db.t4g.large": Decimal(2),
    "db.r6g.large": Decimal(2),
    "db.r6g.xlarge": Decimal(4),
    "db.r6g.2xlarge": Decimal(8),
    "db.r7g.large": Decimal(2),
    "db.r7g.xlarge": Decimal(4),
}


def _aurora_cluster(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    usage = ctx.usage
    storage = usage.number("aurora", "storage_gb")
    optimized = body.get("storage_type") == "aurora-iopt1"
    items = [
        ctx.item(
            body,
            "Storage (I/O-Optimized)" if optimized else "Storage",
            storage,
            "aurora_iopt_storage_gb_month" if optimized else "aurora_storage_gb_month",
        )
    ]
    if not optimized:
        items.append(ctx.item(body, "I/O requests (millions)", usage.number("aurora", "io_millions"), "aurora_io_million"))
    items += backup_beyond_free(ctx, body, storage, "aurora")
    if body.get("manage_master_user_password") is True:
        items += secret_charges(ctx, body, "Managed master secret (Secrets Manager)", name)
    if body.get("enable_http_endpoint") is True:
        requests = usage.number("aurora", "data_api_requests")
        items.append(ctx.item(body, "Data API requests (millions)", requests / MILLION, "aurora_data_api_million"))
    return items


def _aurora_instance(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    usage = ctx.usage
    instance_class = str(body.get("instance_class", ""))
    cluster = ctx.deref(body.get("cluster_identifier")) or {}
    items: list[LineItem] = []
    if instance_class == "db.serverless":
        scaling = cluster.get("serverlessv2_scaling_configuration") or [{}]
        scaling = single_block(scaling)
        minimum = as_number((scaling or {}).get("min_capacity"), Decimal("0.5"))
        active = usage.number("aurora", "serverless_active_hours", scaled=False)
        average = usage.number("aurora", "serverless_average_acu")
        # Never below the configured floor while the cluster runs; 0 ACU pauses.
        acu_hours = max(active * average, minimum * HOURS_PER_MONTH)
        items.append(ctx.item(body, "Serverless v2 capacity (ACU-hours)", acu_hours, "aurora_serverless_v2_acu_hour"))
    else:
        optimized = cluster.get("storage_type") == "aurora-iopt1"
        price_id = f"aurora_{'iopt_' if optimized else ''}instance_hour:{instance_class}"
        items.append(ctx.item(body, f"Instance hours ({instance_class})", HOURS_PER_MONTH, price_id))
    return items + _instance_extras(ctx, body, instance_class, "aurora")


def backup_beyond_free(ctx: Context, body: dict[str, Any], storage: Decimal, section: str) -> list[LineItem]:
    """The continuous backup holds the volume plus every change of the retention window, and the
    volume's size is free, so the window's changes are billed; a one-day retention is free, and
    the billed amount never exceeds the volume for each day beyond the first (Aurora User Guide,
    "Understanding Amazon Aurora backup storage usage"; Neptune User Guide, "CloudWatch metrics
    that are useful for managing Neptune backup storage", for the bound; RDS pricing, "Backup
    storage": free up to the database's size)."""
    retention = as_number(body.get("backup_retention_period"), Decimal(1))
    change = ctx.usage.number(section, "daily_change_percent", scaled=False) / Decimal(100)
    if retention <= 1:
        return []
    billed = min(storage * change * retention, storage * (retention - 1))
    if billed <= 0:
        return []
    return [ctx.item(body, "Backup storage beyond the free allowance", billed, f"{section}_backup_gb_month")]


def _instance_extras(ctx: Context, body: dict[str, Any], instance_class: str, section: str) -> list[LineItem]:
    """Performance Insights beyond the free 7 days (per vCPU) and enhanced-monitoring logs."""
    items: list[LineItem] = []
    retention = as_number(body.get("performance_insights_retention_period"), Decimal(7))
    if body.get("performance_insights_enabled") is True and retention > 7:
        if instance_class not in AURORA_VCPUS:
            raise MissingPrice(f"vCPU count of {instance_class}", ctx.region_of(body))
        vcpus = AURORA_VCPUS[instance_class]
        items.append(
            ctx.item(
                body,
                f"Performance Insights retention beyond 7 days ({vcpus} vCPU)",
                vcpus,
                "performance_insights_long_term_vcpu_month",
            )
        )
    if as_number(body.get("monitoring_interval"), Decimal(0)) > 0:
        gb = ctx.usage.number(section, "enhanced_monitoring_gb_per_instance", scaled=False)
        billed = gb - ctx.free_part("logs_gb", gb)
        items.append(
            ctx.item(body, "Enhanced monitoring logs ingested (RDSOSMetrics) beyond the free tier", billed, "logs_ingestion_gb")
        )
    return items


def _rds_instance(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    """RDS (not Aurora) instances: hours by class and deployment, provisioned gp3 storage,
    backups beyond the free allowance (the provisioned size), the managed secret."""
    instance_class = str(body.get("instance_class", ""))
    multi_az = body.get("multi_az") is True
    deployment = "rds_multi_az" if multi_az else "rds"
    label = "Multi-AZ" if multi_az else "Single-AZ"
    storage = as_number(body.get("allocated_storage"), Decimal(20))
    # Terraform leaves storage_type to AWS when unset, which picks gp2 for new instances.
    volume = str(body.get("storage_type", "gp2"))
    items = [
        ctx.item(
            body, f"Instance hours ({instance_class}, {label})", HOURS_PER_MONTH, f"{deployment}_instance_hour:{instance_class}"
        ),
        ctx.item(body, f"{volume} storage ({label})", storage, f"{deployment}_{volume}_storage_gb_month"),
    ]
    if volume == "gp3":
        # gp3 includes 3,000 IOPS below 400 GB and 12,000 from 400 GB (RDS User Guide, "gp3 storage");
        # IOPS provisioned above the baseline are billed per IOPS-month.
        baseline = Decimal(12_000) if storage >= 400 else Decimal(3000)
        extra = as_number(body.get("iops"), baseline) - baseline
        if extra > 0:
            items.append(
                ctx.item(body, f"gp3 IOPS above the {baseline} included ({label})", extra, f"{deployment}_gp3_iops_month")
            )
        throughput = as_number(body.get("storage_throughput"), Decimal(0))
        if throughput > (500 if storage >= 400 else 125):
            raise MissingPrice(f"{deployment}_gp3_throughput_mibps_month", ctx.region_of(body))
    items += backup_beyond_free(ctx, body, storage, "rds")
    if body.get("manage_master_user_password") is True:
        items += secret_charges(ctx, body, "Managed master secret (Secrets Manager)", name)
    return items + _instance_extras(ctx, body, instance_class, "rds")


def _dynamodb_table(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    usage = ctx.usage
    if body.get("billing_mode", "PROVISIONED") != "PAY_PER_REQUEST":
        raise MissingPrice("dynamodb provisioned capacity", ctx.region_of(body))
    storage = usage.number("dynamodb", "storage_gb", name=str(body.get("name", name)))
    writes = usage.number("dynamodb", "write_request_units", name=str(body.get("name", name)))
    indexes = _global_secondary_indexes(body)
    # Each index holds its own copy of the items: a table write that carries the index's keys is
    # written to the index too, billed as write request units; an index projecting ALL stores
    # the items again (DynamoDB developer guide, "Provisioned throughput considerations for
    # global secondary indexes" and "Storage considerations"). The profile counts table writes,
    # and every item is taken to carry every index's keys.
    everything = sum(1 for index in indexes if index.get("projection_type") == "ALL")
    stored = storage * (1 + everything)
    items = [
        ctx.item(body, "Write request units (millions)", writes / MILLION, "dynamodb_wru_million"),
        *(
            [
                ctx.item(
                    body,
                    f"Index write request units (millions; {len(indexes)} global secondary index"
                    f"{'es' if len(indexes) > 1 else ''}, each table write written again)",
                    writes * len(indexes) / MILLION,
                    "dynamodb_wru_million",
                )
            ]
            if indexes
            else []
        ),
        ctx.item(
            body,
            "Read request units (millions)",
            usage.number("dynamodb", "read_request_units", name=str(body.get("name", name))) / MILLION,
            "dynamodb_rru_million",
        ),
        ctx.item(
            body,
            "Table storage beyond the free 25 GB" + (" (with the indexes projecting every attribute)" if everything else ""),
            stored - ctx.free_part("dynamodb_storage_gb", stored),
            "dynamodb_storage_gb_month",
        ),
    ]
    pitr = body.get("point_in_time_recovery")
    pitr = single_block(pitr)
    if isinstance(pitr, dict) and pitr.get("enabled") is True:
        items.append(ctx.item(body, "Point-in-time recovery", storage, "dynamodb_pitr_gb_month"))
    return items


def _global_secondary_indexes(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The table's global secondary index blocks, written as one object or a list of them."""
    value = body.get("global_secondary_index")
    found = value if isinstance(value, list) else [value] if isinstance(value, dict) else []
    return [index for index in found if isinstance(index, dict)]


def _db_snapshot(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    """A manual snapshot is kept until deleted and billed as backup storage; the gate counts the
    instance's allocated storage (the most it holds) when the instance is in the file, else
    [rds] snapshot_gb."""
    instance = ctx.deref(body.get("db_instance_identifier"))
    if instance is not None:
        gb, label = (
            as_number(instance.get("allocated_storage"), Decimal(20)),
            "Manual snapshot (allocated storage of the instance)",
        )
    else:
        gb, label = ctx.usage.number("rds", "snapshot_gb"), "Manual snapshot ([rds] snapshot_gb)"
    return [ctx.item(body, label, gb, "rds_backup_gb_month")]


def _cluster_snapshot(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    """A manual Aurora cluster snapshot holds the cluster volume: [aurora] storage_gb."""
    gb = ctx.usage.number("aurora", "storage_gb")
    return [ctx.item(body, "Manual cluster snapshot ([aurora] storage_gb)", gb, "aurora_backup_gb_month")]


RULES: dict[str, Rule] = {
    "aws_db_snapshot": _db_snapshot,
    "aws_db_cluster_snapshot": _cluster_snapshot,
    "aws_rds_cluster": _aurora_cluster,
    "aws_rds_cluster_instance": _aurora_instance,
    "aws_db_instance": _rds_instance,
    "aws_dynamodb_table": _dynamodb_table,
}
