"""FND_LOG_1: every log group has a retention period."""

from __future__ import annotations

from typing import Any

from _support import FoundationCheck, StackContext


class LogGroupRetentionSet(FoundationCheck):
    check_id = "FND_LOG_1"
    summary = "CloudWatch log groups must set a retention period"
    why = "without one CloudWatch keeps logs forever, and storage grows on the bill every month"
    fix = "set retention_in_days to one of the periods CloudWatch accepts (e.g. 14 under the development profile, 365 under production)"
    resource_types = ("aws_cloudwatch_log_group",)
    reads = ("retention_in_days",)

    def problems(self, rtype: str, body: dict[str, Any], stack: StackContext) -> list[str]:
        days = body.get("retention_in_days")
        return [] if isinstance(days, int) and days > 0 else ["retention_in_days is not set"]


check = LogGroupRetentionSet()
