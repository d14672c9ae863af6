"""The network as synthesized: read from the JSON, one behaviour per test."""

from __future__ import annotations

import json
from ipaddress import IPv4Network

import pytest

from tests.conftest import NAT_VARIANTS, Stack

ZONES = ("eu-central-1a", "eu-central-1b", "eu-central-1c")


def _zone_of_nat(stack: Stack, nat_ref: str) -> str:
    nat = stack.deref(nat_ref)
    return stack.deref(nat["subnet_id"])["availability_zone"]


def _private_routes(stack: Stack) -> dict[str, str | None]:
    """zone of each private route table -> zone of the NAT its default route uses (None: no route)."""
    tables = stack.of_type("aws_route_table")
    routes = stack.of_type("aws_route")
    result: dict[str, str | None] = {}
    for name, table in tables.items():
        label = table["tags"]["Name"]
        if "-private-" not in label:
            continue
        zone = label.rsplit("-private-", 1)[1]
        default = [
            r for r in routes.values()
            if Stack.ref_name(r["route_table_id"]) == name and r["destination_cidr_block"] == "0.0.0.0/0"
        ]  # fmt: skip
        assert len(default) <= 1
        result[zone] = _zone_of_nat(stack, default[0]["nat_gateway_id"]) if default else None
    return result


def test_prod_has_one_vpc_with_dns_support_and_hostnames(prod: Stack) -> None:
    vpc = prod.one("aws_vpc")
    assert vpc["cidr_block"] == "10.0.0.0/16"
    assert vpc["enable_dns_support"] is True
    assert vpc["enable_dns_hostnames"] is True


def test_prod_subnets_follow_the_seed_layout(prod: Stack) -> None:
    subnets = prod.of_type("aws_subnet").values()
    assert len(subnets) == 9
    by_tier: dict[str, list[tuple[str, str]]] = {}
    for s in subnets:
        by_tier.setdefault(s["tags"]["tier"], []).append((s["availability_zone"], s["cidr_block"]))
    assert sorted(by_tier["public"]) == list(zip(ZONES, ["10.0.1.0/24", "10.0.2.0/24", "10.0.3.0/24"], strict=True))
    assert sorted(by_tier["private"]) == list(zip(ZONES, ["10.0.11.0/24", "10.0.12.0/24", "10.0.13.0/24"], strict=True))
    assert sorted(by_tier["database"]) == list(zip(ZONES, ["10.0.21.0/24", "10.0.22.0/24", "10.0.23.0/24"], strict=True))


def test_no_subnet_maps_public_ips_on_launch(prod: Stack, dev: Stack) -> None:
    for stack in (prod, dev):
        assert all(s["map_public_ip_on_launch"] is False for s in stack.of_type("aws_subnet").values())


def test_prod_has_a_nat_gateway_with_its_own_eip_in_each_zone(prod: Stack) -> None:
    nats = prod.of_type("aws_nat_gateway").values()
    assert len(nats) == 3
    allocations = {n["allocation_id"] for n in nats}
    assert len(allocations) == 3
    assert all(prod.deref(a)["domain"] == "vpc" for a in allocations)
    assert sorted(prod.deref(n["subnet_id"])["tags"]["tier"] for n in nats) == ["public"] * 3
    assert len(prod.of_type("aws_eip")) == 3


def test_internet_gateway_is_the_public_default_route(prod: Stack) -> None:
    igw_name = next(iter(prod.of_type("aws_internet_gateway")))
    public = [r for r in prod.of_type("aws_route").values() if "gateway_id" in r]
    assert len(public) == 1
    assert public[0]["destination_cidr_block"] == "0.0.0.0/0"
    assert Stack.ref_name(public[0]["gateway_id"]) == igw_name
    assert prod.deref(public[0]["route_table_id"])["tags"]["Name"] == "filehub-prod-public"


@pytest.mark.parametrize(
    ("variant", "expected"),
    [
        ("nat0", {"eu-central-1a": None, "eu-central-1b": None, "eu-central-1c": None}),
        ("nat1", {"eu-central-1a": "eu-central-1a", "eu-central-1b": "eu-central-1a", "eu-central-1c": "eu-central-1a"}),
        ("nat2", {"eu-central-1a": "eu-central-1a", "eu-central-1b": "eu-central-1b", "eu-central-1c": "eu-central-1a"}),
        ("nat3", {"eu-central-1a": "eu-central-1a", "eu-central-1b": "eu-central-1b", "eu-central-1c": "eu-central-1c"}),
    ],
)
def test_private_subnets_route_to_the_nat_in_their_zone_or_spread(
    synthesized: dict[str, Stack], variant: str, expected: dict[str, str | None]
) -> None:
    stack = synthesized[variant]
    assert len(stack.of_type("aws_nat_gateway")) == NAT_VARIANTS[variant]
    assert len(stack.of_type("aws_eip")) == NAT_VARIANTS[variant]
    assert _private_routes(stack) == expected


