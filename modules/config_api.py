"""`[api]` of an environment file: the file-sharing API, its functions and its limits."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

_CONTENT_TYPE = re.compile(r"^[a-z]+/[a-z0-9.+-]+$")
_USER_POOL_ARN = re.compile(r"^arn:aws(-[a-z]+)*:cognito-idp:([a-z]{2}(-[a-z]+)+-\d):\d{12}:userpool/\2_[A-Za-z0-9]+$")
# Lambda accepts 128 MB to 10,240 MB and timeouts up to 900 s (Lambda quotas).
MEMORY_RANGE_MB = (128, 10240)
TIMEOUT_RANGE_SECONDS = (1, 900)


class FunctionConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    memory_mb: int = Field(description="Memory; CPU scales with it.")
    timeout_seconds: int = Field(description="Timeout; the API Gateway integration gives up after 29 s.")
    reserved_concurrency: int = Field(description="Concurrent executions reserved and capped.")

    @field_validator("memory_mb")
    @classmethod
    def _memory(cls, value: int) -> int:
        if not MEMORY_RANGE_MB[0] <= value <= MEMORY_RANGE_MB[1]:
            raise ValueError("Lambda accepts 128 to 10240 MB")
        return value

    @field_validator("timeout_seconds")
    @classmethod
    def _timeout(cls, value: int) -> int:
        if not TIMEOUT_RANGE_SECONDS[0] <= value <= TIMEOUT_RANGE_SECONDS[1]:
            raise ValueError("Lambda accepts 1 to 900 seconds")
        return value

    @field_validator("reserved_concurrency")
    @classmethod
    def _concurrency(cls, value: int) -> int:
        if not 1 <= value <= 1000:
            raise ValueError("1 to 1000 (the default account limit); 0 would switch the function off")
        return value


class ApiConfig(BaseModel):
    """`[api]`. Keys left out take the environment's preset."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    allowed_content_types: tuple[str, ...] = Field(strict=False, description="Types users may upload.")
    max_upload_bytes: int = Field(description="Largest upload accepted.")
    upload_url_ttl_seconds: int = Field(description="Life of a presigned upload, at most 900.")
    download_url_ttl_seconds: int = Field(description="Life of a presigned download, at most 300.")
    pending_ttl_seconds: int = Field(description="How long an unfinished upload's record lives.")
    throttle_rate_per_second: float = Field(strict=False, description="Stage steady-state request rate.")
    throttle_burst: int = Field(description="Stage burst.")
    waf_rate_limit_per_5_minutes: int = Field(description="Requests per IP per 5 minutes before the regional WAF blocks.")
    log_retention_days: int = Field(description="Function and access log retention.")
    lambdas_in_vpc: bool = Field(description="Run the functions in the private subnets (needs NAT or endpoints).")
    user_pool_arn: str | None = Field(default=None, description="Existing Cognito user pool to trust; default: create one.")
    allow_self_sign_up: bool = Field(default=False, description="Let anyone register; default: administrators invite users.")
    manage_api_gateway_account: bool = Field(
        default=True, description="Set the Region's API Gateway logging role (one per account and Region)."
    )
    upload_url: FunctionConfig
    download_url: FunctionConfig
    object_processor: FunctionConfig

    @field_validator("allowed_content_types")
    @classmethod
    def _types(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        bad = [v for v in value if not _CONTENT_TYPE.match(v)]
        if bad or not value:
            raise ValueError("a non-empty list of MIME types such as image/png")
        return value

    @field_validator("max_upload_bytes")
    @classmethod
    def _max_bytes(cls, value: int) -> int:
        # A presigned POST uploads at most 5 GB in one request (S3 PutObject limit).
        if not 1 <= value <= 5 * 1024**3:
            raise ValueError("1 byte to 5 GiB, the most S3 accepts in a single upload")
        return value

    @field_validator("upload_url_ttl_seconds")
    @classmethod
    def _upload_ttl(cls, value: int) -> int:
        if not 60 <= value <= 900:
            raise ValueError("60 to 900 seconds: an upload URL is short-lived")
        return value

    @field_validator("user_pool_arn")
    @classmethod
    def _pool(cls, value: str | None) -> str | None:
        if value is not None and not _USER_POOL_ARN.match(value):
            raise ValueError(
                "a user pool ARN such as arn:aws:cognito-idp:eu-central-1:123456789012:userpool/eu-central-1_AbCdEf123"
            )
        return value

    @field_validator("download_url_ttl_seconds")
    @classmethod
    def _download_ttl(cls, value: int) -> int:
        if not 10 <= value <= 300:
            raise ValueError("10 to 300 seconds: a download URL is short-lived")
        return value


API_DEFAULTS: dict[str, Any] = {
    "allowed_content_types": ["image/png", "image/jpeg", "image/webp", "application/pdf", "text/csv"],
    "max_upload_bytes": 25 * 1024 * 1024,
    "upload_url_ttl_seconds": 900,
    "download_url_ttl_seconds": 120,
    "pending_ttl_seconds": 86400,
    "lambdas_in_vpc": False,
    "upload_url": {"memory_mb": 256, "timeout_seconds": 10, "reserved_concurrency": 20},
    "download_url": {"memory_mb": 256, "timeout_seconds": 10, "reserved_concurrency": 20},
    "object_processor": {"memory_mb": 256, "timeout_seconds": 30, "reserved_concurrency": 10},
}
API_PRESETS: dict[str, dict[str, Any]] = {
    "dev": {"throttle_rate_per_second": 10, "throttle_burst": 20, "waf_rate_limit_per_5_minutes": 500, "log_retention_days": 14},
    "staging": {
        "throttle_rate_per_second": 50,
        "throttle_burst": 100,
        "waf_rate_limit_per_5_minutes": 1000,
        "log_retention_days": 90,
    },
    "prod": {
        "throttle_rate_per_second": 100,
        "throttle_burst": 200,
        "waf_rate_limit_per_5_minutes": 2000,
        "log_retention_days": 365,
    },
}
