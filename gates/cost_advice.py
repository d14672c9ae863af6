"""Cheaper equivalents for the same protection, each with its monthly saving.

Advice is computed from the estimate's own line items and the same catalogue, and is only
shown (cost.md, cost.json): nothing here changes a stack. Each rule keeps what the resource
protects (zones, encryption, retention the profile requires) and changes how it is paid for.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from gates.cost import CENT, CostEstimate, LineItem, ResourceCost
from gates.inputs import Stack
from gates.pricing import Catalogue

# AWS's own Aurora cost guidance puts I/O-Optimized instances and ACUs at 1.3 times the
# Aurora Standard rate (aws/agent-toolkit-for-aws, amazon-aurora skill, "io-optimized-pricing",
# from the Aurora pricing page); the catalogue's own I/O-Optimized row wins where it has one.
IO_OPTIMIZED_COMPUTE_FACTOR = Decimal("1.3")
# Graviton classes of the same size and memory as the x86 classes (RDS User Guide, "DB instance classes").
GRAVITON_EQUIVALENT = {
    "db.t3.micro": "db.t4g.micro",
    "db.t3.small": "db.t4g.small",
    "db.t3.medium": "db.t4g.medium",
    "db.t3.large": "db.t4g.large",
    "db.m5.large": "db.m6g.large",
    "db.m6i.large": "db.m6g.large",
    "db.r5.large": "db.r6g.large",
    "db.r6i.large": "db.r6g.large",
    "db.r5.xlarge": "db.r6g.xlarge",
    "db.r6i.xlarge": "db.r6g.xlarge",
    # EC2 (Amazon EC2 instance types: same vCPUs and memory)
    "t3.micro": "t4g.micro",
    "t3.small": "t4g.small",
    "t3.medium": "t4g.medium",
    "m5.large": "m6g.large",
}
# A development log group kept longer than this gains nothing a developer reads.
DEVELOPMENT_LOG_DAYS = Decimal(30)


@dataclass(frozen=True)
class Advice:
    address: str
    change: str
    monthly_saving_usd: Decimal

    def as_dict(self) -> dict[str, Any]:
        return {"address": self.address, "change": self.change, "monthly_saving_usd": float(self.monthly_saving_usd)}


def _items(resource: ResourceCost, price_prefix: str) -> list[LineItem]:
    return [i for i in resource.items if i.price.id.startswith(price_prefix)]


def _graviton(r: ResourceCost, catalogue: Catalogue) -> list[Advice]:
    advice = []
    hours = _items(r, "aurora_instance_hour:") + _items(r, "rds_instance_hour:") + _items(r, "rds_multi_az_instance_hour:")
    for item in hours + _items(r, "ec2_instance_hour:"):
        family, instance_class = item.price.id.split(":", 1)
        target = GRAVITON_EQUIVALENT.get(instance_class)
        cheaper = catalogue.get(f"{family}:{target}") if target else None
        if cheaper is not None and cheaper.usd < item.price.usd:
            saving = ((item.price.usd - cheaper.usd) * item.quantity).quantize(CENT)
            advice.append(Advice(r.address, f"{instance_class} -> {target} (Graviton, same vCPUs and memory)", saving))
    for item in _items(r, "lambda_gb_second:x86_64"):
        arm = catalogue.get("lambda_gb_second:arm64")
        if arm is not None:
            saving = ((item.price.usd - arm.usd) * item.quantity).quantize(CENT)
            advice.append(Advice(r.address, 'architectures = ["arm64"] (Graviton, same memory)', saving))
    return advice


def _gp3(r: ResourceCost, catalogue: Catalogue) -> list[Advice]:
    """gp2 volumes: gp3 gives the same size with a 3,000 IOPS floor at a lower rate on EBS
    (on RDS the two cost the same per GB, so no advice appears there)."""
    advice = []
    for item in r.items:
        if "_gp2_" not in item.price.id:
            continue
        cheaper = catalogue.get(item.price.id.replace("_gp2_", "_gp3_"))
        if cheaper is not None and cheaper.usd < item.price.usd:
            saving = ((item.price.usd - cheaper.usd) * item.quantity).quantize(CENT)
            advice.append(Advice(r.address, "volume type gp2 -> gp3 (same size, 3,000 IOPS included)", saving))
    return advice


def _io_optimized(r: ResourceCost, estimate: CostEstimate, stack: Stack, catalogue: Catalogue) -> list[Advice]:
    """Aurora Standard against I/O-Optimized for the same cluster: past the break-even the I/O
    charge is larger than the higher storage and compute rates."""
    io = _items(r, "aurora_io_million")
    storage = _items(r, "aurora_storage_gb_month")
    iopt_storage = catalogue.get("aurora_iopt_storage_gb_month")
    if not io or not storage or iopt_storage is None:
        return []
    cluster = r.address.split(".", 1)[1]
    members = {
        f"aws_rds_cluster_instance.{name}"
        for name, body in (stack.document.get("resource", {}).get("aws_rds_cluster_instance") or {}).items()
        if str(body.get("cluster_identifier", "")).startswith(f"${{aws_rds_cluster.{cluster}.")
    }
    compute = sum(
        (
            i.monthly_usd
            for other in estimate.resources
            if other.address in members
            for i in other.items
            if i.price.id.startswith(("aurora_instance_hour:", "aurora_serverless_v2_acu_hour"))
        ),
        Decimal(0),
    )
    standard = io[0].monthly_usd + storage[0].monthly_usd + compute
    optimized = (storage[0].quantity * iopt_storage.usd).quantize(CENT) + (compute * IO_OPTIMIZED_COMPUTE_FACTOR).quantize(CENT)
    if optimized >= standard:
        return []
    return [Advice(r.address, 'storage_type = "aurora-iopt1" (I/O-Optimized: no I/O charge)', standard - optimized)]


def _one_nat(estimate: CostEstimate, stack: Stack) -> list[Advice]:
    if stack.foundation.profile != "development":
        return []
    nats = [r for r in estimate.resources if r.rtype == "aws_nat_gateway"]
    if len(nats) < 2:
        return []
    hours = sum((i.monthly_usd for r in nats[1:] for i in r.items if i.price.id == "nat_gateway_hour"), Decimal(0))
    ips = [r for r in estimate.resources if r.rtype == "aws_eip"][: len(nats) - 1]
    hours += sum((r.monthly_usd for r in ips), Decimal(0))
    return [Advice(nats[1].address, f"network.nat_gateways = 1 in development (one NAT instead of {len(nats)})", hours)]


def _endpoint_versus_nat(estimate: CostEstimate, catalogue: Catalogue) -> list[Advice]:
    """An interface endpoint whose hours cost more than its traffic would through the NAT the
    stack already has. Encryption in transit is the same (TLS to the service); what changes is
    that the traffic uses the service's public endpoint, which the advice says."""
    nat_gb = catalogue.get("nat_gateway_gb")
    if nat_gb is None or not any(r.rtype == "aws_nat_gateway" for r in estimate.resources):
        return []
    advice = []
    for r in estimate.resources:
        hours = _items(r, "vpc_endpoint_az_hour")
        data = _items(r, "vpc_endpoint_gb")
        if not hours or not data:
            continue
        through_nat = (data[0].quantity * nat_gb.usd).quantize(CENT)
        saving = hours[0].monthly_usd + data[0].monthly_usd - through_nat
        if saving > 0:
            advice.append(
                Advice(
                    r.address,
                    "send this service's traffic through the NAT gateway instead of the interface endpoint "
                    "(it then reaches the service's public endpoint over TLS; keep the endpoint where policy requires private access)",
                    saving,
                )
            )
    return advice


