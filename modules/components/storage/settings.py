"""`[storage]` (variant "s3") and its declared buckets, `[buckets.<name>]`.

A bucket is declared by name and purpose; the purpose gives it lifecycle rules and
browser access that fit, and every key can override them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, ClassVar, Literal

from pydantic import Field, model_validator

from modules.core.naming import bucket_name
from modules.core.settings import ComponentSettings, Days, EnvironmentView, Report, Settings, WebOrigins, by_profile
from modules.core.weakening import Weakening, becomes, lower
from policies import aws_rules

Purpose = Literal["uploads", "static-site", "archive", "logs", "media"]
StorageClass = Literal["STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"]
_BUCKET_KEY = re.compile(r"^[a-z][a-z0-9-]{0,19}$")


class TransitionSettings(Settings):
    storage_class: StorageClass = Field(description="Storage class objects move to.")
    days: Days = Field(description="Days after creation.")


class LifecycleRuleSettings(Settings):
    """One lifecycle rule; `prefix` "" applies it to the whole bucket."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$", description="Rule id, unique in the bucket.")
    prefix: str = Field(default="", description="Key prefix the rule applies to; default the whole bucket.")
    expiration_days: Days | None = Field(default=None, description="Objects expire after this many days; default never.")
    transitions: tuple[TransitionSettings, ...] = Field(
        default=(), strict=False, description="Moves to cheaper storage classes; default none."
    )

    @model_validator(mode="after")
    def _does_something(self) -> LifecycleRuleSettings:
        # S3 rejects a rule without an action.
        if self.expiration_days is None and not self.transitions:
            raise ValueError("a rule needs expiration_days or transitions: S3 rejects a rule that does nothing")
        return self

    def as_terraform(self) -> dict[str, Any]:
        """The rule in Terraform JSON shape, as the AWS rules (and the gate) judge it."""
        body: dict[str, Any] = {"id": self.id, "prefix": self.prefix}
        if self.expiration_days is not None:
            body["expiration"] = [{"days": self.expiration_days}]
        body["transition"] = [{"storage_class": t.storage_class, "days": t.days} for t in self.transitions]
        return body


def _rule(id: str, prefix: str = "", expiration_days: int | None = None, **classes: int) -> LifecycleRuleSettings:
    transitions = tuple(TransitionSettings(storage_class=c, days=d) for c, d in classes.items())  # type: ignore[arg-type]
    return LifecycleRuleSettings(id=id, prefix=prefix, expiration_days=expiration_days, transitions=transitions)


# What each purpose gets for the keys its table leaves out: lifecycle rules, and the
# methods, headers and exposed headers browsers get when CORS origins are set.
PURPOSE_DEFAULTS: dict[str, dict[str, Any]] = {
    # Browsers upload with presigned PUT and read the ETag to confirm it; abandoned
    # temp/ objects go after a week, the rest moves to Standard-IA after 30 days.
    "uploads": {
        "lifecycle": (_rule("expire-temp", "temp/", 7), _rule("infrequent-access", STANDARD_IA=30)),
        "cors_allowed_methods": ("GET", "PUT", "HEAD"),
        "cors_allowed_headers": ("*",),
        "cors_expose_headers": ("ETag",),
    },
    # Files served through the CDN: kept until replaced, read-only for browsers.
    "static-site": {
        "lifecycle": (),
        "cors_allowed_methods": ("GET", "HEAD"),
        "cors_allowed_headers": (),
        "cors_expose_headers": (),
    },
    # Kept for years and rarely read: Standard-IA after 30 days, Glacier after 90.
    "archive": {
        "lifecycle": (_rule("archive", STANDARD_IA=30, GLACIER=90),),
        "cors_allowed_methods": (),
        "cors_allowed_headers": (),
        "cors_expose_headers": (),
    },
    # Large objects read unpredictably (photos, video, documents): Intelligent-Tiering from
    # the first day moves each object to the cheaper tier its own reads allow, with no
    # retrieval fee; objects under 128 KB stay in the frequent tier and are not monitored
    # (S3 User Guide, "How S3 Intelligent-Tiering works").
    "media": {
        "lifecycle": (_rule("intelligent-tiering", INTELLIGENT_TIERING=1),),
        "cors_allowed_methods": ("GET", "HEAD"),
        "cors_allowed_headers": (),
        "cors_expose_headers": (),
    },
    # Log delivery services write with SSE-S3 only; a year of logs, then they expire.
    "logs": {
        "lifecycle": (_rule("expire-logs", expiration_days=365),),
        "cors_allowed_methods": (),
        "cors_allowed_headers": (),
        "cors_expose_headers": (),
    },
}


