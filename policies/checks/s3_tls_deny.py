"""FND_S3_4: every bucket this project creates denies requests not made over TLS."""

from __future__ import annotations

import re
from typing import Any

from _policy_documents import as_list, statements
from _support import FoundationCheck, StackContext


def denies_insecure_transport(statement: dict[str, Any]) -> bool:
    """Deny, to everyone, every S3 action, when aws:SecureTransport is false."""
    if statement.get("Effect") != "Deny":
        return False
    principal = statement.get("Principal")
    if not (principal == "*" or (isinstance(principal, dict) and as_list(principal.get("AWS")) == ["*"])):
        return False
    if not {str(a) for a in as_list(statement.get("Action"))} & {"s3:*", "*"}:
        return False
    condition = statement.get("Condition")
    bool_block = condition.get("Bool") if isinstance(condition, dict) else None
    value = bool_block.get("aws:SecureTransport") if isinstance(bool_block, dict) else None
    return any(str(v).lower() == "false" for v in as_list(value))


class S3TlsDeny(FoundationCheck):
    check_id = "FND_S3_4"
    summary = "Buckets we create must have a bucket policy that denies requests without TLS (aws:SecureTransport false)"
    why = (
        "the storage constructs promise TLS-only access; without the deny statement S3 serves plain HTTP to "
        "anyone holding credentials or a presigned URL, and nothing else in the gate would notice it went"
    )
    fix = (
        'keep the statement {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Condition": {"Bool": '
        '{"aws:SecureTransport": "false"}}} on the bucket and its objects in the bucket\'s policy'
    )
    resource_types = ("aws_s3_bucket_policy", "aws_s3_bucket")

    def problems(self, rtype: str, body: dict[str, Any], stack: StackContext) -> list[str]:
        if rtype == "aws_s3_bucket_policy":
            found, unreadable = statements(rtype, body, stack)
            if any(denies_insecure_transport(s.statement) for s in found):
                return []
            if unreadable:
                return unreadable  # an expression (unknown until apply) or a document that cannot be read
            return ["the bucket policy has no statement denying requests with aws:SecureTransport false"]
        # A bucket of this project's stacks (they carry a profile) must have a policy at all.
        if stack.profile is None:
            return []
        name = self.entity_path.rsplit(":", 1)[-1]
        reference = re.compile(r"^\$\{aws_s3_bucket\." + re.escape(name) + r"\.(id|bucket)\}$")
        policies = (stack.document.get("resource") or {}).get("aws_s3_bucket_policy") or {}
        for policy in policies.values() if isinstance(policies, dict) else []:
            if isinstance(policy, dict) and isinstance(policy.get("bucket"), str) and reference.match(policy["bucket"]):
                return []
        return ["no aws_s3_bucket_policy refers to this bucket, so nothing denies requests without TLS"]


check = S3TlsDeny()
