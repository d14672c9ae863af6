"""CloudFront in front of declared buckets (variant "cloudfront"): OAC, HTTPS only, optional geo allow-list, WAF."""

from __future__ import annotations

from typing import Any

from constructs import Construct

from modules.components.cdn.settings import BehaviorSettings, CdnSettings, ResponseHeadersSettings
from modules.core.aws import (
    cloudfront_cache_policy,
    cloudfront_distribution,
    cloudfront_monitoring_subscription,
    cloudfront_origin_access_control,
    cloudfront_response_headers_policy,
    cloudwatch_log_delivery,
    cloudwatch_log_delivery_destination,
    cloudwatch_log_delivery_source,
    wafv2_web_acl,
)
from modules.core.context import BuildContext
from modules.core.contributions import AlarmSpec, Contributions, OutputSpec, WidgetSpec
from modules.core.findings import accept
from modules.core.framework import TerraformProvider
from modules.core.kms import EncryptionKey, EncryptionKeyProps
from modules.core.logs import accept_short_retention
from modules.core.ports import BucketPort, CdnPort, DnsPort, KeyPort, Parts, Ports, StoragePort
from modules.primitives import waf
from modules.primitives.certificate import alias_records, validated_certificate

DAY_SECONDS = 86400
# CloudFront's own hosted zone for alias records (Route 53 API reference, AliasTarget).
CLOUDFRONT_HOSTED_ZONE_ID = "Z2FDTNDATAQYW2"
MANAGED_RULE_GROUPS = (
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesAmazonIpReputationList",
)


def _security_headers(frame_option: str, content_security_policy: str | None) -> Any:
    """HSTS for two years with preload, nosniff, the frame option, a strict referrer policy,
    and the content security policy when one is given; each overrides the origin's."""
    rh = cloudfront_response_headers_policy
    return rh.CloudfrontResponseHeadersPolicySecurityHeadersConfig(
        strict_transport_security=rh.CloudfrontResponseHeadersPolicySecurityHeadersConfigStrictTransportSecurity(
            access_control_max_age_sec=63072000, include_subdomains=True, preload=True, override=True
        ),
        content_type_options=rh.CloudfrontResponseHeadersPolicySecurityHeadersConfigContentTypeOptions(override=True),
        frame_options=rh.CloudfrontResponseHeadersPolicySecurityHeadersConfigFrameOptions(
            frame_option=frame_option, override=True
        ),
        referrer_policy=rh.CloudfrontResponseHeadersPolicySecurityHeadersConfigReferrerPolicy(
            referrer_policy="strict-origin-when-cross-origin", override=True
        ),
        content_security_policy=rh.CloudfrontResponseHeadersPolicySecurityHeadersConfigContentSecurityPolicy(
            content_security_policy=content_security_policy, override=True
        )
        if content_security_policy
        else None,
    )


