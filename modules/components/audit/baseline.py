"""The audit baseline: a multi-Region CloudTrail trail, and optionally AWS Config and GuardDuty.

The trail writes to a dedicated bucket (a SecureBucket, with the statements CloudTrail
and AWS Config need) and to a CloudWatch Logs group, both encrypted with one key whose
policy names exactly the services that write with it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from constructs import Construct

from modules.config_security import DEFAULT_CONFIG_RULES
from modules.core.aws import (
    cloudtrail,
    cloudwatch_log_group,
    config_config_rule,
    config_configuration_recorder,
    config_configuration_recorder_status,
    config_delivery_channel,
    guardduty_detector,
    iam_role,
    iam_role_policy,
    iam_role_policy_attachment,
)
from modules.core.identity import AccountContext
from modules.core.kms import EncryptionKey, EncryptionKeyProps
from modules.primitives.bucket import LifecycleRule, SecureBucket, SecureBucketProps
from modules.primitives.state_bucket import log_delivery_statement

CONFIG_PREFIX = "config"
# Objects older than this move to Standard-IA: audit logs are written once and rarely read.
AUDIT_INFREQUENT_ACCESS_DAYS = 30


@dataclass(frozen=True, kw_only=True)
class AuditBaselineProps:
    """Settings of the audit baseline.

    name: `<project>-<environment>`; the trail is `<name>-trail`.
    bucket_name: the audit bucket (validated by the configuration model).
    access_log_bucket: where the audit bucket's server access logs go; default none
        (the stack passes the storage log bucket).
    trail_log_retention_days: CloudWatch Logs copy of the trail; default 365.
    audit_log_expiration_days: trail and Config files in the bucket; default 2557 (seven
        years), Standard-IA after 30 days.
    enable_config: AWS Config recorder, delivery channel and `config_rules`; default on.
        One recorder per account and Region: enable it in one environment per account.
    config_rules: AWS Config managed rule identifiers; default a small set matching what
        this project builds (modules/config_security.py).
    enable_guardduty: a GuardDuty detector; default on. One per account and Region.
    retain_on_destroy: prevent_destroy on the bucket and key (prod); default on.
    key_deletion_window_in_days: default 30.
    """

    name: str
    bucket_name: str
    access_log_bucket: SecureBucket | None = None
    trail_log_retention_days: int = 365
    audit_log_expiration_days: int = 2557
    enable_config: bool = True
    config_rules: tuple[str, ...] = DEFAULT_CONFIG_RULES
    enable_guardduty: bool = True
    retain_on_destroy: bool = True
    key_deletion_window_in_days: int = 30


class AuditBaseline(Construct):
    """CloudTrail to S3 and CloudWatch Logs with validation and KMS; Config and GuardDuty on request."""

    def __init__(self, scope: Construct, id: str, *, account: AccountContext, props: AuditBaselineProps) -> None:
        super().__init__(scope, id)
        self.props = props
        self.trail_name = f"{props.name}-trail"
        # Built from the name rather than read from the trail: the bucket policy and the key
        # policy must exist before the trail, and CloudTrail checks them when it is created.
        self.trail_arn = account.arn("cloudtrail", f"trail/{self.trail_name}")
        group_name = f"/aws/cloudtrail/{props.name}"
        self.key = EncryptionKey(
            self,
            "key",
            account=account,
            props=EncryptionKeyProps(
                alias=f"{props.name}-audit",
                description=f"Encrypts the {props.name} CloudTrail logs, their log group and AWS Config files",
                log_group_names=(group_name,),
                deletion_window_in_days=props.key_deletion_window_in_days,
                prevent_destroy=props.retain_on_destroy,
            ),
        )
        self._trail_key_statements(account)
        transitions = (
            (("STANDARD_IA", AUDIT_INFREQUENT_ACCESS_DAYS),)
            if props.audit_log_expiration_days >= 2 * AUDIT_INFREQUENT_ACCESS_DAYS
            else ()
        )
        self.bucket = SecureBucket(
            self,
            "bucket",
            props=SecureBucketProps(
                name=props.bucket_name,
                key=self.key,
                lifecycle_rules=(
                    LifecycleRule(
                        id="expire-audit-logs", expiration_days=props.audit_log_expiration_days, transitions=transitions
                    ),
                ),
                # Audit files are never overwritten; a noncurrent version means someone
                # deleted one, and it is kept as long as the originals would have been.
                noncurrent_version_expiration_days=props.audit_log_expiration_days,
                access_log_bucket=props.access_log_bucket,
                access_log_prefix="s3/audit/",
                retain_on_destroy=props.retain_on_destroy,
            ),
        )
        if props.access_log_bucket is not None:
            props.access_log_bucket.add_to_resource_policy(
                log_delivery_statement(
                    props.access_log_bucket, account, [f"arn:{account.partition}:s3:::{props.bucket_name}"], "s3/audit/"
                )
            )
        self._trail_bucket_statements(account)
        self.log_group = cloudwatch_log_group.CloudwatchLogGroup(
            self, "log-group", name=group_name, retention_in_days=props.trail_log_retention_days, kms_key_id=self.key.arn
        )
        self.logs_role = iam_role.IamRole(
            self,
            "logs-role",
            name=f"{props.name}-cloudtrail-logs",
            description="Lets this CloudTrail trail deliver to its log group and nowhere else",
            assume_role_policy=account.assume_role_policy("cloudtrail.amazonaws.com", source_arn=self.trail_arn),
        )
        iam_role_policy.IamRolePolicy(
            self,
            "logs-delivery",
            name="deliver-to-trail-log-group",
            role=self.logs_role.id,
            policy=_policy(
                {
                    "Sid": "WriteThisGroupOnly",
                    "Effect": "Allow",
                    "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                    "Resource": f"{self.log_group.arn}:log-stream:*",
                }
            ),
        )
        self.trail = cloudtrail.Cloudtrail(
            self,
            "trail",
            name=self.trail_name,
            s3_bucket_name=self.bucket.bucket.id,
            is_multi_region_trail=True,
            include_global_service_events=True,
            enable_log_file_validation=True,
            kms_key_id=self.key.arn,
            cloud_watch_logs_group_arn=f"{self.log_group.arn}:*",
            cloud_watch_logs_role_arn=self.logs_role.arn,
            depends_on=[self.bucket.policy, self.key.key],
        )
        self.recorder: config_configuration_recorder.ConfigConfigurationRecorder | None = None
        self.config_rules: list[config_config_rule.ConfigConfigRule] = []
        if props.enable_config:
            self._config(account)
        self.detector = (
            guardduty_detector.GuarddutyDetector(self, "guardduty", enable=True, finding_publishing_frequency="FIFTEEN_MINUTES")
            if props.enable_guardduty
            else None
        )

    # --- CloudTrail ---------------------------------------------------------------------
    def _trail_key_statements(self, account: AccountContext) -> None:
        # CloudTrail encrypts each log file under this key, only for this trail.
        self.key.add_to_key_policy(
            {
                "Sid": "CloudTrailEncryptThisTrail",
                "Effect": "Allow",
                "Principal": {"Service": "cloudtrail.amazonaws.com"},
                "Action": "kms:GenerateDataKey*",
                "Resource": "*",
                "Condition": {
                    "StringEquals": {"aws:SourceArn": self.trail_arn},
                    "StringLike": {
                        "kms:EncryptionContext:aws:cloudtrail:arn": f"arn:{account.partition}:cloudtrail:*:{account.account_id}:trail/*"
                    },
                },
            }
        )
        self.key.add_to_key_policy(
            {
                "Sid": "CloudTrailDescribeKey",
                "Effect": "Allow",
                "Principal": {"Service": "cloudtrail.amazonaws.com"},
                "Action": "kms:DescribeKey",
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:SourceArn": self.trail_arn}},
            }
        )

    def _trail_bucket_statements(self, account: AccountContext) -> None:
        bucket_arn = self.bucket.bucket.arn
        self.bucket.add_to_resource_policy(
            {
                "Sid": "CloudTrailAclCheck",
                "Effect": "Allow",
                "Principal": {"Service": "cloudtrail.amazonaws.com"},
                "Action": "s3:GetBucketAcl",
                "Resource": bucket_arn,
                "Condition": {"StringEquals": {"aws:SourceArn": self.trail_arn}},
            }
        )
        self.bucket.add_to_resource_policy(
            {
                "Sid": "CloudTrailWrite",
                "Effect": "Allow",
                "Principal": {"Service": "cloudtrail.amazonaws.com"},
                "Action": "s3:PutObject",
                "Resource": f"{bucket_arn}/AWSLogs/{account.account_id}/*",
                "Condition": {
                    "StringEquals": {"aws:SourceArn": self.trail_arn, "s3:x-amz-acl": "bucket-owner-full-control"},
                },
            }
        )

    # --- AWS Config -----------------------------------------------------------------------
    def _config(self, account: AccountContext) -> None:
        props = self.props
        bucket_arn = self.bucket.bucket.arn
        delivery_prefix = f"{bucket_arn}/{CONFIG_PREFIX}/AWSLogs/{account.account_id}/Config/*"
        self.config_role = iam_role.IamRole(
            self,
            "config-role",
            name=f"{props.name}-config-recorder",
            description="Lets AWS Config read resource configurations and deliver them to the audit bucket",
            assume_role_policy=account.assume_role_policy("config.amazonaws.com"),
        )
        # AWS's own policy for the recorder: read-only Describe/List/Get across the services
        # Config records, maintained by AWS as services are added.
        iam_role_policy_attachment.IamRolePolicyAttachment(
            self,
            "config-managed-policy",
            role=self.config_role.name,
            policy_arn=f"arn:{account.partition}:iam::aws:policy/service-role/AWS_ConfigRole",
        )
        iam_role_policy.IamRolePolicy(
            self,
            "config-delivery",
            name="deliver-to-audit-bucket",
            role=self.config_role.id,
            policy=_policy(
                {"Sid": "CheckBucket", "Effect": "Allow", "Action": "s3:GetBucketAcl", "Resource": bucket_arn},
                {"Sid": "DeliverUnderConfigPrefix", "Effect": "Allow", "Action": "s3:PutObject", "Resource": delivery_prefix},
                {
                    "Sid": "EncryptDeliveries",
                    "Effect": "Allow",
                    "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
                    "Resource": self.key.arn,
                    "Condition": {"StringEquals": {"kms:EncryptionContext:aws:s3:arn": bucket_arn}},
                },
            ),
        )
        # Config may also deliver as its service principal; the bucket admits it for this
        # account's prefix only.
        self.bucket.add_to_resource_policy(
            {
                "Sid": "ConfigAclCheck",
                "Effect": "Allow",
                "Principal": {"Service": "config.amazonaws.com"},
                "Action": ["s3:GetBucketAcl", "s3:ListBucket"],
                "Resource": bucket_arn,
                "Condition": {"StringEquals": {"aws:SourceAccount": account.account_id}},
            }
        )
        self.bucket.add_to_resource_policy(
            {
                "Sid": "ConfigWrite",
                "Effect": "Allow",
                "Principal": {"Service": "config.amazonaws.com"},
                "Action": "s3:PutObject",
                "Resource": delivery_prefix,
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": account.account_id, "s3:x-amz-acl": "bucket-owner-full-control"}
                },
            }
        )
        self.key.add_to_key_policy(
            {
                "Sid": "ConfigEncryptDeliveries",
                "Effect": "Allow",
                "Principal": {"Service": "config.amazonaws.com"},
                "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:SourceAccount": account.account_id}},
            }
        )
        self.recorder = config_configuration_recorder.ConfigConfigurationRecorder(
            self,
            "config-recorder",
            name=props.name,
            role_arn=self.config_role.arn,
            recording_group=config_configuration_recorder.ConfigConfigurationRecorderRecordingGroup(
                all_supported=True, include_global_resource_types=True
            ),
        )
        channel = config_delivery_channel.ConfigDeliveryChannel(
            self,
            "config-delivery-channel",
            name=props.name,
            s3_bucket_name=self.bucket.bucket.id,
            s3_key_prefix=CONFIG_PREFIX,
            s3_kms_key_arn=self.key.arn,
            snapshot_delivery_properties=config_delivery_channel.ConfigDeliveryChannelSnapshotDeliveryProperties(
                delivery_frequency="TwentyFour_Hours"
            ),
            depends_on=[self.recorder, self.bucket.policy],
        )
        status = config_configuration_recorder_status.ConfigConfigurationRecorderStatus(
            self, "config-recorder-status", name=self.recorder.name, is_enabled=True, depends_on=[channel]
        )
        for rule in props.config_rules:
            self.config_rules.append(
                config_config_rule.ConfigConfigRule(
                    self,
                    f"config-rule-{rule.lower()}",
                    name=f"{props.name}-{rule.lower().replace('_', '-')}",
                    source=config_config_rule.ConfigConfigRuleSource(owner="AWS", source_identifier=rule),
                    depends_on=[status],
                )
            )


def _policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})
