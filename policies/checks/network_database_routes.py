"""FND_NET_4: database subnets have no route to an internet or NAT gateway."""

from __future__ import annotations

from typing import Any

from _network import database_route_tables, internet_target, referenced
from _support import FoundationCheck, StackContext


class NetworkDatabaseRoutes(FoundationCheck):
    check_id = "FND_NET_4"
    summary = "Route tables of database subnets must not route to an internet gateway or a NAT gateway"
    why = "the network construct promises isolated database subnets; a default route there lets a compromised database reach out"
    fix = "keep database subnets on their own route table with local routes (and gateway endpoints) only"
    resource_types = ("aws_route", "aws_route_table")

    def problems(self, rtype: str, body: dict[str, Any], stack: StackContext) -> list[str]:
        name = self.entity_path.rsplit(":", 1)[-1]
        tables = database_route_tables(stack)
        if rtype == "aws_route":
            table = referenced(body.get("route_table_id"), "aws_route_table")
            target = internet_target(body)
            if table in tables and target:
                return [
                    f"route in database route table {table} to {body.get('destination_cidr_block') or body.get('destination_ipv6_cidr_block')} via {target}"
                ]
            return []
        if name not in tables:
            return []
        routes = body.get("route")
        problems = []
        for index, route in enumerate(routes if isinstance(routes, list) else [routes] if routes else []):
            if isinstance(route, dict) and (target := internet_target(route)):
                problems.append(
                    f"route[{index}] of this database route table goes to {route.get('cidr_block') or route.get('ipv6_cidr_block')} via {target}"
                )
        return problems


check = NetworkDatabaseRoutes()
