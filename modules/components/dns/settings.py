"""`[dns]` (variant "route53"): the hosted zone certificates, custom domains and mail records go into."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from pydantic import Field

from modules.core.domains import DomainName
from modules.core.settings import ComponentSettings, EnvironmentView, LogRetentionDays, Report, by_profile
from modules.core.weakening import Weakening, lower, turned_off


class DnsSettings(ComponentSettings):
    """A public Route 53 zone, created here or an existing one found by name. A zone created
    here is signed with DNSSEC, logs its queries and allows only Amazon to issue certificates
    (CAA); an existing zone is left as its owners configured it, and only records are added."""

    weakens: ClassVar[Mapping[str, Weakening]] = {
        "dnssec": turned_off("The zone is not signed with DNSSEC: resolvers cannot detect forged answers."),
        "query_logging": turned_off("DNS queries to the zone are not logged: lookups of abused names go unseen."),
        "query_log_retention_days": lower("DNS query logs are kept for less time."),
    }

    zone_name: DomainName = Field(description="The zone's domain, such as example.com.")
    create_zone: bool = Field(
        default=False,
        description="Create the hosted zone (then delegate the domain to its name servers, output name_servers); "
        "default: look up an existing public zone of that name in the account.",
    )
    dnssec: bool = Field(
        default=True,
        description="Sign a created zone with DNSSEC (a KMS signing key in us-east-1); add the DS record the "
        "dnssec_ds_record output gives at the registrar to complete the chain of trust.",
    )
    query_logging: bool = Field(default=True, description="Log a created zone's DNS queries to CloudWatch Logs in us-east-1.")
    query_log_retention_days: LogRetentionDays = by_profile(
        development=30, production=365, description="Days the zone's query logs are kept."
    )
    caa_issuers: tuple[str, ...] = Field(
        default=("amazon.com",),
        strict=False,
        description="Certificate authorities allowed to issue for a created zone (CAA records); amazon.com is ACM. "
        "Empty: no CAA record.",
    )

    def check(self, view: EnvironmentView, report: Report) -> None:
        if not self.create_zone:
            for key in ("dnssec", "query_logging", "caa_issuers"):
                if key in self.model_fields_set:
                    report(
                        f"dns.{key}",
                        getattr(self, key),
                        "applies to a zone created here (create_zone = true); an existing zone keeps its owners' settings",
                    )
        for index, issuer in enumerate(self.caa_issuers):
            if not issuer or any(c in issuer for c in ' ";'):
                report(
                    f"dns.caa_issuers[{index}]", issuer, "a certificate authority's domain such as amazon.com or letsencrypt.org"
                )
