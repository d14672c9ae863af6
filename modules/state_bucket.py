"""The S3 bucket that holds every environment's Terraform state, and its access-log bucket."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cdktf import TerraformResourceLifecycle
from constructs import Construct

from modules.aws import (
    s3_bucket,
    s3_bucket_lifecycle_configuration,
    s3_bucket_logging,
    s3_bucket_ownership_controls,
    s3_bucket_policy,
    s3_bucket_public_access_block,
    s3_bucket_server_side_encryption_configuration,
    s3_bucket_versioning,
)
from modules.config import ACCESS_LOG_SUFFIX
from modules.identity import AccountContext
from modules.kms import EncryptionKey, EncryptionKeyProps

lc = s3_bucket_lifecycle_configuration
sse = s3_bucket_server_side_encryption_configuration


@dataclass(frozen=True, kw_only=True)
class StateBucketProps:
    """State bucket settings.

    bucket: the bucket name (validated by the configuration model); the access-log
        bucket is named `<bucket>-logs`.
    noncurrent_version_expiration_days: how long an overwritten state version is kept
        for recovery; default 90 days.
    newer_noncurrent_versions: versions kept regardless of age; default 10, so a burst
        of applies never leaves fewer than ten states to roll back to.
    access_log_retention_days: how long the record of who read or wrote state is kept;
        default 365 days.
    """

    bucket: str
    noncurrent_version_expiration_days: int = 90
    newer_noncurrent_versions: int = 10
    access_log_retention_days: int = 365


class _PrivateBucket(Construct):
    """Public access blocked, ACLs disabled, versioned, TLS 1.2+ only, retained on destroy."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        name: str,
        key: EncryptionKey | None,
        rules: list[lc.S3BucketLifecycleConfigurationRule],
        statements: Callable[[s3_bucket.S3Bucket], list[dict[str, Any]]] | None = None,
    ) -> None:
        super().__init__(scope, id)
        # Losing either bucket loses state or its audit trail: never destroyed by Terraform.
        self.bucket = s3_bucket.S3Bucket(self, "bucket", bucket=name, lifecycle=TerraformResourceLifecycle(prevent_destroy=True))
        s3_bucket_public_access_block.S3BucketPublicAccessBlock(
            self,
            "public-access-block",
            bucket=self.bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
        )
        s3_bucket_ownership_controls.S3BucketOwnershipControls(
            self,
            "ownership",
            bucket=self.bucket.id,
            rule=s3_bucket_ownership_controls.S3BucketOwnershipControlsRule(object_ownership="BucketOwnerEnforced"),
        )
        s3_bucket_versioning.S3BucketVersioningA(
            self,
            "versioning",
            bucket=self.bucket.id,
            versioning_configuration=s3_bucket_versioning.S3BucketVersioningVersioningConfiguration(status="Enabled"),
        )
        default = (
            sse.S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA(
                sse_algorithm="aws:kms", kms_master_key_id=key.arn
            )
            if key
            else sse.S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA(sse_algorithm="AES256")
        )
        sse.S3BucketServerSideEncryptionConfigurationA(
            self,
            "encryption",
            bucket=self.bucket.id,
            # A bucket key means one KMS data key per bucket, not per object: fewer KMS requests.
            rule=[sse.S3BucketServerSideEncryptionConfigurationRuleA(
                apply_server_side_encryption_by_default=default, bucket_key_enabled=key is not None
            )],
        )  # fmt: skip
        lc.S3BucketLifecycleConfiguration(self, "lifecycle", bucket=self.bucket.id, rule=rules)
        everything = [self.bucket.arn, f"{self.bucket.arn}/*"]
        s3_bucket_policy.S3BucketPolicy(
            self,
            "policy",
            bucket=self.bucket.id,
            policy=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "DenyInsecureTransport",
                            "Effect": "Deny",
                            "Principal": "*",
                            "Action": "s3:*",
                            "Resource": everything,
                            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                        },
                        {
                            "Sid": "DenyTlsBelow12",
                            "Effect": "Deny",
                            "Principal": "*",
                            "Action": "s3:*",
                            "Resource": everything,
                            "Condition": {"NumericLessThan": {"s3:TlsVersion": "1.2"}},
                        },
                        *(statements(self.bucket) if statements else []),
                    ],
                }
            ),
        )


def _abort_multipart(days: int = 7) -> list[lc.S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload]:
    return [lc.S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload(days_after_initiation=days)]


class StateBucket(Construct):
    """Versioned, KMS-encrypted, TLS-only, private, access-logged, and kept on `terraform destroy`."""

    def __init__(self, scope: Construct, id: str, *, account: AccountContext, props: StateBucketProps) -> None:
        super().__init__(scope, id)
        self.key = EncryptionKey(
            self,
            "key",
            account=account,
            props=EncryptionKeyProps(alias=props.bucket, description=f"Encrypts Terraform state in {props.bucket}"),
        )
        state_arn = f"arn:{account.partition}:s3:::{props.bucket}"

        def log_delivery(bucket: s3_bucket.S3Bucket) -> list[dict[str, Any]]:
            # With ACLs disabled, the logging service writes only through this grant,
            # and only for the state bucket of this account.
            return [
                {
                    "Sid": "S3ServerAccessLogDelivery",
                    "Effect": "Allow",
                    "Principal": {"Service": "logging.s3.amazonaws.com"},
                    "Action": "s3:PutObject",
                    "Resource": f"{bucket.arn}/state/*",
                    "Condition": {
                        "ArnLike": {"aws:SourceArn": state_arn},
                        "StringEquals": {"aws:SourceAccount": account.account_id},
                    },
                }
            ]

        # S3 server access logs can be delivered only to a bucket with SSE-S3 default
        # encryption, so the log bucket cannot use the KMS key.
        self.access_logs = _PrivateBucket(
            self,
            "access-logs",
            name=f"{props.bucket}{ACCESS_LOG_SUFFIX}",
            key=None,
            statements=log_delivery,
            rules=[
                lc.S3BucketLifecycleConfigurationRule(
                    id="expire-access-logs",
                    status="Enabled",
                    filter=[lc.S3BucketLifecycleConfigurationRuleFilter(prefix="")],
                    expiration=[lc.S3BucketLifecycleConfigurationRuleExpiration(days=props.access_log_retention_days)],
                    noncurrent_version_expiration=[
                        lc.S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration(noncurrent_days=1)
                    ],
                    abort_incomplete_multipart_upload=_abort_multipart(),
                )
            ],
        )
        self.state = _PrivateBucket(
            self,
            "bucket",
            name=props.bucket,
            key=self.key,
            rules=[
                lc.S3BucketLifecycleConfigurationRule(
                    id="expire-old-state-versions",
                    status="Enabled",
                    filter=[lc.S3BucketLifecycleConfigurationRuleFilter(prefix="")],
                    noncurrent_version_expiration=[
                        lc.S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration(
                            noncurrent_days=props.noncurrent_version_expiration_days,
                            newer_noncurrent_versions=props.newer_noncurrent_versions,
                        )
                    ],
                    abort_incomplete_multipart_upload=_abort_multipart(),
                )
            ],
        )
        self.bucket = self.state.bucket
        s3_bucket_logging.S3BucketLoggingA(
            self,
            "access-logging",
            bucket=self.bucket.id,
            target_bucket=self.access_logs.bucket.id,
            target_prefix="state/",
        )