class Cdn(Construct):
    """One distribution in front of the declared buckets its behaviours name."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        ctx: BuildContext,
        storage: StoragePort,
        settings: CdnSettings,
        dns: DnsPort | None = None,
    ) -> None:
        super().__init__(scope, id)
        self.settings = settings
        self.ctx = ctx
        self.name = ctx.name
        self.account = ctx.account
        us_east_1 = ctx.us_east_1
        self.oac = cloudfront_origin_access_control.CloudfrontOriginAccessControl(
            self,
            "origin-access",
            name=self.name,
            description=f"{self.name}: CloudFront signs every origin request (no legacy OAI)",
            origin_access_control_origin_type="s3",
            signing_behavior="always",
            signing_protocol="sigv4",
        )
        policies = {name: self._cache_policy(name, policy.ttl_days) for name, policy in settings.cache_policies.items()}
        headers = {"security": self._response_headers_policy()}
        for policy_name, declared_headers in settings.response_headers.items():
            headers[policy_name] = self._named_headers_policy(policy_name, declared_headers)
        self.web_acl = self._web_acl(us_east_1)
        zone_id = dns.zone_id if dns is not None else settings.hosted_zone_id
        certificate = (
            validated_certificate(self, "certificate", domain_name=settings.domain_name, zone_id=zone_id, provider=us_east_1)
            if settings.domain_name and zone_id
            else None
        )

        origins = {name: storage.buckets[name] for name in settings.origins}

        def behavior(declared: BehaviorSettings) -> Any:
            return cloudfront_distribution.CloudfrontDistributionOrderedCacheBehavior(
                path_pattern=declared.path_pattern,
                target_origin_id=declared.origin,
                allowed_methods=list(declared.allowed_methods),
                cached_methods=["GET", "HEAD"],
                viewer_protocol_policy="redirect-to-https",
                compress=True,
                cache_policy_id=policies[declared.cache_policy].id,
                response_headers_policy_id=headers[declared.response_headers].id,
            )

        default = settings.default_behavior
        geo = settings.geo_allow_list
        self.distribution = cloudfront_distribution.CloudfrontDistribution(
            self,
            "distribution",
            enabled=True,
            comment=f"{self.name} {settings.description}",
            is_ipv6_enabled=True,
            http_version="http2and3",
            price_class=settings.price_class,
            web_acl_id=self.web_acl.arn,
            aliases=[settings.domain_name] if settings.domain_name else None,
            default_root_object=settings.default_root_object,
            origin=[
                cloudfront_distribution.CloudfrontDistributionOrigin(
                    origin_id=origin_id,
                    domain_name=bucket.bucket.bucket_regional_domain_name,
                    origin_access_control_id=self.oac.id,
                )
                for origin_id, bucket in origins.items()
            ],
            default_cache_behavior=cloudfront_distribution.CloudfrontDistributionDefaultCacheBehavior(
                target_origin_id=default.origin,
                allowed_methods=list(default.allowed_methods),
                cached_methods=["GET", "HEAD"],
                viewer_protocol_policy="redirect-to-https",
                compress=True,
                cache_policy_id=policies[default.cache_policy].id,
                response_headers_policy_id=headers[default.response_headers].id,
            ),
            ordered_cache_behavior=[behavior(b) for b in settings.behaviors] or None,
            restrictions=cloudfront_distribution.CloudfrontDistributionRestrictions(
                geo_restriction=cloudfront_distribution.CloudfrontDistributionRestrictionsGeoRestriction(
                    restriction_type="whitelist", locations=list(geo)
                )
                if geo
                else cloudfront_distribution.CloudfrontDistributionRestrictionsGeoRestriction(restriction_type="none")
            ),
            custom_error_response=self._error_responses(),
            viewer_certificate=cloudfront_distribution.CloudfrontDistributionViewerCertificate(
                acm_certificate_arn=certificate.certificate_arn,
                ssl_support_method="sni-only",
                minimum_protocol_version="TLSv1.2_2021",
            )
            if certificate
            else cloudfront_distribution.CloudfrontDistributionViewerCertificate(cloudfront_default_certificate=True),
        )
        for bucket in origins.values():
            self._allow_distribution(bucket)
        if storage.encryption == "kms":
            self._allow_decrypt(storage.key)
        self._standard_logging(storage.logs, us_east_1)
        self._accept(certificate is not None)
        if not geo:
            accept(
                self.distribution,
                check="CKV_AWS_374",
                pin={"restrictions.geo_restriction.restriction_type": "none"},
                reason="The environment serves every country: cdn.geo_allow_list is empty, so no geo restriction applies.",
            )
        if certificate and zone_id and settings.domain_name:
            alias_records(
                self,
                "alias",
                zone_id=zone_id,
                name=settings.domain_name,
                target_name=self.distribution.domain_name,
                target_zone_id=CLOUDFRONT_HOSTED_ZONE_ID,
            )

    def _accept(self, custom_domain: bool) -> None:
        distribution = self.distribution
        accept(
            distribution,
            check="CKV2_AWS_47",
            pin={},
            reason="The Log4j rule is part of AWSManagedRulesKnownBadInputsRuleSet, which the web ACL has; the check also demands rule groups that do not apply to a file distribution.",
        )
        accept(
            distribution,
            check="CKV_AWS_86",
            pin={},
            reason="Access logs go to the log bucket through CloudFront standard logging v2 (a log delivery in us-east-1), which the check does not recognize.",
        )
        accept(
            distribution,
            check="CKV_AWS_310",
            pin={},
            reason="The origins are single-Region S3 buckets; a failover origin would need replicated buckets in a second Region, which the storage component does not create.",
        )
        if self.settings.default_root_object is None:
            accept(
                distribution,
                check="CKV_AWS_305",
                pin={},
                reason="The distribution serves files by key, not a website: cdn.default_root_object is not set, so there is no root document.",
            )
        if not custom_domain:
            default_certificate = {"viewer_certificate": {"cloudfront_default_certificate": True}}
            accept(
                distribution,
                check="CKV_AWS_174",
                pin=default_certificate,
                reason="Without cdn.domain_name CloudFront serves its default certificate and sets the TLS minimum itself; the cdn_tls output says so.",
            )
            accept(
                distribution,
                check="CKV2_AWS_42",
                pin=default_certificate,
                reason="No custom domain is configured (cdn.domain_name), so the default cloudfront.net certificate is the only one that can serve it.",
            )

    def _error_responses(self) -> list[Any]:
        response = cloudfront_distribution.CloudfrontDistributionCustomErrorResponse
        if self.settings.spa_fallback:
            # A single-page application routes in the browser: every path without an object
            # gets the root document with 200.
            page = f"/{self.settings.default_root_object}"
            return [
                response(error_code=code, response_code=200, response_page_path=page, error_caching_min_ttl=10)
                for code in (403, 404)
            ]
        # Without OAC list permission S3 answers 403 for a missing key; show it as the
        # 404 it is, and cache that answer only briefly.
        return [
            response(error_code=403, response_code=404, response_page_path=None, error_caching_min_ttl=10),
            response(error_code=404, error_caching_min_ttl=10),
        ]

    @property
    def tls_note(self) -> str:
        if self.settings.domain_name:
            return f"https://{self.settings.domain_name} with an ACM certificate; viewers need TLS 1.2 or later (TLSv1.2_2021)."
        return (
            "Served on the *.cloudfront.net name with CloudFront's default certificate: CloudFront then "
            "decides the minimum TLS version (it cannot be raised); set cdn.domain_name to enforce TLSv1.2_2021."
        )

    def _cache_policy(self, purpose: str, days: int) -> cloudfront_cache_policy.CloudfrontCachePolicy:
        ttl = days * DAY_SECONDS
        keys = cloudfront_cache_policy.CloudfrontCachePolicyParametersInCacheKeyAndForwardedToOrigin
        return cloudfront_cache_policy.CloudfrontCachePolicy(
            self,
            f"cache-{purpose}",
            name=f"{self.name}-{purpose}",
            comment=f"{purpose}: {days} days" if days else f"{purpose}: never cached",
            default_ttl=ttl,
            max_ttl=ttl,
            min_ttl=0,
            parameters_in_cache_key_and_forwarded_to_origin=keys(
                cookies_config=cloudfront_cache_policy.CloudfrontCachePolicyParametersInCacheKeyAndForwardedToOriginCookiesConfig(
                    cookie_behavior="none"
                ),
                headers_config=cloudfront_cache_policy.CloudfrontCachePolicyParametersInCacheKeyAndForwardedToOriginHeadersConfig(
                    header_behavior="none"
                ),
                query_strings_config=cloudfront_cache_policy.CloudfrontCachePolicyParametersInCacheKeyAndForwardedToOriginQueryStringsConfig(
                    query_string_behavior="none"
                ),
                # CloudFront refuses compression settings on a policy that caches nothing.
                enable_accept_encoding_gzip=days > 0,
                enable_accept_encoding_brotli=days > 0,
            ),
        )

    def _response_headers_policy(self) -> cloudfront_response_headers_policy.CloudfrontResponseHeadersPolicy:
        return cloudfront_response_headers_policy.CloudfrontResponseHeadersPolicy(
            self,
            "security-headers",
            name=f"{self.name}-security-headers",
            comment="HSTS, nosniff, frame-options deny, strict referrer policy",
            security_headers_config=_security_headers("DENY", None),
        )

    def _named_headers_policy(
        self, policy_name: str, declared: ResponseHeadersSettings
    ) -> cloudfront_response_headers_policy.CloudfrontResponseHeadersPolicy:
        """The security headers every response gets, plus the policy's CSP, frame option and CORS."""
        rh = cloudfront_response_headers_policy
        cors = None
        if declared.cors_allowed_origins:
            cors = rh.CloudfrontResponseHeadersPolicyCorsConfig(
                access_control_allow_credentials=False,
                access_control_allow_headers=rh.CloudfrontResponseHeadersPolicyCorsConfigAccessControlAllowHeaders(items=["*"]),
                access_control_allow_methods=rh.CloudfrontResponseHeadersPolicyCorsConfigAccessControlAllowMethods(
                    items=["GET", "HEAD", "OPTIONS"]
                ),
                access_control_allow_origins=rh.CloudfrontResponseHeadersPolicyCorsConfigAccessControlAllowOrigins(
                    items=list(declared.cors_allowed_origins)
                ),
                access_control_max_age_sec=declared.cors_max_age_seconds,
                origin_override=True,
            )
        return rh.CloudfrontResponseHeadersPolicy(
            self,
            f"headers-{policy_name}",
            name=f"{self.name}-{policy_name}",
            comment=f"{policy_name}: security headers"
            + (", content security policy" if declared.content_security_policy else "")
            + (", CORS" if cors else ""),
            cors_config=cors,
            security_headers_config=_security_headers(declared.frame_options, declared.content_security_policy),
        )

    def _web_acl(self, us_east_1: TerraformProvider) -> wafv2_web_acl.Wafv2WebAcl:
        name = self.name
        acl = waf.managed_rules_acl(
            self,
            "web-acl",
            provider=us_east_1,
            name=f"{name}-cdn",
            description=f"{name}: AWS managed rules and a per-IP rate limit in front of CloudFront",
            waf_scope="CLOUDFRONT",
            managed_rule_groups=MANAGED_RULE_GROUPS,
            rate_limit_per_5_minutes=self.settings.rate_limit_per_5_minutes,
            metric_name=f"{name}-cdn",
        )
        # WAF logs for a CLOUDFRONT ACL go to us-east-1, encrypted with a key there.
        group_name = waf.log_group_name(name)
        key = EncryptionKey(
            self,
            "waf-log-key",
            account=self.account,
            provider=us_east_1,
            region="us-east-1",
            props=EncryptionKeyProps(
                alias=f"{name}-waf-logs",
                description=f"Encrypts the WAF logs of {name}",
                log_group_names=(group_name,),
                deletion_window_in_days=self.ctx.protection.key_deletion_window_days,
                prevent_destroy=self.ctx.protection.retain_on_destroy,
            ),
        )
        self.waf_log_group = waf.log_to_cloudwatch(
            self,
            acl=acl,
            group_name=group_name,
            key=key,
            retention_days=self.settings.waf_log_retention_days,
            provider=us_east_1,
        )
        accept_short_retention(self.waf_log_group, self.settings.waf_log_retention_days, "The CDN's WAF logs")
        return acl

    def _allow_distribution(self, bucket: BucketPort) -> None:
        bucket.add_to_resource_policy(
            {
                "Sid": "CloudFrontReadsThroughOac",
                "Effect": "Allow",
                "Principal": {"Service": "cloudfront.amazonaws.com"},
                "Action": "s3:GetObject",
                "Resource": f"{bucket.bucket.arn}/*",
                # This distribution only: another account's distribution cannot read the bucket.
                "Condition": {"StringEquals": {"AWS:SourceArn": self.distribution.arn}},
            }
        )

    def _allow_decrypt(self, key: KeyPort) -> None:
        key.add_to_key_policy(
            {
                "Sid": "CloudFrontDecryptsForThisDistribution",
                "Effect": "Allow",
                "Principal": {"Service": "cloudfront.amazonaws.com"},
                "Action": "kms:Decrypt",
                "Resource": "*",
                "Condition": {"StringEquals": {"AWS:SourceArn": self.distribution.arn}},
            }
        )

    def _standard_logging(self, log_bucket: BucketPort, us_east_1: TerraformProvider) -> None:
        """CloudFront standard logging (v2) to the log bucket; the legacy mode needs bucket ACLs,
        which every bucket here has disabled."""
        source = cloudwatch_log_delivery_source.CloudwatchLogDeliverySource(
            self,
            "log-source",
            provider=us_east_1,
            name=f"{self.name}-cdn",
            log_type="ACCESS_LOGS",
            resource_arn=self.distribution.arn,
        )
        destination = cloudwatch_log_delivery_destination.CloudwatchLogDeliveryDestination(
            self,
            "log-destination",
            provider=us_east_1,
            name=f"{self.name}-cdn-logs",
            output_format="parquet",
            delivery_destination_configuration=[
                cloudwatch_log_delivery_destination.CloudwatchLogDeliveryDestinationDeliveryDestinationConfiguration(
                    destination_resource_arn=f"{log_bucket.bucket.arn}/cloudfront"
                )
            ],
        )
        cloudwatch_log_delivery.CloudwatchLogDelivery(
            self,
            "log-delivery",
            provider=us_east_1,
            delivery_source_name=source.name,
            delivery_destination_arn=destination.arn,
        )
        log_bucket.add_to_resource_policy(
            {
                "Sid": "CloudFrontStandardLogs",
                "Effect": "Allow",
                "Principal": {"Service": "delivery.logs.amazonaws.com"},
                "Action": "s3:PutObject",
                "Resource": f"{log_bucket.bucket.arn}/cloudfront/*",
                "Condition": {
                    "StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceAccount": self.account.account_id},
                    "ArnLike": {"aws:SourceArn": self.account.arn("logs", "delivery-source:*", region="us-east-1")},
                },
            }
        )


