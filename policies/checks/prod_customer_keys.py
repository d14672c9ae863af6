"""FND_PROD_3: production data at rest is encrypted with the stack's own KMS keys."""

from __future__ import annotations

import re
from typing import Any

from _support import FoundationCheck, StackContext

# resource type -> dotted path of the key attribute
_KEY = {
    "aws_rds_cluster": "kms_key_id",
    "aws_db_instance": "kms_key_id",
    "aws_dynamodb_table": "server_side_encryption.kms_key_arn",
    "aws_sns_topic": "kms_master_key_id",
    "aws_sqs_queue": "kms_master_key_id",
    "aws_cloudwatch_log_group": "kms_key_id",
    "aws_secretsmanager_secret": "kms_key_id",
}
# Buckets are judged by Checkov's CKV_AWS_145, which the storage construct accepts (with the risk listed)
# where the environment chooses SSE-S3 or a bucket receives server access logs (S3 writes those with
# SSE-S3 only); judging them here too would overrule that reviewed choice.
_AWS_MANAGED = re.compile(r"alias/aws/")


def _at(body: Any, path: str) -> Any:
    node = body
    for segment in path.split("."):
        if isinstance(node, list):
            node = node[0] if node else None
        node = node.get(segment) if isinstance(node, dict) else None
    return node


class ProductionCustomerKeys(FoundationCheck):
    check_id = "FND_PROD_3"
    summary = "Production databases, tables, topics, queues, log groups and secrets must use a customer managed KMS key"
    why = "the constructs encrypt production data with keys the stack owns, so access to the data follows the key policy and CloudTrail records each use"
    fix = "set the key attribute to the component's aws_kms_key ARN (not an alias/aws/* key, not left empty)"
    resource_types = tuple(_KEY)
    production_only = True

    def problems(self, rtype: str, body: dict[str, Any], stack: StackContext) -> list[str]:
        if rtype == "aws_rds_cluster" and body.get("storage_encrypted") is not True:
            return ["storage_encrypted is not true"]
        key = _at(body, _KEY[rtype])
        if not isinstance(key, str) or not key or _AWS_MANAGED.search(key):
            return [f"{_KEY[rtype]} is {key or 'not set'}: not a customer managed key of this stack"]
        return []


check = ProductionCustomerKeys()
