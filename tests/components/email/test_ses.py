"""The email component: SES identity, DKIM, MAIL FROM, DMARC and the send grant, as synthesized."""

from __future__ import annotations

import json

from tests.conftest import Stack


def test_identity_signs_with_2048_bit_dkim_through_a_tls_only_configuration_set(synthesized: dict[str, Stack]) -> None:
    stack = synthesized["dnszone"]
    identity = stack.one("aws_sesv2_email_identity")
    assert identity["email_identity"] == "example.com"
    assert identity["dkim_signing_attributes"] == {"next_signing_key_length": "RSA_2048_BIT"}
    config_set = stack.one("aws_sesv2_configuration_set")
    assert config_set["configuration_set_name"] == "filehub-dnszone"
    assert config_set["delivery_options"] == {"tls_policy": "REQUIRE"}
    assert config_set["suppression_options"] == {"suppressed_reasons": ["BOUNCE", "COMPLAINT"]}
    assert config_set["reputation_options"] == {"reputation_metrics_enabled": True}
    destination = stack.one("aws_sesv2_configuration_set_event_destination")["event_destination"]
    assert {"BOUNCE", "COMPLAINT", "DELIVERY", "SEND"} <= set(destination["matching_event_types"])
    assert destination["cloud_watch_destination"]["dimension_configuration"][0]["dimension_value_source"] == "MESSAGE_TAG"
    mail_from = stack.one("aws_sesv2_email_identity_mail_from_attributes")
    assert mail_from["mail_from_domain"] == "bounce.example.com"


def test_dkim_mail_from_and_dmarc_records_go_into_the_zone(synthesized: dict[str, Stack]) -> None:
    stack = synthesized["dnszone"]
    records = {
        body["//"]["metadata"]["path"].rsplit("/", 1)[1]: body for body in stack.under("aws_route53_record", "email").values()
    }
    assert sorted(records) == ["dkim-0", "dkim-1", "dkim-2", "dmarc", "mail-from-mx", "mail-from-spf"]
    for index in range(3):
        dkim = records[f"dkim-{index}"]
        assert dkim["type"] == "CNAME" and dkim["name"].endswith("._domainkey.example.com")
        assert f"tokens, {index})" in dkim["name"] and dkim["records"][0].endswith(".dkim.amazonses.com")
    assert records["mail-from-mx"]["records"] == ["10 feedback-smtp.eu-central-1.amazonses.com"]
    assert records["mail-from-spf"]["records"] == ["v=spf1 include:amazonses.com -all"]
    assert records["dmarc"]["name"] == "_dmarc.example.com"
    assert records["dmarc"]["records"] == ["v=DMARC1; p=reject; rua=mailto:dmarc@example.com"]
    zone_ref = "${aws_route53_zone." + next(iter(stack.of_type("aws_route53_zone"))) + ".zone_id}"
    assert all(r["zone_id"] == zone_ref for r in records.values())


def test_without_dns_the_records_to_publish_are_outputs(synthesized: dict[str, Stack]) -> None:
    stack = synthesized["emailnodns"]
    assert stack.of_type("aws_route53_record") == {}
    assert "email_dkim_tokens" in stack.doc["output"]


def test_grant_send_is_limited_to_the_domain_and_the_configuration_set(synthesized: dict[str, Stack]) -> None:
    stack = synthesized["dnszone"]
    grants = {k: v for k, v in stack.of_type("aws_iam_role_policy").items() if "send-email" in k}
    assert len(grants) == 3  # notify, notify-csv and notify-audit, each its own policy
    for body in grants.values():
        (statement,) = json.loads(body["policy"])["Statement"]
        assert statement["Action"] == ["ses:SendEmail", "ses:SendRawEmail"]
        assert [r.split(".")[0] for r in statement["Resource"]] == [
            "${aws_sesv2_email_identity",
            "${aws_sesv2_configuration_set",
        ]
        assert statement["Condition"] == {
            "StringLike": {"ses:FromAddress": "*@example.com"},
            "StringEquals": {"ses:ConfigurationSetName": "filehub-dnszone"},
        }


def test_reputation_alarms_watch_bounce_and_complaint_rates(synthesized: dict[str, Stack]) -> None:
    alarms = {
        body["metric_name"]: body
        for body in synthesized["dnszone"].of_type("aws_cloudwatch_metric_alarm").values()
        if body.get("namespace") == "AWS/SES"
    }
    assert alarms["Reputation.BounceRate"]["threshold"] == 0.04
    assert alarms["Reputation.ComplaintRate"]["threshold"] == 0.0008