class BucketSettings(Settings):
    """One declared bucket, `<project>-<environment>-<name>-<suffix>`. Private, encrypted,
    versioned, TLS-only and access-logged whatever is set here."""

    purpose: Purpose = Field(description="What the bucket holds; sets the defaults of the keys below.")
    lifecycle: tuple[LifecycleRuleSettings, ...] | None = Field(
        default=None,
        strict=False,
        description="Lifecycle rules; default by purpose: uploads, temp/ expires after 7 days and the rest moves to "
        "Standard-IA after 30; archive, Standard-IA after 30 and Glacier after 90; logs, expire after 365; static-site, none.",
    )
    cors_allowed_origins: WebOrigins | None = Field(
        default=None,
        strict=False,
        description="Web origins browsers may use this bucket from; default: [storage] cors_allowed_origins. An empty "
        "list: no browser access to this bucket.",
    )
    cors_allowed_methods: tuple[str, ...] | None = Field(
        default=None,
        strict=False,
        description="Methods browsers may use when CORS origins are set; default by purpose: uploads GET, PUT, HEAD; "
        "static-site GET, HEAD; archive and logs none. An empty list turns CORS off for the bucket.",
    )
    cors_allowed_headers: tuple[str, ...] | None = Field(
        default=None, strict=False, description="Request headers browsers may send; default: the purpose's."
    )
    cors_expose_headers: tuple[str, ...] | None = Field(
        default=None, strict=False, description="Response headers browsers may read; default: the purpose's."
    )

    def origins(self, storage_wide: tuple[str, ...]) -> tuple[str, ...]:
        """The origins this bucket answers: its own, or the storage-wide ones."""
        return storage_wide if self.cors_allowed_origins is None else self.cors_allowed_origins

    def resolved(self, key: str) -> Any:
        value = getattr(self, key)
        return PURPOSE_DEFAULTS[self.purpose][key] if value is None else value

    @property
    def rules(self) -> tuple[LifecycleRuleSettings, ...]:
        return self.resolved("lifecycle")  # type: ignore[no-any-return]

    @property
    def encryption_must_be_s3(self) -> bool:
        return self.purpose == "logs"


class StorageSettings(ComponentSettings):
    """The buckets of `[buckets.<name>]`, their access-log bucket and their key."""

    weakens: ClassVar[Mapping[str, Weakening]] = {
        "encryption": becomes(
            "Buckets use SSE-S3: AWS-managed keys, so no key policy limits who can decrypt their objects.",
            "s3",
        ),
        "noncurrent_version_expiration_days": lower("Overwritten and deleted objects can be recovered for less time."),
        "access_log_retention_days": lower("S3 access logs are kept for less time: older access cannot be investigated."),
    }

    moved_keys: ClassVar[Mapping[str, str]] = {
        "bucket_suffix": "bucket_suffix (a top-level key: audit and storage buckets share it)",
        **{
            key: "[buckets.<name>] lifecycle = [...] (each bucket declares its own rules)"
            for key in (
                "uploads_temp_expiration_days",
                "uploads_infrequent_access_days",
                "uploads_expiration_days",
                "profile_temp_expiration_days",
                "profile_infrequent_access_days",
                "reports_expiration_days",
                "reports_tmp_expiration_days",
            )
        },
        "uploads_cors_methods": "[buckets.<name>] cors_allowed_methods",
        "uploads_cors_expose_headers": "[buckets.<name>] cors_expose_headers",
    }

    encryption: Literal["kms", "s3"] = Field(
        default="kms", description="kms: the environment's customer-managed key (SSE-KMS); s3: SSE-S3."
    )
    cors_allowed_origins: WebOrigins = Field(
        default=(), strict=False, description="Web origins browsers may use the buckets from; default none (no CORS)."
    )
    noncurrent_version_expiration_days: Days = by_profile(
        development=7, production=30, description="Overwritten and deleted versions are kept this long for recovery."
    )
    access_log_retention_days: Days = by_profile(
        development=30, production=365, description="Days S3 server access logs are kept in the log bucket."
    )

    def check(self, view: EnvironmentView, report: Report) -> None:
        buckets = view.parts.get("buckets", {})
        for key, bucket in buckets.items():
            assert isinstance(bucket, BucketSettings)
            where = f"buckets.{key}"
            if not _BUCKET_KEY.fullmatch(key):
                report(where, key, "a bucket key is 1 to 20 lowercase letters, digits and hyphens, starting with a letter")
                continue
            if key in ("logs", "audit"):
                report(where, key, f"{key!r} is the name of a bucket the foundation creates itself; choose another name")
            name = bucket_name(view.project, view.name, key, view.bucket_suffix)
            for text in aws_rules.bucket_name_problems(name):
                report(where, key, f"the bucket would be named {name!r}: {text}")
            seen: set[str] = set()
            for index, rule in enumerate(bucket.rules):
                if rule.id in seen or rule.id == "expire-noncurrent-versions":
                    report(
                        f"{where}.lifecycle[{index}].id",
                        rule.id,
                        "each rule id once per bucket (expire-noncurrent-versions is the foundation's)",
                    )
                seen.add(rule.id)
                for text in aws_rules.lifecycle_rule_problems(rule.as_terraform()):
                    report(f"{where}.lifecycle[{index}]", rule.model_dump(exclude_defaults=True), text)
            origins = bucket.origins(self.cors_allowed_origins)
            if origins and bucket.resolved("cors_allowed_methods"):
                cors = {
                    "allowed_methods": list(bucket.resolved("cors_allowed_methods")),
                    "allowed_origins": list(origins),
                    "expose_headers": list(bucket.resolved("cors_expose_headers")),
                }
                for text in aws_rules.cors_problems([cors]):
                    key_name = "cors_expose_headers" if "expose_headers" in text else "cors_allowed_methods"
                    report(f"{where}.{key_name}", list(bucket.resolved(key_name)), text.replace("CORS rule 0:", "CORS:"))
