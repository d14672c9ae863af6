"""Every component, in build order: what it is called (its `[components]` key, its
section and its construct id), its variants, what it needs, and what it declares.

By default an environment is the secure baseline: the network, storage (the
access-log bucket and key the audit trail needs), the audit trail and monitoring;
the application's parts are chosen in `[components]`.

Later components may add statements to earlier ones' policies (the CDN to the storage
key, the audit baseline to the log bucket), and monitoring comes last because it turns
everyone's contributions into alarms and a dashboard. Adding a variant is one entry here
and a folder beside the others; nothing else in modules/ changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from modules.components.api.settings import ApiSettings, FunctionSettings, SecretSettings
from modules.components.audit.settings import AuditSettings
from modules.components.cdn.settings import CdnSettings
from modules.components.database.rds_settings import RdsPostgresqlSettings
from modules.components.database.settings import AuroraPostgresqlSettings
from modules.components.dns.settings import DnsSettings
from modules.components.email.settings import EmailSettings
from modules.components.metadata_table.settings import MetadataTableSettings
from modules.components.monitoring.settings import MonitoringSettings
from modules.components.network.settings import NetworkSettings
from modules.components.storage.settings import BucketSettings, StorageSettings
from modules.core.settings import ComponentSettings, Settings

OFF = "none"


@dataclass(frozen=True, kw_only=True)
class Variant:
    """settings: the section's model. builder: "module:function" building it (imported only
    when the stack is built, so that loading configuration needs no provider bindings).
    options: keyword arguments the builder takes for this variant."""

    settings: type[ComponentSettings]
    builder: str
    summary: str
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class Component:
    """name: `[components]` key, section and construct id. needs: components that must be
    enabled with it. parts: tables of declared parts it builds (`[buckets.<name>]`).
    off_risk: what turning it off gives up, stated in the gate's report (protective
    components only)."""

    name: str
    summary: str
    default: str
    variants: Mapping[str, Variant]
    needs: tuple[str, ...] = ()
    parts: Mapping[str, type[Settings]] = field(default_factory=dict)
    off_risk: str | None = None

    @property
    def choices(self) -> tuple[str, ...]:
        return (*self.variants, OFF)


REGISTRY: tuple[Component, ...] = (
    Component(
        name="network",
        summary="The VPC: public, private and database subnets per zone, NAT, endpoints, flow logs.",
        default="vpc",
        variants={"vpc": Variant(settings=NetworkSettings, builder="modules.components.network.vpc:build", summary="A VPC.")},
    ),
    Component(
        name="database",
        summary="The relational database in the isolated database subnets.",
        default=OFF,
        variants={
            "aurora-postgresql": Variant(
                settings=AuroraPostgresqlSettings,
                builder="modules.components.database.aurora_postgresql:build",
                summary="Aurora PostgreSQL, serverless v2 or provisioned.",
            ),
            "rds-postgresql": Variant(
                settings=RdsPostgresqlSettings,
                builder="modules.components.database.rds_postgresql:build",
                summary="One RDS for PostgreSQL instance, Multi-AZ under the production profile.",
            ),
        },
        needs=("network",),
    ),
    Component(
        name="storage",
        summary="The declared S3 buckets, their access-log bucket and key.",
        default="s3",
        variants={"s3": Variant(settings=StorageSettings, builder="modules.components.storage.buckets:build", summary="S3.")},
        parts={"buckets": BucketSettings},
    ),
    Component(
        name="metadata_table",
        summary="The file-metadata DynamoDB table.",
        default=OFF,
        variants={
            "dynamodb": Variant(
                settings=MetadataTableSettings,
                builder="modules.components.metadata_table.dynamodb:build",
                summary="An on-demand DynamoDB table.",
            )
        },
        needs=("storage",),
    ),
    Component(
        name="audit",
        summary="CloudTrail, and optionally AWS Config and GuardDuty.",
        default="cloudtrail",
        variants={
            "cloudtrail": Variant(
                settings=AuditSettings, builder="modules.components.audit.baseline:build", summary="A multi-Region trail."
            )
        },
        needs=("storage",),
        off_risk="No CloudTrail trail: API activity in the account is not recorded, so incidents cannot be investigated.",
    ),
    Component(
        name="dns",
        summary="A public Route 53 zone for certificates, custom domains and mail records.",
        default=OFF,
        variants={
            "route53": Variant(
                settings=DnsSettings,
                builder="modules.components.dns.route53:build",
                summary="A zone created here (DNSSEC, query logs, CAA) or an existing one found by name.",
            )
        },
    ),
    Component(
        name="email",
        summary="Sending mail from the application's domain.",
        default=OFF,
        variants={
            "ses": Variant(
                settings=EmailSettings,
                builder="modules.components.email.ses:build",
                summary="An SES domain identity with DKIM, MAIL FROM and a configuration set.",
            )
        },
    ),
    Component(
        name="cdn",
        summary="CloudFront in front of declared buckets, with a WAF.",
        default=OFF,
        variants={
            "cloudfront": Variant(
                settings=CdnSettings, builder="modules.components.cdn.cloudfront:build", summary="One distribution."
            )
        },
        needs=("storage",),
    ),
    Component(
        name="api",
        summary="The declared Lambda functions, and the REST API in front of those with routes.",
        default=OFF,
        variants={
            "rest": Variant(
                settings=ApiSettings,
                builder="modules.components.api.rest:build",
                summary="Functions and a REST API with Cognito and a WAF.",
                options={"rest": True},
            ),
            "functions": Variant(
                settings=ApiSettings,
                builder="modules.components.api.rest:build",
                summary="Functions alone, triggered by bucket events or schedules.",
                options={"rest": False},
            ),
        },
        parts={"functions": FunctionSettings, "secrets": SecretSettings},
    ),
    Component(
        name="monitoring",
        summary="Alarms, a dashboard and the AWS budget from the other components' contributions.",
        default="cloudwatch",
        variants={
            "cloudwatch": Variant(
                settings=MonitoringSettings,
                builder="modules.components.monitoring.cloudwatch:build",
                summary="CloudWatch alarms and dashboard, SNS topics, AWS Budgets.",
            )
        },
        off_risk="No alarms, no dashboard and no AWS budget: failures and overspending go unnoticed until someone looks.",
    ),
)
BY_NAME: Mapping[str, Component] = {component.name: component for component in REGISTRY}
PARTS: Mapping[str, Component] = {table: component for component in REGISTRY for table in component.parts}
