"""`[audit]` (variant "cloudtrail"): the trail, and optionally AWS Config and GuardDuty."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from pydantic import Field, field_validator

from modules.core.settings import ComponentSettings, LogRetentionDays, by_profile
from modules.core.weakening import Weakening, higher, lower, turned_off

# AWS Config managed rules this project knows to work against what it builds (AWS Config
# Developer Guide, "List of AWS Config Managed Rules"). A closed list, so a typo is a
# configuration error instead of a rule AWS rejects at apply time.
MANAGED_CONFIG_RULES: tuple[str, ...] = (
    "CLOUD_TRAIL_ENABLED",
    "CLOUD_TRAIL_ENCRYPTION_ENABLED",
    "CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED",
    "CLOUDWATCH_LOG_GROUP_ENCRYPTED",
    "CMK_BACKING_KEY_ROTATION_ENABLED",
    "DYNAMODB_PITR_ENABLED",
    "IAM_ROOT_ACCESS_KEY_CHECK",
    "RDS_CLUSTER_DELETION_PROTECTION_ENABLED",
    "RDS_STORAGE_ENCRYPTED",
    "ROOT_ACCOUNT_MFA_ENABLED",
    "S3_BUCKET_PUBLIC_READ_PROHIBITED",
    "S3_BUCKET_PUBLIC_WRITE_PROHIBITED",
    "S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED",
    "S3_BUCKET_SSL_REQUESTS_ONLY",
    "VPC_DEFAULT_SECURITY_GROUP_CLOSED",
    "VPC_FLOW_LOGS_ENABLED",
)
DEFAULT_CONFIG_RULES: tuple[str, ...] = (
    "CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED",
    "RDS_STORAGE_ENCRYPTED",
    "ROOT_ACCOUNT_MFA_ENABLED",
    "S3_BUCKET_PUBLIC_READ_PROHIBITED",
    "S3_BUCKET_SSL_REQUESTS_ONLY",
    "VPC_DEFAULT_SECURITY_GROUP_CLOSED",
)


class AuditSettings(ComponentSettings):
    """A multi-Region CloudTrail trail into its own bucket and log group. AWS Config and
    GuardDuty allow one recorder and one detector per account and Region: turn them on in
    one environment per account (the production profile does)."""

    weakens: ClassVar[Mapping[str, Weakening]] = {
        "enable_guardduty": turned_off("No GuardDuty detector: compromised credentials and unusual API activity go undetected."),
        "enable_config": turned_off("No AWS Config recorder: configuration drift and its history are not recorded."),
        "trail_log_retention_days": lower("CloudTrail events stay queryable in CloudWatch Logs for less time."),
        "audit_log_expiration_days": lower(
            "CloudTrail and Config files are deleted sooner: older incidents cannot be investigated."
        ),
        "guardduty_finding_min_severity": higher("Fewer GuardDuty findings reach the alarm topic."),
    }

    trail_log_retention_days: LogRetentionDays = by_profile(
        development=14, production=365, description="Days CloudTrail events stay in CloudWatch Logs for queries and alarms."
    )
    audit_log_expiration_days: int = by_profile(
        development=90, production=2557, description="Days CloudTrail and Config files stay in the audit bucket (30 to 3650)."
    )
    enable_config: bool = by_profile(
        development=False, production=True, description="AWS Config recorder, delivery channel and config_rules."
    )
    config_rules: tuple[str, ...] = Field(
        default=DEFAULT_CONFIG_RULES, strict=False, description="AWS Config managed rules evaluated when enable_config is on."
    )
    enable_guardduty: bool = by_profile(development=False, production=True, description="A GuardDuty detector.")
    guardduty_finding_min_severity: float = Field(
        default=7, ge=1, le=10, strict=False, description="GuardDuty findings from this severity on reach the alarm topic."
    )

    @field_validator("audit_log_expiration_days")
    @classmethod
    def _expiration(cls, value: int) -> int:
        # Below 30 days the audit trail is gone before anyone reviews a month's activity.
        if not 30 <= value <= 3650:
            raise ValueError("30 to 3650 days")
        return value

    @field_validator("config_rules")
    @classmethod
    def _rules(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [rule for rule in value if rule not in MANAGED_CONFIG_RULES]
        if unknown:
            raise ValueError(
                f"not a managed rule this project supports: {', '.join(map(repr, unknown))}; "
                f"one of {', '.join(MANAGED_CONFIG_RULES)}"
            )
        if len(set(value)) != len(value):
            raise ValueError("each rule may be listed once")
        return value
