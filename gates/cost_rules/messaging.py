"""Messaging: SQS queues and SES identities."""

from __future__ import annotations

from typing import Any

from gates.cost import MILLION, THOUSAND, Context, LineItem, Rule


def _sqs(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    requests = ctx.usage.number("sqs", "requests")
    requests -= ctx.free_part("sqs_requests", requests)
    return [ctx.item(body, "Requests beyond the free million (millions)", requests / MILLION, "sqs_requests_million")]


def _ses_identity(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    messages = ctx.usage.number("ses", "messages", name=str(body.get("email_identity", name)))
    return [ctx.item(body, "Messages sent (thousands)", messages / THOUSAND, "ses_messages_1k")]


RULES: dict[str, Rule] = {
    "aws_sqs_queue": _sqs,
    "aws_sesv2_email_identity": _ses_identity,
}
