"""FND_DB_1: database parameter groups keep TLS required and statement logging below "all"."""

from __future__ import annotations

from typing import Any

from _support import FoundationCheck, StackContext

# Where each engine family requires TLS, and the value that does (RDS User Guide, "Using SSL/TLS with
# a PostgreSQL DB instance": rds.force_ssl; "Requiring SSL/TLS for all connections to a MySQL DB
# instance": require_secure_transport). Aurora sets both at the cluster, RDS at the instance.
_TLS_PARAMETER = {
    ("aws_rds_cluster_parameter_group", "aurora-postgresql"): ("rds.force_ssl", "1"),
    ("aws_db_parameter_group", "postgres"): ("rds.force_ssl", "1"),
    ("aws_rds_cluster_parameter_group", "aurora-mysql"): ("require_secure_transport", "ON"),
    ("aws_db_parameter_group", "mysql"): ("require_secure_transport", "ON"),
}


def _parameters(body: dict[str, Any]) -> dict[str, str]:
    blocks = body.get("parameter")
    found = {}
    for block in blocks if isinstance(blocks, list) else [blocks] if blocks else []:
        if isinstance(block, dict) and isinstance(block.get("name"), str):
            found[block["name"]] = str(block.get("value", ""))
    return found


class DatabaseParameters(FoundationCheck):
    check_id = "FND_DB_1"
    summary = 'Database parameter groups must require TLS (rds.force_ssl=1) and must not set log_statement "all"'
    why = (
        "the database constructs promise TLS-only connections; log_statement all writes every statement, "
        "passwords in ALTER ROLE included, to CloudWatch in clear text"
    )
    fix = 'keep rds.force_ssl = 1 (require_secure_transport = ON for MySQL) and log_statement at "ddl" or "none"'
    resource_types = ("aws_rds_cluster_parameter_group", "aws_db_parameter_group")
    reads = ("family", "parameter")

    def problems(self, rtype: str, body: dict[str, Any], stack: StackContext) -> list[str]:
        family = str(body.get("family", ""))
        parameters = _parameters(body)
        problems = []
        for (kind, prefix), (name, value) in _TLS_PARAMETER.items():
            applies = rtype == kind and family.startswith(prefix) and not family.startswith(f"{prefix}-")
            if applies and parameters.get(name, "").lower() != value.lower():
                problems.append(f"{name} is {parameters.get(name, 'not set')}, not {value}: connections without TLS are accepted")
        if parameters.get("log_statement", "").lower() == "all":
            problems.append('log_statement is "all": every statement, with any password in it, goes to the logs')
        return problems


check = DatabaseParameters()
