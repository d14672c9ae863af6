"""The declared functions and, for variant "rest", the REST API with Cognito in front of
those that declare routes. Each function's role gets exactly what its declared intent
(reads, writes, deletes, table_access, connects_to_database) grants, through the
grant_* methods of the parts it names."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from constructs import Construct

from modules.components.api.s3_events import s3_event_pattern
from modules.components.api.settings import ApiSettings, FunctionSettings, SecretSettings
from modules.core.aws import (
    api_gateway_base_path_mapping,
    api_gateway_domain_name,
    cloudwatch_event_rule,
    cloudwatch_event_target,
    lambda_invocation,
    lambda_permission,
    s3_bucket_notification,
    secretsmanager_secret,
    secretsmanager_secret_rotation,
    sqs_queue,
)
from modules.core.context import BuildContext
from modules.core.contributions import AlarmSpec, Contributions, OutputSpec, WidgetSpec
from modules.core.findings import accept
from modules.core.framework import TerraformResourceLifecycle
from modules.core.iam import role_grant
from modules.core.kms import EncryptionKey, EncryptionKeyProps
from modules.core.ports import FunctionsPort, Parts, Ports
from modules.primitives.certificate import alias_records, validated_certificate
from modules.primitives.function import Function, FunctionProps
from modules.primitives.rest_api import RestApi, RestApiProps, Route, access_log_group_name
from modules.primitives.user_pool import UserPool, UserPoolProps
from modules.primitives.waf import log_group_name as waf_log_group_name

# SQS keeps messages at most 14 days (SQS quotas): the longest time to notice a failure.
DEAD_LETTER_RETENTION_SECONDS = 14 * 24 * 3600
# What rotating a secret takes (Secrets Manager User Guide, "Permissions for rotation"):
# the four rotation steps on this secret, and a random password, which has no resource.
ROTATION_ACTIONS = (
    "secretsmanager:DescribeSecret",
    "secretsmanager:GetSecretValue",
    "secretsmanager:PutSecretValue",
    "secretsmanager:UpdateSecretVersionStage",
)
# Invoking a foundation model, streamed or not (Bedrock User Guide, "Identity-based policy examples").
BEDROCK_INVOKE_ACTIONS = ("bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream")
# Addresses the first version gave these resources, which users' state holds.
FIRST_PATHS = {
    "api/object-processor-dead-letters": "api/processor-dead-letters",
    "api/uploads-invoke-object-processor": "api/uploads-invoke-processor",
}


def _pascal(text: str) -> str:
    return "".join(part.title() for part in text.replace("_", "-").split("-"))


class Api(Construct):
    """The functions, their dead-letter queues and triggers, and the REST API (variant "rest")."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        ctx: BuildContext,
        settings: ApiSettings,
        functions: Mapping[str, FunctionSettings],
        secrets: Mapping[str, SecretSettings],
        ports: Ports,
        rest: bool,
    ) -> None:
        super().__init__(scope, id)
        self.settings = settings
        self.ctx = ctx
        name = ctx.name
        protection = ctx.protection
        names = {key: f"{name}-{key}" for key in functions}
        log_groups = tuple(f"/aws/lambda/{n}" for n in names.values())
        if rest:
            log_groups += (access_log_group_name(name), waf_log_group_name(f"{name}-api"))
        self.key = EncryptionKey(
            self,
            "key",
            account=ctx.account,
            props=EncryptionKeyProps(
                alias=f"{name}-api",
                description=f"Encrypts the {name} API's function settings, logs and dead letters",
                log_group_names=log_groups,
                deletion_window_in_days=protection.key_deletion_window_days,
                prevent_destroy=protection.retain_on_destroy,
            ),
        )
        self.secrets = {key: self._secret(key, declared) for key, declared in secrets.items()}
        self.dead_letter_queues: dict[str, sqs_queue.SqsQueue] = {}
        self.functions: dict[str, Function] = {}
        for key, declared in functions.items():
            queue = None
            if declared.asynchronous:
                queue = sqs_queue.SqsQueue(
                    self,
                    f"{key}-dead-letters",
                    name=f"{names[key]}-dead-letters",
                    kms_master_key_id=self.key.arn,
                    # One data key per 5 minutes instead of per message: fewer KMS requests.
                    kms_data_key_reuse_period_seconds=300,
                    message_retention_seconds=DEAD_LETTER_RETENTION_SECONDS,
                )
                self.dead_letter_queues[key] = queue
            network = ports.network if declared.in_vpc else None
            if network is not None:
                network.security_group_users["app"].append(key)
            self.functions[key] = Function(
                self,
                key,
                account=ctx.account,
                props=FunctionProps(
                    name=names[key],
                    source=declared.source,
                    memory_mb=declared.memory_mb,
                    timeout_seconds=declared.timeout_seconds,
                    reserved_concurrency=declared.reserved_concurrency,
                    environment={**declared.environment, **self._resolved(declared, ports)},
                    key=self.key,
                    log_retention_days=declared.log_retention_days,
                    build_dir=ctx.build_dir,
                    dead_letter_queue=queue,
                    subnet_ids=network.private_subnet_ids if network else [],
                    security_group_ids=[network.app_security_group_id] if network else [],
                    runtime=declared.runtime,
                ),
            )
            granted = self._grant(key, declared, ports)
            if declared.run_on_deploy:
                self._run_on_deploy(key, declared, granted)
        self._bucket_events(ctx, functions, ports)
        self._schedules(functions)
        for key, secret in secrets.items():
            if secret.rotation_function is not None:
                self._rotation(key, secret)

        self.user_pool: UserPool | None = None
        self.rest_api: RestApi | None = None
        if not rest:
            return
        if settings.user_pool_arn:
            pool_arn = settings.user_pool_arn
        else:
            self.user_pool = UserPool(
                self,
                "users",
                props=UserPoolProps(
                    name=name, allow_self_sign_up=settings.allow_self_sign_up, deletion_protection=protection.deletion_protection
                ),
            )
            pool_arn = self.user_pool.arn
        self.rest_api = RestApi(
            self,
            "rest",
            account=ctx.account,
            props=RestApiProps(
                name=name,
                description=settings.description,
                routes=tuple(
                    Route(method=r.method, path=r.path, function=self.functions[key], body_schema=declared.request_schema(r))  # type: ignore[arg-type]
                    for key, declared in functions.items()
                    for r in declared.routes
                ),
                user_pool_arn=pool_arn,
                key=self.key,
                cors_allowed_origins=settings.cors_allowed_origins,
                throttle_rate_per_second=settings.throttle_rate_per_second,
                throttle_burst=settings.throttle_burst,
                waf_rate_limit_per_5_minutes=settings.waf_rate_limit_per_5_minutes,
                log_retention_days=settings.log_retention_days,
                manage_api_gateway_account=settings.manage_api_gateway_account,
                disable_execute_api_endpoint=settings.domain_name is not None,
            ),
        )
        self.domain: api_gateway_domain_name.ApiGatewayDomainName | None = None
        if settings.domain_name is not None:
            assert ports.dns is not None  # the settings check that the dns component is on
            self._custom_domain(settings.domain_name, ports.dns.zone_id)

    def _custom_domain(self, domain_name: str, zone_id: str) -> None:
        """The API on its own name: a Regional certificate, TLS 1.2 at least, the stage at the root."""
        assert self.rest_api is not None
        certificate = validated_certificate(self, "domain-certificate", domain_name=domain_name, zone_id=zone_id)
        self.domain = domain = api_gateway_domain_name.ApiGatewayDomainName(
            self,
            "domain",
            domain_name=domain_name,
            regional_certificate_arn=certificate.certificate_arn,
            endpoint_configuration=api_gateway_domain_name.ApiGatewayDomainNameEndpointConfiguration(types=["REGIONAL"]),
            security_policy="TLS_1_2",
        )
        api_gateway_base_path_mapping.ApiGatewayBasePathMapping(
            self,
            "domain-mapping",
            api_id=self.rest_api.api.id,
            stage_name=self.rest_api.stage.stage_name,
            domain_name=domain.domain_name,
        )
        alias_records(
            self,
            "domain-alias",
            zone_id=zone_id,
            name=domain_name,
            target_name=domain.regional_domain_name,
            target_zone_id=domain.regional_zone_id,
        )

    def _secret(self, key: str, declared: SecretSettings) -> secretsmanager_secret.SecretsmanagerSecret:
        """An empty secret under the API's key: its value is put outside Terraform."""
        secret = secretsmanager_secret.SecretsmanagerSecret(
            self,
            f"secret-{key}",
            name=f"{self.ctx.name}/{key}",
            description=declared.description,
            kms_key_id=self.key.arn,
            recovery_window_in_days=declared.recovery_window_days,
            lifecycle=TerraformResourceLifecycle(prevent_destroy=self.ctx.protection.retain_on_destroy),
        )
        if declared.rotation_function is None:
            accept(
                secret,
                check="CKV2_AWS_57",
                pin={},
                reason=f"secrets.{key} has no rotation_function: its owner rotates it by hand (an external API key "
                "issued by another service cannot be rotated from here).",
            )
        return secret

    def _rotation(self, key: str, declared: SecretSettings) -> None:
        assert declared.rotation_function is not None
        secret = self.secrets[key]
        rotator = self.functions[declared.rotation_function]
        permission = lambda_permission.LambdaPermission(
            self,
            f"secret-{key}-invoke-rotation",
            statement_id=f"SecretsManagerRotates{_pascal(key)}",
            action="lambda:InvokeFunction",
            function_name=rotator.function.function_name,
            principal="secretsmanager.amazonaws.com",
            source_arn=secret.arn,
        )
        granted = role_grant(
            self,
            name=self.ctx.name,
            purpose=f"rotate-{key}",
            role=rotator.role,
            statements=[
                {"Sid": "RotateThisSecret", "Effect": "Allow", "Action": list(ROTATION_ACTIONS), "Resource": secret.arn},
                {
                    # GetRandomPassword has no resource-level permissions (Secrets Manager service authorization reference).
                    "Sid": "GeneratePassword",
                    "Effect": "Allow",
                    "Action": "secretsmanager:GetRandomPassword",
                    "Resource": "*",
                },
            ],
        )
        secretsmanager_secret_rotation.SecretsmanagerSecretRotation(
            self,
            f"secret-{key}-rotation",
            secret_id=secret.id,
            rotation_lambda_arn=rotator.function.arn,
            rotation_rules=secretsmanager_secret_rotation.SecretsmanagerSecretRotationRotationRules(
                automatically_after_days=declared.rotation_days
            ),
            depends_on=[permission, granted],
        )

    def _resolved(self, declared: FunctionSettings, ports: Ports) -> dict[str, str]:
        """environment_from, resolved to the values (Terraform references) they name."""
        values: dict[str, str] = {}
        for variable, reference in declared.environment_from.items():
            kind, _, rest = reference.partition(".")
            value: Any
            if kind == "buckets":
                assert ports.storage is not None
                value = ports.storage.buckets[rest].bucket.bucket
            elif kind == "metadata_table":
                assert ports.metadata_table is not None
                value = ports.metadata_table.table.name
            elif reference == "storage.cors_allowed_origins":
                assert ports.storage is not None
                value = ",".join(ports.storage.cors_allowed_origins)
            elif reference == "api.cors_allowed_origins":
                value = ",".join(self.settings.cors_allowed_origins)
            elif kind == "secrets":
                # The ARN, never the value: the function reads it with its reads_secrets grant.
                value = self.secrets[rest].arn
            elif kind == "email":
                assert ports.email is not None
                value = ports.email.domain if rest == "domain" else ports.email.configuration_set_name
            else:
                assert ports.database is not None
                value = {
                    "database.endpoint": ports.database.endpoint,
                    "database.port": str(ports.database.port),
                    "database.secret_arn": ports.database.secret_arn,
                }[reference]
            values[variable] = value
        return values

    def _grant(self, key: str, declared: FunctionSettings, ports: Ports) -> list[Any]:
        """The function's grants, by its declared intent; returns the policies it got."""
        role = self.functions[key].role
        prefix = declared.object_prefix
        made: list[Any] = []
        if declared.reads or declared.writes or declared.deletes:
            assert ports.storage is not None
            buckets = ports.storage.buckets
            for bucket in declared.reads:
                # HeadObject is authorized by s3:GetObject.
                made.append(buckets[bucket].grant_read(role, prefix))
            for bucket in declared.writes:
                made.append(buckets[bucket].grant_put(role, prefix))
            for bucket in declared.deletes:
                made.append(buckets[bucket].grant_delete(role, prefix))
        if declared.table_access:
            table = ports.metadata_table
            assert table is not None
            grants = {
                "read": table.grant_read_data,
                "create": table.grant_create_items,
                "update": table.grant_update_items,
                "read-write": table.grant_read_write,
            }
            for access in declared.table_access:
                made.append(grants[access](role))
        if declared.connects_to_database:
            assert ports.database is not None
            made.append(ports.database.grant_connect(role, declared.database_user or key.replace("-", "_")))
        if declared.reads_database_secret:
            assert ports.database is not None
            made.append(ports.database.grant_read_secret(role))
        if declared.uses_data_api:
            assert ports.database is not None and ports.database.data_api is not None
            made.append(ports.database.data_api(role))
        for secret_key in declared.reads_secrets:
            made.append(
                role_grant(
                    self,
                    name=self.ctx.name,
                    purpose=f"read-secret-{secret_key}",
                    role=role,
                    statements=[
                        {
                            "Sid": "ReadSecret",
                            "Effect": "Allow",
                            "Action": "secretsmanager:GetSecretValue",
                            "Resource": self.secrets[secret_key].arn,
                        }
                    ],
                )
            )
        if declared.sends_email:
            assert ports.email is not None
            made.append(ports.email.grant_send(role))
        if declared.invokes_models:
            partition, region = self.ctx.account.partition, self.ctx.region
            made.append(
                role_grant(
                    self,
                    name=self.ctx.name,
                    purpose=f"invoke-models-{key}",
                    role=role,
                    statements=[
                        {
                            "Sid": "InvokeNamedModels",
                            "Effect": "Allow",
                            "Action": list(BEDROCK_INVOKE_ACTIONS),
                            # Foundation model ARNs carry no account: the model, not a copy of it.
                            "Resource": [
                                f"arn:{partition}:bedrock:{region}::foundation-model/{model}" for model in declared.invokes_models
                            ],
                        }
                    ],
                )
            )
        return made

    def _bucket_events(self, ctx: BuildContext, functions: Mapping[str, FunctionSettings], ports: Ports) -> None:
        by_bucket: dict[str, list[tuple[str, int, Any]]] = {}
        for key, declared in functions.items():
            for index, event in enumerate(declared.bucket_events):
                by_bucket.setdefault(event.bucket, []).append((key, index, event))
        for bucket_key, triggers in by_bucket.items():
            assert ports.storage is not None
            bucket = ports.storage.buckets[bucket_key]
            direct = [t for t in triggers if t[2].delivery == "s3"]
            bridged = [t for t in triggers if t[2].delivery == "eventbridge"]
            permissions = []
            for function_key in dict.fromkeys(key for key, _, _ in direct):
                kinds = {e.split(":")[1] for key, _i, event in direct if key == function_key for e in event.events}
                permissions.append(
                    lambda_permission.LambdaPermission(
                        self,
                        f"{bucket_key}-invoke-{function_key}",
                        statement_id=f"{_pascal(bucket_key)}Bucket{''.join(sorted(kinds))}",
                        action="lambda:InvokeFunction",
                        function_name=self.functions[function_key].function.function_name,
                        principal="s3.amazonaws.com",
                        source_arn=bucket.bucket.arn,
                        # Bucket ARNs carry no account: pin it, or a same-named bucket elsewhere could invoke.
                        source_account=ctx.account.account_id,
                    )
                )
            bucket.event_consumers.append("api")
            # One notification configuration per bucket (S3 keeps a single one): its direct
            # functions, and whether the bucket also sends every event to EventBridge.
            s3_bucket_notification.S3BucketNotification(
                self,
                f"{bucket_key}-notification",
                bucket=bucket.bucket.id,
                lambda_function=[
                    s3_bucket_notification.S3BucketNotificationLambdaFunction(
                        id=f"{function_key}-{index}" if index else function_key,
                        lambda_function_arn=self.functions[function_key].function.arn,
                        events=list(event.events),
                        filter_prefix=event.prefix or None,
                        filter_suffix=event.suffix or None,
                    )
                    for function_key, index, event in direct
                ]
                or None,
                eventbridge=True if bridged else None,
                depends_on=permissions,
            )
            for function_key, index, event in bridged:
                self._bucket_event_rule(bucket_key, bucket.bucket.bucket, function_key, index, event)

    def _bucket_event_rule(self, bucket_key: str, bucket_name: str, function_key: str, index: int, event: Any) -> None:
        """An EventBridge rule on the default bus for one function's bucket event: its own
        subscription, so several functions may react to the same objects."""
        function = self.functions[function_key].function
        suffix = f"{bucket_key}-{function_key}-{index}"
        rule = cloudwatch_event_rule.CloudwatchEventRule(
            self,
            f"{suffix}-objects",
            name=f"{function.function_name}-{bucket_key}-{index}",
            description=f"{', '.join(event.events)} on {bucket_key} invoke {function_key}",
            event_pattern=json.dumps(s3_event_pattern(bucket_name, event.events, event.prefix, event.suffix)),
        )
        cloudwatch_event_target.CloudwatchEventTarget(
            self, f"{suffix}-objects-target", rule=rule.name, target_id=function_key, arn=function.arn
        )
        lambda_permission.LambdaPermission(
            self,
            f"{suffix}-objects-invoke",
            statement_id=f"EventBridge{_pascal(bucket_key)}Objects{index}",
            action="lambda:InvokeFunction",
            function_name=function.function_name,
            principal="events.amazonaws.com",
            source_arn=rule.arn,
        )

    def _run_on_deploy(self, key: str, declared: FunctionSettings, granted: list[Any]) -> None:
        """Invoke the function once when it is first applied, and again whenever its code or
        its input changes (a changed trigger replaces the invocation), after its grants exist."""
        function = self.functions[key]
        document = json.dumps(declared.deploy_input, sort_keys=True)
        lambda_invocation.LambdaInvocation(
            self,
            f"{key}-on-deploy",
            function_name=function.function.function_name,
            input=document,
            triggers={
                "code": function.code_hash,
                "input": hashlib.sha256(document.encode()).hexdigest(),
            },
            depends_on=[function.function, *granted],
        )

    def _schedules(self, functions: Mapping[str, FunctionSettings]) -> None:
        for key, declared in functions.items():
            if declared.schedule is None:
                continue
            function = self.functions[key].function
            rule = cloudwatch_event_rule.CloudwatchEventRule(
                self,
                f"{key}-schedule",
                name=f"{function.function_name}-schedule",
                description=f"Runs {key} on {declared.schedule}",
                schedule_expression=declared.schedule,
            )
            cloudwatch_event_target.CloudwatchEventTarget(
                self, f"{key}-schedule-target", rule=rule.name, target_id=key, arn=function.arn
            )
            lambda_permission.LambdaPermission(
                self,
                f"{key}-schedule-invoke",
                statement_id="EventBridgeSchedule",
                action="lambda:InvokeFunction",
                function_name=function.function_name,
                principal="events.amazonaws.com",
                source_arn=rule.arn,
            )


