"""WAFv2 web ACLs: AWS managed rule groups, a per-IP rate limit, and logging with credentials redacted."""

from __future__ import annotations

from typing import Any, Literal

from constructs import Construct

from modules.core.aws import cloudwatch_log_group, wafv2_web_acl, wafv2_web_acl_logging_configuration
from modules.core.framework import TerraformProvider
from modules.core.kms import EncryptionKey

acl_ = wafv2_web_acl
logging_ = wafv2_web_acl_logging_configuration

# WAF accepts a rate-based limit of 10 to 2,000,000,000 requests per evaluation window
# (WAF API reference, RateBasedStatement.Limit).
RATE_LIMIT_RANGE = (10, 2_000_000_000)


def log_group_name(name: str) -> str:
    """WAF delivers to CloudWatch Logs only into groups whose name starts with aws-waf-logs-."""
    return f"aws-waf-logs-{name}"


def _visibility(metric: str) -> dict[str, Any]:
    return {"cloudwatch_metrics_enabled": True, "metric_name": metric, "sampled_requests_enabled": True}


def managed_rules_acl(
    scope: Construct,
    id: str,
    *,
    name: str,
    description: str,
    waf_scope: Literal["CLOUDFRONT", "REGIONAL"],
    managed_rule_groups: tuple[str, ...],
    rate_limit_per_5_minutes: int,
    metric_name: str,
    provider: TerraformProvider | None = None,
) -> acl_.Wafv2WebAcl:
    """An ACL that allows by default, runs the named AWS rule groups in order, then blocks
    any IP above the rate limit (counted over 5 minutes)."""
    if not RATE_LIMIT_RANGE[0] <= rate_limit_per_5_minutes <= RATE_LIMIT_RANGE[1]:
        raise ValueError(f"rate_limit_per_5_minutes = {rate_limit_per_5_minutes}: WAF accepts 10 to 2,000,000,000")
    rules = [
        acl_.Wafv2WebAclRule(
            name=group,
            priority=index,
            override_action=acl_.Wafv2WebAclRuleOverrideAction(none=acl_.Wafv2WebAclRuleOverrideActionNone()),
            statement=[{"managed_rule_group_statement": [{"name": group, "vendor_name": "AWS"}]}],
            visibility_config=acl_.Wafv2WebAclRuleVisibilityConfig(**_visibility(f"{name}-{group}")),
        )
        for index, group in enumerate(managed_rule_groups, start=1)
    ]
    rules.append(
        acl_.Wafv2WebAclRule(
            name="rate-limit-per-ip",
            priority=len(managed_rule_groups) + 1,
            action=acl_.Wafv2WebAclRuleAction(block=acl_.Wafv2WebAclRuleActionBlock()),
            statement=[{"rate_based_statement": [{"limit": rate_limit_per_5_minutes, "aggregate_key_type": "IP"}]}],
            visibility_config=acl_.Wafv2WebAclRuleVisibilityConfig(**_visibility(f"{name}-rate-limit")),
        )
    )
    return acl_.Wafv2WebAcl(
        scope,
        id,
        provider=provider,
        name=name,
        description=description,
        scope=waf_scope,
        default_action=acl_.Wafv2WebAclDefaultAction(allow=acl_.Wafv2WebAclDefaultActionAllow()),
        rule=rules,
        visibility_config=acl_.Wafv2WebAclVisibilityConfig(**_visibility(metric_name)),
    )


def log_to_cloudwatch(
    scope: Construct,
    *,
    acl: acl_.Wafv2WebAcl,
    group_name: str,
    key: EncryptionKey,
    retention_days: int,
    provider: TerraformProvider | None = None,
    group_id: str = "waf-logs",
    logging_id: str = "waf-logging",
) -> cloudwatch_log_group.CloudwatchLogGroup:
    """Log every request the ACL sees into an encrypted group, without the Authorization header."""
    group = cloudwatch_log_group.CloudwatchLogGroup(
        scope, group_id, provider=provider, name=group_name, retention_in_days=retention_days, kms_key_id=key.arn
    )
    logging_.Wafv2WebAclLoggingConfiguration(
        scope,
        logging_id,
        provider=provider,
        resource_arn=acl.arn,
        log_destination_configs=[group.arn],
        # Credentials must never land in logs.
        redacted_fields=[
            logging_.Wafv2WebAclLoggingConfigurationRedactedFields(
                single_header=logging_.Wafv2WebAclLoggingConfigurationRedactedFieldsSingleHeader(name="authorization")
            )
        ],
    )
    return group
