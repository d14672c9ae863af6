"""FND_PROD_2: stateful resources of a production stack carry Terraform's prevent_destroy.

A stack is production when its `"//".foundation.profile` says so; JSON without that
metadata falls back to an `environment` tag of "prod" or "production".
"""

from __future__ import annotations

from typing import Any

from _support import FoundationCheck, StackContext

STATEFUL_TYPES = (
    "aws_rds_cluster",
    "aws_db_instance",
    "aws_dynamodb_table",
    "aws_s3_bucket",
    "aws_kms_key",
    "aws_efs_file_system",
    "aws_secretsmanager_secret",
)


class ProductionPreventDestroy(FoundationCheck):
    check_id = "FND_PROD_2"
    summary = "Production stateful resources must set lifecycle prevent_destroy"
    why = "a rename or replacement in code can plan a destroy of data that cannot be recreated; prevent_destroy stops the plan"
    fix = "add lifecycle { prevent_destroy = true } (the foundation constructs do under the production profile)"
    resource_types = STATEFUL_TYPES
    production_only = True

    def problems(self, rtype: str, body: dict[str, Any], stack: StackContext) -> list[str]:
        lifecycle = body.get("lifecycle")
        if isinstance(lifecycle, dict) and lifecycle.get("prevent_destroy") is True:
            return []
        return ["lifecycle.prevent_destroy is not true"]


check = ProductionPreventDestroy()
