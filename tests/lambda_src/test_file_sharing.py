"""The upload -> process -> download workflow and every error status, against moto."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote_plus

import requests

from tests.lambda_src.conftest import BUCKET, OWNER

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


def api_event(owner: str | None = OWNER, body: Any = None, file_id: str | None = None) -> dict[str, Any]:
    event: dict[str, Any] = {"requestContext": {"authorizer": {"claims": {"sub": owner}} if owner else {}}}
    if body is not None:
        event["body"] = body if isinstance(body, str) else json.dumps(body)
    if file_id is not None:
        event["pathParameters"] = {"id": file_id}
    return event


def s3_event(key: str) -> dict[str, Any]:
    return {
        "Records": [{"eventName": "ObjectCreated:Post", "s3": {"bucket": {"name": BUCKET}, "object": {"key": quote_plus(key)}}}]
    }


def call(aws: dict[str, Any], function: str, event: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    result = aws["handlers"][function].handler(event, None)
    return result["statusCode"], json.loads(result["body"])


def request_upload(
    aws: dict[str, Any], name: str = "holiday photo.png", size: int = len(PNG), content_type: str = "image/png"
) -> dict[str, Any]:
    status, body = call(aws, "upload_url", api_event(body={"file_name": name, "content_type": content_type, "size": size}))
    assert status == 201, body
    return body


def post_file(upload: dict[str, Any], data: bytes, content_type: str = "image/png") -> requests.Response:
    fields = dict(upload["upload"]["fields"])
    return requests.post(upload["upload"]["url"], data=fields, files={"file": ("f", data, content_type)}, timeout=10)


def test_full_flow_returns_the_same_bytes(aws: dict[str, Any]) -> None:
    upload = request_upload(aws)
    file_id = upload["file_id"]
    key = upload["upload"]["fields"]["key"]
    assert key == f"uploads/{OWNER}/{file_id}/holiday photo.png"
    assert upload["expires_in"] == 900
    item = aws["table"].get_item(Key={"file_id": file_id})["Item"]
    assert (item["status"], item["owner_id"], int(item["size"]), item["content_type"]) == (
        "pending",
        OWNER,
        len(PNG),
        "image/png",
    )
    assert int(item["expires_at"]) > 0

    assert post_file(upload, PNG).status_code in (200, 201, 204)
    result = aws["handlers"]["object_processor"].handler(s3_event(key), None)
    assert result == {"processed": [{"key": key, "result": "ready"}]}
    item = aws["table"].get_item(Key={"file_id": file_id})["Item"]
    assert item["status"] == "ready" and "expires_at" not in item

    status, body = call(aws, "download_url", api_event(file_id=file_id))
    assert status == 200 and body["expires_in"] == 120
    downloaded = requests.get(body["url"], timeout=10)
    assert downloaded.status_code == 200
    assert downloaded.content == PNG
    assert int(aws["table"].get_item(Key={"file_id": file_id})["Item"]["download_count"]) == 1


def test_processing_the_same_event_twice_changes_nothing(aws: dict[str, Any]) -> None:
    upload = request_upload(aws)
    key = upload["upload"]["fields"]["key"]
    post_file(upload, PNG)
    processor = aws["handlers"]["object_processor"]
    assert processor.handler(s3_event(key), None)["processed"][0]["result"] == "ready"
    assert processor.handler(s3_event(key), None)["processed"][0]["result"] == "ready"
    assert aws["s3"].head_object(Bucket=BUCKET, Key=key)["ContentLength"] == len(PNG)


def test_object_that_differs_from_its_declaration_is_rejected_and_deleted(aws: dict[str, Any]) -> None:
    upload = request_upload(aws, size=len(PNG))
    key = upload["upload"]["fields"]["key"]
    # Written directly, as a client ignoring the presigned policy might manage to.
    aws["s3"].put_object(Bucket=BUCKET, Key=key, Body=PNG[:10], ContentType="image/png")
    result = aws["handlers"]["object_processor"].handler(s3_event(key), None)
    assert result["processed"][0]["result"] == "rejected"
    item = aws["table"].get_item(Key={"file_id": upload["file_id"]})["Item"]
    assert item["status"] == "rejected" and "size 10 differs" in item["rejection"]
    assert aws["s3"].list_objects_v2(Bucket=BUCKET, Prefix=key).get("KeyCount") == 0
    status, body = call(aws, "download_url", api_event(file_id=upload["file_id"]))
    assert (status, body["error"]["code"]) == (404, "file_not_ready")


def test_object_without_a_pending_item_is_deleted(aws: dict[str, Any]) -> None:
    key = f"uploads/{OWNER}/{'a' * 32}/stray.png"
    aws["s3"].put_object(Bucket=BUCKET, Key=key, Body=b"x", ContentType="image/png")
    assert aws["handlers"]["object_processor"].handler(s3_event(key), None)["processed"][0]["result"] == "deleted"
    assert aws["s3"].list_objects_v2(Bucket=BUCKET, Prefix=key).get("KeyCount") == 0


def expect_error(aws: dict[str, Any], function: str, event: dict[str, Any], status: int, code: str) -> None:
    got_status, body = call(aws, function, event)
    assert (got_status, body["error"]["code"]) == (status, code), body
    assert set(body) == {"error"} and "Traceback" not in json.dumps(body)


def test_bad_input_is_400(aws: dict[str, Any]) -> None:
    expect_error(aws, "upload_url", api_event(body="not json"), 400, "invalid_body")
    expect_error(aws, "upload_url", api_event(body=[1, 2]), 400, "invalid_body")
    expect_error(
        aws,
        "upload_url",
        api_event(body={"file_name": "../..", "content_type": "image/png", "size": 3}),
        400,
        "invalid_file_name",
    )
    expect_error(
        aws, "upload_url", api_event(body={"file_name": "a.png", "content_type": "image/png", "size": 0}), 400, "invalid_size"
    )
    expect_error(
        aws, "upload_url", api_event(body={"file_name": "a.png", "content_type": "image/png", "size": "3"}), 400, "invalid_size"
    )
    expect_error(aws, "download_url", api_event(file_id="../etc/passwd"), 400, "invalid_file_id")


def test_too_large_is_413(aws: dict[str, Any]) -> None:
    body = {"file_name": "big.png", "content_type": "image/png", "size": 1048577}
    expect_error(aws, "upload_url", api_event(body=body), 413, "file_too_large")


def test_type_not_allowed_is_415(aws: dict[str, Any]) -> None:
    body = {"file_name": "run.sh", "content_type": "application/x-sh", "size": 10}
    expect_error(aws, "upload_url", api_event(body=body), 415, "unsupported_content_type")


def test_someone_elses_file_is_403(aws: dict[str, Any]) -> None:
    upload = request_upload(aws)
    expect_error(aws, "download_url", api_event(owner="mallory-9", file_id=upload["file_id"]), 403, "not_your_file")


def test_unknown_file_is_404(aws: dict[str, Any]) -> None:
    expect_error(aws, "download_url", api_event(file_id="f" * 32), 404, "file_not_found")


def test_missing_identity_is_401_and_the_body_cannot_claim_one(aws: dict[str, Any]) -> None:
    body = {"file_name": "a.png", "content_type": "image/png", "size": 3, "owner": OWNER}
    expect_error(aws, "upload_url", api_event(owner=None, body=body), 401, "unauthenticated")


def test_unexpected_failure_is_a_bare_500(aws: dict[str, Any], monkeypatch: Any) -> None:
    monkeypatch.setenv("TABLE_NAME", "no-such-table")
    aws["handlers"]["upload_url"]._clients.clear()
    expect_error(
        aws, "upload_url", api_event(body={"file_name": "a.png", "content_type": "image/png", "size": 3}), 500, "internal_error"
    )


def test_cors_origin_is_echoed_only_when_allowed(aws: dict[str, Any], monkeypatch: Any) -> None:
    monkeypatch.setenv("CORS_ALLOWED_ORIGINS", "https://app.example.com")
    event = api_event(file_id="f" * 32)
    event["headers"] = {"Origin": "https://app.example.com"}
    result = aws["handlers"]["download_url"].handler(event, None)
    assert result["headers"]["Access-Control-Allow-Origin"] == "https://app.example.com"
    event["headers"] = {"origin": "https://evil.example"}
    assert "Access-Control-Allow-Origin" not in aws["handlers"]["download_url"].handler(event, None)["headers"]
