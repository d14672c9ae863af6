"""`[email]` (variant "ses"): an SES domain identity functions send from."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import ClassVar, Literal

from pydantic import Field, field_validator

from modules.core.domains import DomainName, within
from modules.core.settings import ComponentSettings, EnvironmentView, Report
from modules.core.weakening import Weakening, becomes

_LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")


class EmailSettings(ComponentSettings):
    """A verified domain with 2048-bit Easy DKIM, a custom MAIL FROM domain, and a
    configuration set that requires TLS, suppresses addresses that bounce or complain, and
    sends every delivery event to CloudWatch and bounces and complaints to the alarm topic.
    With components.dns on, the DKIM, MAIL FROM and DMARC records go into its zone; without
    it, the outputs list the records to publish."""

    weakens: ClassVar[Mapping[str, Weakening]] = {
        "dmarc_policy": becomes("DMARC policy none: receivers deliver mail forged in the domain's name.", "none"),
    }

    domain: DomainName = Field(description="The domain mail is sent from, such as example.com or mail.example.com.")
    mail_from_subdomain: str = Field(
        default="bounce",
        description="The MAIL FROM (envelope sender) domain is <this>.<domain>: SPF then aligns with the domain.",
    )
    dmarc_policy: Literal["none", "quarantine", "reject"] = Field(
        default="quarantine",
        description="DMARC policy published at _dmarc.<domain> when components.dns is on: what receivers do with "
        "mail that fails authentication.",
    )
    dmarc_report_address: str | None = Field(
        default=None, description="Address receiving DMARC aggregate reports (rua); default none."
    )
    alarm_bounce_rate_percent: float = Field(
        default=4,
        gt=0,
        le=100,
        strict=False,
        description="Account bounce rate that raises an alarm; SES reviews accounts above 5 percent.",
    )
    alarm_complaint_rate_percent: float = Field(
        default=0.08,
        gt=0,
        le=100,
        strict=False,
        description="Account complaint rate that raises an alarm; SES reviews accounts above 0.1 percent.",
    )

    @field_validator("mail_from_subdomain")
    @classmethod
    def _label(cls, value: str) -> str:
        if not _LABEL.fullmatch(value):
            raise ValueError("one DNS label: lowercase letters, digits and hyphens, such as bounce")
        return value

    @field_validator("dmarc_report_address")
    @classmethod
    def _address(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"[A-Za-z0-9._%+-]+@([a-z0-9-]+\.)+[a-z]{2,63}", value):
            raise ValueError("an email address such as dmarc-reports@example.com")
        return value

    @property
    def mail_from_domain(self) -> str:
        return f"{self.mail_from_subdomain}.{self.domain}"

    def check(self, view: EnvironmentView, report: Report) -> None:
        if view.enabled("dns"):
            zone = view.settings["dns"].zone_name  # type: ignore[attr-defined]
            if not within(self.domain, zone):
                report("email.domain", self.domain, f"a name in the dns component's zone {zone} (its records go there)")
        elif "dmarc_policy" in self.model_fields_set or self.dmarc_report_address:
            report(
                "email.dmarc_policy",
                self.dmarc_policy,
                "the DMARC record is published only in the dns component's zone: turn on components.dns",
            )
