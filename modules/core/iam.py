"""Role policies that grant_* methods add: one inline policy per grant, named for its purpose."""

from __future__ import annotations

import json
from typing import Any

from constructs import Construct

from modules.core.aws import iam_role, iam_role_policy


def role_grant(
    scope: Construct, *, name: str, purpose: str, role: iam_role.IamRole, statements: list[dict[str, Any]]
) -> iam_role_policy.IamRolePolicy:
    """An inline policy `<name>-<purpose>` on `role`, created in `scope` (the granting
    construct), with a construct id made from the purpose and the role's path so that
    granting the same thing to two roles gives two ids."""
    grantee = role.node.path.replace("/", "-")
    return iam_role_policy.IamRolePolicy(
        scope,
        f"grant-{purpose}-{grantee}",
        name=f"{name}-{purpose}",
        role=role.id,
        policy=json.dumps({"Version": "2012-10-17", "Statement": statements}),
    )
