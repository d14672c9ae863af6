"""`[security]` of an environment file: the audit trail and the optional account detectors."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

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

SECURITY_DEFAULTS: dict[str, Any] = {"config_rules": DEFAULT_CONFIG_RULES}
# AWS Config and GuardDuty allow one recorder and one detector per account and Region:
# the prod preset owns them; dev leaves them off (and saves their cost).
SECURITY_PRESETS: dict[str, dict[str, Any]] = {
    "dev": {"trail_log_retention_days": 14, "audit_log_expiration_days": 90, "enable_config": False, "enable_guardduty": False},
    "staging": {
        "trail_log_retention_days": 90,
        "audit_log_expiration_days": 365,
        "enable_config": False,
        "enable_guardduty": False,
    },
    "prod": {"trail_log_retention_days": 365, "audit_log_expiration_days": 2557, "enable_config": True, "enable_guardduty": True},
}


class SecurityConfig(BaseModel):
    """`[security]`. Keys left out take the environment's preset."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    trail_log_retention_days: int = Field(description="CloudTrail events kept in CloudWatch Logs (for queries and alarms).")
    audit_log_expiration_days: int = Field(description="CloudTrail and Config files kept in the audit bucket.")
    enable_config: bool = Field(description="AWS Config recorder and managed rules (one recorder per account and Region).")
    config_rules: tuple[str, ...] = Field(strict=False, description="AWS Config managed rules evaluated when enable_config.")
    enable_guardduty: bool = Field(description="GuardDuty detector (one per account and Region).")

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
