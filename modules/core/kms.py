"""Customer-managed KMS key with rotation and a key policy naming exactly who may use it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from constructs import Construct

from modules.core.aws import kms_alias, kms_key
from modules.core.framework import TerraformProvider, TerraformResourceLifecycle
from modules.core.identity import AccountContext


@dataclass(frozen=True, kw_only=True)
class EncryptionKeyProps:
    """Settings of one customer-managed key.

    alias: alias name without the `alias/` prefix (required: an unnamed key is unfindable).
    description: what the key protects (required; it shows in the console and in CloudTrail).
    log_group_names: CloudWatch Logs groups allowed to use the key through the logs
        service principal; default: none. The grant is scoped by encryption context, so a
        log group not named here cannot use the key even in the same account.
    deletion_window_in_days: waiting period before a scheduled deletion; default 30
        (the maximum, to give time to notice a mistake). 7 is the minimum AWS accepts.
    enable_key_rotation: yearly automatic rotation; default on. Turning it off shows in
        Checkov's report (CKV_AWS_7).
    prevent_destroy: Terraform refuses to plan the key's deletion; default on, because
        data encrypted under a deleted key is lost. Dev stacks turn it off to tear down cleanly.
    signing_key_spec: an asymmetric key spec such as ECC_NIST_P256 for a signing key
        (DNSSEC); default none, a symmetric encryption key. KMS cannot rotate asymmetric keys.
    """

    alias: str
    description: str
    log_group_names: tuple[str, ...] = ()
    deletion_window_in_days: int = 30
    enable_key_rotation: bool = True
    prevent_destroy: bool = True
    signing_key_spec: str | None = None


class EncryptionKey(Construct):
    """A KMS key whose policy keeps the account in control and grants services by context."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        account: AccountContext,
        props: EncryptionKeyProps,
        provider: TerraformProvider | None = None,
        region: str | None = None,
    ) -> None:
        super().__init__(scope, id)
        if not 7 <= props.deletion_window_in_days <= 30:
            raise ValueError(f"deletion_window_in_days = {props.deletion_window_in_days}: KMS accepts 7 to 30 days")
        self.props = props
        region = region or account.region
        statements: list[dict[str, Any]] = [
            {
                # Without this statement the key can become unmanageable: IAM policies
                # in the account only take effect because the key policy delegates to it.
                "Sid": "AccountAdministration",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:{account.partition}:iam::{account.account_id}:root"},
                "Action": "kms:*",
                "Resource": "*",
            }
        ]
        self.account = account
        self.region = region
        self._statements = statements
        if props.log_group_names:
            statements.append(self._logs_statement(props.log_group_names))
        self.key = kms_key.KmsKey(
            self,
            "key",
            provider=provider,
            description=props.description,
            enable_key_rotation=props.enable_key_rotation and props.signing_key_spec is None,
            customer_master_key_spec=props.signing_key_spec,
            key_usage="SIGN_VERIFY" if props.signing_key_spec else None,
            deletion_window_in_days=props.deletion_window_in_days,
            policy=json.dumps({"Version": "2012-10-17", "Statement": statements}),
            lifecycle=TerraformResourceLifecycle(prevent_destroy=props.prevent_destroy),
        )
        self.alias = kms_alias.KmsAlias(
            self, "alias", name=f"alias/{props.alias}", target_key_id=self.key.key_id, provider=provider
        )

    def _logs_statement(self, names: tuple[str, ...]) -> dict[str, Any]:
        return {
            "Sid": "CloudWatchLogsForNamedGroups",
            "Effect": "Allow",
            "Principal": {"Service": f"logs.{self.region}.amazonaws.com"},
            "Action": [
                "kms:Encrypt",
                "kms:Decrypt",
                "kms:ReEncrypt*",
                "kms:GenerateDataKey*",
                "kms:Describe*",
            ],
            # In a key policy "*" means this key and nothing else.
            "Resource": "*",
            "Condition": {
                "ArnEquals": {
                    "kms:EncryptionContext:aws:logs:arn": [
                        self.account.arn("logs", f"log-group:{name}", region=self.region) for name in names
                    ]
                }
            },
        }

    def add_to_key_policy(self, statement: dict[str, Any]) -> None:
        """Add a statement for a service that uses the key (CloudFront reading SSE-KMS objects)."""
        self._statements.append(statement)
        self.key.add_override("policy", json.dumps({"Version": "2012-10-17", "Statement": self._statements}))

    @cached_property
    def arn(self) -> str:
        # Read once, as AccountContext reads its attributes (modules/core/identity.py).
        return self.key.arn
