"""An ACM certificate validated through DNS records in a Route 53 zone, and alias records.

CloudFront takes certificates from us-east-1 only (pass that provider); a Regional API
takes one from its own Region (the default provider).
"""

from __future__ import annotations

from constructs import Construct

from modules.core.aws import acm_certificate, acm_certificate_validation, route53_record
from modules.core.framework import TerraformProvider, TerraformResourceLifecycle

# Validation records are looked up by ACM, not by people: five minutes is enough to pick
# up a changed value and keeps renewals fast.
VALIDATION_RECORD_TTL_SECONDS = 300


def validated_certificate(
    scope: Construct,
    id: str,
    *,
    domain_name: str,
    zone_id: str,
    provider: TerraformProvider | None = None,
) -> acm_certificate_validation.AcmCertificateValidation:
    """A DNS-validated certificate for `domain_name`; construct ids `<id>`,
    `<id>-validation-record` and `<id>-validation` in `scope`. The ECDSA P-256 key is
    smaller and faster than RSA 2048, and every browser CloudFront serves accepts it.
    ACM renews it as long as the validation record stays in the zone."""
    certificate = acm_certificate.AcmCertificate(
        scope,
        id,
        provider=provider,
        domain_name=domain_name,
        validation_method="DNS",
        key_algorithm="EC_prime256v1",
        # A replaced certificate must be issued before the old one is released by the
        # distribution or domain that serves it.
        lifecycle=TerraformResourceLifecycle(create_before_destroy=True),
    )
    option = certificate.domain_validation_options.get(0)
    record = route53_record.Route53Record(
        scope,
        f"{id}-validation-record",
        zone_id=zone_id,
        name=option.resource_record_name,
        type=option.resource_record_type,
        records=[option.resource_record_value],
        ttl=VALIDATION_RECORD_TTL_SECONDS,
        # ACM gives the same record for a re-created certificate of the same name.
        allow_overwrite=True,
    )
    return acm_certificate_validation.AcmCertificateValidation(
        scope,
        f"{id}-validation",
        provider=provider,
        certificate_arn=certificate.arn,
        validation_record_fqdns=[record.fqdn],
    )


def alias_records(
    scope: Construct, id: str, *, zone_id: str, name: str, target_name: str, target_zone_id: str
) -> list[route53_record.Route53Record]:
    """A and AAAA alias records `name` -> the target (construct ids `<id>-a`, `<id>-aaaa`).
    Alias queries to AWS resources are free, and the records follow the target's addresses."""
    return [
        route53_record.Route53Record(
            scope,
            f"{id}-{record_type.lower()}",
            zone_id=zone_id,
            name=name,
            type=record_type,
            alias=route53_record.Route53RecordAlias(name=target_name, zone_id=target_zone_id, evaluate_target_health=False),
        )
        for record_type in ("A", "AAAA")
    ]
