"""The public Route 53 zone (variant "route53"): created here, signed and logged, or an existing one found by name."""

from __future__ import annotations

import json

from constructs import Construct

from modules.components.dns.settings import DnsSettings
from modules.core.aws import (
    cloudwatch_log_group,
    cloudwatch_log_resource_policy,
    data_aws_route53_zone,
    route53_hosted_zone_dnssec,
    route53_key_signing_key,
    route53_query_log,
    route53_record,
    route53_zone,
)
from modules.core.context import BuildContext
from modules.core.contributions import Contributions, OutputSpec
from modules.core.findings import accept
from modules.core.framework import TerraformResourceLifecycle
from modules.core.kms import EncryptionKey, EncryptionKeyProps
from modules.core.logs import accept_short_retention
from modules.core.ports import DnsPort, Parts, Ports

# Route 53 writes query logs only to log groups in us-east-1 (Route 53 Developer Guide,
# "Public DNS query logging"), and the DNSSEC signing key must be there too ("Working with
# customer managed keys for DNSSEC").
QUERY_LOG_PREFIX = "/aws/route53"
# CAA records change rarely; an hour keeps a correction quick without many queries.
CAA_TTL_SECONDS = 3600


class Dns(Construct):
    """The zone, and for a zone created here its DNSSEC signing, query logging and CAA records."""

    def __init__(self, scope: Construct, id: str, *, ctx: BuildContext, settings: DnsSettings) -> None:
        super().__init__(scope, id)
        self.settings = settings
        self.ctx = ctx
        self.zone: route53_zone.Route53Zone | None = None
        self.key_signing_key: route53_key_signing_key.Route53KeySigningKey | None = None
        if not settings.create_zone:
            found = data_aws_route53_zone.DataAwsRoute53Zone(self, "zone", name=settings.zone_name, private_zone=False)
            self.zone_id = found.zone_id
            return
        zone = route53_zone.Route53Zone(
            self,
            "zone",
            name=settings.zone_name,
            comment=f"{ctx.name}: public zone",
            # Deleting a zone that still holds records is refused; a production zone is
            # kept even when the stack is destroyed (the domain's delegation points at it).
            force_destroy=False,
            lifecycle=TerraformResourceLifecycle(prevent_destroy=ctx.protection.retain_on_destroy),
        )
        self.zone = zone
        self.zone_id = zone.zone_id
        if settings.dnssec:
            self._dnssec(zone)
        else:
            accept(
                zone,
                check="CKV2_AWS_38",
                pin={},
                reason="dns.dnssec = false in the environment file: the zone is not signed (reported as a risk).",
            )
        if settings.query_logging:
            self._query_logging(zone)
        else:
            accept(
                zone,
                check="CKV2_AWS_39",
                pin={},
                reason="dns.query_logging = false in the environment file: DNS queries are not logged (reported as a risk).",
            )
        if settings.caa_issuers:
            route53_record.Route53Record(
                self,
                "caa",
                zone_id=zone.zone_id,
                name=settings.zone_name,
                type="CAA",
                ttl=CAA_TTL_SECONDS,
                records=[f'0 issue "{issuer}"' for issuer in settings.caa_issuers],
            )

    def _dnssec(self, zone: route53_zone.Route53Zone) -> None:
        ctx = self.ctx
        account = ctx.account
        key = EncryptionKey(
            self,
            "dnssec-key",
            account=account,
            provider=ctx.us_east_1,
            region="us-east-1",
            props=EncryptionKeyProps(
                alias=f"{ctx.name}-dnssec",
                description=f"Signs the DNSSEC records of {self.settings.zone_name}",
                deletion_window_in_days=ctx.protection.key_deletion_window_days,
                prevent_destroy=ctx.protection.retain_on_destroy,
                signing_key_spec="ECC_NIST_P256",
            ),
        )
        # Route 53's DNSSEC service signs with the key, for zones of this account only
        # (Route 53 Developer Guide, "Customer managed key policy for DNSSEC").
        source = {
            "StringEquals": {"aws:SourceAccount": account.account_id},
            "ArnLike": {"aws:SourceArn": f"arn:{account.partition}:route53:::hostedzone/*"},
        }
        key.add_to_key_policy(
            {
                "Sid": "Route53DnssecSigns",
                "Effect": "Allow",
                "Principal": {"Service": "dnssec-route53.amazonaws.com"},
                "Action": ["kms:DescribeKey", "kms:GetPublicKey", "kms:Sign"],
                "Resource": "*",
                "Condition": source,
            }
        )
        key.add_to_key_policy(
            {
                "Sid": "Route53DnssecGrant",
                "Effect": "Allow",
                "Principal": {"Service": "dnssec-route53.amazonaws.com"},
                "Action": "kms:CreateGrant",
                "Resource": "*",
                "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}},
            }
        )
        self.key_signing_key = route53_key_signing_key.Route53KeySigningKey(
            self,
            "key-signing-key",
            hosted_zone_id=zone.id,
            key_management_service_arn=key.arn,
            name="ksk1",
            status="ACTIVE",
        )
        route53_hosted_zone_dnssec.Route53HostedZoneDnssec(
            self,
            "dnssec",
            hosted_zone_id=self.key_signing_key.hosted_zone_id,
            signing_status="SIGNING",
            depends_on=[self.key_signing_key],
        )

    def _query_logging(self, zone: route53_zone.Route53Zone) -> None:
        ctx = self.ctx
        account = ctx.account
        group_name = f"{QUERY_LOG_PREFIX}/{self.settings.zone_name}"
        key = EncryptionKey(
            self,
            "query-log-key",
            account=account,
            provider=ctx.us_east_1,
            region="us-east-1",
            props=EncryptionKeyProps(
                alias=f"{ctx.name}-dns-query-logs",
                description=f"Encrypts the DNS query logs of {self.settings.zone_name}",
                log_group_names=(group_name,),
                deletion_window_in_days=ctx.protection.key_deletion_window_days,
                prevent_destroy=ctx.protection.retain_on_destroy,
            ),
        )
        days = self.settings.query_log_retention_days
        group = cloudwatch_log_group.CloudwatchLogGroup(
            self,
            "query-logs",
            provider=ctx.us_east_1,
            name=group_name,
            retention_in_days=days,
            kms_key_id=key.arn,
        )
        accept_short_retention(group, days, "The zone's DNS query logs")
        # Route 53 writes through a resource policy of CloudWatch Logs, for this account's zones only.
        policy = cloudwatch_log_resource_policy.CloudwatchLogResourcePolicy(
            self,
            "query-log-policy",
            provider=ctx.us_east_1,
            policy_name=f"{ctx.name}-route53-query-logs",
            policy_document=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "Route53WritesQueryLogs",
                            "Effect": "Allow",
                            "Principal": {"Service": "route53.amazonaws.com"},
                            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                            "Resource": account.arn("logs", f"log-group:{group_name}:*", region="us-east-1"),
                            "Condition": {
                                "StringEquals": {"aws:SourceAccount": account.account_id},
                                "ArnLike": {"aws:SourceArn": f"arn:{account.partition}:route53:::hostedzone/*"},
                            },
                        }
                    ],
                }
            ),
        )
        route53_query_log.Route53QueryLog(
            self,
            "query-log",
            zone_id=zone.zone_id,
            cloudwatch_log_group_arn=group.arn,
            depends_on=[policy],
        )


def build(scope: Construct, ctx: BuildContext, settings: DnsSettings, ports: Ports, parts: Parts) -> Contributions:
    """The "route53" variant: the zone, its port and outputs, and the protections turned off as risks."""
    dns = Dns(scope, "dns", ctx=ctx, settings=settings)
    ports.dns = DnsPort(zone_id=dns.zone_id, zone_name=settings.zone_name)
    made = Contributions()
    made.outputs.append(OutputSpec(name="dns_zone_id", value=dns.zone_id, description=f"Route 53 zone of {settings.zone_name}"))
    if dns.zone is not None:
        made.outputs.append(
            OutputSpec(
                name="dns_name_servers",
                value=dns.zone.name_servers,
                description="name servers to delegate the domain to at its registrar",
            )
        )
    if dns.key_signing_key is not None:
        made.outputs.append(
            OutputSpec(
                name="dnssec_ds_record",
                value=dns.key_signing_key.ds_record,
                description="the DS record to add at the registrar to complete the DNSSEC chain of trust",
            )
        )
    return made
