"""Block storage: EBS volumes and snapshots, and the volume charges every rule that launches
instances (EC2 instances, Auto Scaling groups, EKS node groups) shares."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from gates.cost import Context, LineItem, MissingInput, Rule, as_number

# Performance included in the gp3 storage price (Amazon EBS pricing page, "gp3": every volume
# gets 3,000 IOPS and 125 MiB/s; more is billed per provisioned IOPS-month and MiB/s-month).
GP3_FREE_IOPS = Decimal(3000)
GP3_FREE_THROUGHPUT_MIBPS = Decimal(125)
# Volume types whose provisioned IOPS are billed in full (Amazon EBS pricing page, io1 and io2;
# io2 IOPS above 32,000 are cheaper, a size no estimate here reaches).
PROVISIONED_IOPS_TYPES = ("io1", "io2")


def volume_items(
    ctx: Context,
    body: dict[str, Any],
    label: str,
    volume_type: str,
    size_gb: Decimal,
    iops: Decimal | None = None,
    throughput_mibps: Decimal | None = None,
    count: Decimal = Decimal(1),
) -> list[LineItem]:
    """Storage of `count` volumes, and the performance they provision beyond what the type includes."""
    items = [ctx.item(body, f"{label} ({volume_type})", size_gb * count, f"ebs_{volume_type}_gb_month")]
    if volume_type == "gp3":
        extra_iops = (iops or GP3_FREE_IOPS) - GP3_FREE_IOPS
        if extra_iops > 0:
            items.append(
                ctx.item(body, f"{label}: gp3 IOPS above the {GP3_FREE_IOPS} included", extra_iops * count, "ebs_gp3_iops_month")
            )
        extra_throughput = (throughput_mibps or GP3_FREE_THROUGHPUT_MIBPS) - GP3_FREE_THROUGHPUT_MIBPS
        if extra_throughput > 0:
            items.append(
                ctx.item(
                    body,
                    f"{label}: gp3 throughput above the {GP3_FREE_THROUGHPUT_MIBPS} MiB/s included",
                    extra_throughput * count,
                    "ebs_gp3_throughput_mibps_month",
                )
            )
    elif volume_type in PROVISIONED_IOPS_TYPES:
        if not iops:
            raise MissingInput(f"an {volume_type} volume needs iops set: its provisioned IOPS are billed per IOPS-month")
        items.append(ctx.item(body, f"{label}: provisioned IOPS ({volume_type})", iops * count, f"ebs_{volume_type}_iops_month"))
    return items


def optional_number(value: Any) -> Decimal | None:
    """A setting that may be absent (None), as a Decimal."""
    number = as_number(value, Decimal(-1))
    return None if number < 0 else number


def _ebs_volume(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    if "size" not in body:
        raise MissingInput("the volume sets no size (it takes the size of its snapshot), so its GB-month are unknown; set size")
    # AWS creates gp2 when the request names no type (EC2 API, CreateVolume VolumeType).
    volume_type = str(body.get("type", "gp2"))
    return volume_items(
        ctx,
        body,
        "Volume storage",
        volume_type,
        as_number(body.get("size"), Decimal(0)),
        optional_number(body.get("iops")),
        optional_number(body.get("throughput")),
    )


def _ebs_snapshot(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    """A snapshot stores the blocks of its volume that hold data; the first snapshot of a volume
    is a full copy. The gate counts the volume's full size when the volume is in the file (the
    most a first snapshot stores), else [ebs] snapshot_gb of the usage profile."""
    volume = ctx.deref(body.get("volume_id"))
    if volume is not None and "size" in volume:
        gb = as_number(volume.get("size"), Decimal(0))
        label = "Snapshot storage (full size of the volume)"
    else:
        gb = ctx.usage.number("ebs", "snapshot_gb")
        label = "Snapshot storage ([ebs] snapshot_gb)"
    return [ctx.item(body, label, gb, "ebs_snapshot_gb_month")]


RULES: dict[str, Rule] = {
    "aws_ebs_volume": _ebs_volume,
    "aws_ebs_snapshot": _ebs_snapshot,
}
