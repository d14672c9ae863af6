"""Observability and audit: CloudWatch Logs, alarms and dashboards, flow logs, log deliveries, CloudTrail, AWS Config, GuardDuty."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from gates.cost import CENT, DAYS_PER_MONTH, MILLION, Context, LineItem, MissingPrice, Rule, as_number


def _log_group(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    group = str(body.get("name", name))
    flow_logs = name in ctx.flow_log_groups
    # A flow-log destination stores what the flow log delivers ([flow_logs] gb), not the
    # general per-group ingestion of [logs]; its ingestion is billed on the flow log.
    gb = ctx.usage.number("flow_logs", "gb") if flow_logs else ctx.usage.number("logs", "gb_ingested", name=group)
    days = as_number(body.get("retention_in_days"), Decimal(0))
    # Steady state: a month's ingestion kept for the retention period; a group that
    # never expires is counted as one year, and FND_LOG_1 flags it anyway.
    months = (days if days > 0 else Decimal(365)) / DAYS_PER_MONTH
    items = []
    if not flow_logs:  # flow logs are billed as vended logs on the flow log
        billed = gb - ctx.free_part("logs_gb", gb)
        items.append(ctx.item(body, "Log ingestion beyond the free tier", billed, "logs_ingestion_gb"))
    items.append(
        ctx.item(body, f"Log storage ({days or 'no'} days retention)", (gb * months).quantize(CENT), "logs_storage_gb_month")
    )
    return items


def _flow_log(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    return [ctx.item(body, "Flow log delivery (vended logs)", ctx.usage.number("flow_logs", "gb"), "logs_vended_ingestion_gb")]


def _log_delivery(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    return [
        ctx.item(body, "Log delivery to S3 (vended logs)", ctx.usage.number("log_delivery", "gb"), "logs_vended_s3_delivery_gb")
    ]


def _alarm(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    # Standard resolution (60 s or more); percentile statistics cost the same.
    if as_number(body.get("period"), Decimal(60)) < 60:
        raise MissingPrice("cloudwatch_high_resolution_alarm_month", ctx.region_of(body))
    billed = Decimal(1) - ctx.free_part("cloudwatch_alarms", Decimal(1))
    return [ctx.item(body, "Standard-resolution alarm" + ("" if billed else " (free tier)"), billed, "cloudwatch_alarm_month")]


def _dashboard(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    billed = Decimal(1) - ctx.free_part("cloudwatch_dashboards", Decimal(1))
    return [ctx.item(body, "Dashboard" + ("" if billed else " (free tier)"), billed, "cloudwatch_dashboard_month")]


def _cloudtrail(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    # The first copy of management events in each Region is free; every further trail that
    # records them (another environment in the same account, an organization trail) pays.
    events = ctx.usage.number("cloudtrail", "management_events")
    paid_copies = ctx.usage.number("cloudtrail", "paid_copies", scaled=False)
    items = [
        ctx.item(
            body,
            f"Management events beyond the free first copy ({paid_copies} paid, 100 thousands)",
            events * paid_copies / Decimal(100_000),
            "cloudtrail_management_events_100k",
        )
    ]
    selectors = list(body.get("event_selector") or []) + list(body.get("advanced_event_selector") or [])
    if any(s.get("data_resource") or s.get("field_selector") for s in selectors if isinstance(s, dict)):
        data_events = ctx.usage.number("cloudtrail", "data_events")
        items.append(ctx.item(body, "Data events (100 thousands)", data_events / Decimal(100_000), "cloudtrail_data_events_100k"))
    return items


def _config_recorder(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    items = ctx.usage.number("config", "configuration_items")
    return [ctx.item(body, "Configuration items recorded", items, "config_configuration_item")]


def _config_rule(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    evaluations = ctx.usage.number("config", "evaluations_per_rule")
    return [ctx.item(body, "Rule evaluations", evaluations, "config_rule_evaluation")]


def _guardduty(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    if body.get("enable") is False:
        return []  # a suspended detector analyses nothing and is not billed
    return [
        ctx.item(
            body,
            "CloudTrail management events analysed (millions)",
            ctx.usage.number("guardduty", "management_events") / MILLION,
            "guardduty_management_events_million",
        ),
        ctx.item(
            body, "VPC flow and DNS logs analysed", ctx.usage.number("guardduty", "flow_and_dns_gb"), "guardduty_flow_dns_gb"
        ),
        # S3 Protection is on for a new detector unless turned off (GuardDuty User Guide,
        # "GuardDuty S3 Protection"); it analyses the S3 data events of the account's buckets.
        ctx.item(
            body,
            "S3 Protection: S3 data events analysed (millions)",
            ctx.usage.number("guardduty", "s3_data_events") / MILLION,
            "guardduty_s3_data_events_million",
        ),
    ]


def _metric_filter(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    """A metric filter publishes a custom metric (one per combination of dimension values; the gate
    counts one per transformation), billed per metric-month beyond the free ten (Amazon
    CloudWatch pricing); a filter is therefore not free."""
    transformations = body.get("metric_transformation") or []
    count = Decimal(len(transformations) if isinstance(transformations, list) else 1)
    billed = count - ctx.free_part("cloudwatch_metrics", count)
    return [ctx.item(body, f"Custom metrics published ({count}, beyond the free tier)", billed, "cloudwatch_metric_month")]


RULES: dict[str, Rule] = {
    "aws_cloudwatch_log_metric_filter": _metric_filter,
    "aws_cloudwatch_log_group": _log_group,
    "aws_flow_log": _flow_log,
    "aws_cloudwatch_log_delivery": _log_delivery,
    "aws_cloudwatch_metric_alarm": _alarm,
    "aws_cloudwatch_dashboard": _dashboard,
    "aws_cloudtrail": _cloudtrail,
    "aws_config_configuration_recorder": _config_recorder,
    "aws_config_config_rule": _config_rule,
    "aws_guardduty_detector": _guardduty,
}
