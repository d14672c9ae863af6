"""FND_NET_2: database ports reachable from addresses outside the private ranges."""

from __future__ import annotations

from typing import Any

from _network import DATABASE_PORTS, RULE_TYPES, outside_private_ranges, rules
from _support import FoundationCheck, StackContext


class NetworkDatabasePorts(FoundationCheck):
    check_id = "FND_NET_2"
    summary = "Database ports must be reachable only from inside the VPC (a security group or a private CIDR)"
    why = "a database port open to public addresses exposes the engine's authentication to password spraying and its CVEs"
    fix = "admit the application's security group (referenced_security_group_id) or the VPC CIDR on the database port"
    resource_types = RULE_TYPES

    def problems(self, rtype: str, body: dict[str, Any], stack: StackContext) -> list[str]:
        name = self.entity_path.rsplit(":", 1)[-1]
        problems = []
        for rule in rules(rtype, name, body):
            if rule.direction != "ingress":
                continue
            ports = [p for p in DATABASE_PORTS if rule.covers(p)]
            public = sorted(c for c in rule.cidrs if outside_private_ranges(c))
            if ports and public:
                problems.append(
                    f"{rule.label} admits database port{'s' if len(ports) > 1 else ''} "
                    f"{', '.join(map(str, ports))} from {', '.join(public)}, outside the private ranges"
                )
        return problems


check = NetworkDatabasePorts()
