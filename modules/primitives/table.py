"""The file-metadata DynamoDB table: on-demand, point-in-time recovery, TTL, CMK, a per-owner index."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from constructs import Construct

from modules.core.aws import dynamodb_table, iam_role, iam_role_policy
from modules.core.framework import TerraformResourceLifecycle
from modules.core.identity import AccountContext
from modules.core.ports import KeyPort

# Attribute names the handlers use; the table and the code agree through these.
PARTITION_KEY = "file_id"
OWNER_INDEX = "by-owner"
OWNER_ATTRIBUTE = "owner_id"
CREATED_ATTRIBUTE = "created_at"
TTL_ATTRIBUTE = "expires_at"

READ_ACTIONS = ("dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query")
WRITE_ACTIONS = ("dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:ConditionCheckItem")
# Narrower sets for roles that only record new items or only change existing ones.
CREATE_ACTIONS = ("dynamodb:PutItem",)
UPDATE_ACTIONS = ("dynamodb:UpdateItem",)


@dataclass(frozen=True, kw_only=True)
class FileTableProps:
    """name: table name. key: the CMK. deletion_protection: DynamoDB refuses to delete the
    table; default on. retain_on_destroy: prevent_destroy; default on (prod)."""

    name: str
    key: KeyPort
    deletion_protection: bool = True
    retain_on_destroy: bool = True


class FileTable(Construct):
    """One item per file; `by-owner` lists a user's files newest first; pending items expire by TTL."""

    def __init__(self, scope: Construct, id: str, *, account: AccountContext, props: FileTableProps) -> None:
        super().__init__(scope, id)
        self.props = props
        self.account = account
        self.table = dynamodb_table.DynamodbTable(
            self,
            "table",
            name=props.name,
            # On-demand: no capacity to size or pay for while idle.
            billing_mode="PAY_PER_REQUEST",
            hash_key=PARTITION_KEY,
            attribute=[
                dynamodb_table.DynamodbTableAttribute(name=PARTITION_KEY, type="S"),
                dynamodb_table.DynamodbTableAttribute(name=OWNER_ATTRIBUTE, type="S"),
                dynamodb_table.DynamodbTableAttribute(name=CREATED_ATTRIBUTE, type="S"),
            ],
            global_secondary_index=[
                dynamodb_table.DynamodbTableGlobalSecondaryIndex(
                    name=OWNER_INDEX, hash_key=OWNER_ATTRIBUTE, range_key=CREATED_ATTRIBUTE, projection_type="ALL"
                )
            ],
            ttl=dynamodb_table.DynamodbTableTtl(attribute_name=TTL_ATTRIBUTE, enabled=True),
            point_in_time_recovery=dynamodb_table.DynamodbTablePointInTimeRecovery(enabled=True),
            server_side_encryption=dynamodb_table.DynamodbTableServerSideEncryption(enabled=True, kms_key_arn=props.key.arn),
            deletion_protection_enabled=props.deletion_protection,
            lifecycle=TerraformResourceLifecycle(prevent_destroy=props.retain_on_destroy),
        )

    def _resources(self) -> list[str]:
        return [self.table.arn, f"{self.table.arn}/index/*"]

    def grant_read_data(self, role: iam_role.IamRole) -> iam_role_policy.IamRolePolicy:
        return self._grant(role, "read", READ_ACTIONS, ("kms:Decrypt",))

    def grant_write_data(self, role: iam_role.IamRole) -> iam_role_policy.IamRolePolicy:
        return self._grant(role, "write", WRITE_ACTIONS, ("kms:Decrypt", "kms:GenerateDataKey"))

    def grant_create_items(self, role: iam_role.IamRole) -> iam_role_policy.IamRolePolicy:
        """Put new items (conditional puts included); no reads, updates or deletes."""
        return self._grant(role, "create", CREATE_ACTIONS, ("kms:Decrypt", "kms:GenerateDataKey"))

    def grant_update_items(self, role: iam_role.IamRole) -> iam_role_policy.IamRolePolicy:
        """Update existing items; no puts or deletes."""
        return self._grant(role, "update", UPDATE_ACTIONS, ("kms:Decrypt", "kms:GenerateDataKey"))

    def grant_read_write(self, role: iam_role.IamRole) -> iam_role_policy.IamRolePolicy:
        return self._grant(role, "read-write", READ_ACTIONS + WRITE_ACTIONS, ("kms:Decrypt", "kms:GenerateDataKey"))

    def _grant(
        self, role: iam_role.IamRole, purpose: str, actions: tuple[str, ...], kms_actions: tuple[str, ...]
    ) -> iam_role_policy.IamRolePolicy:
        statements: list[dict[str, Any]] = [
            # Indexes are only read through Query; a role that cannot query gets the table alone.
            {
                "Sid": "Items",
                "Effect": "Allow",
                "Action": list(actions),
                "Resource": self._resources() if "dynamodb:Query" in actions else [self.table.arn],
            },
            {
                "Sid": "TableKey",
                "Effect": "Allow",
                "Action": list(kms_actions),
                "Resource": self.props.key.arn,
                # Only through DynamoDB: the role cannot use the key directly.
                "Condition": {"StringEquals": {"kms:ViaService": f"dynamodb.{self.account.region}.amazonaws.com"}},
            },
        ]
        grantee = role.node.path.replace("/", "-")
        return iam_role_policy.IamRolePolicy(
            self,
            f"grant-{purpose}-{grantee}",
            name=f"{self.props.name}-{purpose}",
            role=role.id,
            policy=json.dumps({"Version": "2012-10-17", "Statement": statements}),
        )
