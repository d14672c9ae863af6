"""FND_S3_1: S3 lifecycle rules that S3 rejects at apply time."""

from __future__ import annotations

from typing import Any

from _support import FoundationCheck, StackContext, aws_rules


class S3LifecycleAcceptedByS3(FoundationCheck):
    check_id = "FND_S3_1"
    summary = "S3 lifecycle transitions and expirations must be ones S3 accepts"
    why = "S3 rejects Standard-IA or One Zone-IA before 30 days, out-of-order transitions and expiration before the last transition, and the apply fails halfway"
    fix = "move Standard-IA/One Zone-IA to day 30 or later, keep classes in waterfall order 30 days apart after IA, and expire after the last transition"
    resource_types = ("aws_s3_bucket_lifecycle_configuration",)
    reads = ("rule",)

    def problems(self, rtype: str, body: dict[str, Any], stack: StackContext) -> list[str]:
        rules = body.get("rule", [])
        found: list[str] = []
        for rule in rules if isinstance(rules, list) else [rules]:
            if isinstance(rule, dict):
                found += aws_rules.lifecycle_rule_problems(rule)
        return found


check = S3LifecycleAcceptedByS3()
