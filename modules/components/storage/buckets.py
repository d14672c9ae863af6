"""The declared buckets (variant "s3"), their access-log bucket and the storage key."""

from __future__ import annotations

from collections.abc import Mapping

from constructs import Construct

from modules.components.storage.settings import BucketSettings, StorageSettings
from modules.core.context import BuildContext
from modules.core.contributions import Contributions, OutputSpec
from modules.core.findings import accept
from modules.core.kms import EncryptionKey, EncryptionKeyProps
from modules.core.ports import Parts, Ports, StoragePort
from modules.primitives.bucket import CorsRule, LifecycleRule, SecureBucket, SecureBucketProps
from modules.primitives.state_bucket import log_delivery_statement

# Why each purpose goes without cross-Region replication (CKV_AWS_144).
NO_REPLICA_BECAUSE = {
    "uploads": "Uploads are versioned and recoverable in the Region; a replica in a second Region doubles storage cost and is left to teams whose recovery plan requires one.",
    "static-site": "Files served through the CDN are versioned and can be republished; a replica in a second Region would double their storage cost.",
    "archive": "Archived objects are versioned in one Region; a second-Region copy is left to teams whose retention rules require one.",
    "media": "Media objects are versioned in one Region; a replica in a second Region would double the largest storage line of the bill, and is left to teams whose recovery plan requires one.",
    "logs": "Logs have a bounded lifecycle, and a replica in a second Region would double their cost for no recovery need.",
}
SSE_S3_FOR_LOGS = (
    "S3 server access logs and other log deliveries can only be written to buckets whose default encryption is SSE-S3."
)


class Storage(Construct):
    """Each `[buckets.<name>]` as a SecureBucket under `storage/<name>`, access-logged into
    `storage/logs`; one customer-managed key for the buckets (under SSE-KMS) and the table."""

    def __init__(
        self, scope: Construct, id: str, *, ctx: BuildContext, settings: StorageSettings, buckets: Mapping[str, BucketSettings]
    ) -> None:
        super().__init__(scope, id)
        self.settings = settings
        protection = ctx.protection
        self.key = EncryptionKey(
            self,
            "key",
            account=ctx.account,
            props=EncryptionKeyProps(
                alias=f"{ctx.name}-storage",
                description=f"Encrypts the {ctx.name} buckets and file table",
                deletion_window_in_days=protection.key_deletion_window_days,
                prevent_destroy=protection.retain_on_destroy,
            ),
        )
        # Server access logs can only be delivered to SSE-S3 buckets.
        self.logs = SecureBucket(
            self,
            "logs",
            props=SecureBucketProps(
                name=ctx.bucket_name("logs"),
                encryption="s3",
                lifecycle_rules=(LifecycleRule(id="expire-access-logs", expiration_days=settings.access_log_retention_days),),
                noncurrent_version_expiration_days=1,
                retain_on_destroy=protection.retain_on_destroy,
            ),
        )
        self.buckets: dict[str, SecureBucket] = {}
        for name, declared in buckets.items():
            sse_s3 = settings.encryption == "s3" or declared.encryption_must_be_s3
            methods = declared.resolved("cors_allowed_methods")
            origins = declared.origins(settings.cors_allowed_origins)
            cors = (
                (
                    CorsRule(
                        allowed_methods=methods,
                        allowed_origins=origins,
                        allowed_headers=declared.resolved("cors_allowed_headers"),
                        expose_headers=declared.resolved("cors_expose_headers"),
                    ),
                )
                if origins and methods
                else ()
            )
            self.buckets[name] = SecureBucket(
                self,
                name,
                props=SecureBucketProps(
                    name=ctx.bucket_name(name),
                    encryption="s3" if sse_s3 else "kms",
                    key=None if sse_s3 else self.key,
                    lifecycle_rules=tuple(
                        LifecycleRule(
                            id=rule.id,
                            prefix=rule.prefix,
                            expiration_days=rule.expiration_days,
                            transitions=tuple((t.storage_class, t.days) for t in rule.transitions),
                        )
                        for rule in declared.rules
                    ),
                    noncurrent_version_expiration_days=settings.noncurrent_version_expiration_days,
                    cors_rules=cors,
                    access_log_bucket=self.logs,
                    access_log_prefix=f"s3/{name}/",
                    retain_on_destroy=protection.retain_on_destroy,
                ),
            )
        self._accept(buckets)
        account = ctx.account
        self.logs.add_to_resource_policy(
            log_delivery_statement(
                self.logs, account, [f"arn:{account.partition}:s3:::{ctx.bucket_name(n)}" for n in self.buckets], "s3/"
            )
        )

    def _accept(self, declared: Mapping[str, BucketSettings]) -> None:
        logs = self.logs.bucket
        accept(logs, check="CKV_AWS_144", pin={}, reason=NO_REPLICA_BECAUSE["logs"])
        accept(logs, check="CKV_AWS_145", pin={}, reason=SSE_S3_FOR_LOGS)
        accept(
            logs,
            check="CKV2_AWS_62",
            pin={},
            reason="The log bucket only receives access logs, which are read on demand during investigations.",
        )
        for name, settings in declared.items():
            bucket = self.buckets[name].bucket
            accept(bucket, check="CKV_AWS_144", pin={}, reason=NO_REPLICA_BECAUSE[settings.purpose])
            if settings.encryption_must_be_s3:
                accept(bucket, check="CKV_AWS_145", pin={}, reason=SSE_S3_FOR_LOGS)
            elif self.settings.encryption == "s3":
                accept(
                    bucket,
                    check="CKV_AWS_145",
                    pin={},
                    reason='storage.encryption = "s3": the environment file chose SSE-S3 over the customer-managed key for its buckets.',
                )

    def accept_quiet_buckets(self) -> None:
        """CKV2_AWS_62 for the buckets no component listens to (run after every component)."""
        for name, bucket in self.buckets.items():
            if not bucket.event_consumers:
                accept(
                    bucket.bucket,
                    check="CKV2_AWS_62",
                    pin={},
                    reason=f"Nothing in this environment reacts to objects arriving in the {name} bucket; every read and write is recorded in its access logs.",
                )


def build(scope: Construct, ctx: BuildContext, settings: StorageSettings, ports: Ports, parts: Parts) -> Contributions:
    """The "s3" variant: the declared buckets and their port and outputs."""
    declared: Mapping[str, BucketSettings] = parts.get("buckets", {})
    storage = Storage(scope, "storage", ctx=ctx, settings=settings, buckets=declared)
    ports.storage = StoragePort(
        buckets=storage.buckets,
        logs=storage.logs,
        key=storage.key,
        encryption=settings.encryption,
        cors_allowed_origins=settings.cors_allowed_origins,
    )
    ports.finalizers.append(storage.accept_quiet_buckets)
    made = Contributions()
    for name, bucket in [*storage.buckets.items(), ("logs", storage.logs)]:
        made.outputs.append(
            OutputSpec(name=f"{name.replace('-', '_')}_bucket", value=bucket.bucket.bucket, description=f"{name} bucket name")
        )
    return made
