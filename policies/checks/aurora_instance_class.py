"""FND_RDS_1: Aurora instance classes not offered for the cluster's engine."""

from __future__ import annotations

import re
from typing import Any

from _support import FoundationCheck, StackContext, aws_rules


class AuroraInstanceClassOffered(FoundationCheck):
    check_id = "FND_RDS_1"
    summary = "Aurora instances must use an instance class offered for Aurora PostgreSQL"
    why = "RDS rejects a class the engine does not offer (db.t4g.micro, db.m6g.large) only when the instance is created"
    fix = "pick a class from the Aurora PostgreSQL column of the instance-class table, e.g. db.t4g.medium, db.r7g.large or db.serverless"
    resource_types = ("aws_rds_cluster_instance",)
    reads = ("instance_class", "engine")

    def problems(self, rtype: str, body: dict[str, Any], stack: StackContext) -> list[str]:
        instance_class, engine = body.get("instance_class"), body.get("engine", "aurora-postgresql")
        # The constructs write the instance's engine as a reference to its cluster's: read the cluster's.
        referenced = re.fullmatch(r"\$\{aws_rds_cluster\.([A-Za-z0-9_-]+)\.engine\}", engine) if isinstance(engine, str) else None
        if referenced:
            engine = stack.resource("aws_rds_cluster", referenced.group(1)).get("engine", "aurora-postgresql")
        if not isinstance(instance_class, str) or not isinstance(engine, str):
            return []
        return aws_rules.aurora_instance_class_problems(instance_class, engine)


check = AuroraInstanceClassOffered()
