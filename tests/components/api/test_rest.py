"""The file-sharing API as synthesized: functions, roles, notification, Cognito, REST API, WAF."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import API_VARIANT, EXISTING_USER_POOL_ARN, ROOT, Stack

FUNCTIONS = ("upload-url", "download-url", "object-processor")


def _function(stack: Stack, purpose: str) -> dict[str, Any]:
    return stack.one("aws_lambda_function", under=f"api/{purpose}")


def _role_statements(stack: Stack, purpose: str) -> dict[str, list[dict[str, Any]]]:
    """Every inline policy attached to a function's role, by policy name."""
    role = next(iter(stack.under("aws_iam_role", f"api/{purpose}")))
    return {
        p["name"]: json.loads(p["policy"])["Statement"]
        for p in stack.of_type("aws_iam_role_policy").values()
        if p["role"] == f"${{aws_iam_role.{role}.id}}"
    }


def _refs(stack: Stack) -> dict[str, str]:
    bucket = next(n for n, b in stack.of_type("aws_s3_bucket").items() if b["bucket"].startswith("filehub-prod-uploads-"))
    return {
        "bucket": f"${{aws_s3_bucket.{bucket}.arn}}",
        "table": f"${{aws_dynamodb_table.{next(iter(stack.of_type('aws_dynamodb_table')))}.arn}}",
        "storage_key": f"${{aws_kms_key.{next(iter(stack.under('aws_kms_key', 'storage')))}.arn}}",
        "api_key": f"${{aws_kms_key.{next(iter(stack.under('aws_kms_key', 'api')))}.arn}}",
    }


def _s3_key_statement(refs: dict[str, str], actions: list[str]) -> dict[str, Any]:
    return {
        "Sid": "BucketKey",
        "Effect": "Allow",
        "Action": actions,
        "Resource": refs["storage_key"],
        "Condition": {"StringEquals": {"kms:EncryptionContext:aws:s3:arn": refs["bucket"]}},
    }


def _table_statement(refs: dict[str, str], actions: list[str], kms: list[str], *, indexes: bool) -> list[dict[str, Any]]:
    return [
        {
            "Sid": "Items",
            "Effect": "Allow",
            "Action": actions,
            "Resource": [refs["table"], f"{refs['table']}/index/*"] if indexes else [refs["table"]],
        },
        {
            "Sid": "TableKey",
            "Effect": "Allow",
            "Action": kms,
            "Resource": refs["storage_key"],
            "Condition": {"StringEquals": {"kms:ViaService": "dynamodb.eu-central-1.amazonaws.com"}},
        },
    ]


