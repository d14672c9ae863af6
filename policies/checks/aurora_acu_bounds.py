"""FND_RDS_4: Aurora Serverless v2 capacity bounds Aurora rejects."""

from __future__ import annotations

from typing import Any

from _support import FoundationCheck, StackContext, aws_rules


class AuroraServerlessCapacity(FoundationCheck):
    check_id = "FND_RDS_4"
    summary = "Aurora Serverless v2 capacity must be 0 to 256 ACU in steps of 0.5, with min at most max"
    why = "RDS rejects other bounds when it modifies the cluster, which can leave a half-applied change"
    fix = "use multiples of 0.5 ACU between 0 and 256, a max of at least 1, and min no higher than max"
    resource_types = ("aws_rds_cluster",)
    reads = ("serverlessv2_scaling_configuration",)

    def problems(self, rtype: str, body: dict[str, Any], stack: StackContext) -> list[str]:
        found: list[str] = []
        blocks = body.get("serverlessv2_scaling_configuration") or []
        for block in blocks if isinstance(blocks, list) else [blocks]:
            low, high = block.get("min_capacity"), block.get("max_capacity")
            if isinstance(low, (int, float)) and isinstance(high, (int, float)):
                found += aws_rules.acu_problems(float(low), float(high))
        return found


check = AuroraServerlessCapacity()
