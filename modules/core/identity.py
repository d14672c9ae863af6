"""Account, partition and Region of a stack, for building ARNs in policies."""

from __future__ import annotations

import json
from functools import cached_property

from constructs import Construct

from modules.core.aws import data_aws_caller_identity, data_aws_partition


class AccountContext(Construct):
    """Reads the account id and partition once per stack; the Region comes from configuration."""

    def __init__(self, scope: Construct, id: str, *, region: str) -> None:
        super().__init__(scope, id)
        self.region = region
        self._caller = data_aws_caller_identity.DataAwsCallerIdentity(self, "caller")
        self._partition = data_aws_partition.DataAwsPartition(self, "partition")

    @cached_property
    def account_id(self) -> str:
        # Read once: each read of a resource attribute is a call into Node.js (a round trip) that
        # returns a new token for the same reference; one token serves every use.
        return self._caller.account_id

    @cached_property
    def partition(self) -> str:
        return self._partition.partition

    def arn(self, service: str, resource: str, *, region: str | None = None) -> str:
        """An ARN in this account; `region=""` for global services such as IAM."""
        where = self.region if region is None else region
        return f"arn:{self.partition}:{service}:{where}:{self.account_id}:{resource}"

    def log_group_arn(self, name: str) -> str:
        return self.arn("logs", f"log-group:{name}")

    def assume_role_policy(self, service: str, *, source_arn: str | None = None) -> str:
        """A trust policy letting one AWS service assume a role, for this account only
        (the confused-deputy guard), and optionally only from resources matching `source_arn`."""
        condition: dict[str, dict[str, str]] = {"StringEquals": {"aws:SourceAccount": self.account_id}}
        if source_arn is not None:
            condition["ArnLike"] = {"aws:SourceArn": source_arn}
        statement = {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole", "Condition": condition}
        return json.dumps({"Version": "2012-10-17", "Statement": [statement]})
