"""Alarms on everything the environment runs, a dashboard, and the monthly AWS budget.

Every alarm notifies an encrypted SNS topic. CloudFront and its WAF publish their
metrics in us-east-1, where alarms can only notify a topic in us-east-1, so that
Region gets a second topic with the same subscribers. The alarms, widgets and event
rules come from the other components as contributions: monitoring imports none of them.
"""

from __future__ import annotations

import json
from typing import Any

from constructs import Construct

from modules.components.monitoring.settings import MonitoringSettings
from modules.core.aws import (
    budgets_budget,
    ce_anomaly_monitor,
    ce_anomaly_subscription,
    cloudwatch_dashboard,
    cloudwatch_event_rule,
    cloudwatch_event_target,
    cloudwatch_metric_alarm,
)
from modules.core.context import BuildContext
from modules.core.contributions import AlarmSpec, Contributions, EventRuleSpec, OutputSpec, WidgetSpec
from modules.core.ports import Parts, Ports
from modules.primitives.alarm_topic import AlarmTopic, AlarmTopicProps

PERIOD_SECONDS = 300
WIDGET_WIDTH = 12
WIDGET_HEIGHT = 6


class Monitoring(Construct):
    def __init__(
        self, scope: Construct, id: str, *, ctx: BuildContext, settings: MonitoringSettings, contributions: Contributions
    ) -> None:
        super().__init__(scope, id)
        self.settings = settings
        self.ctx = ctx
        self.name = name = ctx.name
        self.region = ctx.region

        def topic_props(topic: str, *, allow_budgets: bool, allow_events: bool = False) -> AlarmTopicProps:
            return AlarmTopicProps(
                name=topic,
                emails=settings.alarm_emails,
                allow_budgets=allow_budgets,
                allow_events=allow_events,
                key_deletion_window_in_days=ctx.protection.key_deletion_window_days,
                retain_on_destroy=ctx.protection.retain_on_destroy,
            )

        self.topic = AlarmTopic(
            self,
            "alarms",
            account=ctx.account,
            props=topic_props(f"{name}-alarms", allow_budgets=True, allow_events=bool(contributions.event_rules)),
        )
        self.global_topic = AlarmTopic(
            self,
            "alarms-us-east-1",
            account=ctx.account,
            provider=ctx.us_east_1,
            region="us-east-1",
            props=topic_props(f"{name}-alarms-global", allow_budgets=False),
        )
        self.alarms = [self._alarm(spec) for spec in contributions.alarms]
        self.dashboard = cloudwatch_dashboard.CloudwatchDashboard(
            self, "dashboard", dashboard_name=name, dashboard_body=json.dumps(self._dashboard(contributions.widgets))
        )
        self.budget = self._budget() if ctx.budget_usd is not None else None
        self.anomaly_monitor = self._anomaly_monitor() if settings.cost_anomaly_threshold_usd is not None else None
        self.event_rules = [self._event_rule(spec) for spec in contributions.event_rules]

    def _alarm(self, spec: AlarmSpec) -> cloudwatch_metric_alarm.CloudwatchMetricAlarm:
        topic = self.global_topic if spec.us_east_1 else self.topic
        percentile = spec.statistic.startswith("p")
        direction = "at or below" if spec.comparison.startswith("Less") else "at or above"
        return cloudwatch_metric_alarm.CloudwatchMetricAlarm(
            self,
            f"alarm-{spec.name}",
            provider=self.ctx.us_east_1 if spec.us_east_1 else None,
            alarm_name=f"{self.name}-{spec.name}",
            alarm_description=f"{self.name}: {spec.what} {direction} {spec.threshold:g} over {PERIOD_SECONDS // 60} minutes",
            namespace=spec.namespace,
            metric_name=spec.metric,
            dimensions=spec.dimensions,
            statistic=None if percentile else spec.statistic,
            extended_statistic=spec.statistic if percentile else None,
            period=PERIOD_SECONDS,
            evaluation_periods=1,
            threshold=spec.threshold,
            comparison_operator=spec.comparison,
            # No data means no traffic, not a failure: idle environments stay quiet.
            treat_missing_data="notBreaching",
            alarm_actions=[topic.arn],
            ok_actions=[topic.arn],
        )

    def _dashboard(self, widgets: list[WidgetSpec]) -> dict[str, Any]:
        """Two graphs per row, in rank order."""
        body = []
        for index, spec in enumerate(sorted(widgets, key=lambda w: w.rank)):
            body.append(
                {
                    "type": "metric",
                    "x": (index % 2) * WIDGET_WIDTH,
                    "y": (index // 2) * WIDGET_HEIGHT,
                    "width": WIDGET_WIDTH,
                    "height": WIDGET_HEIGHT,
                    "properties": {
                        "title": spec.title,
                        "region": spec.region or self.region,
                        "stat": "Sum",
                        "period": PERIOD_SECONDS,
                        "metrics": spec.metrics,
                    },
                }
            )
        return {"widgets": body}

    def _budget(self) -> budgets_budget.BudgetsBudget:
        subscribers = {"subscriber_sns_topic_arns": [self.topic.arn]}
        return budgets_budget.BudgetsBudget(
            self,
            "budget",
            name=f"{self.name}-monthly",
            budget_type="COST",
            limit_amount=f"{self.ctx.budget_usd:.2f}",
            limit_unit="USD",
            time_unit="MONTHLY",
            # Costs tagged with this environment; activate `environment` as a cost
            # allocation tag in the Billing console, or the budget sees nothing.
            cost_filter=[
                budgets_budget.BudgetsBudgetCostFilter(name="TagKeyValue", values=[f"user:environment${self.ctx.environment}"])
            ],
            notification=[
                budgets_budget.BudgetsBudgetNotification(
                    comparison_operator="GREATER_THAN",
                    notification_type="ACTUAL",
                    threshold=80,
                    threshold_type="PERCENTAGE",
                    **subscribers,
                ),
                budgets_budget.BudgetsBudgetNotification(
                    comparison_operator="GREATER_THAN",
                    notification_type="FORECASTED",
                    threshold=100,
                    threshold_type="PERCENTAGE",
                    **subscribers,
                ),
            ],
        )

    def _anomaly_monitor(self) -> ce_anomaly_monitor.CeAnomalyMonitor:
        props = self.settings
        if not props.alarm_emails:
            raise ValueError("cost_anomaly_threshold_usd needs alarm_emails to send the digest to")
        # A custom monitor on the environment tag: the account-wide services monitor may
        # exist only once per account, and would mix environments.
        monitor = ce_anomaly_monitor.CeAnomalyMonitor(
            self,
            "cost-anomaly-monitor",
            name=f"{self.name}-costs",
            monitor_type="CUSTOM",
            monitor_specification=json.dumps(
                {"Tags": {"Key": "environment", "Values": [self.ctx.environment], "MatchOptions": ["EQUALS"]}}
            ),
        )
        ce_anomaly_subscription.CeAnomalySubscription(
            self,
            "cost-anomaly-subscription",
            name=f"{self.name}-cost-anomalies",
            # E-mail subscribers can only receive daily or weekly digests.
            frequency="DAILY",
            monitor_arn_list=[monitor.arn],
            subscriber=[
                ce_anomaly_subscription.CeAnomalySubscriptionSubscriber(type="EMAIL", address=a) for a in props.alarm_emails
            ],
            threshold_expression=ce_anomaly_subscription.CeAnomalySubscriptionThresholdExpression(
                dimension=ce_anomaly_subscription.CeAnomalySubscriptionThresholdExpressionDimension(
                    key="ANOMALY_TOTAL_IMPACT_ABSOLUTE",
                    match_options=["GREATER_THAN_OR_EQUAL"],
                    values=[f"{props.cost_anomaly_threshold_usd:g}"],
                )
            ),
        )
        return monitor

    def _event_rule(self, spec: EventRuleSpec) -> cloudwatch_event_rule.CloudwatchEventRule:
        rule = cloudwatch_event_rule.CloudwatchEventRule(
            self,
            spec.name,
            name=f"{self.name}-{spec.name}",
            description=spec.description,
            event_pattern=json.dumps(spec.event_pattern),
        )
        cloudwatch_event_target.CloudwatchEventTarget(
            self, f"{spec.name}-target", rule=rule.name, target_id="alarm-topic", arn=self.topic.arn
        )
        return rule


def build(scope: Construct, ctx: BuildContext, settings: MonitoringSettings, ports: Ports, parts: Parts) -> Contributions:
    """The "cloudwatch" variant: turns the other components' contributions into resources."""
    monitoring = Monitoring(scope, "monitoring", ctx=ctx, settings=settings, contributions=ports.contributions)
    made = Contributions()
    made.outputs.append(
        OutputSpec(name="alarm_topic_arn", value=monitoring.topic.arn, description="SNS topic every alarm notifies")
    )
    made.outputs.append(
        OutputSpec(
            name="alarm_topic_us_east_1_arn",
            value=monitoring.global_topic.arn,
            description="SNS topic for the CloudFront and CDN WAF alarms (us-east-1)",
        )
    )
    return made