def _log_retention(estimate: CostEstimate, stack: Stack) -> list[Advice]:
    advice = []
    for r in estimate.resources:
        for item in _items(r, "logs_storage_gb_month"):
            never = "no days" in item.name
            if not never and stack.foundation.profile != "development":
                continue
            months = DEVELOPMENT_LOG_DAYS / Decimal("30.4167")
            kept = item.quantity
            # quantity = monthly GB x retention months; 30 days keeps about one month of it.
            retention_months = Decimal(365 if never else _days(item.name)) / Decimal("30.4167")
            if retention_months <= months:
                continue
            target = (kept * months / retention_months * item.price.usd).quantize(CENT)
            saving = item.monthly_usd - target
            if saving > 0:
                advice.append(
                    Advice(r.address, "retention_in_days = 30 (development), or an expiry for a group kept forever", saving)
                )
    return advice


def _days(name: str) -> int:
    """ "Log storage (90 days retention)" -> 90."""
    digits = "".join(c for c in name.split("(", 1)[-1].split(" ")[0] if c.isdigit())
    return int(digits) if digits else 365


def _intelligent_tiering(estimate: CostEstimate, catalogue: Catalogue) -> list[Advice]:
    """Intelligent-Tiering moves objects not read for 30 days to its Infrequent Access tier,
    priced like Standard-IA, for a monitoring fee per object; worth proposing where a bucket
    stores enough Standard GB that the tier difference outweighs the fee for 128 KB objects
    or larger. The saving shown assumes half the data goes cold (the profile cannot know)."""
    ia = catalogue.get("s3_standard_ia_gb_month")
    if ia is None:
        return []
    advice = []
    for r in estimate.resources:
        for item in _items(r, "s3_standard_gb_month"):
            if item.quantity < 100:
                continue
            saving = (item.quantity / 2 * (item.price.usd - ia.usd)).quantize(CENT)
            advice.append(
                Advice(r.address, "Intelligent-Tiering for objects of 128 KB or more (saving if half the data goes cold)", saving)
            )
    return advice


def advise(estimate: CostEstimate, stack: Stack, catalogue: Catalogue) -> list[Advice]:
    """Every applicable change, largest saving first."""
    found: list[Advice] = []
    for r in estimate.resources:
        found += _graviton(r, catalogue)
        found += _gp3(r, catalogue)
        if r.rtype == "aws_rds_cluster":
            found += _io_optimized(r, estimate, stack, catalogue)
    found += _one_nat(estimate, stack)
    found += _endpoint_versus_nat(estimate, catalogue)
    found += _log_retention(estimate, stack)
    found += _intelligent_tiering(estimate, catalogue)
    return sorted((a for a in found if a.monthly_saving_usd > 0), key=lambda a: (-a.monthly_saving_usd, a.address))
