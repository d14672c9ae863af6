"""FND_PROD_1: databases and tables of a production stack have deletion protection.

A stack is production when its `"//".foundation.profile` says so; JSON without that
metadata falls back to an `environment` tag of "prod" or "production".
"""

from __future__ import annotations

from typing import Any

from _support import FoundationCheck, StackContext

_FLAG = {
    "aws_rds_cluster": "deletion_protection",
    "aws_db_instance": "deletion_protection",
    "aws_dynamodb_table": "deletion_protection_enabled",
}


class ProductionDeletionProtection(FoundationCheck):
    check_id = "FND_PROD_1"
    summary = "Production databases and DynamoDB tables must have deletion protection on"
    why = "one mistaken destroy or console click deletes production data; deletion protection makes AWS refuse"
    fix = "set deletion_protection (RDS) or deletion_protection_enabled (DynamoDB) to true in every stack with the production profile"
    resource_types = tuple(_FLAG)
    reads = tuple(sorted(set(_FLAG.values())))
    production_only = True

    def problems(self, rtype: str, body: dict[str, Any], stack: StackContext) -> list[str]:
        flag = _FLAG[rtype]
        return [] if body.get(flag) is True else [f"{flag} is not true"]


check = ProductionDeletionProtection()
