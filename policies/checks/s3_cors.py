"""FND_S3_2: S3 CORS configurations that S3 rejects or that expose more than intended."""

from __future__ import annotations

from typing import Any

from _support import FoundationCheck, StackContext, aws_rules


class S3CorsAcceptedByS3(FoundationCheck):
    check_id = "FND_S3_2"
    summary = "S3 CORS rules must use allowed methods, no wildcard exposed headers, and at most 100 rules"
    why = "S3 rejects methods other than GET, PUT, HEAD, POST and DELETE and more than 100 rules; a wildcard in exposed headers fails the deploy"
    fix = "list only the methods the browser needs and name each exposed header (for uploads, ETag)"
    resource_types = ("aws_s3_bucket_cors_configuration",)
    reads = ("cors_rule",)

    def problems(self, rtype: str, body: dict[str, Any], stack: StackContext) -> list[str]:
        rules = body.get("cors_rule", [])
        return aws_rules.cors_problems(r for r in (rules if isinstance(rules, list) else [rules]) if isinstance(r, dict))


check = S3CorsAcceptedByS3()
