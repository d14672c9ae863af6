"""`[network]`: the VPC of variant "vpc"."""

from __future__ import annotations

from collections.abc import Mapping
from ipaddress import IPv4Network
from typing import Annotated, ClassVar, Literal

from pydantic import Field, Strict, field_validator

from modules.components.network.layout import TIERS, LayoutError, SubnetLayout, carve, nat_for_zone
from modules.core.regions import availability_zones
from modules.core.settings import ComponentSettings, EnvironmentView, LogRetentionDays, Report, by_profile
from modules.core.weakening import Weakening, lower

# Interface endpoint services the network knows how to name (com.amazonaws.<region>.<service>).
INTERFACE_ENDPOINT_SERVICES: tuple[str, ...] = (
    "secretsmanager", "rds-data", "kms", "logs", "sts", "ssm", "ssmmessages",
    "ec2messages", "ecr.api", "ecr.dkr", "sqs", "sns", "lambda", "monitoring",
    "events", "xray", "execute-api", "states",
)  # fmt: skip
# Ranges a VPC may use (Amazon VPC User Guide, "VPC CIDR blocks"): RFC 1918 and 100.64.0.0/10.
VPC_RANGES = tuple(IPv4Network(r) for r in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"))
# TOML has no CIDR type: accept the string form and parse it.
Cidr = Annotated[IPv4Network, Strict(False)]


class NetworkSettings(ComponentSettings):
    """A VPC with public, private and database subnets in each zone."""

    weakens: ClassVar[Mapping[str, Weakening]] = {
        "nat_gateways": Weakening(
            risk="Fewer NAT gateways than zones: a zone outage can cut the private subnets of other zones off the internet.",
            weaker=lambda value, default, section: 0 < value < min(default, len(section.availability_zones or ()) or default),
        ),
        "flow_log_retention_days": lower("VPC flow logs are kept for less time: older traffic cannot be investigated."),
        "flow_log_traffic_type": Weakening(
            risk="Flow logs record only part of the traffic: rejected or accepted connections go unrecorded.",
            weaker=lambda value, default, _: value != default,
        ),
    }

    vpc_cidr: Cidr = Field(default=IPv4Network("10.0.0.0/16"), description="VPC CIDR block, /16 to /28, private range.")
    availability_zones: tuple[str, ...] | None = Field(
        default=None, strict=False, description="Zones to span, in order; default: the Region's first three."
    )
    subnet_prefix_length: int = Field(
        default=24, ge=16, le=28, description="Size of carved subnets; /24 leaves 251 usable addresses each."
    )
    public_subnets: tuple[Cidr, ...] | None = Field(
        default=None, strict=False, description="Public subnet CIDRs, one per zone; default: carved from the VPC."
    )
    private_subnets: tuple[Cidr, ...] | None = Field(
        default=None, strict=False, description="Private subnet CIDRs, one per zone; default: carved from the VPC."
    )
    database_subnets: tuple[Cidr, ...] | None = Field(
        default=None, strict=False, description="Database subnet CIDRs, one per zone; default: carved from the VPC."
    )
    nat_gateways: int = by_profile(
        development=0,
        production=3,
        ge=0,
        description="NAT gateways, one per zone at most; 0 leaves the private subnets without internet access.",
    )
    nat_gateway_for_zones: dict[str, str] = Field(
        default_factory=dict,
        description="For a zone without a NAT gateway of its own, the zone whose NAT gateway its private subnet "
        'uses, such as { "eu-central-1c" = "eu-central-1b" }; default: spread over the NAT gateways in zone order.',
    )
    interface_endpoints: tuple[str, ...] = by_profile(
        development=(),
        production=("secretsmanager", "rds-data", "kms", "logs"),
        strict=False,
        description="Services reached through interface endpoints (each costs per zone-hour).",
    )
    flow_log_retention_days: LogRetentionDays = by_profile(
        development=14, production=365, description="Days VPC flow logs are kept in CloudWatch Logs."
    )
    flow_log_traffic_type: Literal["ALL", "ACCEPT", "REJECT"] = Field(
        default="ALL", description="Flows recorded: ALL keeps both blocked and allowed traffic for investigations."
    )
    alarm_nat_packets_dropped: int = Field(
        default=100, ge=1, description="Packets a NAT gateway may drop in 5 minutes before its alarm fires."
    )

    @field_validator("vpc_cidr")
    @classmethod
    def _vpc_size(cls, value: IPv4Network) -> IPv4Network:
        # VPC CIDR blocks must be between /16 and /28 (Amazon VPC quotas).
        if not 16 <= value.prefixlen <= 28:
            raise ValueError("a VPC CIDR block must be between /16 and /28")
        # Python's is_private also admits loopback and link-local ranges, which AWS refuses.
        if not any(value.subnet_of(allowed) for allowed in VPC_RANGES):
            raise ValueError("use a private (RFC 1918) range such as 10.0.0.0/16, or 100.64.0.0/10")
        return value

    @field_validator("interface_endpoints")
    @classmethod
    def _endpoints(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [s for s in value if s not in INTERFACE_ENDPOINT_SERVICES]
        if unknown:
            raise ValueError(
                f"unknown service {', '.join(map(repr, unknown))}; allowed: {', '.join(INTERFACE_ENDPOINT_SERVICES)}"
            )
        if len(set(value)) != len(value):
            raise ValueError("each service may be listed once")
        return value

    def zones(self, region: str) -> tuple[str, ...]:
        return self.availability_zones if self.availability_zones is not None else availability_zones(region)[:3]

    def nat_zone_indexes(self, region: str) -> tuple[int | None, ...]:
        """Which NAT gateway (by zone index) each zone's private subnet routes through."""
        zones = self.zones(region)
        spread = nat_for_zone(len(zones), self.nat_gateways)
        return tuple(
            zones.index(self.nat_gateway_for_zones[zone]) if zone in self.nat_gateway_for_zones else spread[i]
            for i, zone in enumerate(zones)
        )

    def layout(self, region: str) -> SubnetLayout:
        """The subnets per tier and zone; `check` has made sure this succeeds."""
        zones = self.zones(region)
        explicit = {tier: getattr(self, f"{tier}_subnets") for tier in TIERS}
        carved = carve(self.vpc_cidr, len(zones), self.subnet_prefix_length) if None in explicit.values() else None
        tiers = {tier: given if given is not None else carved.tier(tier) for tier, given in explicit.items()}  # type: ignore[union-attr]
        return SubnetLayout(public=tiers["public"], private=tiers["private"], database=tiers["database"])

    def check(self, view: EnvironmentView, report: Report) -> None:
        offered = availability_zones(view.region)
        zones = self.zones(view.region)
        zones_ok = True
        for i, zone in enumerate(zones):
            if zone not in offered:
                report(f"network.availability_zones[{i}]", zone, f"not a zone of {view.region}; allowed: {', '.join(offered)}")
                zones_ok = False
        if len(set(zones)) != len(zones):
            report("network.availability_zones", list(zones), "each zone may be listed once")
            zones_ok = False
        if not zones:
            report("network.availability_zones", [], "at least one zone (three for production)")
            zones_ok = False
        if self.nat_gateways > len(zones):
            report("network.nat_gateways", self.nat_gateways, f"at most one NAT gateway per availability zone: 0 to {len(zones)}")
        with_nat = zones[: self.nat_gateways]
        for zone, chosen in self.nat_gateway_for_zones.items():
            where = f"network.nat_gateway_for_zones.{zone}"
            if zone not in zones or zone in with_nat:
                without = [z for z in zones if z not in with_nat]
                report(where, chosen, f"a zone of the VPC without a NAT gateway of its own: {', '.join(without) or 'none'}")
            elif chosen not in with_nat:
                report(
                    where, chosen, f"a zone with a NAT gateway (the first nat_gateways zones): {', '.join(with_nat) or 'none'}"
                )
        if not zones_ok:
            return
        explicit = {tier: getattr(self, f"{tier}_subnets") for tier in TIERS}
        if None in explicit.values():
            try:
                carve(self.vpc_cidr, len(zones), self.subnet_prefix_length)
            except LayoutError as exc:
                report("network.subnet_prefix_length", self.subnet_prefix_length, str(exc))
                return
        layout = self.layout(view.region)
        seen: list[tuple[str, IPv4Network]] = []
        for tier in TIERS:
            key = f"network.{tier}_subnets"
            blocks = layout.tier(tier)
            if len(blocks) != len(zones):
                report(key, [str(b) for b in blocks], f"one CIDR per availability zone ({len(zones)})")
            for i, block in enumerate(blocks):
                where = f"{key}[{i}]"
                if not block.subnet_of(self.vpc_cidr):
                    report(where, str(block), f"must lie inside the VPC CIDR {self.vpc_cidr}")
                    continue
                if not 16 <= block.prefixlen <= 28:
                    report(where, str(block), "a subnet must be between /16 and /28")
                for other_key, other in seen:
                    if block.overlaps(other):
                        report(where, str(block), f"overlaps {other_key} ({other}); subnets must not overlap")
                seen.append((where, block))
