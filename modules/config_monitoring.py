"""`[monitoring]` of an environment file: who is alerted, and at which thresholds."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

# Deliberately simple: SNS confirms each address by mail, so this only has to catch typos.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")


class MonitoringConfig(BaseModel):
    """`[monitoring]`. Thresholds are per 5 minutes unless the name says otherwise."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    alarm_emails: tuple[str, ...] = Field(default=(), strict=False, description="Addresses alarms and budget alerts go to.")
    lambda_errors: int = Field(default=5, ge=1, description="Function errors before alarming.")
    api_5xx: int = Field(default=5, ge=1, description="API 5xx responses before alarming.")
    api_latency_p99_ms: int = Field(
        default=3000, ge=1, le=29000, description="API p99 latency; the integration gives up at 29 s."
    )
    db_cpu_percent: int = Field(default=80, ge=1, le=100, description="Aurora CPU percent.")
    db_freeable_memory_mb: int = Field(default=256, ge=1, description="Aurora freeable memory floor (provisioned).")
    db_connections: int = Field(default=500, ge=1, description="Aurora connections.")
    cloudfront_5xx_rate_percent: float = Field(default=5, gt=0, le=100, strict=False, description="CloudFront 5xx rate.")
    waf_blocked_requests: int = Field(default=1000, ge=1, description="Requests WAF blocked.")
    nat_packets_dropped: int = Field(default=100, ge=1, description="Packets a NAT gateway dropped.")
    guardduty_finding_min_severity: float = Field(
        default=7, ge=1, le=10, strict=False, description="GuardDuty findings from this severity on reach the alarm topic."
    )
    cost_anomaly_threshold_usd: float | None = Field(
        default=None,
        gt=0,
        strict=False,
        description="Mail a daily digest of cost anomalies of this environment above this impact; default: no monitor.",
    )

    @model_validator(mode="after")
    def _anomaly_needs_recipients(self) -> MonitoringConfig:
        if self.cost_anomaly_threshold_usd is not None and not self.alarm_emails:
            raise ValueError(
                "cost_anomaly_threshold_usd needs alarm_emails: Cost Anomaly Detection mails its digest to those addresses"
            )
        return self

    @field_validator("alarm_emails")
    @classmethod
    def _emails(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        bad = [v for v in value if not _EMAIL.match(v)]
        if bad:
            raise ValueError(f"not an e-mail address: {', '.join(map(repr, bad))}")
        if len({v.lower() for v in value}) != len(value):
            raise ValueError("each address may be listed once")
        return value


def budget_for(budgets_file: Path, environment: str) -> float | None:
    """The monthly budget the cost gate uses for this environment (policies/budgets.toml)."""
    if not budgets_file.is_file():
        return None
    data: dict[str, Any] = tomllib.loads(budgets_file.read_text(encoding="utf-8"))
    value = (data.get("budgets") or {}).get(environment)
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
