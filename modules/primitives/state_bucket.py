"""The S3 bucket that holds every environment's Terraform state, and its access-log bucket."""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from modules.core.findings import accept
from modules.core.identity import AccountContext
from modules.core.kms import EncryptionKey, EncryptionKeyProps
from modules.core.naming import ACCESS_LOG_SUFFIX
from modules.core.ports import BucketPort
from modules.primitives.bucket import LifecycleRule, SecureBucket, SecureBucketProps


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


def log_delivery_statement(
    log_bucket: BucketPort, account: AccountContext, source_arns: list[str], prefix: str
) -> dict[str, object]:
    """Bucket-policy grant for S3 server access logs: with ACLs disabled, the logging
    service writes only through this, and only for the named source buckets."""
    return {
        # A Sid may hold only letters and digits.
        "Sid": "S3ServerAccessLogs" + "".join(c for c in prefix.title() if c.isalnum()),
        "Effect": "Allow",
        "Principal": {"Service": "logging.s3.amazonaws.com"},
        "Action": "s3:PutObject",
        "Resource": f"{log_bucket.bucket.arn}/{prefix}*",
        "Condition": {
            "ArnLike": {"aws:SourceArn": source_arns},
            "StringEquals": {"aws:SourceAccount": account.account_id},
        },
    }


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
        # S3 server access logs can be delivered only to a bucket with SSE-S3 default
        # encryption, so the log bucket cannot use the KMS key.
        self.access_logs = SecureBucket(
            self,
            "access-logs",
            props=SecureBucketProps(
                name=f"{props.bucket}{ACCESS_LOG_SUFFIX}",
                encryption="s3",
                lifecycle_rules=(LifecycleRule(id="expire-access-logs", expiration_days=props.access_log_retention_days),),
                noncurrent_version_expiration_days=1,
            ),
        )
        self.state = SecureBucket(
            self,
            "bucket",
            props=SecureBucketProps(
                name=props.bucket,
                key=self.key,
                noncurrent_version_expiration_days=props.noncurrent_version_expiration_days,
                newer_noncurrent_versions=props.newer_noncurrent_versions,
                access_log_bucket=self.access_logs,
                access_log_prefix="state/",
            ),
        )
        self.access_logs.add_to_resource_policy(
            log_delivery_statement(self.access_logs, account, [f"arn:{account.partition}:s3:::{props.bucket}"], "state/")
        )
        self.bucket = self.state.bucket
        accept(
            self.bucket,
            check="CKV2_AWS_62",
            pin={},
            reason="Nothing consumes events from the state bucket; every read and write of state is recorded in its access-log bucket.",
        )
        accept(
            self.access_logs.bucket,
            check="CKV2_AWS_62",
            pin={},
            reason="The access-log bucket only receives S3 server access logs, and nothing needs to react to their arrival.",
        )
        accept(
            self.bucket,
            check="CKV_AWS_144",
            pin={},
            reason="State is versioned, kept on destroy and small enough to restore from any version; a replica in a second Region is left to teams whose recovery plan requires one.",
        )
        accept(
            self.access_logs.bucket,
            check="CKV_AWS_144",
            pin={},
            reason="Access logs are an audit aid with a one-year lifecycle, and replicating them to a second Region would double their cost for no recovery need.",
        )
        accept(
            self.access_logs.bucket,
            check="CKV_AWS_145",
            pin={},
            reason="S3 server access logs can only be delivered to a bucket whose default encryption is SSE-S3, so this bucket cannot use the KMS key.",
        )