def build(scope: Construct, ctx: BuildContext, settings: ApiSettings, ports: Ports, parts: Parts, *, rest: bool) -> Contributions:
    functions: Mapping[str, FunctionSettings] = parts.get("functions", {})
    secrets: Mapping[str, SecretSettings] = parts.get("secrets", {})
    api = Api(scope, "api", ctx=ctx, settings=settings, functions=functions, secrets=secrets, ports=ports, rest=rest)
    ports.api = FunctionsPort(functions=api.functions, key=api.key)
    made = Contributions()
    for key, function in api.functions.items():
        dimensions = {"FunctionName": function.function.function_name}
        made.alarms.append(
            AlarmSpec(
                name=f"{key}-errors", namespace="AWS/Lambda", metric="Errors", dimensions=dimensions,
                threshold=functions[key].alarm_errors, what="function errors",
            )
        )  # fmt: skip
        made.alarms.append(
            AlarmSpec(
                name=f"{key}-throttles", namespace="AWS/Lambda", metric="Throttles", dimensions=dimensions,
                threshold=1, what="invocations throttled",
            )
        )  # fmt: skip
    if api.functions:
        function_names = [f.function.function_name for f in api.functions.values()]
        for rank, metric, title in ((10, "Errors", "Lambda errors"), (11, "Invocations", "Lambda invocations")):
            made.widgets.append(
                WidgetSpec(rank=rank, title=title, metrics=[["AWS/Lambda", metric, "FunctionName", f] for f in function_names])
            )
    for key, queue in api.dead_letter_queues.items():
        made.outputs.append(
            OutputSpec(
                name=f"{key.replace('-', '_')}_dead_letter_queue_url",
                value=queue.url,
                description=f"events {key} failed on, for inspection and replay",
            )
        )
    if api.rest_api is None:
        return made
    rest_api = api.rest_api
    if api.domain is not None:
        made.outputs.append(
            OutputSpec(
                name="api_url",
                value=f"https://{settings.domain_name}",
                description=f"{settings.description} base URL (custom domain; the execute-api URL is off)",
            )
        )
    else:
        made.outputs.append(
            OutputSpec(name="api_url", value=rest_api.url, description=f"{settings.description} base URL (stage)")
        )
    for key, secret in api.secrets.items():
        made.outputs.append(
            OutputSpec(
                name=f"secret_{key.replace('-', '_')}_arn",
                value=secret.arn,
                description=f"put the value of secrets.{key} here (aws secretsmanager put-secret-value)",
            )
        )
    if api.user_pool is not None:
        made.outputs.append(OutputSpec(name="user_pool_id", value=api.user_pool.pool.id, description="Cognito user pool id"))
        made.outputs.append(
            OutputSpec(
                name="user_pool_client_id", value=api.user_pool.client.id, description="Cognito app client id (public, no secret)"
            )
        )
    stage = {"ApiName": rest_api.api.name, "Stage": rest_api.stage.stage_name}
    made.alarms += [
        AlarmSpec(
            name="api-5xx", namespace="AWS/ApiGateway", metric="5XXError", dimensions=stage,
            threshold=settings.alarm_5xx, what="server errors returned by the API",
        ),
        AlarmSpec(
            name="api-latency-p99", namespace="AWS/ApiGateway", metric="Latency", dimensions=stage,
            threshold=settings.alarm_latency_p99_ms, what="p99 latency in ms", statistic="p99",
        ),
        AlarmSpec(
            name="api-waf-blocked", namespace="AWS/WAFV2", metric="BlockedRequests",
            dimensions={"WebACL": rest_api.web_acl.name, "Region": ctx.region, "Rule": "ALL"},
            threshold=settings.alarm_waf_blocked_requests, what="requests WAF blocked",
        ),
    ]  # fmt: skip
    stage_dimension = ["ApiName", rest_api.api.name, "Stage", rest_api.stage.stage_name]
    made.widgets.append(
        WidgetSpec(
            rank=20,
            title="API requests and errors",
            metrics=[["AWS/ApiGateway", m, *stage_dimension] for m in ("Count", "4XXError", "5XXError")],
        )
    )
    made.widgets.append(
        WidgetSpec(
            rank=21, title="API latency p99 (ms)", metrics=[["AWS/ApiGateway", "Latency", *stage_dimension, {"stat": "p99"}]]
        )
    )
    return made
