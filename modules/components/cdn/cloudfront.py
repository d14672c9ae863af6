"""CloudFront in front of the profile and reports buckets: OAC, HTTPS only, geo allow-list, WAF."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from cdktf import TerraformProvider
from constructs import Construct

from modules.components.storage.buckets import Storage
from modules.core.aws import (
    acm_certificate,
    acm_certificate_validation,
    cloudfront_cache_policy,
    cloudfront_distribution,
    cloudfront_origin_access_control,
    cloudfront_response_headers_policy,
    cloudwatch_log_delivery,
    cloudwatch_log_delivery_destination,
    cloudwatch_log_delivery_source,
    route53_record,
    wafv2_web_acl,
)
from modules.core.identity import AccountContext
from modules.core.kms import EncryptionKey, EncryptionKeyProps
from modules.primitives import waf
from modules.primitives.bucket import SecureBucket

DAY_SECONDS = 86400
# CloudFront's own hosted zone for alias records (Route 53 API reference, AliasTarget).
CLOUDFRONT_HOSTED_ZONE_ID = "Z2FDTNDATAQYW2"
MANAGED_RULE_GROUPS = (
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesAmazonIpReputationList",
)
IMAGE_PATTERNS = ("*.jpg", "*.jpeg", "*.png", "*.webp", "*.gif", "*.avif")


@dataclass(frozen=True, kw_only=True)
class CdnProps:
    """name: `<project>-<environment>`. geo_allow_list: countries served (ISO 3166-1 alpha-2).
    price_class: default PriceClass_100. image_cache_days / document_cache_days: default 30 / 7;
    `tmp/`, `temp/` and PDFs are never cached. rate_limit_per_5_minutes: WAF per-IP limit;
    default 2000. waf_log_retention_days: default 365. domain_name / hosted_zone_id: optional
    custom domain with an ACM certificate validated in that zone; without it CloudFront
    serves its own *.cloudfront.net certificate and its own TLS minimum.
    """

    name: str
    geo_allow_list: tuple[str, ...] = ("DE", "AT", "CH", "US", "GB")
    price_class: Literal["PriceClass_100", "PriceClass_200", "PriceClass_All"] = "PriceClass_100"
    image_cache_days: int = 30
    document_cache_days: int = 7
    rate_limit_per_5_minutes: int = 2000
    waf_log_retention_days: int = 365
    domain_name: str | None = None
    hosted_zone_id: str | None = None
    retain_on_destroy: bool = True
    key_deletion_window_in_days: int = 30
    extra: dict[str, str] = field(default_factory=dict)


class Cdn(Construct):
    """One distribution; `/profile/*` from the profile bucket, `/reports/*` from the reports bucket."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        account: AccountContext,
        storage: Storage,
        us_east_1: TerraformProvider,
        props: CdnProps,
    ) -> None:
        super().__init__(scope, id)
        self.props = props
        self.account = account
        self.oac = cloudfront_origin_access_control.CloudfrontOriginAccessControl(
            self,
            "origin-access",
            name=props.name,
            description=f"{props.name}: CloudFront signs every origin request (no legacy OAI)",
            origin_access_control_origin_type="s3",
            signing_behavior="always",
            signing_protocol="sigv4",
        )
        images = self._cache_policy("images", props.image_cache_days)
        documents = self._cache_policy("documents", props.document_cache_days)
        no_store = self._cache_policy("no-store", 0)
        headers = self._response_headers_policy()
        self.web_acl = self._web_acl(us_east_1)
        certificate = self._certificate(us_east_1) if props.domain_name else None

        origins = {"profile": storage.profile, "reports": storage.reports}

        def behavior(pattern: str, origin: str, policy: cloudfront_cache_policy.CloudfrontCachePolicy) -> Any:
            return cloudfront_distribution.CloudfrontDistributionOrderedCacheBehavior(
                path_pattern=pattern,
                target_origin_id=origin,
                allowed_methods=["GET", "HEAD"],
                cached_methods=["GET", "HEAD"],
                viewer_protocol_policy="redirect-to-https",
                compress=True,
                cache_policy_id=policy.id,
                response_headers_policy_id=headers.id,
            )

        # First match wins: the uncached exceptions come before the general patterns.
        ordered = [
            behavior("/reports/tmp/*", "reports", no_store),
            behavior("/reports/*.pdf", "reports", no_store),
            behavior("/reports/*", "reports", documents),
            behavior("/profile/temp/*", "profile", no_store),
            *(behavior(f"/profile/{pattern}", "profile", images) for pattern in IMAGE_PATTERNS),
        ]
        self.distribution = cloudfront_distribution.CloudfrontDistribution(
            self,
            "distribution",
            enabled=True,
            comment=f"{props.name} profile images and reports",
            is_ipv6_enabled=True,
            http_version="http2and3",
            price_class=props.price_class,
            web_acl_id=self.web_acl.arn,
            aliases=[props.domain_name] if props.domain_name else None,
            origin=[
                cloudfront_distribution.CloudfrontDistributionOrigin(
                    origin_id=origin_id,
                    domain_name=bucket.bucket.bucket_regional_domain_name,
                    origin_access_control_id=self.oac.id,
                )
                for origin_id, bucket in origins.items()
            ],
            default_cache_behavior=cloudfront_distribution.CloudfrontDistributionDefaultCacheBehavior(
                target_origin_id="profile",
                allowed_methods=["GET", "HEAD"],
                cached_methods=["GET", "HEAD"],
                viewer_protocol_policy="redirect-to-https",
                compress=True,
                cache_policy_id=documents.id,
                response_headers_policy_id=headers.id,
            ),
            ordered_cache_behavior=ordered,
            restrictions=cloudfront_distribution.CloudfrontDistributionRestrictions(
                geo_restriction=cloudfront_distribution.CloudfrontDistributionRestrictionsGeoRestriction(
                    restriction_type="whitelist", locations=list(props.geo_allow_list)
                )
            ),
            # Without OAC list permission S3 answers 403 for a missing key; show it as the
            # 404 it is, and cache that answer only briefly.
            custom_error_response=[
                cloudfront_distribution.CloudfrontDistributionCustomErrorResponse(
                    error_code=403, response_code=404, response_page_path=None, error_caching_min_ttl=10
                ),
                cloudfront_distribution.CloudfrontDistributionCustomErrorResponse(error_code=404, error_caching_min_ttl=10),
            ],
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
        if storage.key is not None and storage.props.encryption == "kms":
            self._allow_decrypt(storage.key)
        self._standard_logging(storage.logs, us_east_1)
        if certificate and props.hosted_zone_id and props.domain_name:
            for record_type in ("A", "AAAA"):
                route53_record.Route53Record(
                    self,
                    f"alias-{record_type.lower()}",
                    zone_id=props.hosted_zone_id,
                    name=props.domain_name,
                    type=record_type,
                    alias=route53_record.Route53RecordAlias(
                        name=self.distribution.domain_name, zone_id=CLOUDFRONT_HOSTED_ZONE_ID, evaluate_target_health=False
                    ),
                )

    @property
    def tls_note(self) -> str:
        if self.props.domain_name:
            return f"https://{self.props.domain_name} with an ACM certificate; viewers need TLS 1.2 or later (TLSv1.2_2021)."
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
            name=f"{self.props.name}-{purpose}",
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
        rh = cloudfront_response_headers_policy
        return rh.CloudfrontResponseHeadersPolicy(
            self,
            "security-headers",
            name=f"{self.props.name}-security-headers",
            comment="HSTS, nosniff, frame-options deny, strict referrer policy",
            security_headers_config=rh.CloudfrontResponseHeadersPolicySecurityHeadersConfig(
                strict_transport_security=rh.CloudfrontResponseHeadersPolicySecurityHeadersConfigStrictTransportSecurity(
                    access_control_max_age_sec=63072000, include_subdomains=True, preload=True, override=True
                ),
                content_type_options=rh.CloudfrontResponseHeadersPolicySecurityHeadersConfigContentTypeOptions(override=True),
                frame_options=rh.CloudfrontResponseHeadersPolicySecurityHeadersConfigFrameOptions(
                    frame_option="DENY", override=True
                ),
                referrer_policy=rh.CloudfrontResponseHeadersPolicySecurityHeadersConfigReferrerPolicy(
                    referrer_policy="strict-origin-when-cross-origin", override=True
                ),
            ),
        )

    def _web_acl(self, us_east_1: TerraformProvider) -> wafv2_web_acl.Wafv2WebAcl:
        name = self.props.name
        acl = waf.managed_rules_acl(
            self,
            "web-acl",
            provider=us_east_1,
            name=f"{name}-cdn",
            description=f"{name}: AWS managed rules and a per-IP rate limit in front of CloudFront",
            waf_scope="CLOUDFRONT",
            managed_rule_groups=MANAGED_RULE_GROUPS,
            rate_limit_per_5_minutes=self.props.rate_limit_per_5_minutes,
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
                deletion_window_in_days=self.props.key_deletion_window_in_days,
                prevent_destroy=self.props.retain_on_destroy,
            ),
        )
        self.waf_log_group = waf.log_to_cloudwatch(
            self,
            acl=acl,
            group_name=group_name,
            key=key,
            retention_days=self.props.waf_log_retention_days,
            provider=us_east_1,
        )
        return acl

    def _certificate(self, us_east_1: TerraformProvider) -> acm_certificate_validation.AcmCertificateValidation:
        assert self.props.domain_name and self.props.hosted_zone_id
        certificate = acm_certificate.AcmCertificate(
            self,
            "certificate",
            provider=us_east_1,
            domain_name=self.props.domain_name,
            validation_method="DNS",
            key_algorithm="EC_prime256v1",
        )
        option = certificate.domain_validation_options.get(0)
        record = route53_record.Route53Record(
            self,
            "certificate-validation-record",
            zone_id=self.props.hosted_zone_id,
            name=option.resource_record_name,
            type=option.resource_record_type,
            records=[option.resource_record_value],
            ttl=300,
            allow_overwrite=True,
        )
        return acm_certificate_validation.AcmCertificateValidation(
            self,
            "certificate-validation",
            provider=us_east_1,
            certificate_arn=certificate.arn,
            validation_record_fqdns=[record.fqdn],
        )

    def _allow_distribution(self, bucket: SecureBucket) -> None:
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

    def _allow_decrypt(self, key: EncryptionKey) -> None:
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

    def _standard_logging(self, log_bucket: SecureBucket, us_east_1: TerraformProvider) -> None:
        """CloudFront standard logging (v2) to the log bucket; the legacy mode needs bucket ACLs,
        which every bucket here has disabled."""
        source = cloudwatch_log_delivery_source.CloudwatchLogDeliverySource(
            self,
            "log-source",
            provider=us_east_1,
            name=f"{self.props.name}-cdn",
            log_type="ACCESS_LOGS",
            resource_arn=self.distribution.arn,
        )
        destination = cloudwatch_log_delivery_destination.CloudwatchLogDeliveryDestination(
            self,
            "log-destination",
            provider=us_east_1,
            name=f"{self.props.name}-cdn-logs",
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
