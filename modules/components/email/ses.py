"""Mail from the application's domain (variant "ses"): identity, DKIM, MAIL FROM, configuration set."""

from __future__ import annotations

from constructs import Construct

from modules.components.email.settings import EmailSettings
from modules.core.aws import (
    iam_role,
    iam_role_policy,
    route53_record,
    sesv2_configuration_set,
    sesv2_configuration_set_event_destination,
    sesv2_email_identity,
    sesv2_email_identity_mail_from_attributes,
)
from modules.core.context import BuildContext
from modules.core.contributions import AlarmSpec, Contributions, OutputSpec
from modules.core.framework import Fn
from modules.core.iam import role_grant
from modules.core.ports import DnsPort, EmailPort, Parts, Ports

# Easy DKIM publishes three CNAME records per identity (SES Developer Guide, "Easy DKIM").
DKIM_TOKENS = 3
# Mail records change rarely; 30 minutes keeps a correction quick.
MAIL_RECORD_TTL_SECONDS = 1800
# The events SES reports per message (SESv2 API reference, EventDestination.MatchingEventTypes).
DELIVERY_EVENTS = ("SEND", "DELIVERY", "BOUNCE", "COMPLAINT", "REJECT", "RENDERING_FAILURE", "DELIVERY_DELAY")
# SES tags every message with the configuration set it went through ("Monitoring using
# Amazon CloudWatch": auto-tags); the metrics are split by it.
CONFIGURATION_SET_TAG = "ses:configuration-set"


class Email(Construct):
    """The domain identity sending through one configuration set, and its DNS records."""

    def __init__(self, scope: Construct, id: str, *, ctx: BuildContext, settings: EmailSettings, dns: DnsPort | None) -> None:
        super().__init__(scope, id)
        self.ctx = ctx
        self.settings = settings
        domain = settings.domain
        self.configuration_set = sesv2_configuration_set.Sesv2ConfigurationSet(
            self,
            "configuration-set",
            configuration_set_name=ctx.name,
            # Never hand mail to a receiving server in clear text.
            delivery_options=sesv2_configuration_set.Sesv2ConfigurationSetDeliveryOptions(tls_policy="REQUIRE"),
            reputation_options=sesv2_configuration_set.Sesv2ConfigurationSetReputationOptions(reputation_metrics_enabled=True),
            sending_options=sesv2_configuration_set.Sesv2ConfigurationSetSendingOptions(sending_enabled=True),
            # Sending again to an address that bounced or complained only hurts the reputation.
            suppression_options=sesv2_configuration_set.Sesv2ConfigurationSetSuppressionOptions(
                suppressed_reasons=["BOUNCE", "COMPLAINT"]
            ),
        )
        destination = sesv2_configuration_set_event_destination
        destination.Sesv2ConfigurationSetEventDestination(
            self,
            "events-to-cloudwatch",
            configuration_set_name=self.configuration_set.configuration_set_name,
            event_destination_name="cloudwatch",
            event_destination=destination.Sesv2ConfigurationSetEventDestinationEventDestination(
                enabled=True,
                matching_event_types=list(DELIVERY_EVENTS),
                cloud_watch_destination=destination.Sesv2ConfigurationSetEventDestinationEventDestinationCloudWatchDestination(
                    dimension_configuration=[
                        destination.Sesv2ConfigurationSetEventDestinationEventDestinationCloudWatchDestinationDimensionConfiguration(
                            dimension_name=CONFIGURATION_SET_TAG,
                            dimension_value_source="MESSAGE_TAG",
                            default_dimension_value=ctx.name,
                        )
                    ]
                ),
            ),
        )
        self.identity = sesv2_email_identity.Sesv2EmailIdentity(
            self,
            "identity",
            email_identity=domain,
            configuration_set_name=self.configuration_set.configuration_set_name,
            dkim_signing_attributes=sesv2_email_identity.Sesv2EmailIdentityDkimSigningAttributes(
                next_signing_key_length="RSA_2048_BIT"
            ),
        )
        sesv2_email_identity_mail_from_attributes.Sesv2EmailIdentityMailFromAttributes(
            self,
            "mail-from",
            email_identity=self.identity.email_identity,
            mail_from_domain=settings.mail_from_domain,
            # Until the MX record resolves, SES falls back to its own MAIL FROM domain
            # rather than refusing to send; DKIM still aligns for DMARC.
            behavior_on_mx_failure="USE_DEFAULT_VALUE",
        )
        self.dkim_tokens = self.identity.dkim_signing_attributes.tokens
        if dns is not None:
            self._records(dns.zone_id)

    def _records(self, zone_id: str) -> None:
        settings = self.settings
        domain = settings.domain
        for index in range(DKIM_TOKENS):
            token = Fn.element(self.dkim_tokens, index)
            route53_record.Route53Record(
                self,
                f"dkim-{index}",
                zone_id=zone_id,
                name=f"{token}._domainkey.{domain}",
                type="CNAME",
                ttl=MAIL_RECORD_TTL_SECONDS,
                records=[f"{token}.dkim.amazonses.com"],
            )
        # The MAIL FROM domain receives bounces through SES's feedback endpoint of this
        # Region and authorizes SES to send for it (SES Developer Guide, "Custom MAIL FROM domain").
        route53_record.Route53Record(
            self,
            "mail-from-mx",
            zone_id=zone_id,
            name=settings.mail_from_domain,
            type="MX",
            ttl=MAIL_RECORD_TTL_SECONDS,
            records=[f"10 feedback-smtp.{self.ctx.region}.amazonses.com"],
        )
        route53_record.Route53Record(
            self,
            "mail-from-spf",
            zone_id=zone_id,
            name=settings.mail_from_domain,
            type="TXT",
            ttl=MAIL_RECORD_TTL_SECONDS,
            records=["v=spf1 include:amazonses.com -all"],
        )
        dmarc = f"v=DMARC1; p={settings.dmarc_policy}"
        if settings.dmarc_report_address:
            dmarc += f"; rua=mailto:{settings.dmarc_report_address}"
        route53_record.Route53Record(
            self,
            "dmarc",
            zone_id=zone_id,
            name=f"_dmarc.{domain}",
            type="TXT",
            ttl=MAIL_RECORD_TTL_SECONDS,
            records=[dmarc],
        )

    def grant_send(self, role: iam_role.IamRole) -> iam_role_policy.IamRolePolicy:
        """Send mail from addresses of the domain, through this configuration set only."""
        return role_grant(
            self,
            name=self.ctx.name,
            purpose="send-email",
            role=role,
            statements=[
                {
                    "Sid": "SendFromDomain",
                    "Effect": "Allow",
                    "Action": ["ses:SendEmail", "ses:SendRawEmail"],
                    "Resource": [self.identity.arn, self.configuration_set.arn],
                    "Condition": {
                        "StringLike": {"ses:FromAddress": f"*@{self.settings.domain}"},
                        "StringEquals": {"ses:ConfigurationSetName": self.ctx.name},
                    },
                }
            ],
        )


