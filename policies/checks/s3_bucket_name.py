"""FND_S3_3: bucket names S3 rejects."""

from __future__ import annotations

from typing import Any

from _support import FoundationCheck, StackContext, aws_rules


class S3BucketNameValid(FoundationCheck):
    check_id = "FND_S3_3"
    summary = "S3 bucket names must follow the general purpose bucket naming rules"
    why = "an invalid bucket name is only rejected when Terraform creates the bucket, after other resources were already changed"
    fix = "use 3 to 63 lowercase letters, digits and hyphens, not shaped like an IP address and without reserved prefixes or suffixes"
    resource_types = ("aws_s3_bucket",)
    reads = ("bucket",)

    def problems(self, rtype: str, body: dict[str, Any], stack: StackContext) -> list[str]:
        name = body.get("bucket")
        return aws_rules.bucket_name_problems(name) if isinstance(name, str) else []


check = S3BucketNameValid()
