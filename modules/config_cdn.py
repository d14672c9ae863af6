"""`[cdn]` of an environment file: the CloudFront distribution and its WAF."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from policies import aws_rules

_FQDN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_ZONE_ID = re.compile(r"^Z[A-Z0-9]{1,31}$")
# WAF rate-based rules count requests over 5 minutes; AWS accepts limits of 10 to 2,000,000,000.
RATE_LIMIT_RANGE = (10, 2_000_000_000)


class CdnConfig(BaseModel):
    """`[cdn]`. Keys left out take the defaults below."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    geo_allow_list: tuple[str, ...] = Field(
        strict=False, description="ISO 3166-1 alpha-2 countries served; default DE, AT, CH, US, GB."
    )
    price_class: Literal["PriceClass_100", "PriceClass_200", "PriceClass_All"] = Field(
        description="Edge locations used; default PriceClass_100 (North America and Europe, the cheapest)."
    )
    domain_name: str | None = Field(default=None, description="Custom domain; default none (the cloudfront.net name).")
    hosted_zone_id: str | None = Field(
        default=None, description="Route 53 zone for the domain's records and certificate validation."
    )
    image_cache_days: int = Field(description="How long images stay cached; default 30.")
    document_cache_days: int = Field(description="How long reports stay cached; default 7.")
    rate_limit_per_5_minutes: int = Field(description="Requests per IP per 5 minutes before WAF blocks; default 2000.")
    waf_log_retention_days: int = Field(description="WAF log retention; default per environment.")

    @field_validator("geo_allow_list")
    @classmethod
    def _geo(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        problems = aws_rules.geo_code_problems(value)
        if problems:
            raise ValueError("; ".join(problems))
        if not value:
            raise ValueError("at least one country (an empty allow-list would serve no one)")
        return value

    @field_validator("domain_name")
    @classmethod
    def _domain(cls, value: str | None) -> str | None:
        if value is not None and not _FQDN.match(value):
            raise ValueError("a lowercase fully qualified domain name such as files.example.com")
        return value

    @field_validator("hosted_zone_id")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        if value is not None and not _ZONE_ID.match(value):
            raise ValueError("a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ")
        return value

    @field_validator("image_cache_days", "document_cache_days")
    @classmethod
    def _cache_days(cls, value: int) -> int:
        if not 0 <= value <= 365:
            raise ValueError("0 to 365 days (CloudFront's maximum TTL is one year)")
        return value

    @field_validator("rate_limit_per_5_minutes")
    @classmethod
    def _rate(cls, value: int) -> int:
        low, high = RATE_LIMIT_RANGE
        if not low <= value <= high:
            raise ValueError(f"WAF accepts {low:,} to {high:,} requests per 5 minutes")
        return value


def cdn_problems(cdn: CdnConfig, problem: Callable[[str, Any, str], None]) -> None:
    if (cdn.domain_name is None) != (cdn.hosted_zone_id is None):
        problem(
            "cdn.hosted_zone_id" if cdn.domain_name else "cdn.domain_name",
            cdn.hosted_zone_id if cdn.domain_name else cdn.domain_name,
            "domain_name and hosted_zone_id go together: the certificate is validated and the alias created in that zone",
        )


CDN_DEFAULTS: dict[str, Any] = {
    "geo_allow_list": ["DE", "AT", "CH", "US", "GB"],
    "price_class": "PriceClass_100",
    "image_cache_days": 30,
    "document_cache_days": 7,
    "rate_limit_per_5_minutes": 2000,
}
CDN_PRESETS: dict[str, dict[str, Any]] = {
    "dev": {"waf_log_retention_days": 30},
    "staging": {"waf_log_retention_days": 90},
    "prod": {"waf_log_retention_days": 365},
}
