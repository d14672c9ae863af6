"""Address plan of the VPC: subnet carving and NAT placement, pure Python.

Kept apart from the construct so that the configuration model can check a plan
(overlaps, subnets outside the VPC) before any CDKTF object exists, and so that
the plan is testable without synthesizing.
"""

from __future__ import annotations

from dataclasses import dataclass
from ipaddress import IPv4Network
from typing import Literal

Tier = Literal["public", "private", "database"]
TIERS: tuple[Tier, ...] = ("public", "private", "database")

# Tier t, zone i takes block TIER_BASE[t] + i of the VPC cut into equal subnets.
# With a /16 VPC and /24 subnets that is 10.0.1-3 public, 10.0.11-13 private,
# 10.0.21-23 database: the layout the seed teams planned by hand. Block 0 stays
# unused, and each tier has room for nine zones before it would reach the next.
TIER_BASE: dict[Tier, int] = {"public": 1, "private": 11, "database": 21}
MAX_ZONES_PER_TIER = 9


@dataclass(frozen=True, kw_only=True)
class SubnetLayout:
    """One CIDR block per tier per Availability Zone, in zone order."""

    public: tuple[IPv4Network, ...]
    private: tuple[IPv4Network, ...]
    database: tuple[IPv4Network, ...]

    def tier(self, name: Tier) -> tuple[IPv4Network, ...]:
        return {"public": self.public, "private": self.private, "database": self.database}[name]

    def all(self) -> tuple[IPv4Network, ...]:
        return self.public + self.private + self.database


class LayoutError(ValueError):
    """A layout that cannot be carved; the message says what is allowed."""


def blocks_needed(zone_count: int) -> int:
    """How many equal blocks the VPC must hold for the carving rule."""
    return TIER_BASE["database"] + zone_count


def carve(vpc_cidr: IPv4Network, zone_count: int, subnet_prefix_length: int) -> SubnetLayout:
    """Carve public, private and database subnets for `zone_count` zones.

    Deterministic: the same inputs always give the same blocks, so adding a zone
    never renumbers the subnets of the existing ones.
    """
    if not 1 <= zone_count <= MAX_ZONES_PER_TIER:
        raise LayoutError(f"between 1 and {MAX_ZONES_PER_TIER} availability zones can be carved")
    if not vpc_cidr.prefixlen <= subnet_prefix_length <= 28:
        raise LayoutError(f"subnet prefix length must be between the VPC's /{vpc_cidr.prefixlen} and /28")
    available = 2 ** (subnet_prefix_length - vpc_cidr.prefixlen)
    needed = blocks_needed(zone_count)
    if available < needed:
        raise LayoutError(
            f"a /{vpc_cidr.prefixlen} VPC holds {available} subnets of /{subnet_prefix_length}, "
            f"but {needed} are needed for {zone_count} zones; use a larger VPC or a longer "
            "subnet prefix length, or list the subnets explicitly"
        )
    step = 2 ** (32 - subnet_prefix_length)
    base = int(vpc_cidr.network_address)

    def block(index: int) -> IPv4Network:
        return IPv4Network((base + index * step, subnet_prefix_length))

    return SubnetLayout(
        public=tuple(block(TIER_BASE["public"] + i) for i in range(zone_count)),
        private=tuple(block(TIER_BASE["private"] + i) for i in range(zone_count)),
        database=tuple(block(TIER_BASE["database"] + i) for i in range(zone_count)),
    )


def nat_for_zone(zone_count: int, nat_count: int) -> tuple[int | None, ...]:
    """Which NAT gateway (by zone index) each zone's private subnet routes through.

    NAT gateways sit in the public subnets of the first `nat_count` zones. A zone
    with its own NAT uses it, so losing one zone never cuts another zone off; a
    zone without one is spread round-robin over the NATs that exist. With no NAT
    at all every entry is None: private subnets then have no route to the internet.
    """
    if not 0 <= nat_count <= zone_count:
        raise LayoutError(f"NAT gateway count must be between 0 and {zone_count}")
    if nat_count == 0:
        return tuple(None for _ in range(zone_count))
    return tuple(i if i < nat_count else i % nat_count for i in range(zone_count))
