"""`[storage]` of an environment file: buckets, their lifecycle and CORS, and the file table."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

from policies import aws_rules

# "audit" is the CloudTrail and AWS Config bucket of modules/security.py.
BUCKET_PURPOSES = ("uploads", "profile", "reports", "logs", "audit")


class StorageConfig(BaseModel):
    """`[storage]`. Keys left out take the environment's preset."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    cors_allowed_origins: tuple[str, ...] = Field(
        default=(), strict=False, description="Web origins allowed to use the buckets from browsers; default none (no CORS)."
    )
    encryption: Literal["kms", "s3"] = Field(description="kms (customer-managed key, default) or s3 (SSE-S3).")
    bucket_suffix: str | None = Field(default=None, description="Suffix making bucket names unique; default: 8 hex of a hash.")
    uploads_temp_expiration_days: int = Field(description="uploads/temp/ objects expire after this many days.")
    uploads_infrequent_access_days: int = Field(description="uploads move to Standard-IA after this many days.")
    uploads_expiration_days: int | None = Field(default=None, description="Uploads expire after this many days; default never.")
    uploads_cors_methods: tuple[str, ...] = Field(
        strict=False, description="Methods browsers may use on uploads; default GET, PUT, HEAD."
    )
    uploads_cors_expose_headers: tuple[str, ...] = Field(
        strict=False, description="Response headers browsers may read; default ETag."
    )
    profile_temp_expiration_days: int = Field(description="profile/temp/ objects expire after this many days.")
    profile_infrequent_access_days: int = Field(description="profile images move to Standard-IA after this many days.")
    reports_expiration_days: int = Field(description="Reports expire after this many days.")
    reports_tmp_expiration_days: int = Field(description="reports/tmp/ objects expire after this many days.")
    noncurrent_version_expiration_days: int = Field(description="Overwritten versions are kept this long.")
    access_log_retention_days: int = Field(description="S3 access logs are kept this long.")

    @field_validator("cors_allowed_origins")
    @classmethod
    def _origins(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for origin in value:
            parts = urlsplit(origin)
            local = parts.scheme == "http" and parts.hostname in ("localhost", "127.0.0.1")
            if parts.scheme not in ("https", "http") or not parts.hostname or (parts.scheme == "http" and not local):
                raise ValueError(f"{origin!r} is not an origin URL: use https://host[:port] (http only for localhost)")
            if parts.path not in ("", "/") or parts.query or parts.fragment or "*" in origin:
                raise ValueError(f"{origin!r}: an origin is scheme, host and port only, without path or wildcard")
        return value

    @field_validator("bucket_suffix")
    @classmethod
    def _suffix(cls, value: str | None) -> str | None:
        if value is not None and not (1 <= len(value) <= 12 and value.isalnum() and value.islower()):
            raise ValueError("1 to 12 lowercase letters and digits")
        return value


def bucket_names(project: str, environment: str, owner: str, suffix: str | None) -> dict[str, str]:
    """Globally unique, stable bucket names: <project>-<env>-<purpose>-<suffix>."""
    stable = suffix or hashlib.sha256(f"{project}:{environment}:{owner}".encode()).hexdigest()[:8]
    return {purpose: f"{project}-{environment}-{purpose}-{stable}" for purpose in BUCKET_PURPOSES}


def lifecycle_plan(storage: StorageConfig) -> dict[str, list[dict[str, Any]]]:
    """Lifecycle rules per bucket, in Terraform JSON shape, so the AWS rules can judge them."""

    def rule(
        rule_id: str, prefix: str, expiration: int | None = None, transitions: tuple[tuple[str, int], ...] = ()
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"id": rule_id, "prefix": prefix}
        if expiration is not None:
            body["expiration"] = [{"days": expiration}]
        body["transition"] = [{"storage_class": c, "days": d} for c, d in transitions]
        return body

    return {
        "uploads": [
            rule("expire-temp", "temp/", storage.uploads_temp_expiration_days),
            rule(
                "infrequent-access",
                "",
                storage.uploads_expiration_days,
                transitions=(("STANDARD_IA", storage.uploads_infrequent_access_days),),
            ),
        ],
        "profile": [
            rule("expire-temp", "temp/", storage.profile_temp_expiration_days),
            rule("infrequent-access", "", transitions=(("STANDARD_IA", storage.profile_infrequent_access_days),)),
        ],
        "reports": [
            rule("expire-reports", "", storage.reports_expiration_days),
            rule("expire-tmp", "tmp/", storage.reports_tmp_expiration_days),
        ],
        "logs": [rule("expire-access-logs", "", storage.access_log_retention_days)],
    }


_LIFECYCLE_KEYS = {
    ("uploads", "expire-temp"): "uploads_temp_expiration_days",
    ("uploads", "infrequent-access"): "uploads_infrequent_access_days",
    ("profile", "expire-temp"): "profile_temp_expiration_days",
    ("profile", "infrequent-access"): "profile_infrequent_access_days",
    ("reports", "expire-reports"): "reports_expiration_days",
    ("reports", "expire-tmp"): "reports_tmp_expiration_days",
    ("logs", "expire-access-logs"): "access_log_retention_days",
}


_EXPIRATION_KEYS = {("uploads", "infrequent-access"): "uploads_expiration_days"}


def storage_problems(
    storage: StorageConfig, project: str, environment: str, owner: str, problem: Callable[[str, Any, str], None]
) -> None:
    for purpose, name in bucket_names(project, environment, owner, storage.bucket_suffix).items():
        for text in aws_rules.bucket_name_problems(name):
            problem("storage.bucket_suffix", storage.bucket_suffix, f"the {purpose} bucket would be named {name!r}: {text}")
    for purpose, rules in lifecycle_plan(storage).items():
        for rule in rules:
            key = _LIFECYCLE_KEYS[(purpose, rule["id"])]
            for text in aws_rules.lifecycle_rule_problems(rule):
                # An expiration that comes too early is the expiration's fault, not the transition's.
                blamed = _EXPIRATION_KEYS.get((purpose, rule["id"]), key) if "expiration after" in text else key
                problem(f"storage.{blamed}", getattr(storage, blamed), f"{purpose} bucket {text}")
            days = getattr(storage, key)
            if days < 1:
                problem(f"storage.{key}", days, "at least 1 day")
    if storage.cors_allowed_origins:
        rule = {
            "allowed_methods": list(storage.uploads_cors_methods),
            "allowed_origins": list(storage.cors_allowed_origins),
            "expose_headers": list(storage.uploads_cors_expose_headers),
        }
        for text in aws_rules.cors_problems([rule]):
            key = "uploads_cors_expose_headers" if "expose_headers" in text else "uploads_cors_methods"
            problem(f"storage.{key}", list(getattr(storage, key)), text.replace("CORS rule 0:", "uploads CORS:"))
    if storage.noncurrent_version_expiration_days < 1:
        problem("storage.noncurrent_version_expiration_days", storage.noncurrent_version_expiration_days, "at least 1 day")


STORAGE_DEFAULTS: dict[str, Any] = {
    "encryption": "kms",
    "uploads_cors_methods": ["GET", "PUT", "HEAD"],
    "uploads_cors_expose_headers": ["ETag"],
    "uploads_temp_expiration_days": 7,
    "uploads_infrequent_access_days": 30,
    "profile_temp_expiration_days": 7,
    "profile_infrequent_access_days": 90,
    "reports_expiration_days": 30,
    "reports_tmp_expiration_days": 7,
}
STORAGE_PRESETS: dict[str, dict[str, Any]] = {
    "dev": {
        "cors_allowed_origins": ["http://localhost:3000"],
        "noncurrent_version_expiration_days": 7,
        "access_log_retention_days": 30,
    },
    "staging": {"noncurrent_version_expiration_days": 30, "access_log_retention_days": 90},
    "prod": {"noncurrent_version_expiration_days": 30, "access_log_retention_days": 365},
}
