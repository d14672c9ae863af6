"""The S3 bucket that holds every environment's Terraform state."""

from __future__ import annotations

import json
from dataclasses import dataclass

from cdktf import TerraformResourceLifecycle
from constructs import Construct

from modules.aws import (
    s3_bucket,
    s3_bucket_lifecycle_configuration,
    s3_bucket_ownership_controls,
    s3_bucket_policy,
    s3_bucket_public_access_block,
    s3_bucket_server_side_encryption_configuration,
    s3_bucket_versioning,
)
from modules.identity import AccountContext

lc = s3_bucket_lifecycle_configuration
sse = s3_bucket_server_side_encryption_configuration
from modules.kms import EncryptionKey, EncryptionKeyProps


@dataclass(frozen=True, kw_only=True)
class StateBucketProps:
    """State bucket settings.

    bucket: the bucket name (validated by the configuration model).
    noncurrent_version_expiration_days: how long an overwritten state version is kept
        for recovery; default 90 days.
    newer_noncurrent_versions: versions kept regardless of age; default 10, so a burst
        of applies never leaves fewer than ten states to roll back to.
    """

    bucket: str
    noncurrent_version_expiration_days: int = 90
    newer_noncurrent_versions: int = 10


class StateBucket(Construct):
    """Versioned, KMS-encrypted, TLS-only, private, and protected from `terraform destroy`."""

    def __init__(self, scope: Construct, id: str, *, account: AccountContext, props: StateBucketProps) -> None:
        super().__init__(scope, id)
        self.key = EncryptionKey(
            self,
            "key",
            account=account,
            props=EncryptionKeyProps(alias=f"{props.bucket}", description=f"Encrypts Terraform state in {props.bucket}"),
        )
        # Losing the state bucket orphans every resource of every environment.
        self.bucket = s3_bucket.S3Bucket(
            self, "bucket", bucket=props.bucket, lifecycle=TerraformResourceLifecycle(prevent_destroy=True)
        )
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
            self, "ownership", bucket=self.bucket.id, rule=s3_bucket_ownership_controls.S3BucketOwnershipControlsRule(object_ownership="BucketOwnerEnforced")
        )
        s3_bucket_versioning.S3BucketVersioningA(
            self, "versioning", bucket=self.bucket.id, versioning_configuration=s3_bucket_versioning.S3BucketVersioningVersioningConfiguration(status="Enabled")
        )
        sse.S3BucketServerSideEncryptionConfigurationA(
            self,
            "encryption",
            bucket=self.bucket.id,
            rule=[
                sse.S3BucketServerSideEncryptionConfigurationRuleA(
                    apply_server_side_encryption_by_default=sse.S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA(
                        sse_algorithm="aws:kms", kms_master_key_id=self.key.arn
                    ),
                    # One data key per bucket instead of per object: fewer KMS requests.
                    bucket_key_enabled=True,
                )
            ],
        )
        lc.S3BucketLifecycleConfiguration(
            self,
            "lifecycle",
            bucket=self.bucket.id,
            rule=[
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
                    abort_incomplete_multipart_upload=[
                        lc.S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload(days_after_initiation=7)
                    ],
                )
            ],
        )
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
                            "Resource": [self.bucket.arn, f"{self.bucket.arn}/*"],
                            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                        },
                        {
                            "Sid": "DenyTlsBelow12",
                            "Effect": "Deny",
                            "Principal": "*",
                            "Action": "s3:*",
                            "Resource": [self.bucket.arn, f"{self.bucket.arn}/*"],
                            "Condition": {"NumericLessThan": {"s3:TlsVersion": "1.2"}},
                        },
                    ],
                }
            ),
        )
