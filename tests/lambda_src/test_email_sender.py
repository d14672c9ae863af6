"""email_sender against the moto server: a real SESv2 SendEmail per created object."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from tests.lambda_src.conftest import REGION, load_handler

FROM = "noreply@files.example.com"
TO = "ops@example.com"


@pytest.fixture()
def mail(aws: dict[str, Any], moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    ses = boto3.client("sesv2", region_name=REGION)
    # The moto server lives for the whole session: create what an earlier test has not.
    if "files.example.com" not in {i["IdentityName"] for i in ses.list_email_identities()["EmailIdentities"]}:
        ses.create_email_identity(EmailIdentity="files.example.com")
    if "filehub-test" not in ses.list_configuration_sets()["ConfigurationSets"]:
        ses.create_configuration_set(ConfigurationSetName="filehub-test")
    monkeypatch.setenv("FROM_ADDRESS", FROM)
    monkeypatch.setenv("NOTIFY_ADDRESS", TO)
    monkeypatch.setenv("CONFIGURATION_SET", "filehub-test")
    return {"handler": load_handler("email_sender"), "endpoint": moto_endpoint}


def _sent_count() -> float:
    return float(boto3.client("ses", region_name=REGION).get_send_quota()["SentLast24Hours"])


def _event(*keys: str, name: str = "ObjectCreated:Put") -> dict[str, Any]:
    return {
        "Records": [
            {"eventName": name, "s3": {"bucket": {"name": "uploads-bucket"}, "object": {"key": key, "size": 2048}}}
            for key in keys
        ]
    }


def test_one_message_per_created_object(mail: dict[str, Any]) -> None:
    before = _sent_count()
    result = mail["handler"].handle(_event("uploads/a/report.pdf", "uploads/b/photo+1.png"), None)
    assert _sent_count() - before == 2
    assert [s["key"] for s in result["sent"]] == ["uploads/a/report.pdf", "uploads/b/photo 1.png"]
    assert all(s["message_id"] for s in result["sent"])


def test_an_eventbridge_object_created_event_sends_one_message(mail: dict[str, Any]) -> None:
    # delivery = "eventbridge": the key arrives as it is, not URL-encoded.
    before = _sent_count()
    event = {
        "source": "aws.s3",
        "detail-type": "Object Created",
        "detail": {"bucket": {"name": "uploads-bucket"}, "object": {"key": "incoming/q3 report+final.pdf", "size": 10}},
    }
    result = mail["handler"].handle(event, None)
    assert _sent_count() - before == 1
    assert [s["key"] for s in result["sent"]] == ["incoming/q3 report+final.pdf"]


def test_removals_send_nothing(mail: dict[str, Any]) -> None:
    before = _sent_count()
    assert mail["handler"].handle(_event("uploads/a/x.pdf", name="ObjectRemoved:Delete"), None) == {"sent": []}
    assert _sent_count() == before


def test_keys_are_escaped_in_html_and_cut(mail: dict[str, Any]) -> None:
    message = mail["handler"]._message("b", "<script>alert(1)</script>" + "x" * 400, 1)
    html_body = message["Body"]["Html"]["Data"]
    assert "<script>" not in html_body and "&lt;script&gt;" in html_body
    assert len(message["Subject"]["Data"]) <= 200
    assert "…" in message["Body"]["Text"]["Data"]


def test_missing_setting_names_it(mail: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NOTIFY_ADDRESS")
    with pytest.raises(RuntimeError, match="NOTIFY_ADDRESS"):
        mail["handler"].handle(_event("uploads/a/x.pdf"), None)
