"""An encrypted SNS topic that CloudWatch alarms (and AWS Budgets) may publish to."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cached_property

from constructs import Construct

from modules.core.aws import sns_topic, sns_topic_policy, sns_topic_subscription
from modules.core.framework import TerraformProvider
from modules.core.identity import AccountContext
from modules.core.kms import EncryptionKey, EncryptionKeyProps


@dataclass(frozen=True, kw_only=True)
class AlarmTopicProps:
    """name: topic name. emails: addresses subscribed (each confirms by mail); default none.
    allow_budgets: AWS Budgets may publish too; default off.
    allow_events: EventBridge rules of this account may publish (GuardDuty findings); default off.
    key_deletion_window_in_days / retain_on_destroy: for the topic's KMS key."""

    name: str
    emails: tuple[str, ...] = ()
    allow_budgets: bool = False
    allow_events: bool = False
    key_deletion_window_in_days: int = 30
    retain_on_destroy: bool = True


class AlarmTopic(Construct):
    """Only this account's alarms (and budgets) may publish, only over TLS."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        account: AccountContext,
        props: AlarmTopicProps,
        provider: TerraformProvider | None = None,
        region: str | None = None,
    ) -> None:
        super().__init__(scope, id)
        publishers = ["cloudwatch.amazonaws.com"]
        publishers += ["budgets.amazonaws.com"] if props.allow_budgets else []
        publishers += ["events.amazonaws.com"] if props.allow_events else []
        self.key = EncryptionKey(
            self,
            "key",
            account=account,
            provider=provider,
            region=region,
            props=EncryptionKeyProps(
                alias=props.name,
                description=f"Encrypts the {props.name} alarm topic",
                deletion_window_in_days=props.key_deletion_window_in_days,
                prevent_destroy=props.retain_on_destroy,
            ),
        )
        # An encrypted topic is silent unless the publishing services may use its key.
        self.key.add_to_key_policy(
            {
                "Sid": "AlarmPublishers",
                "Effect": "Allow",
                "Principal": {"Service": publishers},
                "Action": ["kms:GenerateDataKey*", "kms:Decrypt"],
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:SourceAccount": account.account_id}},
            }
        )
        self.topic = sns_topic.SnsTopic(self, "topic", provider=provider, name=props.name, kms_master_key_id=self.key.arn)
        sns_topic_policy.SnsTopicPolicy(
            self,
            "policy",
            provider=provider,
            arn=self.topic.arn,
            policy=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "AlarmPublishers",
                            "Effect": "Allow",
                            "Principal": {"Service": publishers},
                            "Action": "sns:Publish",
                            "Resource": self.topic.arn,
                            "Condition": {"StringEquals": {"aws:SourceAccount": account.account_id}},
                        },
                        {
                            "Sid": "DenyInsecureTransport",
                            "Effect": "Deny",
                            "Principal": "*",
                            "Action": "sns:Publish",
                            "Resource": self.topic.arn,
                            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                        },
                    ],
                }
            ),
        )
        for email in props.emails:
            # Named by the address, not its position: removing one never renames the others.
            digest = hashlib.sha256(email.lower().encode()).hexdigest()[:10]
            sns_topic_subscription.SnsTopicSubscription(
                self, f"email-{digest}", provider=provider, topic_arn=self.topic.arn, protocol="email", endpoint=email
            )

    @cached_property
    def arn(self) -> str:
        # Read once, as AccountContext reads its attributes (modules/core/identity.py).
        return self.topic.arn