def _runtime(stack: Stack, purpose: str, refs: dict[str, str]) -> list[dict[str, Any]]:
    group = next(iter(stack.under("aws_cloudwatch_log_group", f"api/{purpose}")))
    return [
        {
            "Sid": "WriteOwnLogs",
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": f"${{aws_cloudwatch_log_group.{group}.arn}}:log-stream:*",
        },
        {"Sid": "Tracing", "Effect": "Allow", "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], "Resource": "*"},
        {"Sid": "DecryptEnvironment", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": refs["api_key"]},
    ]


def test_upload_url_role_puts_under_uploads_and_creates_items_only(prod: Stack) -> None:
    refs = _refs(prod)
    bucket_name = prod.deref(refs["bucket"].replace(".arn}", ".id}"))["bucket"]
    assert _role_statements(prod, "upload-url") == {
        "runtime": _runtime(prod, "upload-url", refs),
        f"{bucket_name}-put-uploads": [
            {"Sid": "Objects", "Effect": "Allow", "Action": ["s3:PutObject"], "Resource": f"{refs['bucket']}/uploads/*"},
            _s3_key_statement(refs, ["kms:Decrypt", "kms:GenerateDataKey"]),
        ],
        "filehub-prod-files-create": _table_statement(
            refs, ["dynamodb:PutItem"], ["kms:Decrypt", "kms:GenerateDataKey"], indexes=False
        ),
    }


def test_download_url_role_reads_uploads_and_reads_and_updates_items(prod: Stack) -> None:
    refs = _refs(prod)
    bucket_name = prod.deref(refs["bucket"].replace(".arn}", ".id}"))["bucket"]
    assert _role_statements(prod, "download-url") == {
        "runtime": _runtime(prod, "download-url", refs),
        f"{bucket_name}-read-uploads": [
            {
                "Sid": "Objects",
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:GetObjectVersion"],
                "Resource": f"{refs['bucket']}/uploads/*",
            },
            _s3_key_statement(refs, ["kms:Decrypt"]),
        ],
        "filehub-prod-files-read": _table_statement(
            refs, ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query"], ["kms:Decrypt"], indexes=True
        ),
        "filehub-prod-files-update": _table_statement(
            refs, ["dynamodb:UpdateItem"], ["kms:Decrypt", "kms:GenerateDataKey"], indexes=False
        ),
    }


def test_processor_role_reads_and_deletes_under_uploads_and_sends_dead_letters(prod: Stack) -> None:
    refs = _refs(prod)
    bucket_name = prod.deref(refs["bucket"].replace(".arn}", ".id}"))["bucket"]
    queue = next(iter(prod.of_type("aws_sqs_queue")))
    statements = _role_statements(prod, "object-processor")
    assert statements["runtime"] == [
        *_runtime(prod, "object-processor", refs),
        {"Sid": "DeadLetters", "Effect": "Allow", "Action": "sqs:SendMessage", "Resource": f"${{aws_sqs_queue.{queue}.arn}}"},
        {
            "Sid": "DeadLetterKey",
            "Effect": "Allow",
            "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
            "Resource": refs["api_key"],
        },
    ]
    # Delete markers only: the noncurrent version stays recoverable.
    assert statements[f"{bucket_name}-delete-uploads"] == [
        {"Sid": "Objects", "Effect": "Allow", "Action": ["s3:DeleteObject"], "Resource": f"{refs['bucket']}/uploads/*"}
    ]
    assert statements[f"{bucket_name}-read-uploads"][0]["Resource"] == f"{refs['bucket']}/uploads/*"
    assert set(statements) == {
        "runtime",
        f"{bucket_name}-read-uploads",
        f"{bucket_name}-delete-uploads",
        "filehub-prod-files-read",
        "filehub-prod-files-update",
    }


def test_no_api_role_has_a_wildcard_action_or_resource_except_xray(prod: Stack) -> None:
    for purpose in FUNCTIONS:
        for name, statements in _role_statements(prod, purpose).items():
            for statement in statements:
                actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
                assert not any(a == "*" or a.endswith(":*") for a in actions), (purpose, name)
                if statement["Resource"] == "*":
                    assert all(a.startswith("xray:") for a in actions), (purpose, name, statement)


def test_functions_are_arm64_traced_limited_and_log_to_their_own_encrypted_group(prod: Stack) -> None:
    api_key = _refs(prod)["api_key"]
    expected = {"upload-url": (256, 10, 20), "download-url": (256, 10, 20), "object-processor": (256, 30, 10)}
    for purpose, (memory, timeout, concurrency) in expected.items():
        body = _function(prod, purpose)
        assert body["function_name"] == f"filehub-prod-{purpose}"
        assert (body["runtime"], body["architectures"], body["handler"]) == ("python3.13", ["arm64"], "handler.handler")
        assert (body["memory_size"], body["timeout"], body["reserved_concurrent_executions"]) == (memory, timeout, concurrency)
        assert body["tracing_config"] == {"mode": "Active"}
        assert body["kms_key_arn"] == api_key
        assert "vpc_config" not in body
        group = prod.deref(body["logging_config"]["log_group"].replace(".name}", ".arn}"))
        assert (group["name"], group["retention_in_days"], group["kms_key_id"]) == (
            f"/aws/lambda/filehub-prod-{purpose}",
            365,
            api_key,
        )
        assert body["logging_config"]["log_format"] == "JSON"


def test_packages_are_deterministic_and_shared_between_environments(prod: Stack, dev: Stack) -> None:
    for purpose in FUNCTIONS:
        prod_body, dev_body = _function(prod, purpose), _function(dev, purpose)
        assert re.fullmatch(r"[A-Za-z0-9+/]{43}=", prod_body["source_code_hash"])
        assert prod_body["source_code_hash"] == dev_body["source_code_hash"]
    hashes = {_function(prod, p)["source_code_hash"] for p in FUNCTIONS}
    assert len(hashes) == 3


def test_every_setting_a_handler_reads_is_provided_and_none_is_a_secret(prod: Stack) -> None:
    for purpose in FUNCTIONS:
        source = (ROOT / "lambda_src" / purpose.replace("-", "_") / "handler.py").read_text()
        needed = set(re.findall(r'setting\("([A-Z_]+)"\)', source))
        variables = _function(prod, purpose)["environment"]["variables"]
        assert needed and needed <= set(variables), purpose
        assert not [k for k in variables if re.search("SECRET|PASSWORD|TOKEN", k)]
    upload = _function(prod, "upload-url")["environment"]["variables"]
    assert upload["MAX_UPLOAD_BYTES"] == str(25 * 1024 * 1024)
    assert upload["UPLOAD_URL_TTL_SECONDS"] == "900"
    assert upload["CORS_ALLOWED_ORIGINS"] == "https://app.example.com"


def test_processor_dead_letter_queue_is_encrypted_and_keeps_messages_14_days(prod: Stack) -> None:
    queue_name, queue = next(iter(prod.of_type("aws_sqs_queue").items()))
    assert queue["kms_master_key_id"] == _refs(prod)["api_key"]
    assert queue["message_retention_seconds"] == 1209600
    assert _function(prod, "object-processor")["dead_letter_config"] == {"target_arn": f"${{aws_sqs_queue.{queue_name}.arn}}"}


def test_uploads_notification_runs_the_processor_on_object_created_under_uploads(prod: Stack) -> None:
    refs = _refs(prod)
    notification = prod.one("aws_s3_bucket_notification")
    assert notification["bucket"] == refs["bucket"].replace(".arn}", ".id}")
    (target,) = notification["lambda_function"]
    processor = next(iter(prod.under("aws_lambda_function", "api/object-processor")))
    assert target["lambda_function_arn"] == f"${{aws_lambda_function.{processor}.arn}}"
    assert (target["events"], target["filter_prefix"]) == (["s3:ObjectCreated:*"], "uploads/")
    (permission_name,) = [n for n, p in prod.of_type("aws_lambda_permission").items() if p["principal"] == "s3.amazonaws.com"]
    permission = prod.of_type("aws_lambda_permission")[permission_name]
    assert permission["source_arn"] == refs["bucket"]
    assert permission["source_account"].startswith("${data.aws_caller_identity.")
    assert notification["depends_on"] == [f"aws_lambda_permission.{permission_name}"]


def test_every_method_but_preflight_uses_the_cognito_authorizer(prod: Stack) -> None:
    authorizer_name, authorizer = next(iter(prod.of_type("aws_api_gateway_authorizer").items()))
    pool = next(iter(prod.of_type("aws_cognito_user_pool")))
    assert authorizer["type"] == "COGNITO_USER_POOLS"
    assert authorizer["provider_arns"] == [f"${{aws_cognito_user_pool.{pool}.arn}}"]
    methods = prod.of_type("aws_api_gateway_method")
    assert sorted(m["http_method"] for m in methods.values()) == ["GET", "OPTIONS", "OPTIONS", "POST"]
    for method in methods.values():
        if method["http_method"] == "OPTIONS":
            assert method["authorization"] == "NONE"
            # Answered by API Gateway itself: no function behind a preflight.
            same_resource = [
                i["type"]
                for i in prod.of_type("aws_api_gateway_integration").values()
                if i["resource_id"] == method["resource_id"]
            ]
            assert sorted(same_resource) == ["AWS_PROXY", "MOCK"]
        else:
            assert method["authorization"] == "COGNITO_USER_POOLS"
            assert method["authorizer_id"] == f"${{aws_api_gateway_authorizer.{authorizer_name}.id}}"


def test_requests_are_validated_before_a_function_runs(prod: Stack) -> None:
    validator_name, validator = next(iter(prod.of_type("aws_api_gateway_request_validator").items()))
    assert (validator["validate_request_body"], validator["validate_request_parameters"]) == (True, True)
    methods = {m["http_method"]: m for m in prod.of_type("aws_api_gateway_method").values() if m["http_method"] != "OPTIONS"}
    for method in methods.values():
        assert method["request_validator_id"] == f"${{aws_api_gateway_request_validator.{validator_name}.id}}"
    assert methods["GET"]["request_parameters"] == {"method.request.path.id": True}
    model = prod.one("aws_api_gateway_model")
    assert methods["POST"]["request_models"] == {
        "application/json": f"${{aws_api_gateway_model.{next(iter(prod.of_type('aws_api_gateway_model')))}.name}}"
    }
    schema = json.loads(model["schema"])
    assert schema["required"] == ["file_name", "content_type", "size"] and schema["additionalProperties"] is False
    assert schema["properties"]["size"] == {"type": "integer", "minimum": 1}


def test_integrations_proxy_to_the_right_function_and_permissions_name_the_route(prod: Stack) -> None:
    functions = {p: next(iter(prod.under("aws_lambda_function", f"api/{p}"))) for p in FUNCTIONS}
    proxies = {i["uri"]: i for i in prod.of_type("aws_api_gateway_integration").values() if i["type"] == "AWS_PROXY"}
    assert set(proxies) == {f"${{aws_lambda_function.{functions[p]}.invoke_arn}}" for p in ("upload-url", "download-url")}
    assert all(i["integration_http_method"] == "POST" for i in proxies.values())
    api = next(iter(prod.of_type("aws_api_gateway_rest_api")))
    arns = {
        p["function_name"]: p["source_arn"]
        for p in prod.of_type("aws_lambda_permission").values()
        if p["principal"] == "apigateway.amazonaws.com"
    }
    execution = f"${{aws_api_gateway_rest_api.{api}.execution_arn}}"
    assert arns == {
        f"${{aws_lambda_function.{functions['upload-url']}.function_name}}": f"{execution}/*/POST/uploads",
        f"${{aws_lambda_function.{functions['download-url']}.function_name}}": f"{execution}/*/GET/files/*/download",
    }


def test_preflight_echoes_only_configured_origins(prod: Stack) -> None:
    responses = prod.of_type("aws_api_gateway_integration_response")
    assert len(responses) == 2
    for response in responses.values():
        template = response["response_templates"]["application/json"]
        assert '#set($allowed = ["https://app.example.com"])' in template
        assert "#set($context.responseOverride.header.Access-Control-Allow-Origin = $origin)" in template
        headers = response["response_parameters"]
        assert headers["method.response.header.Access-Control-Allow-Headers"] == "'Authorization,Content-Type'"
        assert "method.response.header.Access-Control-Allow-Origin" not in headers
    methods = sorted(r["response_parameters"]["method.response.header.Access-Control-Allow-Methods"] for r in responses.values())
    assert methods == ["'GET,OPTIONS'", "'POST,OPTIONS'"]


def test_stage_is_traced_access_logged_and_throttled(prod: Stack) -> None:
    stage = prod.one("aws_api_gateway_stage")
    assert stage["stage_name"] == "v1" and stage["xray_tracing_enabled"] is True
    group = prod.deref(stage["access_log_settings"]["destination_arn"])
    assert (group["name"], group["retention_in_days"], group["kms_key_id"]) == (
        "/aws/apigateway/filehub-prod/access",
        365,
        _refs(prod)["api_key"],
    )
    fields = json.loads(stage["access_log_settings"]["format"])
    assert fields["requestId"] == "$context.requestId" and fields["status"] == "$context.status"
    settings = prod.one("aws_api_gateway_method_settings")
    assert settings["method_path"] == "*/*"
    assert settings["settings"]["throttling_rate_limit"] == 100 and settings["settings"]["throttling_burst_limit"] == 200
    assert (settings["settings"]["logging_level"], settings["settings"]["data_trace_enabled"]) == ("ERROR", False)
    account = prod.one("aws_api_gateway_account")
    assert stage["depends_on"] == [f"aws_api_gateway_account.{next(iter(prod.of_type('aws_api_gateway_account')))}"]
    role = prod.deref(account["cloudwatch_role_arn"])
    assert json.loads(role["assume_role_policy"])["Statement"][0]["Principal"] == {"Service": "apigateway.amazonaws.com"}


def test_dev_throttles_harder_than_prod(dev: Stack) -> None:
    settings = dev.one("aws_api_gateway_method_settings")["settings"]
    assert (settings["throttling_rate_limit"], settings["throttling_burst_limit"]) == (10, 20)


def test_regional_waf_with_rate_limit_is_attached_to_the_stage(prod: Stack) -> None:
    stage = next(iter(prod.of_type("aws_api_gateway_stage")))
    association = prod.one("aws_wafv2_web_acl_association")
    assert association["resource_arn"] == f"${{aws_api_gateway_stage.{stage}.arn}}"
    acl = prod.deref(association["web_acl_arn"])
    assert acl["scope"] == "REGIONAL" and "provider" not in acl
    statements = [r["statement"][0] for r in acl["rule"]]
    assert {"rate_based_statement": [{"limit": 2000, "aggregate_key_type": "IP"}]} in statements
    logging = prod.one("aws_wafv2_web_acl_logging_configuration", under="api")
    assert prod.deref(logging["log_destination_configs"][0])["name"] == "aws-waf-logs-filehub-prod-api"


def test_user_pool_is_invite_only_with_strong_passwords_and_a_public_srp_client(prod: Stack, dev: Stack) -> None:
    pool = prod.one("aws_cognito_user_pool")
    assert pool["admin_create_user_config"] == {"allow_admin_create_user_only": True}
    assert pool["password_policy"]["minimum_length"] == 12
    assert pool["deletion_protection"] == "ACTIVE" and pool["lifecycle"] == {"prevent_destroy": True}
    assert dev.one("aws_cognito_user_pool")["deletion_protection"] == "INACTIVE"
    client = prod.one("aws_cognito_user_pool_client")
    assert client["generate_secret"] is False
    assert client["explicit_auth_flows"] == ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    assert client["prevent_user_existence_errors"] == "ENABLED"


def test_vpc_option_existing_pool_and_shared_account_role(synthesized: dict[str, Stack]) -> None:
    stack = synthesized[API_VARIANT]
    private = stack.doc["output"]["private_subnet_ids"]["value"]
    app_group = next(n for n, g in stack.of_type("aws_security_group").items() if "app" in n)
    for purpose in FUNCTIONS:
        config = _function(stack, purpose)["vpc_config"]
        assert config["subnet_ids"] == private
        assert config["security_group_ids"] == [f"${{aws_security_group.{app_group}.id}}"]
        network = [s for s in _role_statements(stack, purpose)["runtime"] if s["Sid"] == "VpcNetworkInterfaces"]
        assert network and network[0]["Resource"] == "*"
    assert stack.of_type("aws_cognito_user_pool") == {}
    assert stack.one("aws_api_gateway_authorizer")["provider_arns"] == [EXISTING_USER_POOL_ARN]
    assert stack.of_type("aws_api_gateway_account") == {}
    assert "user_pool_id" not in stack.doc["output"]


@pytest.mark.parametrize("purpose", FUNCTIONS)
def test_handlers_import_nothing_from_the_infrastructure(purpose: str) -> None:
    folder = ROOT / "lambda_src" / purpose.replace("-", "_")
    for path in [*folder.glob("*.py"), *Path(ROOT / "lambda_src" / "shared").glob("*.py")]:
        text = path.read_text()
        assert not re.search(r"^\s*(from|import)\s+(modules|gates|cdktf|constructs)\b", text, re.M), path


def test_a_run_on_deploy_function_is_invoked_after_its_grants_and_again_when_code_or_input_change(
    synthesized: dict[str, Stack],
) -> None:
    stack = synthesized["dbinit"]
    (invocation,) = stack.of_type("aws_lambda_invocation").values()
    function = stack.deref(invocation["function_name"])
    assert function["function_name"] == "filehub-dbinit-db-init"
    assert json.loads(invocation["input"]) == {"action": "migrate"}
    assert invocation["triggers"]["code"] == function["source_code_hash"]
    assert len(invocation["triggers"]["input"]) == 64
    connect = [p for p in stack.of_type("aws_iam_role_policy").values() if p["name"] == "filehub-dbinit-connect-app_migrator"]
    assert len(connect) == 1 and json.loads(connect[0]["policy"])["Statement"][0]["Action"] == "rds-db:connect"
    depends = invocation["depends_on"]
    assert any(d.startswith("aws_iam_role_policy.database_grant-connect-app_migrator") for d in depends)
    assert function["environment"]["variables"]["DB_PORT"] == "5432"
    assert function["environment"]["variables"]["DB_HOST"].startswith("${aws_rds_cluster.database_cluster_")
