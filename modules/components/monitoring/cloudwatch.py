"""Alarms on everything the environment runs, a dashboard, and the monthly AWS budget.

Every alarm notifies an encrypted SNS topic. CloudFront and its WAF publish their
metrics in us-east-1, where alarms can only notify a topic in us-east-1, so that
Region gets a second topic with the same subscribers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from cdktf import TerraformProvider
from constructs import Construct

from modules.components.api.rest import FileApi
from modules.components.audit.baseline import AuditBaseline
from modules.components.cdn.cloudfront import Cdn
from modules.components.database.aurora_postgresql import Database
from modules.components.network.vpc import Network
from modules.components.storage.buckets import Storage
from modules.core.aws import (
    budgets_budget,
    ce_anomaly_monitor,
    ce_anomaly_subscription,
    cloudwatch_dashboard,
    cloudwatch_event_rule,
    cloudwatch_event_target,
    cloudwatch_metric_alarm,
)
from modules.core.identity import AccountContext
from modules.primitives.alarm_topic import AlarmTopic, AlarmTopicProps

MB = 1024 * 1024
PERIOD_SECONDS = 300


@dataclass(frozen=True, kw_only=True)
class MonitoringProps:
    """Thresholds are per 5 minutes unless the name says otherwise.

    name: `<project>-<environment>`; environment: the tag value the budget filters on.
    alarm_emails: subscribed to both alarm topics; default none (subscribe other
        endpoints to the `alarm_topic_arn` output).
    lambda_errors: default 5. api_5xx: default 5. api_latency_p99_ms: default 3000.
    db_cpu_percent: default 80. db_freeable_memory_mb: default 256 (provisioned only).
    db_connections: default 500. cloudfront_5xx_rate_percent: default 5.
    waf_blocked_requests: a spike worth a look; default 1000.
    nat_packets_dropped: default 100. budget_usd: the monthly budget, the same figure the
    cost gate uses (policies/budgets.toml); none means no AWS budget is created.
    cost_anomaly_threshold_usd: a Cost Anomaly Detection monitor on this environment's
    tagged costs, mailing `alarm_emails` a daily digest of anomalies with at least this
    impact; default none (no monitor). Anomaly detection has no charge.
    guardduty_finding_min_severity: GuardDuty findings at or above this severity go to the
    alarm topic when the audit baseline has a detector; default 7 (high and critical).
    """

    name: str
    environment: str
    alarm_emails: tuple[str, ...] = ()
    lambda_errors: int = 5
    api_5xx: int = 5
    api_latency_p99_ms: int = 3000
    db_cpu_percent: int = 80
    db_freeable_memory_mb: int = 256
    db_connections: int = 500
    cloudfront_5xx_rate_percent: float = 5
    waf_blocked_requests: int = 1000
    nat_packets_dropped: int = 100
    budget_usd: float | None = None
    cost_anomaly_threshold_usd: float | None = None
    guardduty_finding_min_severity: float = 7
    retain_on_destroy: bool = True
    key_deletion_window_in_days: int = 30


class Monitoring(Construct):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        account: AccountContext,
        network: Network,
        database: Database,
        storage: Storage,
        cdn: Cdn,
        api: FileApi,
        audit: AuditBaseline,
        us_east_1: TerraformProvider,
        props: MonitoringProps,
    ) -> None:
        super().__init__(scope, id)
        self.props = props
        self.region = account.region

        def topic_props(name: str, *, allow_budgets: bool, allow_events: bool = False) -> AlarmTopicProps:
            return AlarmTopicProps(
                name=name,
                emails=props.alarm_emails,
                allow_budgets=allow_budgets,
                allow_events=allow_events,
                key_deletion_window_in_days=props.key_deletion_window_in_days,
                retain_on_destroy=props.retain_on_destroy,
            )

        self.topic = AlarmTopic(
            self,
            "alarms",
            account=account,
            props=topic_props(f"{props.name}-alarms", allow_budgets=True, allow_events=audit.detector is not None),
        )
        self.global_topic = AlarmTopic(
            self,
            "alarms-us-east-1",
            account=account,
            provider=us_east_1,
            region="us-east-1",
            props=topic_props(f"{props.name}-alarms-global", allow_budgets=False),
        )
        self.alarms: list[cloudwatch_metric_alarm.CloudwatchMetricAlarm] = []

        for function in (api.upload_url, api.download_url, api.object_processor):
            fn = {"FunctionName": function.function.function_name}
            purpose = function.node.id
            self._alarm(f"{purpose}-errors", "AWS/Lambda", "Errors", fn, props.lambda_errors, "function errors")
            self._alarm(f"{purpose}-throttles", "AWS/Lambda", "Throttles", fn, 1, "invocations throttled")

        rest = {"ApiName": api.rest_api.api.name, "Stage": api.rest_api.stage.stage_name}
        self._alarm("api-5xx", "AWS/ApiGateway", "5XXError", rest, props.api_5xx, "server errors returned by the API")
        self._alarm(
            "api-latency-p99", "AWS/ApiGateway", "Latency", rest, props.api_latency_p99_ms, "p99 latency in ms", statistic="p99"
        )

        cluster = {"DBClusterIdentifier": database.cluster.cluster_identifier}
        self._alarm("db-cpu", "AWS/RDS", "CPUUtilization", cluster, props.db_cpu_percent, "CPU percent", statistic="Average")
        self._alarm(
            "db-connections", "AWS/RDS", "DatabaseConnections", cluster, props.db_connections, "connections", statistic="Maximum"
        )
        if database.props.capacity == "serverless":
            # At the maximum ACU the cluster cannot grow any further under load.
            self._alarm(
                "db-acu-at-max",
                "AWS/RDS",
                "ServerlessDatabaseCapacity",
                cluster,
                database.props.max_capacity_acu,
                "ACU at the configured maximum",
                statistic="Maximum",
            )
        else:
            self._alarm(
                "db-freeable-memory",
                "AWS/RDS",
                "FreeableMemory",
                cluster,
                props.db_freeable_memory_mb * MB,
                "bytes of freeable memory",
                statistic="Minimum",
                comparison="LessThanOrEqualToThreshold",
            )

        table = {"TableName": storage.file_table.table.name}
        self._alarm("table-read-throttles", "AWS/DynamoDB", "ReadThrottleEvents", table, 1, "read throttle events")
        self._alarm("table-write-throttles", "AWS/DynamoDB", "WriteThrottleEvents", table, 1, "write throttle events")

        for index, nat in enumerate(network.nat_gateways):
            gateway = {"NatGatewayId": nat.id}
            zone = network.props.availability_zones[index]
            self._alarm(
                f"nat-{zone}-port-allocation", "AWS/NATGateway", "ErrorPortAllocation", gateway, 1, "port allocation errors"
            )
            self._alarm(
                f"nat-{zone}-packets-dropped",
                "AWS/NATGateway",
                "PacketsDropCount",
                gateway,
                props.nat_packets_dropped,
                "dropped packets",
            )

        api_acl = {"WebACL": api.rest_api.web_acl.name, "Region": self.region, "Rule": "ALL"}
        self._alarm(
            "api-waf-blocked", "AWS/WAFV2", "BlockedRequests", api_acl, props.waf_blocked_requests, "requests WAF blocked"
        )
        # CloudFront and its web ACL report in us-east-1.
        distribution = {"DistributionId": cdn.distribution.id, "Region": "Global"}
        self._alarm(
            "cdn-5xx-rate",
            "AWS/CloudFront",
            "5xxErrorRate",
            distribution,
            props.cloudfront_5xx_rate_percent,
            "percent of responses that are 5xx",
            statistic="Average",
            global_=us_east_1,
        )
        cdn_acl = {"WebACL": cdn.web_acl.name, "Rule": "ALL"}
        self._alarm(
            "cdn-waf-blocked", "AWS/WAFV2", "BlockedRequests", cdn_acl, props.waf_blocked_requests, "requests WAF blocked",
            global_=us_east_1,
        )  # fmt: skip

        self.dashboard = cloudwatch_dashboard.CloudwatchDashboard(
            self, "dashboard", dashboard_name=props.name, dashboard_body=json.dumps(self._dashboard(api, database, storage, cdn))
        )
        self.budget = self._budget() if props.budget_usd is not None else None
        self.anomaly_monitor = self._anomaly_monitor() if props.cost_anomaly_threshold_usd is not None else None
        self.finding_rule = self._guardduty_findings() if audit.detector is not None else None

    def _alarm(
        self,
        name: str,
        namespace: str,
        metric: str,
        dimensions: dict[str, str],
        threshold: float,
        what: str,
        *,
        statistic: str = "Sum",
        comparison: str = "GreaterThanOrEqualToThreshold",
        global_: TerraformProvider | None = None,
    ) -> None:
        topic = self.global_topic if global_ is not None else self.topic
        percentile = statistic.startswith("p")
        alarm = cloudwatch_metric_alarm.CloudwatchMetricAlarm(
            self,
            f"alarm-{name}",
            provider=global_,
            alarm_name=f"{self.props.name}-{name}",
            alarm_description=f"{self.props.name}: {what} {'at or below' if comparison.startswith('Less') else 'at or above'} "
            f"{threshold:g} over {PERIOD_SECONDS // 60} minutes",
            namespace=namespace,
            metric_name=metric,
            dimensions=dimensions,
            statistic=None if percentile else statistic,
            extended_statistic=statistic if percentile else None,
            period=PERIOD_SECONDS,
            evaluation_periods=1,
            threshold=threshold,
            comparison_operator=comparison,
            # No data means no traffic, not a failure: idle environments stay quiet.
            treat_missing_data="notBreaching",
            alarm_actions=[topic.arn],
            ok_actions=[topic.arn],
        )
        self.alarms.append(alarm)

    def _dashboard(self, api: FileApi, database: Database, storage: Storage, cdn: Cdn) -> dict[str, Any]:
        region = self.region
        functions = [f.function.function_name for f in (api.upload_url, api.download_url, api.object_processor)]
        rest = ["ApiName", api.rest_api.api.name, "Stage", api.rest_api.stage.stage_name]
        cluster = ["DBClusterIdentifier", database.cluster.cluster_identifier]

        def widget(title: str, metrics: list[list[Any]], x: int, y: int, widget_region: str = region) -> dict[str, Any]:
            return {
                "type": "metric",
                "x": x,
                "y": y,
                "width": 12,
                "height": 6,
                "properties": {
                    "title": title,
                    "region": widget_region,
                    "stat": "Sum",
                    "period": PERIOD_SECONDS,
                    "metrics": metrics,
                },
            }

        return {
            "widgets": [
                widget("Lambda errors", [["AWS/Lambda", "Errors", "FunctionName", f] for f in functions], 0, 0),
                widget("Lambda invocations", [["AWS/Lambda", "Invocations", "FunctionName", f] for f in functions], 12, 0),
                widget(
                    "API requests and errors", [["AWS/ApiGateway", m, *rest] for m in ("Count", "4XXError", "5XXError")], 0, 6
                ),
                widget("API latency p99 (ms)", [["AWS/ApiGateway", "Latency", *rest, {"stat": "p99"}]], 12, 6),
                widget(
                    "Aurora CPU and connections",
                    [["AWS/RDS", "CPUUtilization", *cluster, {"stat": "Average"}], ["AWS/RDS", "DatabaseConnections", *cluster]],
                    0,
                    12,
                ),
                widget(
                    "File table capacity",
                    [
                        ["AWS/DynamoDB", m, "TableName", storage.file_table.table.name]
                        for m in ("ConsumedReadCapacityUnits", "ConsumedWriteCapacityUnits")
                    ],
                    12,
                    12,
                ),
                widget(
                    "CloudFront requests and 5xx rate",
                    [
                        ["AWS/CloudFront", "Requests", "DistributionId", cdn.distribution.id, "Region", "Global"],
                        [
                            "AWS/CloudFront",
                            "5xxErrorRate",
                            "DistributionId",
                            cdn.distribution.id,
                            "Region",
                            "Global",
                            {"stat": "Average"},
                        ],
                    ],
                    0,
                    18,
                    "us-east-1",
                ),
            ]
        }

    def _budget(self) -> budgets_budget.BudgetsBudget:
        props = self.props
        subscribers = {"subscriber_sns_topic_arns": [self.topic.arn]}
        return budgets_budget.BudgetsBudget(
            self,
            "budget",
            name=f"{props.name}-monthly",
            budget_type="COST",
            limit_amount=f"{props.budget_usd:.2f}",
            limit_unit="USD",
            time_unit="MONTHLY",
            # Costs tagged with this environment; activate `environment` as a cost
            # allocation tag in the Billing console, or the budget sees nothing.
            cost_filter=[
                budgets_budget.BudgetsBudgetCostFilter(name="TagKeyValue", values=[f"user:environment${props.environment}"])
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
        props = self.props
        if not props.alarm_emails:
            raise ValueError("cost_anomaly_threshold_usd needs alarm_emails to send the digest to")
        # A custom monitor on the environment tag: the account-wide services monitor may
        # exist only once per account, and would mix environments.
        monitor = ce_anomaly_monitor.CeAnomalyMonitor(
            self,
            "cost-anomaly-monitor",
            name=f"{props.name}-costs",
            monitor_type="CUSTOM",
            monitor_specification=json.dumps(
                {"Tags": {"Key": "environment", "Values": [props.environment], "MatchOptions": ["EQUALS"]}}
            ),
        )
        ce_anomaly_subscription.CeAnomalySubscription(
            self,
            "cost-anomaly-subscription",
            name=f"{props.name}-cost-anomalies",
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

    def _guardduty_findings(self) -> cloudwatch_event_rule.CloudwatchEventRule:
        # A detector whose findings nobody reads protects nothing: high and critical
        # findings reach the same people as the alarms.
        props = self.props
        rule = cloudwatch_event_rule.CloudwatchEventRule(
            self,
            "guardduty-findings",
            name=f"{props.name}-guardduty-findings",
            description=f"GuardDuty findings of severity {props.guardduty_finding_min_severity:g} or more",
            event_pattern=json.dumps(
                {
                    "source": ["aws.guardduty"],
                    "detail-type": ["GuardDuty Finding"],
                    "detail": {"severity": [{"numeric": [">=", props.guardduty_finding_min_severity]}]},
                }
            ),
        )
        cloudwatch_event_target.CloudwatchEventTarget(
            self, "guardduty-findings-target", rule=rule.name, target_id="alarm-topic", arn=self.topic.arn
        )
        return rule
