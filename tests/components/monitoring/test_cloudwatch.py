"""Alarms, topics, dashboard and budget as synthesized."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from tests.config.test_loader import VALID, F, problems_of
from tests.conftest import API_VARIANT, ROOT, Stack


def _topics(stack: Stack) -> dict[str, str]:
    """Topic reference -> the provider it lives in ("aws" or "aws.us_east_1")."""
    return {f"${{aws_sns_topic.{n}.arn}}": t.get("provider", "aws") for n, t in stack.of_type("aws_sns_topic").items()}


def test_every_alarm_notifies_the_topic_of_its_region(prod: Stack, dev: Stack) -> None:
    for stack in (prod, dev):
        topics = _topics(stack)
        alarms = stack.of_type("aws_cloudwatch_metric_alarm")
        assert alarms
        for name, alarm in alarms.items():
            (action,) = alarm["alarm_actions"]
            assert action in topics, name
            assert topics[action] == alarm.get("provider", "aws"), name
            assert alarm["ok_actions"] == [action]
            assert alarm["treat_missing_data"] == "notBreaching"


def test_prod_alarms_cover_functions_api_database_table_nat_cdn_and_waf(prod: Stack) -> None:
    names = {a["alarm_name"].removeprefix("filehub-prod-") for a in prod.of_type("aws_cloudwatch_metric_alarm").values()}
    expected = {f"{f}-{kind}" for f in ("upload-url", "download-url", "object-processor") for kind in ("errors", "throttles")}
    expected |= {"api-5xx", "api-latency-p99", "db-cpu", "db-connections", "db-freeable-memory"}
    expected |= {"table-read-throttles", "table-write-throttles", "api-waf-blocked", "cdn-5xx-rate", "cdn-waf-blocked"}
    expected |= {f"nat-eu-central-1{z}-{kind}" for z in "abc" for kind in ("port-allocation", "packets-dropped")}
    assert names == expected


def test_cloudfront_alarms_live_in_us_east_1(prod: Stack) -> None:
    alarms = {a["alarm_name"]: a for a in prod.of_type("aws_cloudwatch_metric_alarm").values()}
    cdn = alarms["filehub-prod-cdn-5xx-rate"]
    assert (cdn["provider"], cdn["namespace"], cdn["metric_name"]) == ("aws.us_east_1", "AWS/CloudFront", "5xxErrorRate")
    assert cdn["dimensions"]["Region"] == "Global" and cdn["statistic"] == "Average" and cdn["threshold"] == 5
    assert alarms["filehub-prod-cdn-waf-blocked"]["provider"] == "aws.us_east_1"
    assert "provider" not in alarms["filehub-prod-api-waf-blocked"]
    assert alarms["filehub-prod-api-waf-blocked"]["dimensions"]["Region"] == "eu-central-1"


def test_thresholds_and_statistics(prod: Stack, dev: Stack) -> None:
    alarms = {a["alarm_name"]: a for a in prod.of_type("aws_cloudwatch_metric_alarm").values()}
    latency = alarms["filehub-prod-api-latency-p99"]
    assert (latency["extended_statistic"], latency["threshold"]) == ("p99", 3000) and "statistic" not in latency
    memory = alarms["filehub-prod-db-freeable-memory"]
    assert (memory["comparison_operator"], memory["threshold"]) == ("LessThanOrEqualToThreshold", 256 * 1024 * 1024)
    dev_alarms = {a["alarm_name"]: a for a in dev.of_type("aws_cloudwatch_metric_alarm").values()}
    # Dev runs Serverless v2 (0 to 4 ACU): an alarm at the ceiling instead of a memory floor.
    assert dev_alarms["filehub-dev-db-acu-at-max"]["threshold"] == 4
    assert "filehub-dev-db-freeable-memory" not in dev_alarms
    assert not [n for n in dev_alarms if "-nat-" in n]


def test_topics_are_encrypted_and_only_this_accounts_alarms_and_budgets_publish(prod: Stack) -> None:
    topics = prod.of_type("aws_sns_topic")
    assert len(topics) == 2 and all(t["kms_master_key_id"].startswith("${aws_kms_key.") for t in topics.values())
    for policy in prod.of_type("aws_sns_topic_policy").values():
        statements = json.loads(policy["policy"])["Statement"]
        allow = statements[0]
        assert allow["Action"] == "sns:Publish"
        assert allow["Condition"]["StringEquals"]["aws:SourceAccount"].startswith("${data.aws_caller_identity.")
        assert statements[1]["Effect"] == "Deny" and statements[1]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    publishers = sorted(
        tuple(json.loads(p["policy"])["Statement"][0]["Principal"]["Service"])
        for p in prod.of_type("aws_sns_topic_policy").values()
    )
    # EventBridge publishes GuardDuty findings to the regional topic where there is a detector (prod).
    assert publishers == [
        ("cloudwatch.amazonaws.com",),
        ("cloudwatch.amazonaws.com", "budgets.amazonaws.com", "events.amazonaws.com"),
    ]
    for topic in topics.values():
        key = json.loads(prod.deref(topic["kms_master_key_id"])["policy"])
        grant = next(s for s in key["Statement"] if s["Sid"] == "AlarmPublishers")
        assert "cloudwatch.amazonaws.com" in grant["Principal"]["Service"]


def test_budget_is_the_cost_gates_figure_with_forecast_and_actual_alerts(prod: Stack, dev: Stack) -> None:
    budgets = {
        env: tomllib.loads((ROOT / "environments" / f"{env}.toml").read_text())["budget"]["monthly_usd"]
        for env in ("dev", "prod")
    }
    for stack, env in ((prod, "prod"), (dev, "dev")):
        budget = stack.one("aws_budgets_budget")
        assert (budget["limit_amount"], budget["limit_unit"], budget["time_unit"]) == (f"{budgets[env]:.2f}", "USD", "MONTHLY")
        assert budget["cost_filter"] == [{"name": "TagKeyValue", "values": [f"user:environment${env}"]}]
        kinds = {(n["notification_type"], n["threshold"]) for n in budget["notification"]}
        assert kinds == {("ACTUAL", 80), ("FORECASTED", 100)}
        topic = next(n for n, t in stack.of_type("aws_sns_topic").items() if "provider" not in t)
        assert all(n["subscriber_sns_topic_arns"] == [f"${{aws_sns_topic.{topic}.arn}}"] for n in budget["notification"])


def test_dashboard_shows_functions_api_database_table_and_cdn(prod: Stack) -> None:
    body = json.loads(prod.one("aws_cloudwatch_dashboard")["dashboard_body"])
    titles = [w["properties"]["title"] for w in body["widgets"]]
    assert titles == [
        "Lambda errors",
        "Lambda invocations",
        "API requests and errors",
        "API latency p99 (ms)",
        "Aurora CPU and connections",
        "File table capacity",
        "CloudFront requests and 5xx rate",
    ]
    assert body["widgets"][-1]["properties"]["region"] == "us-east-1"


MON = VALID.replace('monitoring = "none"\n', 'monitoring = "cloudwatch"\n')


def test_rejects_an_alarm_address_that_is_not_one(tmp_path: Path) -> None:
    text = MON.replace("[network]\n", '[monitoring]\nalarm_emails = ["ops@example.com", "ops at example"]\n')
    assert problems_of(tmp_path, text) == [
        f"{F}: monitoring.alarm_emails = ['ops@example.com', 'ops at example']: not an e-mail address: 'ops at example'"
    ]


def test_thresholds_moved_to_their_components_name_the_new_key(tmp_path: Path) -> None:
    text = MON.replace("[network]\n", "[monitoring]\napi_latency_p99_ms = 60000\n")
    assert problems_of(tmp_path, text) == [f"{F}: monitoring.api_latency_p99_ms = 60000: moved: api.alarm_latency_p99_ms"]


def test_cost_anomaly_monitor_watches_this_environment_and_mails_a_daily_digest(synthesized: dict[str, Stack]) -> None:
    stack = synthesized[API_VARIANT]
    monitor = stack.one("aws_ce_anomaly_monitor")
    assert monitor["monitor_type"] == "CUSTOM"
    assert json.loads(monitor["monitor_specification"]) == {
        "Tags": {"Key": "environment", "Values": [API_VARIANT], "MatchOptions": ["EQUALS"]}
    }
    subscription = stack.one("aws_ce_anomaly_subscription")
    assert subscription["frequency"] == "DAILY"
    (monitor_name,) = stack.of_type("aws_ce_anomaly_monitor")
    assert subscription["monitor_arn_list"] == [f"${{aws_ce_anomaly_monitor.{monitor_name}.arn}}"]
    assert subscription["subscriber"] == [
        {"type": "EMAIL", "address": "ops@example.com"},
        {"type": "EMAIL", "address": "oncall@example.com"},
    ]
    assert subscription["threshold_expression"]["dimension"] == {
        "key": "ANOMALY_TOTAL_IMPACT_ABSOLUTE",
        "match_options": ["GREATER_THAN_OR_EQUAL"],
        "values": ["25"],
    }


def test_no_cost_anomaly_monitor_unless_asked(prod: Stack, dev: Stack) -> None:
    assert prod.of_type("aws_ce_anomaly_monitor") == {} and dev.of_type("aws_ce_anomaly_monitor") == {}


def test_rejects_a_cost_anomaly_monitor_without_recipients(tmp_path: Path) -> None:
    text = MON.replace("[network]\n", "[monitoring]\ncost_anomaly_threshold_usd = 50\n[network]\n")
    (problem,) = problems_of(tmp_path, text)
    assert problem == (
        f"{F}: monitoring.cost_anomaly_threshold_usd = 50.0: needs monitoring.alarm_emails: "
        "Cost Anomaly Detection mails its digest to those addresses"
    )


def test_high_guardduty_findings_reach_the_regional_alarm_topic(prod: Stack, dev: Stack) -> None:
    rule = prod.one("aws_cloudwatch_event_rule")
    assert json.loads(rule["event_pattern"]) == {
        "source": ["aws.guardduty"],
        "detail-type": ["GuardDuty Finding"],
        "detail": {"severity": [{"numeric": [">=", 7]}]},
    }
    target = prod.one("aws_cloudwatch_event_target")
    assert target["rule"] == f"${{aws_cloudwatch_event_rule.{next(iter(prod.of_type('aws_cloudwatch_event_rule')))}.name}}"
    topic = prod.deref(target["arn"])
    assert topic["name"] == "filehub-prod-alarms" and "provider" not in topic
    key_policy = json.loads(prod.deref(topic["kms_master_key_id"])["policy"])
    grant = next(s for s in key_policy["Statement"] if s["Sid"] == "AlarmPublishers")
    assert "events.amazonaws.com" in grant["Principal"]["Service"]
    # Dev has no detector, so no rule, and its topic admits no EventBridge publisher.
    assert dev.of_type("aws_cloudwatch_event_rule") == {}
    for policy in dev.of_type("aws_sns_topic_policy").values():
        assert "events.amazonaws.com" not in json.loads(policy["policy"])["Statement"][0]["Principal"]["Service"]
