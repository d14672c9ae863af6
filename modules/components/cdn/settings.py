"""`[cdn]` (variant "cloudfront"): one distribution in front of declared buckets."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import ClassVar, Literal

from pydantic import Field, field_validator

from modules.core.domains import within
from modules.core.settings import ComponentSettings, EnvironmentView, LogRetentionDays, Report, Settings, WebOrigins, by_profile
from modules.core.weakening import Weakening, higher, lower
from policies import aws_rules

_FQDN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_ZONE_ID = re.compile(r"^Z[A-Z0-9]{1,31}$")
_NAME = re.compile(r"^[a-z][a-z0-9-]{0,30}$")
# WAF rate-based rules count requests over 5 minutes; AWS accepts limits of 10 to 2,000,000,000.
RATE_LIMIT_RANGE = (10, 2_000_000_000)
Method = Literal["GET", "HEAD", "OPTIONS"]
# CloudFront accepts exactly these method sets for read-only origins.
METHOD_SETS = (("GET", "HEAD"), ("GET", "HEAD", "OPTIONS"))
# CloudFront quotas: 25 cache behaviours per distribution; a comment of at most 128 characters.
MAX_BEHAVIORS = 25
MAX_COMMENT = 128


class CachePolicySettings(Settings):
    """How long CloudFront keeps an object; 0 caches nothing (every request reaches the origin)."""

    ttl_days: int = Field(ge=0, le=365, description="Days objects stay cached (CloudFront's maximum TTL is one year).")


class ResponseHeadersSettings(Settings):
    """Headers CloudFront adds to responses of the behaviours that name this policy, on top of
    the security headers every response gets (HSTS, nosniff, referrer policy)."""

    content_security_policy: str | None = Field(
        default=None,
        description="Content-Security-Policy header, such as default-src 'self'; default none.",
    )
    frame_options: Literal["DENY", "SAMEORIGIN"] = Field(
        default="DENY", description="X-Frame-Options: DENY, or SAMEORIGIN for pages that frame themselves."
    )
    cors_allowed_origins: WebOrigins = Field(
        default=(), strict=False, description="Origins allowed to read these responses from a browser (CORS); default none."
    )
    cors_max_age_seconds: int = Field(default=3600, ge=0, le=86400, description="How long browsers may cache a preflight answer.")

    @field_validator("content_security_policy")
    @classmethod
    def _csp(cls, value: str | None) -> str | None:
        # CloudFront accepts a policy of up to 1783 characters (CloudFront quotas, response headers policies).
        if value is not None and not 1 <= len(value) <= 1783:
            raise ValueError("1 to 1783 characters, CloudFront's limit for Content-Security-Policy")
        if value is not None and any(ord(c) < 32 for c in value):
            raise ValueError("one line without control characters")
        return value


class BehaviorSettings(Settings):
    """Which origin serves a path, and how long CloudFront caches it."""

    path_pattern: str = Field(
        default="*",
        pattern=r"^[A-Za-z0-9_./*{}-]+$",
        description="Path pattern such as /images/*; ignored for the default behaviour.",
    )
    origin: str = Field(description="A declared bucket ([buckets.<name>]) that serves these paths.")
    cache_policy: str = Field(default="standard", description="A key of [cdn.cache_policies].")
    response_headers: str = Field(
        default="security",
        description='A key of [cdn.response_headers], or "security" (the security headers alone).',
    )
    allowed_methods: tuple[Method, ...] = Field(
        default=("GET", "HEAD"),
        strict=False,
        description='Methods viewers may use: ["GET", "HEAD"] or ["GET", "HEAD", "OPTIONS"] (the origins are read-only buckets).',
    )

    @field_validator("allowed_methods")
    @classmethod
    def _methods(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if tuple(sorted(value, key=["GET", "HEAD", "OPTIONS"].index)) not in METHOD_SETS:
            raise ValueError('["GET", "HEAD"] or ["GET", "HEAD", "OPTIONS"]: the sets CloudFront accepts for a read-only origin')
        return value


class CdnSettings(ComponentSettings):
    """HTTPS only, origin access control, security headers, a WAF with managed rules and a
    per-IP rate limit, standard logs into the storage log bucket."""

    weakens: ClassVar[Mapping[str, Weakening]] = {
        "rate_limit_per_5_minutes": higher("The CDN's WAF lets each address send more requests before it blocks it."),
        "waf_log_retention_days": lower("The CDN's WAF logs are kept for less time."),
    }

    moved_keys: ClassVar[Mapping[str, str]] = {
        "image_cache_days": "[cdn.cache_policies.<name>] ttl_days, used by [[cdn.behaviors]]",
        "document_cache_days": "[cdn.cache_policies.<name>] ttl_days, used by [[cdn.behaviors]]",
    }

    description: str = Field(default="content delivery", description="What the distribution serves; its comment in the console.")
    price_class: Literal["PriceClass_100", "PriceClass_200", "PriceClass_All"] = Field(
        default="PriceClass_100", description="Edge locations used; PriceClass_100 (North America and Europe) is the cheapest."
    )
    geo_allow_list: tuple[str, ...] = Field(
        default=(), strict=False, description="ISO 3166-1 alpha-2 countries served; default: no geo restriction."
    )
    default_root_object: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9_.-]+$",
        description="Object served for the root URL (index.html for a static site); default none.",
    )
    domain_name: str | None = Field(default=None, description="Custom domain; default: the distribution's cloudfront.net name.")
    hosted_zone_id: str | None = Field(
        default=None,
        description="Route 53 zone of domain_name, for its certificate and alias records, when components.dns is off; "
        "with it on, its zone is used.",
    )
    cache_policies: dict[str, CachePolicySettings] = Field(
        default_factory=lambda: {"standard": CachePolicySettings(ttl_days=1), "no-store": CachePolicySettings(ttl_days=0)},
        description="Named cache policies the behaviours use; default: standard (1 day) and no-store.",
    )
    response_headers: dict[str, ResponseHeadersSettings] = Field(
        default_factory=dict,
        description="Named response headers policies the behaviours use, besides the built-in security.",
    )
    spa_fallback: bool = Field(
        default=False,
        description="A single-page application: paths with no object (403/404 from S3) answer 200 with "
        "default_root_object, so the browser's router takes over.",
    )
    default_behavior: BehaviorSettings = Field(description="What serves paths no behaviour matches.")
    behaviors: tuple[BehaviorSettings, ...] = Field(
        default=(), strict=False, description="Ordered cache behaviours; the first matching path pattern wins."
    )
    rate_limit_per_5_minutes: int = Field(default=2000, description="Requests per IP in 5 minutes before the WAF blocks it.")
    waf_log_retention_days: LogRetentionDays = by_profile(
        development=30, production=365, description="Days WAF logs are kept (in us-east-1, where CloudFront's WAF logs)."
    )
    alarm_5xx_rate_percent: float = Field(
        default=5, gt=0, le=100, strict=False, description="Percent of 5xx responses that raises the CDN alarm."
    )
    alarm_waf_blocked_requests: int = Field(
        default=1000, ge=1, description="Requests the WAF blocks in 5 minutes before alarming."
    )
    # CloudFront Developer Guide, "Enable additional CloudFront distribution metrics": cache hit
    # rate, origin latency and error rates by status code, billed as CloudWatch custom metrics.
    additional_metrics: bool = Field(
        default=False,
        description="CloudFront's additional distribution metrics (cache hit rate, origin latency, 401/403/404/502/"
        "503/504 error rates), billed as 8 CloudWatch metrics; default off.",
    )
    alarm_cache_hit_rate_below_percent: float | None = Field(
        default=None,
        gt=0,
        le=100,
        strict=False,
        description="Alarm when the cache hit rate falls below this percent (needs additional_metrics); default none.",
    )

    @field_validator("geo_allow_list")
    @classmethod
    def _geo(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        problems = aws_rules.geo_code_problems(value)
        if problems:
            raise ValueError("; ".join(problems))
        return value

    @field_validator("domain_name")
    @classmethod
    def _domain(cls, value: str | None) -> str | None:
        if value is not None and not _FQDN.fullmatch(value):
            raise ValueError("a lowercase fully qualified domain name such as files.example.com")
        return value

    @field_validator("hosted_zone_id")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        if value is not None and not _ZONE_ID.fullmatch(value):
            raise ValueError("a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ")
        return value

    @field_validator("rate_limit_per_5_minutes")
    @classmethod
    def _rate(cls, value: int) -> int:
        low, high = RATE_LIMIT_RANGE
        if not low <= value <= high:
            raise ValueError(f"WAF accepts {low:,} to {high:,} requests per 5 minutes")
        return value

    @property
    def origins(self) -> tuple[str, ...]:
        """The buckets behind the distribution: the default behaviour's first, then in order of mention."""
        names: list[str] = []
        for behavior in (self.default_behavior, *self.behaviors):
            if behavior.origin not in names:
                names.append(behavior.origin)
        return tuple(names)

    def check(self, view: EnvironmentView, report: Report) -> None:
        if self.alarm_cache_hit_rate_below_percent is not None and not self.additional_metrics:
            report(
                "cdn.alarm_cache_hit_rate_below_percent",
                self.alarm_cache_hit_rate_below_percent,
                "CloudFront publishes the cache hit rate only with cdn.additional_metrics = true",
            )
        if view.enabled("dns"):
            zone = view.settings["dns"].zone_name  # type: ignore[attr-defined]
            if self.hosted_zone_id is not None:
                report("cdn.hosted_zone_id", self.hosted_zone_id, f"leave it out: the dns component's zone {zone} is used")
            if self.domain_name is not None and not within(self.domain_name, zone):
                report("cdn.domain_name", self.domain_name, f"a name in the dns component's zone {zone}")
        elif (self.domain_name is None) != (self.hosted_zone_id is None):
            report(
                "cdn.hosted_zone_id" if self.domain_name else "cdn.domain_name",
                self.hosted_zone_id if self.domain_name else self.domain_name,
                "domain_name and hosted_zone_id go together (or turn on components.dns): the certificate is validated and "
                "the alias created in that zone",
            )
        if self.spa_fallback and self.default_root_object is None:
            report("cdn.spa_fallback", True, "needs default_root_object (the page every unknown path answers with)")
        for name in self.response_headers:
            if not _NAME.fullmatch(name) or name == "security":
                report(
                    f"cdn.response_headers.{name}",
                    name,
                    "a name of lowercase letters, digits and hyphens, starting with a letter; not security (built in)",
                )
        for name in self.cache_policies:
            if not _NAME.fullmatch(name):
                report(
                    f"cdn.cache_policies.{name}", name, "a name of lowercase letters, digits and hyphens, starting with a letter"
                )
        buckets = view.parts.get("buckets", {})
        declared = ", ".join(buckets) or "none"
        for where, behavior in [("cdn.default_behavior", self.default_behavior)] + [
            (f"cdn.behaviors[{i}]", b) for i, b in enumerate(self.behaviors)
        ]:
            if behavior.origin not in buckets:
                report(f"{where}.origin", behavior.origin, f"not a declared bucket; declared: {declared}")
            if behavior.response_headers != "security" and behavior.response_headers not in self.response_headers:
                report(
                    f"{where}.response_headers",
                    behavior.response_headers,
                    f"not a policy of [cdn.response_headers]; declared: {', '.join(['security', *self.response_headers])}",
                )
            if behavior.cache_policy not in self.cache_policies:
                report(
                    f"{where}.cache_policy",
                    behavior.cache_policy,
                    f"not a cache policy of [cdn.cache_policies]; declared: {', '.join(self.cache_policies) or 'none'}",
                )
        if len(self.behaviors) > MAX_BEHAVIORS:
            report("cdn.behaviors", f"{len(self.behaviors)} behaviours", f"at most {MAX_BEHAVIORS} (a CloudFront quota)")
        comment = f"{view.project}-{view.name} {self.description}"
        if len(comment) > MAX_COMMENT:
            report("cdn.description", self.description, f"the distribution's comment {comment!r} passes {MAX_COMMENT} characters")
        patterns = [b.path_pattern for b in self.behaviors]
        for i, pattern in enumerate(patterns):
            if pattern in patterns[:i]:
                report(
                    f"cdn.behaviors[{i}].path_pattern",
                    pattern,
                    "each path pattern once: the first match wins, a repeat never matches",
                )
