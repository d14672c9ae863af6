"""Messaging and integration: SQS queues, SES identities, SNS topics, EventBridge event buses,
Step Functions state machines."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from gates.cost import MILLION, THOUSAND, Context, LineItem, Rule

# Step Functions Express bills duration in 64 MB steps of memory (AWS Step Functions pricing).
SFN_EXPRESS_MEMORY_STEP_MB = Decimal(64)
SECONDS_PER_HOUR = Decimal(3600)


def _sqs(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    requests = ctx.usage.number("sqs", "requests")
    requests -= ctx.free_part("sqs_requests", requests)
    return [ctx.item(body, "Requests beyond the free million (millions)", requests / MILLION, "sqs_requests_million")]


def _ses_identity(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    messages = ctx.usage.number("ses", "messages", name=str(body.get("email_identity", name)))
    return [ctx.item(body, "Messages sent (thousands)", messages / THOUSAND, "ses_messages_1k")]


def _email_subscribers(ctx: Context, name: str) -> int:
    """E-mail subscriptions of this file that name the topic; each publish is one delivery to each."""
    subscriptions = (ctx.stack.document.get("resource", {}).get("aws_sns_topic_subscription") or {}).values()
    return sum(
        1
        for sub in subscriptions
        if isinstance(sub, dict)
        and str(sub.get("protocol")) in ("email", "email-json")
        and str(sub.get("topic_arn", "")).startswith(f"${{aws_sns_topic.{name}.")
    )


def _sns_topic(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    """Publishes beyond the free million ([sns] publishes) and e-mail deliveries beyond the free
    1,000; deliveries to SQS and Lambda have no SNS charge (Amazon SNS pricing)."""
    if body.get("fifo_topic") is True:
        return [
            ctx.item(
                body,
                "FIFO publish requests (millions)",
                ctx.usage.number("sns", "publishes", name=str(body.get("name", name))) / MILLION,
                "sns_fifo_requests_million",
            )
        ]
    publishes = ctx.usage.number("sns", "publishes", name=str(body.get("name", name)))
    billed = publishes - ctx.free_part("sns_requests", publishes)
    items = [ctx.item(body, "Publishes beyond the free million (millions)", billed / MILLION, "sns_requests_million")]
    subscribers = _email_subscribers(ctx, name)
    if subscribers:
        deliveries = publishes * subscribers
        deliveries -= ctx.free_part("sns_email_notifications", deliveries)
        items.append(
            ctx.item(
                body,
                f"E-mail deliveries to {subscribers} subscriptions beyond the free 1,000 (100 thousands)",
                deliveries / Decimal(100_000),
                "sns_email_100k",
            )
        )
    return items


def _event_bus(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    """Events put on a custom or partner bus ([eventbridge] events_published); AWS service
    events on the default bus are free and never reach this type (Amazon EventBridge pricing)."""
    events = ctx.usage.number("eventbridge", "events_published", name=str(body.get("name", name)))
    partner = bool(body.get("event_source_name"))
    return [
        ctx.item(
            body,
            f"{'Partner' if partner else 'Custom'} events published (millions)",
            events / MILLION,
            "eventbridge_events_million",
        )
    ]


def _state_machine(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    machine = str(body.get("name", name))
    usage = ctx.usage
    if str(body.get("type", "STANDARD")) == "EXPRESS":
        requests = usage.number("step_functions", "express_requests", name=machine)
        seconds = usage.number("step_functions", "express_average_duration_ms", name=machine, scaled=False) / THOUSAND
        memory_mb = usage.number("step_functions", "express_memory_mb", name=machine, scaled=False)
        # Memory is billed in whole 64 MB steps.
        steps = -(-memory_mb // SFN_EXPRESS_MEMORY_STEP_MB)
        gb_hours = requests * seconds * steps * SFN_EXPRESS_MEMORY_STEP_MB / Decimal(1024) / SECONDS_PER_HOUR
        return [
            ctx.item(body, "Express requests (millions)", requests / MILLION, "sfn_express_requests_million"),
            ctx.item(body, f"Express duration ({steps} x 64 MB)", gb_hours.quantize(Decimal("0.000001")), "sfn_express_gb_hour"),
        ]
    transitions = usage.number("step_functions", "state_transitions", name=machine)
    billed = transitions - ctx.free_part("sfn_transitions", transitions)
    return [
        ctx.item(body, "Standard state transitions beyond the free 4,000 (thousands)", billed / THOUSAND, "sfn_transitions_1k")
    ]


RULES: dict[str, Rule] = {
    "aws_sns_topic": _sns_topic,
    "aws_cloudwatch_event_bus": _event_bus,
    "aws_sfn_state_machine": _state_machine,
    "aws_sqs_queue": _sqs,
    "aws_sesv2_email_identity": _ses_identity,
}
