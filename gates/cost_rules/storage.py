"""Storage: S3 buckets, EFS file systems, AWS Backup plans."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from gates.cost import THOUSAND, Context, LineItem, Rule, as_number


def _s3_bucket(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    bucket = str(body.get("bucket", name))
    usage = ctx.usage
    items = [ctx.item(body, "Standard storage", usage.number("s3", "standard_gb", name=bucket), "s3_standard_gb_month")]
    ia = usage.number("s3", "standard_ia_gb", name=bucket)
    if ia:
        items.append(ctx.item(body, "Standard-IA storage", ia, "s3_standard_ia_gb_month"))
    items.append(
        ctx.item(
            body, "PUT, COPY, POST, LIST (thousands)", usage.number("s3", "put_requests", name=bucket) / THOUSAND, "s3_put_1k"
        )
    )
    items.append(
        ctx.item(
            body, "GET and other requests (thousands)", usage.number("s3", "get_requests", name=bucket) / THOUSAND, "s3_get_1k"
        )
    )
    return items


def _efs(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    """Stored GB by storage class ([efs] standard_gb, infrequent_access_gb); One Zone when the file
    system names an Availability Zone; provisioned throughput when the mode asks for it."""
    system = str(body.get("creation_token", name))
    zone = "one_zone" if body.get("availability_zone_name") else "regional"
    label = "One Zone" if zone == "one_zone" else "Regional"
    usage = ctx.usage
    items = [
        ctx.item(
            body, f"Standard storage ({label})", usage.number("efs", "standard_gb", name=system), f"efs_standard_gb_month:{zone}"
        ),
    ]
    ia = usage.number("efs", "infrequent_access_gb", name=system)
    if ia:
        items.append(ctx.item(body, f"Infrequent Access storage ({label})", ia, f"efs_ia_gb_month:{zone}"))
    if body.get("throughput_mode") == "provisioned":
        mibps = as_number(body.get("provisioned_throughput_in_mibps"), Decimal(0))
        items.append(ctx.item(body, f"Provisioned throughput ({mibps} MiB/s)", mibps, "efs_provisioned_mibps_month"))
    return items


def _backup_plan(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    """The recovery points a plan keeps, [backup] storage_gb, at the EBS snapshot rate AWS Backup
    charges for EBS volumes and instances (AWS Backup pricing); other resource types' backups
    cost about as much or less per GB, except RDS snapshots, so set the figure generously."""
    gb = ctx.usage.number("backup", "storage_gb", name=str(body.get("name", name)))
    return [ctx.item(body, "Backup storage (recovery points, [backup] storage_gb)", gb, "ebs_snapshot_gb_month")]


RULES: dict[str, Rule] = {
    "aws_efs_file_system": _efs,
    "aws_backup_plan": _backup_plan,
    "aws_s3_bucket": _s3_bucket,
}
