"""FND_NET_1: ingress from the whole internet on anything but HTTP and HTTPS, in every rule form."""

from __future__ import annotations

from typing import Any

from _network import INTERNET, RULE_TYPES, rules
from _support import FoundationCheck, StackContext


class NetworkInternetIngress(FoundationCheck):
    check_id = "FND_NET_1"
    summary = "Security groups must not admit 0.0.0.0/0 or ::/0 except on TCP 80 and 443"
    why = (
        "an open SSH, database or all-protocol rule is found by scanners within minutes; Checkov's port checks miss "
        "aws_vpc_security_group_ingress_rule with ip_protocol -1"
    )
    fix = "admit the internet on 80/443 only (better: only through the load balancer or CloudFront); use the VPC CIDR or a security group for the rest"
    resource_types = RULE_TYPES

    def problems(self, rtype: str, body: dict[str, Any], stack: StackContext) -> list[str]:
        name = self.entity_path.rsplit(":", 1)[-1]
        problems = []
        for rule in rules(rtype, name, body):
            if rule.direction != "ingress":
                continue
            for cidr in sorted(set(rule.cidrs) & set(INTERNET)):
                if rule.all_protocols:
                    problems.append(f"{rule.label} admits every protocol and port (protocol -1) from {cidr}")
                elif not rule.web_only:
                    problems.append(
                        f"{rule.label} admits {rule.ports()} from {cidr}; only TCP 80 and 443 may be open to the internet"
                    )
        return problems


check = NetworkInternetIngress()
