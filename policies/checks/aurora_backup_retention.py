"""FND_RDS_3: backup retention outside what Aurora accepts."""

from __future__ import annotations

from typing import Any

from _support import FoundationCheck, StackContext, aws_rules


class AuroraBackupRetention(FoundationCheck):
    check_id = "FND_RDS_3"
    summary = "Aurora backup retention must be 1 to 35 days"
    why = "Aurora always keeps at least one day of backups and rejects 0 or more than 35"
    fix = "set backup_retention_period between 1 and 35 (production: 7 or more)"
    resource_types = ("aws_rds_cluster",)
    reads = ("backup_retention_period",)

    def problems(self, rtype: str, body: dict[str, Any], stack: StackContext) -> list[str]:
        days = body.get("backup_retention_period")
        return aws_rules.backup_retention_problems(days) if isinstance(days, int) else []


check = AuroraBackupRetention()
