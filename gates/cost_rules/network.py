"""Network: NAT gateways, public IPv4 addresses, VPC endpoints."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from gates.cost import HOURS_PER_MONTH, Context, LineItem, Rule


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


RULES: dict[str, Rule] = {
    "aws_nat_gateway": _nat_gateway,
    "aws_eip": _eip,
    "aws_vpc_endpoint": _vpc_endpoint,
}
