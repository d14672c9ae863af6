"""`[monitoring]` (variant "cloudwatch"): who is alerted. Thresholds live with the
component whose metric they watch (database.alarm_cpu_percent, cdn.alarm_5xx_rate_percent...)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import ClassVar

from pydantic import Field, field_validator

from modules.core.settings import ComponentSettings, EnvironmentView, Report

# Deliberately simple: SNS confirms each address by mail, so this only has to catch typos.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")


class MonitoringSettings(ComponentSettings):
    """Alarm topics (regional and us-east-1), a dashboard, the AWS budget of `[budget]`, and
    optionally a cost anomaly monitor."""

    moved_keys: ClassVar[Mapping[str, str]] = {
        "lambda_errors": "[functions.<name>] alarm_errors",
        "api_5xx": "api.alarm_5xx",
        "api_latency_p99_ms": "api.alarm_latency_p99_ms",
        "db_cpu_percent": "database.alarm_cpu_percent",
        "db_freeable_memory_mb": "database.alarm_freeable_memory_mb",
        "db_connections": "database.alarm_connections",
        "cloudfront_5xx_rate_percent": "cdn.alarm_5xx_rate_percent",
        "waf_blocked_requests": "cdn.alarm_waf_blocked_requests and api.alarm_waf_blocked_requests",
        "nat_packets_dropped": "network.alarm_nat_packets_dropped",
        "guardduty_finding_min_severity": "audit.guardduty_finding_min_severity",
    }

    alarm_emails: tuple[str, ...] = Field(
        default=(), strict=False, description="Addresses alarms, budget alerts and anomaly digests go to (each confirms by mail)."
    )
    cost_anomaly_threshold_usd: float | None = Field(
        default=None,
        gt=0,
        strict=False,
        description="Mail a daily digest of this environment's cost anomalies above this impact; default: no monitor.",
    )

    @field_validator("alarm_emails")
    @classmethod
    def _emails(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        bad = [v for v in value if not _EMAIL.fullmatch(v)]
        if bad:
            raise ValueError(f"not an e-mail address: {', '.join(map(repr, bad))}")
        if len({v.lower() for v in value}) != len(value):
            raise ValueError("each address may be listed once")
        return value

    def check(self, view: EnvironmentView, report: Report) -> None:
        if self.cost_anomaly_threshold_usd is not None and not self.alarm_emails:
            report(
                "monitoring.cost_anomaly_threshold_usd",
                self.cost_anomaly_threshold_usd,
                "needs monitoring.alarm_emails: Cost Anomaly Detection mails its digest to those addresses",
            )
