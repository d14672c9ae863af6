"""The audit baseline: a multi-Region CloudTrail trail, and optionally AWS Config and GuardDuty.

The trail writes to a dedicated bucket (a SecureBucket, with the statements CloudTrail
and AWS Config need) and to a CloudWatch Logs group, both encrypted with one key whose
policy names exactly the services that write with it.
"""

from __future__ import annotations

import json
from typing import Any

from constructs import Construct

from modules.components.audit.settings import AuditSettings
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
from modules.core.context import BuildContext
from modules.core.contributions import Contributions, EventRuleSpec, OutputSpec
from modules.core.findings import accept
from modules.core.identity import AccountContext
from modules.core.kms import EncryptionKey, EncryptionKeyProps
from modules.core.logs import accept_short_retention
from modules.core.ports import AuditPort, BucketPort, Parts, Ports
from modules.primitives.bucket import LifecycleRule, SecureBucket, SecureBucketProps
from modules.primitives.state_bucket import log_delivery_statement

CONFIG_PREFIX = "config"
# Objects older than this move to Standard-IA: audit logs are written once and rarely read.
AUDIT_INFREQUENT_ACCESS_DAYS = 30


class AuditBaseline(Construct):
    """CloudTrail to S3 and CloudWatch Logs with validation and KMS; Config and GuardDuty on request."""

    def __init__(
        self, scope: Construct, id: str, *, ctx: BuildContext, settings: AuditSettings, access_log_bucket: BucketPort
    ) -> None:
        super().__init__(scope, id)
        self.settings = props = settings
        self.name = name = ctx.name
        account = ctx.account
        protection = ctx.protection
        bucket_name = ctx.bucket_name("audit")
        self.trail_name = f"{name}-trail"
        # Built from the name rather than read from the trail: the bucket policy and the key
        # policy must exist before the trail, and CloudTrail checks them when it is created.
        self.trail_arn = account.arn("cloudtrail", f"trail/{self.trail_name}")
        group_name = f"/aws/cloudtrail/{name}"
        self.key = EncryptionKey(
            self,
            "key",
            account=account,
            props=EncryptionKeyProps(
                alias=f"{name}-audit",
                description=f"Encrypts the {name} CloudTrail logs, their log group and AWS Config files",
                log_group_names=(group_name,),
                deletion_window_in_days=protection.key_deletion_window_days,
                prevent_destroy=protection.retain_on_destroy,
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
                name=bucket_name,
                key=self.key,
                lifecycle_rules=(
                    LifecycleRule(
                        id="expire-audit-logs", expiration_days=props.audit_log_expiration_days, transitions=transitions
                    ),
                ),
                # Audit files are never overwritten; a noncurrent version means someone
                # deleted one, and it is kept as long as the originals would have been.
                noncurrent_version_expiration_days=props.audit_log_expiration_days,
                access_log_bucket=access_log_bucket,
                access_log_prefix="s3/audit/",
                retain_on_destroy=protection.retain_on_destroy,
            ),
        )
        if access_log_bucket is not None:
            access_log_bucket.add_to_resource_policy(
                log_delivery_statement(access_log_bucket, account, [f"arn:{account.partition}:s3:::{bucket_name}"], "s3/audit/")
            )
        self._trail_bucket_statements(account)
        self.log_group = cloudwatch_log_group.CloudwatchLogGroup(
            self, "log-group", name=group_name, retention_in_days=props.trail_log_retention_days, kms_key_id=self.key.arn
        )
        self.logs_role = iam_role.IamRole(
            self,
            "logs-role",
            name=f"{name}-cloudtrail-logs",
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
        self._accept()

    def _accept(self) -> None:
        accept_short_retention(
            self.log_group, self.settings.trail_log_retention_days, "The CloudWatch Logs copy of the trail's events"
        )
        accept(
            self.trail,
            check="CKV_AWS_252",
            pin={},
            reason="A notification for every delivered log file would flood the alarm topic; the trail's CloudWatch Logs copy is what alerting reads.",
        )
        bucket = self.bucket.bucket
        accept(
            bucket,
            check="CKV2_AWS_62",
            pin={},
            reason="The audit bucket only receives CloudTrail and AWS Config files, and their CloudWatch Logs copy is what alerting reads.",
        )
        accept(
            bucket,
            check="CKV_AWS_144",
            pin={},
            reason="Audit files are versioned, validated by CloudTrail digests and kept on destroy under the production profile; a copy in a second Region belongs to an organization-wide log archive.",
        )
        if self.detector is not None:
            accept(
                self.detector,
                check="CKV2_AWS_3",
                pin={},
                reason="This stack serves one account without AWS Organizations; the detector is enabled in the Region the stack deploys to.",
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
        props = self.settings
        name = self.name
        bucket_arn = self.bucket.bucket.arn
        delivery_prefix = f"{bucket_arn}/{CONFIG_PREFIX}/AWSLogs/{account.account_id}/Config/*"
        self.config_role = iam_role.IamRole(
            self,
            "config-role",
            name=f"{name}-config-recorder",
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
            name=name,
            role_arn=self.config_role.arn,
            recording_group=config_configuration_recorder.ConfigConfigurationRecorderRecordingGroup(
                all_supported=True, include_global_resource_types=True
            ),
        )
        channel = config_delivery_channel.ConfigDeliveryChannel(
            self,
            "config-delivery-channel",
            name=name,
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
                    name=f"{name}-{rule.lower().replace('_', '-')}",
                    source=config_config_rule.ConfigConfigRuleSource(owner="AWS", source_identifier=rule),
                    depends_on=[status],
                )
            )


def _policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def build(scope: Construct, ctx: BuildContext, settings: AuditSettings, ports: Ports, parts: Parts) -> Contributions:
    """The "cloudtrail" variant: the audit baseline, its outputs and the GuardDuty finding rule."""
    assert ports.storage is not None  # its log bucket receives the audit bucket's access logs
    audit = AuditBaseline(scope, "audit", ctx=ctx, settings=settings, access_log_bucket=ports.storage.logs)
    ports.audit = AuditPort(detector=audit.detector is not None)
    made = Contributions()
    made.outputs.append(
        OutputSpec(name="audit_bucket", value=audit.bucket.bucket.bucket, description="CloudTrail and AWS Config bucket")
    )
    made.outputs.append(OutputSpec(name="trail_arn", value=audit.trail.arn, description="multi-Region CloudTrail trail"))
    if audit.detector is not None:
        # A detector whose findings nobody reads protects nothing: high and critical
        # findings reach the same people as the alarms.
        severity = settings.guardduty_finding_min_severity
        made.event_rules.append(
            EventRuleSpec(
                name="guardduty-findings",
                description=f"GuardDuty findings of severity {severity:g} or more",
                event_pattern={
                    "source": ["aws.guardduty"],
                    "detail-type": ["GuardDuty Finding"],
                    "detail": {"severity": [{"numeric": [">=", severity]}]},
                },
            )
        )
    return made
