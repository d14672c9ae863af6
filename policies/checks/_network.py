"""Security-group rules in every resource form, read the same way; shared by FND_NET_* (defines no check).

A rule can be written inline in aws_security_group (ingress/egress blocks), as
aws_security_group_rule, or as aws_vpc_security_group_ingress_rule /
egress_rule (one CIDR each, ip_protocol "-1" for everything). Checkov's port
checks read some of these forms and not others; these helpers read all of them.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from _support import StackContext

INTERNET = ("0.0.0.0/0", "::/0")
ALL_PROTOCOLS = ("-1", "all")
# Database engines' default ports (PostgreSQL, MySQL/Aurora MySQL, SQL Server, Oracle, MongoDB/DocumentDB,
# Redis/Valkey, Redshift, Memcached).
DATABASE_PORTS = (5432, 3306, 1433, 1521, 27017, 6379, 5439, 11211)
_REFERENCE = re.compile(r"^\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.[a-z_]+\}$")


@dataclass(frozen=True)
class Rule:
    label: str  # "ingress[0]" for an inline block, "rule" for a rule resource
    direction: str  # "ingress" or "egress"
    protocol: str
    from_port: int | None
    to_port: int | None
    cidrs: tuple[str, ...]
    group: str | None  # the security group's resource name, when the rule names it by reference

    @property
    def all_protocols(self) -> bool:
        return self.protocol.lower() in ALL_PROTOCOLS

    def covers(self, port: int) -> bool:
        if self.all_protocols:
            return True
        if self.from_port is None or self.to_port is None:
            return False
        return self.from_port <= port <= self.to_port

    @property
    def web_only(self) -> bool:
        """TCP to 80 or to 443 and nothing else."""
        return self.protocol.lower() in ("tcp", "6") and self.from_port == self.to_port and self.from_port in (80, 443)

    @property
    def every_port(self) -> bool:
        return self.all_protocols or (self.from_port in (0, None) and self.to_port in (65535, None))

    def ports(self) -> str:
        if self.all_protocols:
            return "every protocol and port"
        if self.from_port == self.to_port:
            return f"{self.protocol} port {self.from_port}"
        return f"{self.protocol} ports {self.from_port}-{self.to_port}"


def referenced(value: Any, rtype: str | None = None) -> str | None:
    """The resource name in "${<type>.<name>.<attr>}", when of `rtype` (any type when None)."""
    match = _REFERENCE.match(value.strip()) if isinstance(value, str) else None
    if match is None or (rtype is not None and match.group(1) != rtype):
        return None
    return match.group(2)


def _port(value: Any) -> int | None:
    try:
        return int(value) if value is not None and not isinstance(value, bool) else None
    except (TypeError, ValueError):
        return None


def _strings(value: Any) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    return tuple(i for i in items if isinstance(i, str) and i)


def rules(rtype: str, name: str, body: dict[str, Any]) -> Iterator[Rule]:
    if rtype == "aws_security_group":
        for direction in ("ingress", "egress"):
            blocks = body.get(direction)
            for index, block in enumerate(blocks if isinstance(blocks, list) else [blocks] if blocks else []):
                if isinstance(block, dict):
                    yield Rule(
                        f"{direction}[{index}]",
                        direction,
                        str(block.get("protocol", "")),
                        _port(block.get("from_port")),
                        _port(block.get("to_port")),
                        _strings(block.get("cidr_blocks")) + _strings(block.get("ipv6_cidr_blocks")),
                        name,
                    )
    elif rtype == "aws_security_group_rule":
        yield Rule(
            "rule",
            str(body.get("type", "")),
            str(body.get("protocol", "")),
            _port(body.get("from_port")),
            _port(body.get("to_port")),
            _strings(body.get("cidr_blocks")) + _strings(body.get("ipv6_cidr_blocks")),
            referenced(body.get("security_group_id"), "aws_security_group"),
        )
    elif rtype in ("aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule"):
        yield Rule(
            "rule",
            "ingress" if rtype.endswith("ingress_rule") else "egress",
            str(body.get("ip_protocol", "")),
            _port(body.get("from_port")),
            _port(body.get("to_port")),
            _strings(body.get("cidr_ipv4")) + _strings(body.get("cidr_ipv6")),
            referenced(body.get("security_group_id"), "aws_security_group"),
        )


RULE_TYPES = (
    "aws_security_group",
    "aws_security_group_rule",
    "aws_vpc_security_group_ingress_rule",
    "aws_vpc_security_group_egress_rule",
)


# Ranges a VPC can use (RFC 1918, and RFC 6598 shared space as secondary CIDRs) and IPv6 unique local
# addresses. Python's is_private also counts documentation and benchmark ranges, which are public here.
_PRIVATE = tuple(ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7"))


def outside_private_ranges(cidr: str) -> bool:
    """A literal CIDR that is not inside the private ranges a VPC uses."""
    if "${" in cidr:
        return False  # known at apply only (the VPC's own CIDR, usually)
    try:
        network = ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return True
    return not any(network.version == p.version and network.subnet_of(p) for p in _PRIVATE)  # type: ignore[arg-type]


def _resources(stack: StackContext, rtype: str) -> dict[str, dict[str, Any]]:
    named = (stack.document.get("resource") or {}).get(rtype) or {}
    return {n: b for n, b in named.items() if isinstance(b, dict)} if isinstance(named, dict) else {}


def group_roles(stack: StackContext) -> dict[str, str]:
    """Security group name -> "database" or "function", from the resources that use the group."""
    roles: dict[str, str] = {}
    for rtype in ("aws_lambda_function",):
        for body in _resources(stack, rtype).values():
            for config in body.get("vpc_config") if isinstance(body.get("vpc_config"), list) else [body.get("vpc_config")]:
                if isinstance(config, dict):
                    for ref in _strings(config.get("security_group_ids")):
                        if (group := referenced(ref, "aws_security_group")) is not None:
                            roles[group] = "function"
    for rtype in ("aws_rds_cluster", "aws_db_instance", "aws_rds_cluster_instance", "aws_elasticache_replication_group"):
        for body in _resources(stack, rtype).values():
            for key in ("vpc_security_group_ids", "security_group_ids"):
                for ref in _strings(body.get(key)):
                    if (group := referenced(ref, "aws_security_group")) is not None:
                        roles[group] = "database"
    return roles


def database_route_tables(stack: StackContext) -> set[str]:
    """Route tables associated with a subnet of a DB subnet group."""
    subnets: set[str] = set()
    for rtype in ("aws_db_subnet_group", "aws_elasticache_subnet_group"):
        for body in _resources(stack, rtype).values():
            subnets |= {s for ref in _strings(body.get("subnet_ids")) if (s := referenced(ref, "aws_subnet")) is not None}
    tables = set()
    for body in _resources(stack, "aws_route_table_association").values():
        if referenced(body.get("subnet_id"), "aws_subnet") in subnets:
            table = referenced(body.get("route_table_id"), "aws_route_table")
            if table is not None:
                tables.add(table)
    return tables


def internet_target(route: dict[str, Any]) -> str | None:
    """What makes a route reach the internet: an internet gateway or a NAT gateway; None otherwise."""
    gateway = route.get("gateway_id")
    if isinstance(gateway, str) and (referenced(gateway, "aws_internet_gateway") or gateway.startswith("igw-")):
        return f"internet gateway {gateway}"
    for key in ("nat_gateway_id", "egress_only_gateway_id"):
        if isinstance(route.get(key), str) and route[key]:
            return f"{key.removesuffix('_id').replace('_', ' ')} {route[key]}"
    return None
