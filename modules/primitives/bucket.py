"""An S3 bucket whose protections cannot be forgotten, with intent-level grants."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

from constructs import Construct

from modules.core.aws import (
    iam_role,
    iam_role_policy,
    s3_bucket,
    s3_bucket_cors_configuration,
    s3_bucket_lifecycle_configuration,
    s3_bucket_logging,
    s3_bucket_ownership_controls,
    s3_bucket_policy,
    s3_bucket_public_access_block,
    s3_bucket_server_side_encryption_configuration,
    s3_bucket_versioning,
)
from modules.core.framework import TerraformResourceLifecycle
from modules.core.kms import EncryptionKey
from modules.core.ports import BucketPort

lc = s3_bucket_lifecycle_configuration
sse = s3_bucket_server_side_encryption_configuration

# Named action sets behind the grant_* methods (Service Authorization Reference, Amazon S3).
READ_ACTIONS = ("s3:GetObject", "s3:GetObjectVersion")
PUT_ACTIONS = ("s3:PutObject",)
# Deleting leaves a delete marker; the noncurrent version stays recoverable until the
# lifecycle expires it. DeleteObjectVersion would let a role destroy that copy too.
DELETE_ACTIONS = ("s3:DeleteObject",)
LIST_ACTIONS = ("s3:ListBucket",)
# What a role needs on the key to read or write SSE-KMS objects.
KMS_READ_ACTIONS = ("kms:Decrypt",)
KMS_WRITE_ACTIONS = ("kms:Decrypt", "kms:GenerateDataKey")


@dataclass(frozen=True, kw_only=True)
class LifecycleRule:
    """One lifecycle rule. `prefix` "" means the whole bucket."""

    id: str
    prefix: str = ""
    expiration_days: int | None = None
    transitions: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True, kw_only=True)
class CorsRule:
    allowed_methods: tuple[str, ...]
    allowed_origins: tuple[str, ...]
    allowed_headers: tuple[str, ...] = ()
    expose_headers: tuple[str, ...] = ()
    max_age_seconds: int = 3000


@dataclass(frozen=True, kw_only=True)
class SecureBucketProps:
    """A bucket's settings; everything not listed is fixed: public access blocked, ACLs
    disabled, versioning on, TLS 1.2+ required by the bucket policy.

    name: the bucket name (validated by the configuration model).
    encryption: "kms" (SSE-KMS with `key`, bucket key on) or "s3" (SSE-S3); default kms.
        S3 server access log buckets must use "s3": log delivery cannot use a KMS key.
    key: the KMS key for "kms"; required then.
    lifecycle_rules: object expirations and transitions; default none.
    noncurrent_version_expiration_days: overwritten or deleted versions are kept this
        long for recovery, then expire; default 30.
    abort_incomplete_multipart_upload_days: default 7: unfinished uploads are not billed forever.
    cors_rules: default none (no browser access).
    access_log_bucket / access_log_prefix: server access logging target; default none.
    retain_on_destroy: prevent_destroy (prod); when off the bucket is force-destroyed with
        its objects so repeated dev deploys leave no orphans. Default on.
    """

    name: str
    encryption: Literal["kms", "s3"] = "kms"
    key: EncryptionKey | None = None
    lifecycle_rules: tuple[LifecycleRule, ...] = ()
    noncurrent_version_expiration_days: int = 30
    newer_noncurrent_versions: int | None = None
    abort_incomplete_multipart_upload_days: int = 7
    cors_rules: tuple[CorsRule, ...] = ()
    access_log_bucket: BucketPort | None = None
    access_log_prefix: str = ""
    retain_on_destroy: bool = True
    statements: tuple[dict[str, Any], ...] = field(default=())


class SecureBucket(Construct):
    """Private, encrypted, versioned, TLS-only, with lifecycle and logging; grants by intent."""

    def __init__(self, scope: Construct, id: str, *, props: SecureBucketProps) -> None:
        super().__init__(scope, id)
        if props.encryption == "kms" and props.key is None:
            raise ValueError(f"bucket {props.name}: encryption 'kms' needs a key")
        self.props = props
        self.key = props.key if props.encryption == "kms" else None
        self.event_consumers: list[str] = []
        self.bucket = s3_bucket.S3Bucket(
            self,
            "bucket",
            bucket=props.name,
            force_destroy=None if props.retain_on_destroy else True,
            lifecycle=TerraformResourceLifecycle(prevent_destroy=True) if props.retain_on_destroy else None,
        )
        s3_bucket_public_access_block.S3BucketPublicAccessBlock(
            self,
            "public-access-block",
            bucket=self.bucket_id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
        )
        s3_bucket_ownership_controls.S3BucketOwnershipControls(
            self,
            "ownership",
            bucket=self.bucket_id,
            rule=s3_bucket_ownership_controls.S3BucketOwnershipControlsRule(object_ownership="BucketOwnerEnforced"),
        )
        s3_bucket_versioning.S3BucketVersioningA(
            self,
            "versioning",
            bucket=self.bucket_id,
            versioning_configuration=s3_bucket_versioning.S3BucketVersioningVersioningConfiguration(status="Enabled"),
        )
        default = (
            sse.S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA(
                sse_algorithm="aws:kms", kms_master_key_id=self.key.arn
            )
            if self.key
            else sse.S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA(sse_algorithm="AES256")
        )
        sse.S3BucketServerSideEncryptionConfigurationA(
            self,
            "encryption",
            bucket=self.bucket_id,
            # A bucket key means one KMS data key per bucket, not per object: fewer KMS requests.
            rule=[sse.S3BucketServerSideEncryptionConfigurationRuleA(
                apply_server_side_encryption_by_default=default, bucket_key_enabled=self.key is not None
            )],
        )  # fmt: skip
        lc.S3BucketLifecycleConfiguration(self, "lifecycle", bucket=self.bucket_id, rule=self._lifecycle_rules())
        if props.cors_rules:
            s3_bucket_cors_configuration.S3BucketCorsConfiguration(
                self,
                "cors",
                bucket=self.bucket_id,
                cors_rule=[
                    s3_bucket_cors_configuration.S3BucketCorsConfigurationCorsRule(
                        allowed_methods=list(rule.allowed_methods),
                        allowed_origins=list(rule.allowed_origins),
                        allowed_headers=list(rule.allowed_headers) or None,
                        expose_headers=list(rule.expose_headers) or None,
                        max_age_seconds=rule.max_age_seconds,
                    )
                    for rule in props.cors_rules
                ],
            )
        if props.access_log_bucket is not None:
            s3_bucket_logging.S3BucketLoggingA(
                self,
                "access-logging",
                bucket=self.bucket_id,
                target_bucket=props.access_log_bucket.bucket.id,
                target_prefix=props.access_log_prefix,
            )
        self._statements: list[dict[str, Any]] = [
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": self._everything(),
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
            {
                "Sid": "DenyTlsBelow12",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": self._everything(),
                "Condition": {"NumericLessThan": {"s3:TlsVersion": "1.2"}},
            },
            *props.statements,
        ]
        self.policy = s3_bucket_policy.S3BucketPolicy(self, "policy", bucket=self.bucket_id, policy=self._render_policy())

    @cached_property
    def bucket_id(self) -> str:
        # Read once, as AccountContext reads its attributes (modules/core/identity.py).
        return self.bucket.id

    @cached_property
    def arn(self) -> str:
        return self.bucket.arn

    def _everything(self) -> list[str]:
        return [self.arn, f"{self.arn}/*"]

    def _render_policy(self) -> str:
        return json.dumps({"Version": "2012-10-17", "Statement": self._statements})

    def add_to_resource_policy(self, statement: dict[str, Any]) -> None:
        """Add a statement to the bucket policy (for service principals such as CloudFront)."""
        self._statements.append(statement)
        self.policy.add_override("policy", self._render_policy())

    def _lifecycle_rules(self) -> list[lc.S3BucketLifecycleConfigurationRule]:
        props = self.props
        rules = [
            lc.S3BucketLifecycleConfigurationRule(
                id=rule.id,
                status="Enabled",
                filter=[lc.S3BucketLifecycleConfigurationRuleFilter(prefix=rule.prefix)],
                expiration=[lc.S3BucketLifecycleConfigurationRuleExpiration(days=rule.expiration_days)]
                if rule.expiration_days is not None
                else None,
                transition=[
                    lc.S3BucketLifecycleConfigurationRuleTransition(days=days, storage_class=storage_class)
                    for storage_class, days in rule.transitions
                ]
                or None,
            )
            for rule in props.lifecycle_rules
        ]
        rules.append(
            lc.S3BucketLifecycleConfigurationRule(
                id="expire-noncurrent-versions",
                status="Enabled",
                filter=[lc.S3BucketLifecycleConfigurationRuleFilter(prefix="")],
                noncurrent_version_expiration=[
                    lc.S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration(
                        noncurrent_days=props.noncurrent_version_expiration_days,
                        newer_noncurrent_versions=props.newer_noncurrent_versions,
                    )
                ],
                abort_incomplete_multipart_upload=[
                    lc.S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload(
                        days_after_initiation=props.abort_incomplete_multipart_upload_days
                    )
                ],
            )
        )
        return rules

    # --- grants -------------------------------------------------------------------
    def grant_read(self, role: iam_role.IamRole, prefix: str = "") -> iam_role_policy.IamRolePolicy:
        """Read objects under `prefix` (and decrypt them)."""
        return self._grant(role, f"read-{prefix or 'all'}", READ_ACTIONS, prefix, KMS_READ_ACTIONS)

    def grant_put(self, role: iam_role.IamRole, prefix: str = "") -> iam_role_policy.IamRolePolicy:
        """Write objects under `prefix` (and encrypt them)."""
        return self._grant(role, f"put-{prefix or 'all'}", PUT_ACTIONS, prefix, KMS_WRITE_ACTIONS)

    def grant_delete(self, role: iam_role.IamRole, prefix: str = "") -> iam_role_policy.IamRolePolicy:
        """Delete objects under `prefix` (a delete marker; earlier versions stay until the lifecycle expires them)."""
        return self._grant(role, f"delete-{prefix or 'all'}", DELETE_ACTIONS, prefix, ())

    def grant_read_write(self, role: iam_role.IamRole) -> iam_role_policy.IamRolePolicy:
        """Read, write and list the whole bucket."""
        return self._grant(role, "read-write", READ_ACTIONS + PUT_ACTIONS, "", KMS_WRITE_ACTIONS, list_bucket=True)

    def _grant(
        self,
        role: iam_role.IamRole,
        purpose: str,
        actions: tuple[str, ...],
        prefix: str,
        kms_actions: tuple[str, ...],
        *,
        list_bucket: bool = False,
    ) -> iam_role_policy.IamRolePolicy:
        if prefix and not prefix.endswith("/"):
            raise ValueError(f"prefix {prefix!r}: end it with '/' so it cannot match a sibling prefix")
        statements: list[dict[str, Any]] = [
            {"Sid": "Objects", "Effect": "Allow", "Action": list(actions), "Resource": f"{self.arn}/{prefix}*"}
        ]
        if list_bucket:
            statements.append({"Sid": "List", "Effect": "Allow", "Action": list(LIST_ACTIONS), "Resource": self.arn})
        if kms_actions and self.key is not None:
            statements.append(
                {
                    "Sid": "BucketKey",
                    "Effect": "Allow",
                    "Action": list(kms_actions),
                    "Resource": self.key.arn,
                    # Only for requests S3 makes on the caller's behalf to this bucket.
                    "Condition": {"StringEquals": {"kms:EncryptionContext:aws:s3:arn": self.arn}},
                }
            )
        grantee = role.node.path.replace("/", "-")
        safe = purpose.replace("/", "")
        return iam_role_policy.IamRolePolicy(
            self,
            f"grant-{safe}-{grantee}",
            name=f"{self.props.name}-{safe}"[:128],
            role=role.id,
            policy=json.dumps({"Version": "2012-10-17", "Statement": statements}),
        )
