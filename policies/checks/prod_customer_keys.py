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
    "aws_s3_bucket_server_side_encryption_configuration": "rule.apply_server_side_encryption_by_default.kms_master_key_id",
}
_AWS_MANAGED = re.compile(r"alias/aws/")


def _at(body: Any, path: str) -> Any:
    node = body
    for segment in path.split("."):
        if isinstance(node, list):
            node = node[0] if node else None
        node = node.get(segment) if isinstance(node, dict) else None
    return node


def _log_targets(stack: StackContext) -> set[str]:
    """Buckets that receive S3 server access logs: S3 writes those with SSE-S3 only."""
    loggings = (stack.document.get("resource") or {}).get("aws_s3_bucket_logging") or {}
    return (
        {str(b.get("target_bucket")) for b in loggings.values() if isinstance(b, dict)} if isinstance(loggings, dict) else set()
    )


class ProductionCustomerKeys(FoundationCheck):
    check_id = "FND_PROD_3"
    summary = "Production databases, tables, topics, queues, log groups, secrets and buckets must use a customer managed KMS key"
    why = "the constructs encrypt production data with keys the stack owns, so access to the data follows the key policy and CloudTrail records each use"
    fix = "set the key attribute to the component's aws_kms_key ARN (not an alias/aws/* key, not left empty)"
    resource_types = tuple(_KEY)
    production_only = True

    def problems(self, rtype: str, body: dict[str, Any], stack: StackContext) -> list[str]:
        if rtype == "aws_rds_cluster" and body.get("storage_encrypted") is not True:
            return ["storage_encrypted is not true"]
        if rtype == "aws_s3_bucket_server_side_encryption_configuration":
            if str(body.get("bucket")) in _log_targets(stack):
                return []  # server access log targets: S3 supports SSE-S3 only there
            algorithm = _at(body, "rule.apply_server_side_encryption_by_default.sse_algorithm")
            if algorithm not in ("aws:kms", "aws:kms:dsse"):
                return [f"sse_algorithm is {algorithm}, not aws:kms with the stack's key"]
        key = _at(body, _KEY[rtype])
        if not isinstance(key, str) or not key or _AWS_MANAGED.search(key):
            return [f"{_KEY[rtype]} is {key or 'not set'}: not a customer managed key of this stack"]
        return []


check = ProductionCustomerKeys()