def test_a_zone_without_a_nat_uses_the_one_its_settings_name(synthesized: dict[str, Stack]) -> None:
    # Only the third zone's route differs from the spread of nat2: no other address changes.
    assert _private_routes(synthesized["nat2b"]) == {
        "eu-central-1a": "eu-central-1a",
        "eu-central-1b": "eu-central-1b",
        "eu-central-1c": "eu-central-1b",
    }
    assert sorted(synthesized["nat2b"].of_type("aws_route")) == sorted(synthesized["nat2"].of_type("aws_route"))


def test_each_private_subnet_uses_the_route_table_of_its_zone(prod: Stack) -> None:
    for assoc in prod.of_type("aws_route_table_association").values():
        sub = prod.deref(assoc["subnet_id"])
        table = prod.deref(assoc["route_table_id"])
        if sub["tags"]["tier"] == "private":
            assert table["tags"]["Name"] == f"filehub-prod-private-{sub['availability_zone']}"
        else:
            assert table["tags"]["Name"] == f"filehub-prod-{sub['tags']['tier']}"


def test_database_route_table_has_no_route_at_all(prod: Stack) -> None:
    tables = prod.by_name_tag("aws_route_table")
    db_name = next(n for n, t in prod.of_type("aws_route_table").items() if t is tables["filehub-prod-database"])
    assert "route" not in tables["filehub-prod-database"]
    assert [r for r in prod.of_type("aws_route").values() if Stack.ref_name(r["route_table_id"]) == db_name] == []
    associated = [
        prod.deref(a["subnet_id"])["tags"]["tier"]
        for a in prod.of_type("aws_route_table_association").values()
        if Stack.ref_name(a["route_table_id"]) == db_name
    ]
    assert associated == ["database"] * 3


def test_default_security_group_is_adopted_without_rules(prod: Stack) -> None:
    group = prod.one("aws_default_security_group")
    assert group["vpc_id"].startswith("${aws_vpc.")
    assert "ingress" not in group and "egress" not in group


def test_default_network_acl_is_managed_and_closes_remote_admin_ports(prod: Stack) -> None:
    acl = prod.one("aws_default_network_acl")
    assert acl["default_network_acl_id"].endswith(".default_network_acl_id}")
    assert len(acl["subnet_ids"]) == 9
    from_internet = [r for r in acl["ingress"] if r["cidr_block"] == "0.0.0.0/0" and r["action"] == "allow"]
    for port in (22, 3389):
        assert not any(r["from_port"] <= port <= r["to_port"] and r["protocol"] in ("tcp", "-1") for r in from_internet)
    assert any(r["protocol"] == "tcp" and r["from_port"] == 443 for r in from_internet)


def test_flow_log_goes_to_a_kms_encrypted_log_group_with_retention(prod: Stack, dev: Stack) -> None:
    for stack, days in ((prod, 365), (dev, 14)):
        log = stack.one("aws_flow_log")
        group = stack.deref(log["log_destination"])
        assert log["traffic_type"] == "ALL"
        assert log["log_destination_type"] == "cloud-watch-logs"
        assert group["retention_in_days"] == days
        key = stack.deref(group["kms_key_id"])
        assert key["enable_key_rotation"] is True


def test_flow_log_key_policy_admits_only_this_log_group(prod: Stack) -> None:
    group = prod.deref(prod.one("aws_flow_log")["log_destination"])
    key = prod.deref(group["kms_key_id"])
    statements = json.loads(key["policy"])["Statement"]
    logs = next(s for s in statements if s["Sid"] == "CloudWatchLogsForNamedGroups")
    assert logs["Principal"] == {"Service": "logs.eu-central-1.amazonaws.com"}
    (arn,) = logs["Condition"]["ArnEquals"]["kms:EncryptionContext:aws:logs:arn"]
    assert arn.endswith(":log-group:/aws/vpc-flow-logs/filehub-prod")


