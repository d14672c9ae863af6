"""What a declared function may choose beyond the file-sharing handlers: runtime, suffix
filters, grants by intent (mail, Bedrock, secrets, the Data API), application secrets and
the REST API's custom domain, as synthesized."""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import Stack


def _function(stack: Stack, key: str) -> dict[str, Any]:
    (body,) = [b for b in stack.of_type("aws_lambda_function").values() if b["function_name"].endswith(f"-{key}")]
    return body


def _grants(stack: Stack, key: str) -> dict[str, list[dict[str, Any]]]:
    """The role policies of one function, by the purpose in their name."""
    role = f"filehub-{stack.foundation['environment']}-{key}-lambda"
    found: dict[str, list[dict[str, Any]]] = {}
    for body in stack.of_type("aws_iam_role_policy").values():
        if stack.deref(body["role"].replace(".id}", ".name}"))["name"] == role:
            found[body["name"]] = json.loads(body["policy"])["Statement"]
    return found


def test_runtime_is_chosen_per_function_with_its_entry_point(synthesized: dict[str, Stack]) -> None:
    stack = synthesized["dnszone"]
    health, notify = _function(stack, "health"), _function(stack, "notify")
    assert (health["runtime"], health["handler"], health["architectures"]) == ("nodejs22.x", "index.handler", ["arm64"])
    assert (notify["runtime"], notify["handler"]) == ("python3.12", "handler.handler")
    assert _function(stack, "upload-url")["runtime"] == "python3.13"


def test_one_function_per_file_type_through_suffix_filters(synthesized: dict[str, Stack]) -> None:
    stack = synthesized["dnszone"]
    (notification,) = [n for n in stack.of_type("aws_s3_bucket_notification").values() if "media" in n["bucket"]]
    filters = {(f["filter_prefix"], f["filter_suffix"]) for f in notification["lambda_function"]}
    assert filters == {("incoming/", ".pdf"), ("incoming/", ".csv")}


def test_grants_by_intent_name_exact_resources(synthesized: dict[str, Stack]) -> None:
    stack = synthesized["dnszone"]
    grants = _grants(stack, "notify")
    (bedrock,) = grants["filehub-dnszone-invoke-models-notify"]
    assert bedrock["Action"] == ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"]
    assert [r.split(":bedrock:")[1] for r in bedrock["Resource"]] == [
        "eu-central-1::foundation-model/amazon.titan-text-express-v1"
    ]
    (secret,) = grants["filehub-dnszone-read-secret-anthropic-key"]
    assert secret["Action"] == "secretsmanager:GetSecretValue"
    assert secret["Resource"].startswith("${aws_secretsmanager_secret.api_secret-anthropic-key")
    master = grants["filehub-dnszone-read-master-secret"]
    assert master[0]["Resource"].endswith(".master_user_secret[0].secret_arn}")
    assert master[1]["Condition"] == {"StringEquals": {"kms:ViaService": "secretsmanager.eu-central-1.amazonaws.com"}}
    data_api = grants["filehub-dnszone-data-api"]
    assert data_api[0]["Resource"].startswith("${aws_rds_cluster.")
    # The CSV sender got mail and nothing else of the above.
    assert sorted(_grants(stack, "notify-csv")) == ["filehub-dnszone-send-email", "runtime"]


def test_application_secrets_are_empty_encrypted_kept_and_rotated_when_a_function_is_named(
    synthesized: dict[str, Stack],
) -> None:
    stack = synthesized["dnszone"]
    secrets = {b["name"]: b for b in stack.of_type("aws_secretsmanager_secret").values()}
    assert sorted(secrets) == ["filehub-dnszone/anthropic-key", "filehub-dnszone/oauth-client"]
    for secret in secrets.values():
        assert secret["kms_key_id"].startswith("${aws_kms_key.api_key")
        assert secret["recovery_window_in_days"] == 30 and secret["lifecycle"] == {"prevent_destroy": True}
    assert not stack.of_type("aws_secretsmanager_secret_version")  # no value in the JSON, ever
    rotations = {b["secret_id"]: b for b in stack.under("aws_secretsmanager_secret_rotation", "api").values()}
    (rotation,) = rotations.values()
    assert rotation["rotation_rules"] == {"automatically_after_days": 30}
    assert rotation["rotation_lambda_arn"].endswith(".arn}") and "health" in rotation["rotation_lambda_arn"]
    permission = [p for p in stack.of_type("aws_lambda_permission").values() if p["principal"] == "secretsmanager.amazonaws.com"]
    assert len(permission) == 1 and permission[0]["source_arn"].startswith("${aws_secretsmanager_secret.api_secret-oauth-client")
    accepted = secrets["filehub-dnszone/anthropic-key"]["//"]["accepted_findings"]
    assert [a["check"] for a in accepted] == ["CKV2_AWS_57"]
    assert "accepted_findings" not in secrets["filehub-dnszone/oauth-client"]["//"]
    assert _function(stack, "notify")["environment"]["variables"]["KEY_ARN"].startswith("${aws_secretsmanager_secret.")


def test_the_database_master_secret_rotates_on_the_stated_schedule(prod: Stack) -> None:
    rotation = prod.one("aws_secretsmanager_secret_rotation", under="database")
    assert rotation["rotation_rules"] == {"automatically_after_days": 7}
    assert rotation["secret_id"].endswith(".master_user_secret[0].secret_arn}")
    assert "rotation_lambda_arn" not in rotation  # RDS rotates its managed secret itself


def test_custom_domain_serves_the_stage_with_tls_1_2_and_turns_the_default_url_off(synthesized: dict[str, Stack]) -> None:
    stack = synthesized["dnszone"]
    domain = stack.one("aws_api_gateway_domain_name")
    assert (domain["domain_name"], domain["security_policy"]) == ("api.example.com", "TLS_1_2")
    assert domain["endpoint_configuration"] == {"types": ["REGIONAL"]}
    validation = stack.deref(domain["regional_certificate_arn"].replace(".certificate_arn}", ".id}"))
    certificate = stack.deref(validation["certificate_arn"].replace(".arn}", ".id}"))
    assert certificate["domain_name"] == "api.example.com" and "provider" not in certificate  # the API's own Region
    assert certificate["lifecycle"] == {"create_before_destroy": True}
    mapping = stack.one("aws_api_gateway_base_path_mapping")
    assert mapping["stage_name"].startswith("${aws_api_gateway_stage.") and "base_path" not in mapping
    aliases = {r["type"]: r for r in stack.under("aws_route53_record", "api").values() if "alias" in r}
    assert sorted(aliases) == ["A", "AAAA"] and all(a["name"] == "api.example.com" for a in aliases.values())
    assert stack.one("aws_api_gateway_rest_api")["disable_execute_api_endpoint"] is True
    assert stack.doc["output"]["api_url"]["value"] == "https://api.example.com"


def test_without_a_domain_the_api_keeps_its_execute_api_url(prod: Stack) -> None:
    assert "disable_execute_api_endpoint" not in prod.one("aws_api_gateway_rest_api")
    assert prod.of_type("aws_api_gateway_domain_name") == {}
