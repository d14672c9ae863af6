"""The application's buckets (uploads, profile, reports), their log bucket, and the file table."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from constructs import Construct

from modules.core.identity import AccountContext
from modules.core.kms import EncryptionKey, EncryptionKeyProps
from modules.primitives.bucket import CorsRule, LifecycleRule, SecureBucket, SecureBucketProps
from modules.primitives.file_table import FileTable, FileTableProps
from modules.primitives.state_bucket import log_delivery_statement


@dataclass(frozen=True, kw_only=True)
class StorageProps:
    """Storage settings, resolved by the configuration model.

    name_prefix: `<project>-<environment>`. bucket_names: purpose -> name (uploads,
    profile, reports, logs). cors_allowed_origins: browser origins for uploads and
    reports; default none, and then no CORS configuration at all.
    encryption: "kms" (default: one customer-managed key for the buckets and the table)
    or "s3". The lifecycle settings are in days; see the environment file reference.
    retain_on_destroy: prevent_destroy on buckets, key and table (prod); otherwise dev
    buckets are force-destroyed so repeated deploys leave no orphans.
    """

    name_prefix: str
    bucket_names: dict[str, str]
    cors_allowed_origins: tuple[str, ...] = ()
    encryption: Literal["kms", "s3"] = "kms"
    uploads_temp_expiration_days: int = 7
    uploads_infrequent_access_days: int = 30
    uploads_expiration_days: int | None = None
    uploads_cors_methods: tuple[str, ...] = ("GET", "PUT", "HEAD")
    uploads_cors_expose_headers: tuple[str, ...] = ("ETag",)
    profile_temp_expiration_days: int = 7
    profile_infrequent_access_days: int = 90
    reports_expiration_days: int = 30
    reports_tmp_expiration_days: int = 7
    noncurrent_version_expiration_days: int = 30
    access_log_retention_days: int = 365
    retain_on_destroy: bool = True
    deletion_protection: bool = True
    key_deletion_window_in_days: int = 30
    extra: dict[str, str] = field(default_factory=dict)


class Storage(Construct):
    """uploads (private, presigned access), profile and reports (served through the CDN), logs."""

    def __init__(self, scope: Construct, id: str, *, account: AccountContext, props: StorageProps) -> None:
        super().__init__(scope, id)
        self.props = props
        self.key = EncryptionKey(
            self,
            "key",
            account=account,
            props=EncryptionKeyProps(
                alias=f"{props.name_prefix}-storage",
                description=f"Encrypts the {props.name_prefix} buckets and file table",
                deletion_window_in_days=props.key_deletion_window_in_days,
                prevent_destroy=props.retain_on_destroy,
            ),
        )
        bucket_key = self.key if props.encryption == "kms" else None
        names = props.bucket_names

        def bucket(purpose: str, **settings: object) -> SecureBucket:
            return SecureBucket(
                self,
                purpose,
                props=SecureBucketProps(
                    name=names[purpose],
                    encryption=props.encryption,
                    key=bucket_key,
                    noncurrent_version_expiration_days=props.noncurrent_version_expiration_days,
                    retain_on_destroy=props.retain_on_destroy,
                    **settings,  # type: ignore[arg-type]
                ),
            )

        # Server access logs can only be delivered to SSE-S3 buckets.
        self.logs = SecureBucket(
            self,
            "logs",
            props=SecureBucketProps(
                name=names["logs"],
                encryption="s3",
                lifecycle_rules=(LifecycleRule(id="expire-access-logs", expiration_days=props.access_log_retention_days),),
                noncurrent_version_expiration_days=1,
                retain_on_destroy=props.retain_on_destroy,
            ),
        )
        origins = props.cors_allowed_origins
        self.uploads = bucket(
            "uploads",
            lifecycle_rules=(
                LifecycleRule(id="expire-temp", prefix="temp/", expiration_days=props.uploads_temp_expiration_days),
                LifecycleRule(
                    id="infrequent-access",
                    expiration_days=props.uploads_expiration_days,
                    transitions=(("STANDARD_IA", props.uploads_infrequent_access_days),),
                ),
            ),
            # Browsers upload with presigned PUT and read the ETag to confirm it.
            cors_rules=(
                CorsRule(
                    allowed_methods=props.uploads_cors_methods,
                    allowed_origins=origins,
                    allowed_headers=("*",),
                    expose_headers=props.uploads_cors_expose_headers,
                ),
            )
            if origins
            else (),
            access_log_bucket=self.logs,
            access_log_prefix="s3/uploads/",
        )
        self.profile = bucket(
            "profile",
            lifecycle_rules=(
                LifecycleRule(id="expire-temp", prefix="temp/", expiration_days=props.profile_temp_expiration_days),
                LifecycleRule(id="infrequent-access", transitions=(("STANDARD_IA", props.profile_infrequent_access_days),)),
            ),
            access_log_bucket=self.logs,
            access_log_prefix="s3/profile/",
        )
        self.reports = bucket(
            "reports",
            lifecycle_rules=(
                LifecycleRule(id="expire-reports", expiration_days=props.reports_expiration_days),
                LifecycleRule(id="expire-tmp", prefix="tmp/", expiration_days=props.reports_tmp_expiration_days),
            ),
            cors_rules=(CorsRule(allowed_methods=("GET", "HEAD"), allowed_origins=origins),) if origins else (),
            access_log_bucket=self.logs,
            access_log_prefix="s3/reports/",
        )
        self.logs.add_to_resource_policy(
            log_delivery_statement(
                self.logs, account, [f"arn:{account.partition}:s3:::{names[p]}" for p in ("uploads", "profile", "reports")], "s3/"
            )
        )
        self.file_table = FileTable(
            self,
            "files",
            account=account,
            props=FileTableProps(
                name=f"{props.name_prefix}-files",
                key=self.key,
                deletion_protection=props.deletion_protection,
                retain_on_destroy=props.retain_on_destroy,
            ),
        )
