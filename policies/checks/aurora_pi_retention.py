"""FND_RDS_2: Performance Insights retention periods RDS rejects."""

from __future__ import annotations

from typing import Any

from _support import FoundationCheck, StackContext, aws_rules


class AuroraPerformanceInsightsRetention(FoundationCheck):
    check_id = "FND_RDS_2"
    summary = "Performance Insights retention must be 7 days, a multiple of 31 up to 713, or 731"
    why = "RDS rejects any other retention, and the free tier covers only 7 days"
    fix = "use 7 (free) or a whole number of 31-day months"
    resource_types = ("aws_rds_cluster", "aws_rds_cluster_instance")
    reads = ("performance_insights_retention_period",)

    def problems(self, rtype: str, body: dict[str, Any], stack: StackContext) -> list[str]:
        days = body.get("performance_insights_retention_period")
        return aws_rules.pi_retention_problems(days) if isinstance(days, int) else []


check = AuroraPerformanceInsightsRetention()
