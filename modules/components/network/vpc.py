"""The VPC: three subnet tiers per zone, NAT, endpoints, flow logs and least-privilege security groups."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property

from constructs import Construct

from modules.components.network.layout import TIERS, Tier
from modules.components.network.settings import NetworkSettings
from modules.core.aws import (
    cloudwatch_log_group,
    default_network_acl,
    default_security_group,
    eip,
    flow_log,
    iam_role,
    iam_role_policy,
    internet_gateway,
    nat_gateway,
    route,
    route_table,
    route_table_association,
    security_group,
    subnet,
    vpc,
    vpc_endpoint,
    vpc_security_group_egress_rule,
    vpc_security_group_ingress_rule,
)
from modules.core.context import BuildContext
from modules.core.contributions import AlarmSpec, Contributions, OutputSpec
from modules.core.findings import accept
from modules.core.framework import TerraformResourceLifecycle
from modules.core.identity import AccountContext
from modules.core.kms import EncryptionKey, EncryptionKeyProps
from modules.core.logs import accept_short_retention
from modules.core.ports import NetworkPort, Parts, Ports

POSTGRES_PORT = 5432
HTTPS_PORT = 443
ANYWHERE = "0.0.0.0/0"

# Gateway endpoints cost nothing and keep S3 and DynamoDB traffic off the NAT
# gateways, whose per-GB processing charge would otherwise apply to it.
GATEWAY_ENDPOINT_SERVICES: tuple[str, ...] = ("s3", "dynamodb")


@dataclass(frozen=True)
class SubnetGroup:
    """The subnets of one tier, one per zone, in zone order."""

    tier: Tier
    subnets: tuple[subnet.Subnet, ...]

    @property
    def ids(self) -> list[str]:
        return list(self._ids)

    @cached_property
    def _ids(self) -> tuple[str, ...]:
        # Read once, as AccountContext reads its attributes (modules/core/identity.py).
        return tuple(s.id for s in self.subnets)


@dataclass(frozen=True)
class RouteTables:
    public: route_table.RouteTable
    private: tuple[route_table.RouteTable, ...]
    database: route_table.RouteTable

    @property
    def internal(self) -> list[route_table.RouteTable]:
        """Tables of the tiers that reach S3 and DynamoDB through gateway endpoints."""
        return [*self.private, self.database]


class Network(Construct):
    """A production VPC. Exposes subnet groups, route tables and security groups as objects."""

    def __init__(self, scope: Construct, id: str, *, ctx: BuildContext, settings: NetworkSettings) -> None:
        super().__init__(scope, id)
        self.settings = settings
        self.ctx = ctx
        self.name_prefix = prefix = ctx.name
        self.availability_zones = zones = settings.zones(ctx.region)
        subnets = settings.layout(ctx.region)
        account = ctx.account

        self.vpc = vpc.Vpc(
            self,
            "vpc",
            cidr_block=str(settings.vpc_cidr),
            enable_dns_support=True,
            # Interface endpoints with private DNS need DNS hostnames on.
            enable_dns_hostnames=True,
            tags={"Name": prefix},
        )

        # Adopting the default security group with no rule blocks removes every rule
        # it has: anything launched without an explicit group is then isolated.
        self.default_security_group = default_security_group.DefaultSecurityGroup(
            self, "default-security-group", vpc_id=self.vpc.id, tags={"Name": f"{prefix}-default-deny-all"}
        )

        self.internet_gateway = internet_gateway.InternetGateway(
            self, "internet-gateway", vpc_id=self.vpc.id, tags={"Name": prefix}
        )

        groups: dict[Tier, SubnetGroup] = {}
        for tier in TIERS:
            created = []
            for zone, cidr in zip(zones, subnets.tier(tier), strict=True):
                created.append(
                    subnet.Subnet(
                        self,
                        f"{tier}-{zone}",
                        vpc_id=self.vpc.id,
                        availability_zone=zone,
                        cidr_block=str(cidr),
                        # Public subnets too: an instance gets a public address only when
                        # someone asks for one, never by accident of placement.
                        map_public_ip_on_launch=False,
                        tags={"Name": f"{prefix}-{tier}-{zone}", "tier": tier},
                    )
                )
            groups[tier] = SubnetGroup(tier, tuple(created))
        self.public_subnets = groups["public"]
        self.private_subnets = groups["private"]
        self.database_subnets = groups["database"]

        self.nat_gateways: list[nat_gateway.NatGateway] = []
        self.nat_eips: list[eip.Eip] = []
        for index in range(settings.nat_gateways):
            zone = zones[index]
            address = eip.Eip(self, f"nat-eip-{zone}", domain="vpc", tags={"Name": f"{prefix}-nat-{zone}"})
            self.nat_eips.append(address)
            self.nat_gateways.append(
                nat_gateway.NatGateway(
                    self,
                    f"nat-{zone}",
                    allocation_id=address.allocation_id,
                    subnet_id=self.public_subnets.subnets[index].id,
                    connectivity_type="public",
                    tags={"Name": f"{prefix}-nat-{zone}"},
                    depends_on=[self.internet_gateway],
                )
            )

        public_table = route_table.RouteTable(self, "public-routes", vpc_id=self.vpc.id, tags={"Name": f"{prefix}-public"})
        route.Route(
            self,
            "public-default-route",
            route_table_id=public_table.id,
            destination_cidr_block=ANYWHERE,
            gateway_id=self.internet_gateway.id,
        )
        self._associate("public", public_table, self.public_subnets)

        private_tables = []
        for index, (zone, nat_index) in enumerate(zip(zones, settings.nat_zone_indexes(ctx.region), strict=True)):
            table = route_table.RouteTable(
                self, f"private-routes-{zone}", vpc_id=self.vpc.id, tags={"Name": f"{prefix}-private-{zone}"}
            )
            if nat_index is not None:
                route.Route(
                    self,
                    f"private-default-route-{zone}",
                    route_table_id=table.id,
                    destination_cidr_block=ANYWHERE,
                    nat_gateway_id=self.nat_gateways[nat_index].id,
                )
            route_table_association.RouteTableAssociation(
                self,
                f"private-{zone}-routes",
                subnet_id=self.private_subnets.subnets[index].id,
                route_table_id=table.id,
            )
            private_tables.append(table)

        # The database tier has a table of its own with no route at all besides the
        # implicit local one: no path to or from the internet, even by mistake.
        database_table = route_table.RouteTable(self, "database-routes", vpc_id=self.vpc.id, tags={"Name": f"{prefix}-database"})
        self._associate("database", database_table, self.database_subnets)
        self.route_tables = RouteTables(public_table, tuple(private_tables), database_table)

        self.default_network_acl = self._manage_default_network_acl()

        self.app_security_group = self._security_group(
            "app", "Application tier (Lambda in VPC, containers): egress to HTTPS and the database only"
        )
        self.database_security_group = self._security_group(
            "database", "Database tier: PostgreSQL from the application tier only; no egress"
        )
        # Only when there is an endpoint to put it on: an unattached group is clutter
        # that scanners rightly flag.
        self.endpoint_security_group = (
            self._security_group("endpoints", "Interface endpoints: HTTPS from inside the VPC only")
            if settings.interface_endpoints
            else None
        )
        self._wire_security_groups()

        self.gateway_endpoints = {
            service: vpc_endpoint.VpcEndpoint(
                self,
                f"gateway-endpoint-{service}",
                vpc_id=self.vpc.id,
                service_name=f"com.amazonaws.{account.region}.{service}",
                vpc_endpoint_type="Gateway",
                route_table_ids=[t.id for t in self.route_tables.internal],
                tags={"Name": f"{prefix}-{service}"},
            )
            for service in GATEWAY_ENDPOINT_SERVICES
        }
        self.interface_endpoints = {
            service: vpc_endpoint.VpcEndpoint(
                self,
                f"interface-endpoint-{service}",
                vpc_id=self.vpc.id,
                service_name=f"com.amazonaws.{account.region}.{service}",
                vpc_endpoint_type="Interface",
                private_dns_enabled=True,
                subnet_ids=self.private_subnets.ids,
                security_group_ids=[self.endpoint_security_group.id],  # type: ignore[union-attr]
                tags={"Name": f"{prefix}-{service}"},
            )
            for service in settings.interface_endpoints
        }

        self._flow_logs(account)

    def _associate(self, tier: str, table: route_table.RouteTable, group: SubnetGroup) -> None:
        for zone, member in zip(self.availability_zones, group.subnets, strict=True):
            route_table_association.RouteTableAssociation(
                self, f"{tier}-{zone}-routes", subnet_id=member.id, route_table_id=table.id
            )

    def _manage_default_network_acl(self) -> default_network_acl.DefaultNetworkAcl:
        """Bring the default NACL under Terraform with explicit, narrower rules.

        Security groups do the fine-grained work; the NACL is a coarse second layer.
        From the internet it admits only HTTPS and return traffic on ephemeral ports,
        so remote-administration ports stay closed even if a security group is opened by mistake.
        """
        vpc_cidr = str(self.settings.vpc_cidr)
        all_subnets = self.public_subnets.ids + self.private_subnets.ids + self.database_subnets.ids
        allow_in = default_network_acl.DefaultNetworkAclIngress
        ingress = [
            allow_in(rule_no=100, action="allow", protocol="-1", cidr_block=vpc_cidr, from_port=0, to_port=0),
            allow_in(rule_no=200, action="allow", protocol="tcp", cidr_block=ANYWHERE, from_port=HTTPS_PORT, to_port=HTTPS_PORT),
            # Return traffic of outbound connections (NAT uses 1024-65535). 3389 is cut out so that
            # RDP is never reachable from the internet through this rule.
            allow_in(rule_no=300, action="allow", protocol="tcp", cidr_block=ANYWHERE, from_port=1024, to_port=3388),
            allow_in(rule_no=310, action="allow", protocol="tcp", cidr_block=ANYWHERE, from_port=3390, to_port=65535),
            allow_in(rule_no=320, action="allow", protocol="udp", cidr_block=ANYWHERE, from_port=1024, to_port=65535),
            # ICMP "fragmentation needed" keeps path MTU discovery working.
            allow_in(rule_no=400, action="allow", protocol="icmp", cidr_block=ANYWHERE, from_port=0, to_port=0, icmp_type=3, icmp_code=4),
        ]  # fmt: skip
        egress = [
            default_network_acl.DefaultNetworkAclEgress(
                rule_no=100, action="allow", protocol="-1", cidr_block=ANYWHERE, from_port=0, to_port=0
            )
        ]
        return default_network_acl.DefaultNetworkAcl(
            self,
            "default-network-acl",
            default_network_acl_id=self.vpc.default_network_acl_id,
            subnet_ids=all_subnets,
            ingress=ingress,
            egress=egress,
            tags={"Name": f"{self.name_prefix}-default"},
        )

    def _security_group(self, role: str, description: str) -> security_group.SecurityGroup:
        # No inline rules: every rule is its own resource with a description, so a
        # change to one rule never replaces the others.
        return security_group.SecurityGroup(
            self,
            f"{role}-security-group",
            name=f"{self.name_prefix}-{role}",
            description=description,
            vpc_id=self.vpc.id,
            tags={"Name": f"{self.name_prefix}-{role}"},
            lifecycle=TerraformResourceLifecycle(create_before_destroy=True),
        )

    def _wire_security_groups(self) -> None:
        app, database = self.app_security_group, self.database_security_group
        vpc_security_group_ingress_rule.VpcSecurityGroupIngressRule(
            self,
            "database-from-app",
            security_group_id=database.id,
            referenced_security_group_id=app.id,
            ip_protocol="tcp",
            from_port=POSTGRES_PORT,
            to_port=POSTGRES_PORT,
            description="PostgreSQL from the application tier",
        )
        vpc_security_group_egress_rule.VpcSecurityGroupEgressRule(
            self,
            "app-to-database",
            security_group_id=app.id,
            referenced_security_group_id=database.id,
            ip_protocol="tcp",
            from_port=POSTGRES_PORT,
            to_port=POSTGRES_PORT,
            description="PostgreSQL to the database tier",
        )
        vpc_security_group_egress_rule.VpcSecurityGroupEgressRule(
            self,
            "app-to-https",
            security_group_id=app.id,
            cidr_ipv4=ANYWHERE,
            ip_protocol="tcp",
            from_port=HTTPS_PORT,
            to_port=HTTPS_PORT,
            description="HTTPS to AWS APIs (endpoints or NAT) and external services",
        )
        if self.endpoint_security_group is None:
            return
        vpc_security_group_ingress_rule.VpcSecurityGroupIngressRule(
            self,
            "endpoints-from-vpc",
            security_group_id=self.endpoint_security_group.id,
            cidr_ipv4=str(self.settings.vpc_cidr),
            ip_protocol="tcp",
            from_port=HTTPS_PORT,
            to_port=HTTPS_PORT,
            description="HTTPS from inside the VPC to the interface endpoints",
        )

    def _flow_logs(self, account: AccountContext) -> None:
        prefix = self.name_prefix
        protection = self.ctx.protection
        group_name = f"/aws/vpc-flow-logs/{prefix}"
        self.flow_log_key = EncryptionKey(
            self,
            "flow-log-key",
            account=account,
            props=EncryptionKeyProps(
                alias=f"{prefix}-flow-logs",
                description=f"Encrypts the VPC flow logs of {prefix}",
                log_group_names=(group_name,),
                deletion_window_in_days=protection.key_deletion_window_days,
                prevent_destroy=protection.retain_on_destroy,
            ),
        )
        self.flow_log_group = cloudwatch_log_group.CloudwatchLogGroup(
            self,
            "flow-log-group",
            name=group_name,
            retention_in_days=self.settings.flow_log_retention_days,
            kms_key_id=self.flow_log_key.arn,
        )
        accept_short_retention(self.flow_log_group, self.settings.flow_log_retention_days, "VPC flow logs")
        role = iam_role.IamRole(
            self,
            "flow-log-role",
            name=f"{prefix}-vpc-flow-logs",
            description="Lets VPC Flow Logs deliver to this VPC's log group and nowhere else",
            assume_role_policy=account.assume_role_policy(
                "vpc-flow-logs.amazonaws.com", source_arn=account.arn("ec2", "vpc-flow-log/*")
            ),
        )
        iam_role_policy.IamRolePolicy(
            self,
            "flow-log-delivery",
            name="deliver-to-flow-log-group",
            role=role.id,
            policy=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "WriteThisGroupOnly",
                            "Effect": "Allow",
                            "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                            "Resource": [
                                self.flow_log_group.arn,
                                f"{self.flow_log_group.arn}:log-stream:*",
                            ],
                        }
                    ],
                }
            ),
        )
        self.flow_log_role = role
        self.flow_log = flow_log.FlowLog(
            self,
            "flow-log",
            vpc_id=self.vpc.id,
            traffic_type=self.settings.flow_log_traffic_type,
            log_destination_type="cloud-watch-logs",
            log_destination=self.flow_log_group.arn,
            iam_role_arn=role.arn,
            # One-minute aggregation: incidents are investigated by the minute, and the
            # price is per GB ingested, not per record interval.
            max_aggregation_interval=60,
            tags={"Name": prefix},
        )


def build(scope: Construct, ctx: BuildContext, settings: NetworkSettings, ports: Ports, parts: Parts) -> Contributions:
    """The "vpc" variant: the network, its port, its outputs and the NAT alarms."""
    network = Network(scope, "network", ctx=ctx, settings=settings)
    ports.network = NetworkPort(
        vpc=network.vpc,
        availability_zones=network.availability_zones,
        private_subnet_ids=network.private_subnets.ids,
        database_subnet_ids=network.database_subnets.ids,
        app_security_group_id=network.app_security_group.id,
        database_security_group_id=network.database_security_group.id,
    )
    groups = {"app": network.app_security_group, "database": network.database_security_group}

    def accept_unattached_groups() -> None:
        for role, users in ports.network.security_group_users.items():  # type: ignore[union-attr]
            if not users:
                accept(
                    groups[role],
                    check="CKV2_AWS_5",
                    pin={},
                    reason=f"The {role} tier's security group exists so that the other tier's rules can reference it; nothing in this environment runs in the {role} tier yet.",
                )

    ports.finalizers.append(accept_unattached_groups)
    made = Contributions()
    made.outputs.append(OutputSpec(name="vpc_id", value=network.vpc.id, description="VPC id"))
    for group in (network.public_subnets, network.private_subnets, network.database_subnets):
        made.outputs.append(
            OutputSpec(name=f"{group.tier}_subnet_ids", value=group.ids, description=f"{group.tier} subnet ids, in zone order")
        )
    made.outputs += [
        OutputSpec(
            name="app_security_group_id", value=network.app_security_group.id, description="application tier security group"
        ),
        OutputSpec(
            name="database_security_group_id",
            value=network.database_security_group.id,
            description="database tier security group",
        ),
        OutputSpec(
            name="nat_gateway_ids",
            value=[nat.id for nat in network.nat_gateways],
            description="NAT gateway ids, in zone order (empty without NAT)",
        ),
    ]
    for zone, nat in zip(network.availability_zones, network.nat_gateways, strict=False):
        gateway = {"NatGatewayId": nat.id}
        made.alarms.append(
            AlarmSpec(
                name=f"nat-{zone}-port-allocation",
                namespace="AWS/NATGateway",
                metric="ErrorPortAllocation",
                dimensions=gateway,
                threshold=1,
                what="port allocation errors",
            )
        )
        made.alarms.append(
            AlarmSpec(
                name=f"nat-{zone}-packets-dropped",
                namespace="AWS/NATGateway",
                metric="PacketsDropCount",
                dimensions=gateway,
                threshold=settings.alarm_nat_packets_dropped,
                what="dropped packets",
            )
        )
    return made