def build(scope: Construct, ctx: BuildContext, settings: EmailSettings, ports: Ports, parts: Parts) -> Contributions:
    """The "ses" variant: identity, configuration set, records in the zone, reputation alarms."""
    email = Email(scope, "email", ctx=ctx, settings=settings, dns=ports.dns)
    ports.email = EmailPort(
        domain=settings.domain,
        identity_arn=email.identity.arn,
        configuration_set_name=ctx.name,
        configuration_set_arn=email.configuration_set.arn,
        send=email.grant_send,
    )
    made = Contributions()
    made.outputs.append(
        OutputSpec(name="email_configuration_set", value=ctx.name, description="SES configuration set to send through")
    )
    if ports.dns is None:
        made.outputs.append(
            OutputSpec(
                name="email_dkim_tokens",
                value=email.dkim_tokens,
                description=f"publish <token>._domainkey.{settings.domain} CNAME <token>.dkim.amazonses.com for each",
            )
        )
    # Account-wide reputation (SES publishes it without dimensions, as a fraction).
    for metric, percent, what in (
        ("Reputation.BounceRate", settings.alarm_bounce_rate_percent, "bounce rate (fraction of sent mail)"),
        ("Reputation.ComplaintRate", settings.alarm_complaint_rate_percent, "complaint rate (fraction of sent mail)"),
    ):
        made.alarms.append(
            AlarmSpec(
                name=f"email-{metric.split('.')[1].lower()}",
                namespace="AWS/SES",
                metric=metric,
                dimensions={},
                threshold=percent / 100,
                what=what,
                statistic="Maximum",
            )
        )
    return made