def build(scope: Construct, ctx: BuildContext, settings: CdnSettings, ports: Ports, parts: Parts) -> Contributions:
    """The "cloudfront" variant: the distribution, its port, outputs, alarms and widget."""
    assert ports.storage is not None  # origins are declared buckets
    cdn = Cdn(scope, "cdn", ctx=ctx, storage=ports.storage, settings=settings, dns=ports.dns)
    distribution = cdn.distribution
    ports.cdn = CdnPort(distribution=distribution)
    made = Contributions()
    made.outputs += [
        OutputSpec(name="cdn_distribution_id", value=distribution.id, description="CloudFront distribution id"),
        OutputSpec(name="cdn_domain", value=distribution.domain_name, description="CloudFront domain name"),
        OutputSpec(name="cdn_tls", value=cdn.tls_note, description="what TLS viewers get"),
    ]
    # CloudFront and its web ACL publish their metrics in us-east-1.
    distribution_dimensions = {"DistributionId": distribution.id, "Region": "Global"}
    made.alarms.append(
        AlarmSpec(
            name="cdn-5xx-rate",
            namespace="AWS/CloudFront",
            metric="5xxErrorRate",
            dimensions=distribution_dimensions,
            threshold=settings.alarm_5xx_rate_percent,
            what="percent of responses that are 5xx",
            statistic="Average",
            us_east_1=True,
        )
    )
    made.alarms.append(
        AlarmSpec(
            name="cdn-waf-blocked",
            namespace="AWS/WAFV2",
            metric="BlockedRequests",
            dimensions={"WebACL": cdn.web_acl.name, "Rule": "ALL"},
            threshold=settings.alarm_waf_blocked_requests,
            what="requests WAF blocked",
            us_east_1=True,
        )
    )
    distribution_dimension = [part for pair in distribution_dimensions.items() for part in pair]
    hit_rate = []
    if settings.additional_metrics:
        cloudfront_monitoring_subscription.CloudfrontMonitoringSubscription(
            cdn,
            "additional-metrics",
            distribution_id=distribution.id,
            monitoring_subscription=cloudfront_monitoring_subscription.CloudfrontMonitoringSubscriptionMonitoringSubscription(
                realtime_metrics_subscription_config=cloudfront_monitoring_subscription.CloudfrontMonitoringSubscriptionMonitoringSubscriptionRealtimeMetricsSubscriptionConfig(
                    realtime_metrics_subscription_status="Enabled"
                )
            ),
        )
        hit_rate = [["AWS/CloudFront", "CacheHitRate", *distribution_dimension, {"stat": "Average"}]]
        if settings.alarm_cache_hit_rate_below_percent is not None:
            made.alarms.append(
                AlarmSpec(
                    name="cdn-cache-hit-rate",
                    namespace="AWS/CloudFront",
                    metric="CacheHitRate",
                    dimensions=distribution_dimensions,
                    threshold=settings.alarm_cache_hit_rate_below_percent,
                    what="percent of requests served from the cache",
                    statistic="Average",
                    comparison="LessThanThreshold",
                    us_east_1=True,
                )
            )
    made.widgets.append(
        WidgetSpec(
            rank=50,
            title="CloudFront requests and 5xx rate",
            metrics=[
                ["AWS/CloudFront", "Requests", *distribution_dimension],
                ["AWS/CloudFront", "5xxErrorRate", *distribution_dimension, {"stat": "Average"}],
                *hit_rate,
            ],
            region="us-east-1",
        )
    )
    return made
