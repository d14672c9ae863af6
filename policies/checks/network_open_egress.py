"""FND_NET_3: unrestricted egress from database and function security groups."""

from __future__ import annotations

from typing import Any

from _network import RULE_TYPES, group_roles, outside_private_ranges, rules
from _support import FoundationCheck, StackContext


class NetworkOpenEgress(FoundationCheck):
    check_id = "FND_NET_3"
    summary = "Database groups must have no egress to the internet; function groups no all-port egress to it"
    why = (
        "egress is how stolen data leaves: a database never opens connections to the internet, and a function "
        "needs HTTPS, not every port"
    )
    fix = "remove the database group's egress rule; give function groups TCP 443 (and the database port to its group) only"
    resource_types = RULE_TYPES

    def problems(self, rtype: str, body: dict[str, Any], stack: StackContext) -> list[str]:
        name = self.entity_path.rsplit(":", 1)[-1]
        roles = group_roles(stack)
        problems = []
        for rule in rules(rtype, name, body):
            role = roles.get(rule.group or "")
            if rule.direction != "egress" or role is None:
                continue
            public = sorted(c for c in rule.cidrs if outside_private_ranges(c))
            if not public:
                continue
            if role == "database":
                problems.append(f"{rule.label} lets the database group {rule.group} reach {', '.join(public)} on {rule.ports()}")
            elif rule.every_port:
                problems.append(f"{rule.label} lets the function group {rule.group} reach {', '.join(public)} on {rule.ports()}")
        return problems


check = NetworkOpenEgress()
