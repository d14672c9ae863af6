"""The one place the AWS provider bindings are imported from.

`import cdktf_cdktf_provider_aws.vpc` would first run the package `__init__`,
which imports all ~2,200 resource modules (about 20 s and 550 MB). Registering
an empty package object whose `__path__` points at the installed folder lets
Python import just the submodules named below; each of them loads the shared
jsii assembly through `.._jsii`, so the synthesized JSON is the same.

Everything else in the project imports provider classes from here, so the
framework's bindings (`cdktf_cdktf_provider_aws`, or CDK Terrain's
`cdktn_provider_aws`, see modules/core/framework.py) and the resource types used
are chosen in this one file.

The Node side has the same problem: the provider's JavaScript `lib/index.js`
requires every resource module when the jsii kernel loads the package (2.2 s
and most of a 634 MiB peak). `make install` writes a copy of the package whose
index defines each export lazily (tools/lazy_provider.py); the kernel is handed
that copy here, so Node loads only the modules the app touches. The JSON is
byte-identical (tests/test_lazy_provider.py). PROVIDER_EAGER_INDEX=1 loads the
shipped package instead. Under CDK Terrain the shipped index is loaded.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import json
import os
import sys
import types
from collections.abc import Iterator
from pathlib import Path

from modules.core.framework import FRAMEWORK, FrameworkError

# The name the project imports provider modules under. Under CDK Terrain the shell of
# that name points at `cdktn_provider_aws`, whose modules have the same names and
# classes; each loads its own jsii assembly through the relative `.._jsii`.
_PACKAGE = "cdktf_cdktf_provider_aws"
_ASSEMBLY = "@cdktf/provider-aws"
# Set to 1 to load the provider's shipped (eager) JavaScript index, e.g. to compare outputs.
EAGER_INDEX_VARIABLE = "PROVIDER_EAGER_INDEX"


def _register_package_shell() -> None:
    if _PACKAGE in sys.modules:
        return
    spec = importlib.util.find_spec(FRAMEWORK.provider_package)
    if spec is None or spec.submodule_search_locations is None:
        hint = "make install CDK=cdktn" if FRAMEWORK.name == "cdktn" else "make install"
        raise FrameworkError(f"{FRAMEWORK.provider_package} is not installed in this environment; run `{hint}`")
    shell = types.ModuleType(_PACKAGE)
    shell.__path__ = list(spec.submodule_search_locations)
    shell.__spec__ = spec
    shell.__file__ = spec.origin
    shell.__package__ = _PACKAGE
    sys.modules[_PACKAGE] = shell


def lazy_tarball() -> Path | None:
    """The lazily-indexed package written by `make install`, if it was made from the tarball installed now."""
    if os.environ.get(EAGER_INDEX_VARIABLE, "") not in ("", "0") or FRAMEWORK.name != "cdktf":
        return None
    jsii_dir = Path(sys.modules[_PACKAGE].__path__[0]) / "_jsii"
    try:
        manifest = json.loads((jsii_dir / "lazy" / "manifest.json").read_text())
        source = jsii_dir / manifest["source"]
        lazy = jsii_dir / "lazy" / str(manifest["source"])
        # Size, not a hash: hashing 37 MB on every run would cost more than it saves.
        # A reinstall of another provider version changes the name or the size.
        if source.stat().st_size == manifest["source_size"] and lazy.is_file():
            return lazy
    except (OSError, ValueError, KeyError, TypeError):
        pass
    print(
        "Note: the provider's lazy JavaScript index is missing or stale, so every AWS resource module is "
        "loaded (slower, more memory); `make install` regenerates it.",
        file=sys.stderr,
    )
    return None


@contextlib.contextmanager
def _kernel_loads(tarball: Path | None) -> Iterator[None]:
    """While the provider's `_jsii` module loads its assembly, hand the kernel `tarball` instead of the shipped one."""
    if tarball is None:
        yield
        return
    from jsii._runtime import kernel

    shipped_load = kernel.load

    def load(name: str, version: str, path: str) -> None:
        shipped_load(name, version, str(tarball) if name == _ASSEMBLY else path)

    kernel.load = load  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        del kernel.load  # back to the class's method


def _load_assembly() -> None:
    if f"{_PACKAGE}._jsii" in sys.modules:
        return
    with _kernel_loads(lazy_tarball()):
        importlib.import_module(f"{_PACKAGE}._jsii")


_register_package_shell()
_load_assembly()

# isort: off  (the shell above must exist before these run)
from cdktf_cdktf_provider_aws import (  # noqa: E402
    acm_certificate,
    acm_certificate_validation,
    api_gateway_account,
    api_gateway_authorizer,
    api_gateway_base_path_mapping,
    api_gateway_deployment,
    api_gateway_domain_name,
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
    cloudfront_monitoring_subscription,
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
    cloudwatch_log_resource_policy,
    cloudwatch_metric_alarm,
    cognito_user_pool,
    cognito_user_pool_client,
    config_config_rule,
    config_configuration_recorder,
    config_configuration_recorder_status,
    config_delivery_channel,
    data_aws_caller_identity,
    data_aws_partition,
    data_aws_route53_zone,
    db_instance,
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
    lambda_invocation,
    lambda_permission,
    nat_gateway,
    provider,
    rds_cluster,
    rds_cluster_instance,
    rds_cluster_parameter_group,
    route,
    route53_hosted_zone_dnssec,
    route53_key_signing_key,
    route53_query_log,
    route53_record,
    route53_zone,
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
    secretsmanager_secret,
    secretsmanager_secret_rotation,
    security_group,
    sesv2_configuration_set,
    sesv2_configuration_set_event_destination,
    sesv2_email_identity,
    sesv2_email_identity_mail_from_attributes,
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
    "api_gateway_base_path_mapping",
    "api_gateway_deployment",
    "api_gateway_domain_name",
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
    "cloudfront_monitoring_subscription",
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
    "cloudwatch_log_resource_policy",
    "cloudwatch_metric_alarm",
    "cognito_user_pool",
    "cognito_user_pool_client",
    "config_config_rule",
    "config_configuration_recorder",
    "config_configuration_recorder_status",
    "config_delivery_channel",
    "data_aws_caller_identity",
    "data_aws_partition",
    "data_aws_route53_zone",
    "db_instance",
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
    "lambda_invocation",
    "lambda_permission",
    "nat_gateway",
    "provider",
    "rds_cluster",
    "rds_cluster_instance",
    "rds_cluster_parameter_group",
    "route",
    "route53_hosted_zone_dnssec",
    "route53_key_signing_key",
    "route53_query_log",
    "route53_record",
    "route53_zone",
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
    "secretsmanager_secret",
    "secretsmanager_secret_rotation",
    "security_group",
    "sesv2_configuration_set",
    "sesv2_configuration_set_event_destination",
    "sesv2_email_identity",
    "sesv2_email_identity_mail_from_attributes",
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