def test_flow_log_role_can_write_only_its_log_group(prod: Stack) -> None:
    role_ref = prod.one("aws_flow_log")["iam_role_arn"]
    role = prod.deref(role_ref)
    trust = json.loads(role["assume_role_policy"])["Statement"][0]
    assert trust["Principal"] == {"Service": "vpc-flow-logs.amazonaws.com"}
    assert "aws:SourceAccount" in trust["Condition"]["StringEquals"]
    (attached,) = [
        p for p in prod.of_type("aws_iam_role_policy").values() if Stack.ref_name(p["role"]) == Stack.ref_name(role_ref)
    ]
    policy = json.loads(attached["policy"])
    (statement,) = policy["Statement"]
    assert statement["Action"] == ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
    group = Stack.ref_name(prod.one("aws_flow_log")["log_destination"])
    assert statement["Resource"] == [
        f"${{aws_cloudwatch_log_group.{group}.arn}}",
        f"${{aws_cloudwatch_log_group.{group}.arn}}:log-stream:*",
    ]


def test_gateway_endpoints_serve_private_and_database_route_tables(prod: Stack) -> None:
    endpoints = {e["service_name"]: e for e in prod.of_type("aws_vpc_endpoint").values()}
    tables = {n: t["tags"]["Name"] for n, t in prod.of_type("aws_route_table").items()}
    for service in ("s3", "dynamodb"):
        endpoint = endpoints[f"com.amazonaws.eu-central-1.{service}"]
        assert endpoint["vpc_endpoint_type"] == "Gateway"
        served = sorted(tables[Stack.ref_name(r)] for r in endpoint["route_table_ids"])
        assert served == ["filehub-prod-database"] + [f"filehub-prod-private-{z}" for z in ZONES]


def test_prod_interface_endpoints_are_private_dns_in_private_subnets(prod: Stack) -> None:
    interface = [e for e in prod.of_type("aws_vpc_endpoint").values() if e["vpc_endpoint_type"] == "Interface"]
    assert sorted(e["service_name"].rsplit(".", 1)[1] for e in interface) == ["kms", "logs", "rds-data", "secretsmanager"]
    for endpoint in interface:
        assert endpoint["private_dns_enabled"] is True
        assert sorted(prod.deref(s)["tags"]["tier"] for s in endpoint["subnet_ids"]) == ["private"] * 3
        (group_ref,) = endpoint["security_group_ids"]
        assert prod.deref(group_ref)["name"] == "filehub-prod-endpoints"


def test_dev_has_no_interface_endpoints_nor_their_security_group(dev: Stack) -> None:
    assert [e for e in dev.of_type("aws_vpc_endpoint").values() if e["vpc_endpoint_type"] == "Interface"] == []
    assert sorted(g["name"] for g in dev.of_type("aws_security_group").values()) == ["filehub-dev-app", "filehub-dev-database"]


def _rules(stack: Stack, rtype: str) -> list[tuple[str, str, int, int, str]]:
    out = []
    for rule in stack.of_type(rtype).values():
        group = stack.deref(rule["security_group_id"])["name"]
        peer = (
            stack.deref(rule["referenced_security_group_id"])["name"]
            if "referenced_security_group_id" in rule
            else rule["cidr_ipv4"]
        )
        assert rule["description"], "every rule carries a description"
        out.append((group, peer, rule["from_port"], rule["to_port"], rule["ip_protocol"]))
    return sorted(out)


def test_security_group_rules_are_least_privilege(prod: Stack) -> None:
    assert _rules(prod, "aws_vpc_security_group_ingress_rule") == [
        ("filehub-prod-database", "filehub-prod-app", 5432, 5432, "tcp"),
        ("filehub-prod-endpoints", "10.0.0.0/16", 443, 443, "tcp"),
    ]
    assert _rules(prod, "aws_vpc_security_group_egress_rule") == [
        ("filehub-prod-app", "0.0.0.0/0", 443, 443, "tcp"),
        ("filehub-prod-app", "filehub-prod-database", 5432, 5432, "tcp"),
    ]


def test_security_groups_have_no_inline_rules(prod: Stack) -> None:
    for group in prod.of_type("aws_security_group").values():
        assert "ingress" not in group and "egress" not in group
        assert group["description"]


def test_subnets_are_inside_the_vpc_and_disjoint(prod: Stack) -> None:
    blocks = [IPv4Network(s["cidr_block"]) for s in prod.of_type("aws_subnet").values()]
    vpc = IPv4Network(prod.one("aws_vpc")["cidr_block"])
    assert all(b.subnet_of(vpc) for b in blocks)
    assert all(not a.overlaps(b) for i, a in enumerate(blocks) for b in blocks[i + 1 :])
