"""Storage: S3 buckets."""

from __future__ import annotations

from typing import Any

from gates.cost import THOUSAND, Context, LineItem, Rule


def _s3_bucket(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    bucket = str(body.get("bucket", name))
    usage = ctx.usage
    items = [ctx.item(body, "Standard storage", usage.number("s3", "standard_gb", name=bucket), "s3_standard_gb_month")]
    ia = usage.number("s3", "standard_ia_gb", name=bucket)
    if ia:
        items.append(ctx.item(body, "Standard-IA storage", ia, "s3_standard_ia_gb_month"))
    items.append(
        ctx.item(
            body, "PUT, COPY, POST, LIST (thousands)", usage.number("s3", "put_requests", name=bucket) / THOUSAND, "s3_put_1k"
        )
    )
    items.append(
        ctx.item(
            body, "GET and other requests (thousands)", usage.number("s3", "get_requests", name=bucket) / THOUSAND, "s3_get_1k"
        )
    )
    return items


RULES: dict[str, Rule] = {
    "aws_s3_bucket": _s3_bucket,
}
