"""The one place the AWS provider bindings are imported from.

`import cdktf_cdktf_provider_aws.vpc` would first run the package `__init__`,
which imports all ~2,200 resource modules (about 20 s and 550 MB). Registering
an empty package object whose `__path__` points at the installed folder lets
Python import just the submodules named below; each of them loads the shared
jsii assembly through `.._jsii`, so the synthesized JSON is the same.

Everything else in the project imports provider classes from here, so moving to
the community fork (`cdktn_provider_aws`) or adding a resource type touches
this one file.
"""

from __future__ import annotations

import importlib.util
import sys
import types

_PACKAGE = "cdktf_cdktf_provider_aws"


def _register_package_shell() -> None:
    if _PACKAGE in sys.modules:
        return
    spec = importlib.util.find_spec(_PACKAGE)
    if spec is None or spec.submodule_search_locations is None:
        raise ImportError(f"{_PACKAGE} is not installed; run `make install` (it installs the pinned Pipfile.lock)")
    shell = types.ModuleType(_PACKAGE)
    shell.__path__ = list(spec.submodule_search_locations)
    shell.__spec__ = spec
    shell.__file__ = spec.origin
    shell.__package__ = _PACKAGE
    sys.modules[_PACKAGE] = shell


_register_package_shell()

# isort: off  (the shell above must exist before these run)
from cdktf_cdktf_provider_aws import (  # noqa: E402
    acm_certificate,
    acm_certificate_validation,
    api_gateway_account,
    api_gateway_authorizer,
    api_gateway_deployment,
    api_gateway_integration,
    api_gateway_integration_response,
    api_gateway_method,
    api_gateway_method_response,
    api_gateway_method_settings,
    api_gateway_model,
    api_gateway_request_validator,
    api_gateway_resource,
    api_gateway_rest_api,
    api_gateway_stage,
    budgets_budget,
    ce_anomaly_monitor,
    ce_anomaly_subscription,
    cloudfront_cache_policy,
    cloudfront_distribution,
    cloudfront_origin_access_control,
    cloudfront_response_headers_policy,
    cloudtrail,
    cloudwatch_dashboard,
    cloudwatch_event_rule,
    cloudwatch_event_target,
    cloudwatch_log_delivery,
    cloudwatch_log_delivery_destination,
    cloudwatch_log_delivery_source,
    cloudwatch_log_group,
    cloudwatch_metric_alarm,
    cognito_user_pool,
    cognito_user_pool_client,
    config_config_rule,
    config_configuration_recorder,
    config_configuration_recorder_status,
    config_delivery_channel,
    data_aws_caller_identity,
    data_aws_partition,
    db_parameter_group,
    db_subnet_group,
    default_network_acl,
    default_security_group,
    dynamodb_table,
    eip,
    flow_log,
    guardduty_detector,
    iam_role,
    iam_role_policy,
    iam_role_policy_attachment,
    internet_gateway,
    kms_alias,
    kms_key,
    lambda_function,
    lambda_permission,
    nat_gateway,
    provider,
    rds_cluster,
    rds_cluster_instance,
    rds_cluster_parameter_group,
    route,
    route53_record,
    route_table,
    route_table_association,
    s3_bucket,
    s3_bucket_cors_configuration,
    s3_bucket_lifecycle_configuration,
    s3_bucket_logging,
    s3_bucket_notification,
    s3_bucket_ownership_controls,
    s3_bucket_policy,
    s3_bucket_public_access_block,
    s3_bucket_server_side_encryption_configuration,
    s3_bucket_versioning,
    security_group,
    sns_topic,
    sns_topic_policy,
    sns_topic_subscription,
    sqs_queue,
    subnet,
    vpc,
    vpc_endpoint,
    vpc_security_group_egress_rule,
    vpc_security_group_ingress_rule,
    wafv2_web_acl,
    wafv2_web_acl_association,
    wafv2_web_acl_logging_configuration,
)

__all__ = [
    "acm_certificate",
    "acm_certificate_validation",
    "api_gateway_account",
    "api_gateway_authorizer",
    "api_gateway_deployment",
    "api_gateway_integration",
    "api_gateway_integration_response",
    "api_gateway_method",
    "api_gateway_method_response",
    "api_gateway_method_settings",
    "api_gateway_model",
    "api_gateway_request_validator",
    "api_gateway_resource",
    "api_gateway_rest_api",
    "api_gateway_stage",
    "budgets_budget",
    "ce_anomaly_monitor",
    "ce_anomaly_subscription",
    "cloudfront_cache_policy",
    "cloudfront_distribution",
    "cloudfront_origin_access_control",
    "cloudfront_response_headers_policy",
    "cloudtrail",
    "cloudwatch_dashboard",
    "cloudwatch_event_rule",
    "cloudwatch_event_target",
    "cloudwatch_log_delivery",
    "cloudwatch_log_delivery_destination",
    "cloudwatch_log_delivery_source",
    "cloudwatch_log_group",
    "cloudwatch_metric_alarm",
    "cognito_user_pool",
    "cognito_user_pool_client",
    "config_config_rule",
    "config_configuration_recorder",
    "config_configuration_recorder_status",
    "config_delivery_channel",
    "data_aws_caller_identity",
    "data_aws_partition",
    "db_parameter_group",
    "db_subnet_group",
    "default_network_acl",
    "default_security_group",
    "dynamodb_table",
    "eip",
    "flow_log",
    "guardduty_detector",
    "iam_role",
    "iam_role_policy",
    "iam_role_policy_attachment",
    "internet_gateway",
    "kms_alias",
    "kms_key",
    "lambda_function",
    "lambda_permission",
    "nat_gateway",
    "provider",
    "rds_cluster",
    "rds_cluster_instance",
    "rds_cluster_parameter_group",
    "route",
    "route53_record",
    "route_table",
    "route_table_association",
    "s3_bucket",
    "s3_bucket_cors_configuration",
    "s3_bucket_lifecycle_configuration",
    "s3_bucket_logging",
    "s3_bucket_notification",
    "s3_bucket_ownership_controls",
    "s3_bucket_policy",
    "s3_bucket_public_access_block",
    "s3_bucket_server_side_encryption_configuration",
    "s3_bucket_versioning",
    "security_group",
    "sns_topic",
    "sns_topic_policy",
    "sns_topic_subscription",
    "sqs_queue",
    "subnet",
    "vpc",
    "vpc_endpoint",
    "vpc_security_group_egress_rule",
    "vpc_security_group_ingress_rule",
    "wafv2_web_acl",
    "wafv2_web_acl_association",
    "wafv2_web_acl_logging_configuration",
]
