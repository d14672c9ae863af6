"""What both PostgreSQL variants build the same way: house parameters, the enhanced
monitoring role, IAM-authentication grants and the logs they export."""

from __future__ import annotations

import json
import re
from typing import Any

from constructs import Construct

from modules.core.aws import (
    db_subnet_group,
    iam_role,
    iam_role_policy,
    iam_role_policy_attachment,
    secretsmanager_secret_rotation,
)
from modules.core.contributions import AlarmSpec
from modules.core.identity import AccountContext

POSTGRES_PORT = 5432
_DB_USER = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def rds_alarm(
    dimensions: dict[str, str], name: str, metric: str, threshold: float, what: str, statistic: str, **extra: Any
) -> AlarmSpec:
    """An alarm on an AWS/RDS metric of the cluster or instance named by `dimensions`."""
    return AlarmSpec(
        name=name, namespace="AWS/RDS", metric=metric, dimensions=dimensions, threshold=threshold, what=what,
        statistic=statistic, **extra,
    )  # fmt: skip


def subnet_group(scope: Construct, name: str, subnet_ids: list[str]) -> db_subnet_group.DbSubnetGroup:
    return db_subnet_group.DbSubnetGroup(
        scope,
        "subnets",
        name=name,
        description=f"Database subnets of {name} (no route to the internet)",
        subnet_ids=subnet_ids,
    )


def house_parameters(log_min_duration_statement_ms: int) -> dict[str, str]:
    """TLS required; slow statements, connections, lock waits and DDL logged."""
    return {
        "rds.force_ssl": "1",
        "log_min_duration_statement": str(log_min_duration_statement_ms),
        "log_connections": "1",
        "log_disconnections": "1",
        "log_lock_waits": "1",
        "log_statement": "ddl",
    }


def enhanced_monitoring_role(scope: Construct, account: AccountContext, name: str, what: str) -> iam_role.IamRole:
    role = iam_role.IamRole(
        scope,
        "monitoring-role",
        name=f"{name}-rds-monitoring",
        description=f"Lets RDS enhanced monitoring publish OS metrics of {what}",
        assume_role_policy=account.assume_role_policy("monitoring.rds.amazonaws.com"),
    )
    iam_role_policy_attachment.IamRolePolicyAttachment(
        scope,
        "monitoring-policy",
        role=role.name,
        # AWS-managed, and scoped by AWS to writing the RDSOSMetrics log group.
        policy_arn=f"arn:{account.partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole",
    )
    return role


def grant(
    scope: Construct, name: str, role: iam_role.IamRole, purpose: str, statements: list[dict[str, Any]]
) -> iam_role_policy.IamRolePolicy:
    grantee = role.node.path.replace("/", "-")
    return iam_role_policy.IamRolePolicy(
        scope,
        f"grant-{purpose}-{grantee}",
        name=f"{name}-{purpose}",
        role=role.id,
        policy=json.dumps({"Version": "2012-10-17", "Statement": statements}),
    )


def grant_connect(
    scope: Construct, account: AccountContext, name: str, resource_id: str, role: iam_role.IamRole, db_user: str
) -> iam_role_policy.IamRolePolicy:
    """IAM database authentication as `db_user` on one cluster or instance (its resource id)."""
    if not _DB_USER.fullmatch(db_user):
        raise ValueError(f"db_user = {db_user!r}: a PostgreSQL role name (lowercase letters, digits, underscores)")
    user_arn = account.arn("rds-db", f"dbuser:{resource_id}/{db_user}")
    return grant(
        scope,
        name,
        role,
        f"connect-{db_user}",
        [{"Sid": "ConnectAsUser", "Effect": "Allow", "Action": "rds-db:connect", "Resource": user_arn}],
    )


def rotate_master_secret(
    scope: Construct, secret_arn: str, days: int
) -> secretsmanager_secret_rotation.SecretsmanagerSecretRotation:
    """The schedule of the RDS-managed master secret: RDS rotates it itself (no rotation
    function), and the schedule is stated here so that a review sees it."""
    return secretsmanager_secret_rotation.SecretsmanagerSecretRotation(
        scope,
        "master-secret-rotation",
        secret_id=secret_arn,
        rotation_rules=secretsmanager_secret_rotation.SecretsmanagerSecretRotationRotationRules(automatically_after_days=days),
    )


def grant_read_secret(
    scope: Construct, account: AccountContext, name: str, secret_arn: str, key_arn: str, role: iam_role.IamRole
) -> iam_role_policy.IamRolePolicy:
    """Read the master secret (for clients that cannot use IAM authentication), decrypting
    through Secrets Manager only."""
    return grant(
        scope,
        name,
        role,
        "read-master-secret",
        [
            {"Sid": "ReadMasterSecret", "Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": secret_arn},
            {
                "Sid": "DecryptMasterSecret",
                "Effect": "Allow",
                "Action": "kms:Decrypt",
                "Resource": key_arn,
                "Condition": {"StringEquals": {"kms:ViaService": f"secretsmanager.{account.region}.amazonaws.com"}},
            },
        ],
    )
