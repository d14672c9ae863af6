"""Network: NAT gateways, public IPv4 addresses, VPC endpoints, load balancers, Site-to-Site VPN
connections, Transit Gateway attachments."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from gates.cost import HOURS_PER_MONTH, Context, LineItem, MissingInput, Rule


def _nat_gateway(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    gb = ctx.usage.number("nat_gateway", "gb_processed")
    return [
        ctx.item(body, "NAT gateway hours", HOURS_PER_MONTH, "nat_gateway_hour"),
        ctx.item(body, "NAT data processed", gb, "nat_gateway_gb"),
    ]


def _eip(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    # Every public IPv4 address is billed per hour, attached or idle (since 2024-02-01).
    return [ctx.item(body, "Public IPv4 address hours", HOURS_PER_MONTH, "public_ipv4_hour")]


def _vpc_endpoint(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    if body.get("vpc_endpoint_type", "Gateway") != "Interface":
        return []  # gateway endpoints (S3, DynamoDB) have no charge
    zones = Decimal(len(body.get("subnet_ids") or []) or 1)
    gb = ctx.usage.number("vpc_endpoint", "gb_processed")
    return [
        ctx.item(body, f"Interface endpoint hours ({zones} AZ)", zones * HOURS_PER_MONTH, "vpc_endpoint_az_hour"),
        ctx.item(body, "Interface endpoint data processed", gb, "vpc_endpoint_gb"),
    ]


# Capacity-unit price ids by load balancer type (Elastic Load Balancing pricing page: LCU for
# Application, NLCU for Network, GLCU for Gateway Load Balancers).
LOAD_BALANCER_KINDS = {
    "application": ("Application", "alb", "LCU"),
    "network": ("Network", "nlb", "NLCU"),
    "gateway": ("Gateway", "gwlb", "GLCU"),
}


def _load_balancer(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    """Hours, and the capacity units the usage profile expects on average each hour
    ([load_balancer] average_lcu, one figure for every kind)."""
    kind = str(body.get("load_balancer_type", "application"))
    if kind not in LOAD_BALANCER_KINDS:
        raise MissingInput(f"load_balancer_type {kind!r} is not one of {', '.join(LOAD_BALANCER_KINDS)}")
    label, prefix, unit = LOAD_BALANCER_KINDS[kind]
    units = ctx.usage.number("load_balancer", "average_lcu")
    return [
        ctx.item(body, f"{label} Load Balancer hours", HOURS_PER_MONTH, f"{prefix}_hour"),
        ctx.item(body, f"{unit}-hours ({units} on average)", units * HOURS_PER_MONTH, f"{prefix}_capacity_unit_hour"),
    ]


def _classic_load_balancer(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    gb = ctx.usage.number("load_balancer", "classic_gb_processed")
    return [
        ctx.item(body, "Classic Load Balancer hours", HOURS_PER_MONTH, "elb_classic_hour"),
        ctx.item(body, "Data processed", gb, "elb_classic_gb"),
    ]


def _attachment(ctx: Context, body: dict[str, Any], label: str) -> list[LineItem]:
    return [
        ctx.item(body, f"Transit Gateway attachment hours ({label})", HOURS_PER_MONTH, "transit_gateway_attachment_hour"),
        ctx.item(
            body,
            f"Transit Gateway data processed ({label})",
            ctx.usage.number("transit_gateway", "gb_processed"),
            "transit_gateway_gb",
        ),
    ]


def _transit_gateway_vpc_attachment(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    return _attachment(ctx, body, "VPC")


def _vpn_connection(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    """A Site-to-Site VPN connection; one that ends on a transit gateway is also a Transit
    Gateway attachment (AWS Transit Gateway pricing)."""
    items = [ctx.item(body, "VPN connection hours", HOURS_PER_MONTH, "vpn_connection_hour")]
    if body.get("transit_gateway_id"):
        items += _attachment(ctx, body, "VPN")
    return items


RULES: dict[str, Rule] = {
    "aws_lb": _load_balancer,
    "aws_alb": _load_balancer,
    "aws_elb": _classic_load_balancer,
    "aws_vpn_connection": _vpn_connection,
    "aws_ec2_transit_gateway_vpc_attachment": _transit_gateway_vpc_attachment,
    "aws_nat_gateway": _nat_gateway,
    "aws_eip": _eip,
    "aws_vpc_endpoint": _vpc_endpoint,
}
