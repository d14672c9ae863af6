"""A regional API Gateway REST API: Cognito on every route, validated requests, a logged,
traced and throttled stage behind a regional WAF ACL."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from constructs import Construct

from modules.core.aws import (
    api_gateway_account,
    api_gateway_authorizer,
    api_gateway_deployment,
    api_gateway_integration,
    api_gateway_integration_response,
    api_gateway_method,
    api_gateway_method_response,
    api_gateway_method_settings,
    api_gateway_model,
    api_gateway_request_validator,
    api_gateway_resource,
    api_gateway_rest_api,
    api_gateway_stage,
    cloudwatch_log_group,
    iam_role,
    iam_role_policy,
    lambda_permission,
    wafv2_web_acl_association,
)
from modules.core.findings import accept
from modules.core.framework import TerraformResource, TerraformResourceLifecycle
from modules.core.identity import AccountContext
from modules.core.kms import EncryptionKey
from modules.core.logs import accept_short_retention
from modules.primitives import waf
from modules.primitives.function import Function

# Rule groups on the API's ACL: the common rule set and known bad inputs (Log4j and
# similar payloads). IP reputation is left to the CDN's ACL: the API is authenticated.
MANAGED_RULE_GROUPS = ("AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet")
# One JSON object per request: Logs Insights can query every field.
ACCESS_LOG_FORMAT = {
    "requestId": "$context.requestId",
    "extendedRequestId": "$context.extendedRequestId",
    "ip": "$context.identity.sourceIp",
    "caller": "$context.authorizer.claims.sub",
    "requestTime": "$context.requestTime",
    "httpMethod": "$context.httpMethod",
    "resourcePath": "$context.resourcePath",
    "status": "$context.status",
    "protocol": "$context.protocol",
    "responseLength": "$context.responseLength",
    "latencyMs": "$context.responseLatency",
    "integrationLatencyMs": "$context.integrationLatency",
    "wafStatus": "$context.waf.status",
    "error": "$context.error.message",
    "xrayTraceId": "$context.xrayTraceId",
}
PREFLIGHT_HEADERS = ("Authorization", "Content-Type")
PREFLIGHT_MAX_AGE_SECONDS = 600
_SEGMENT = re.compile(r"^(\{[a-z_]+\}|[a-z0-9-]+)$")


def access_log_group_name(name: str) -> str:
    return f"/aws/apigateway/{name}/access"


@dataclass(frozen=True, kw_only=True)
class Route:
    """One authenticated method. `path` such as /files/{id}/download; `body_schema` a JSON
    schema (draft 4) API Gateway checks the body against before the function runs."""

    method: Literal["GET", "POST", "PUT", "DELETE"]
    path: str
    function: Function
    body_schema: dict[str, Any] | None = None

    @property
    def path_parameters(self) -> tuple[str, ...]:
        return tuple(s[1:-1] for s in self.path.strip("/").split("/") if s.startswith("{"))

    @property
    def slug(self) -> str:
        return re.sub(r"[^a-z0-9]+", "-", f"{self.method} {self.path}".lower()).strip("-")


@dataclass(frozen=True, kw_only=True)
class RestApiProps:
    """name: `<project>-<environment>`. routes: the methods, each behind the authorizer.
    description: what the API is, after its name in the console; default "API".
    user_pool_arn: the Cognito user pool whose tokens the authorizer accepts.
    key: encrypts the access-log and WAF-log groups (its policy must name both groups).
    cors_allowed_origins: browser origins answered on preflight; default none (no OPTIONS).
    stage_name: default "v1". throttle_rate_per_second / throttle_burst: stage-wide limits.
    waf_rate_limit_per_5_minutes: per-IP block threshold. log_retention_days: access and WAF logs.
    manage_api_gateway_account: set the Region's API Gateway CloudWatch role (an account-wide
        setting access logging needs); default on. Where several stacks share an account and
        Region, let one of them manage it.
    disable_execute_api_endpoint: serve the API only on its custom domain, so that clients
        cannot bypass the domain's TLS policy through the execute-api URL; default off.
    """

    name: str
    routes: tuple[Route, ...]
    user_pool_arn: str
    description: str = "API"
    key: EncryptionKey
    cors_allowed_origins: tuple[str, ...] = ()
    stage_name: str = "v1"
    throttle_rate_per_second: float = 100
    throttle_burst: int = 200
    waf_rate_limit_per_5_minutes: int = 2000
    log_retention_days: int = 365
    manage_api_gateway_account: bool = True
    disable_execute_api_endpoint: bool = False


class RestApi(Construct):
    """Routes to Lambda proxy integrations; the stage is what callers and WAF see."""

    def __init__(self, scope: Construct, id: str, *, account: AccountContext, props: RestApiProps) -> None:
        super().__init__(scope, id)
        for route in props.routes:
            bad = [s for s in route.path.strip("/").split("/") if not _SEGMENT.fullmatch(s)]
            if not route.path.startswith("/") or bad:
                raise ValueError(f"route path {route.path!r}: segments must be lowercase words or {{parameter}}")
        self.props = props
        self.account = account
        self.api = api_gateway_rest_api.ApiGatewayRestApi(
            self,
            "api",
            name=props.name,
            description=f"{props.name} {props.description}",
            endpoint_configuration=api_gateway_rest_api.ApiGatewayRestApiEndpointConfiguration(types=["REGIONAL"]),
            disable_execute_api_endpoint=True if props.disable_execute_api_endpoint else None,
            # A replacement API must exist before the old one goes, or clients see 404s.
            lifecycle=TerraformResourceLifecycle(create_before_destroy=True),
        )
        self.authorizer = api_gateway_authorizer.ApiGatewayAuthorizer(
            self,
            "authorizer",
            name="cognito",
            rest_api_id=self.api.id,
            type="COGNITO_USER_POOLS",
            provider_arns=[props.user_pool_arn],
            identity_source="method.request.header.Authorization",
        )
        self.validator = api_gateway_request_validator.ApiGatewayRequestValidator(
            self,
            "validator",
            name="body-and-parameters",
            rest_api_id=self.api.id,
            validate_request_body=True,
            validate_request_parameters=True,
        )
        self._resources: dict[str, str] = {"": self.api.root_resource_id}
        self.methods: dict[str, api_gateway_method.ApiGatewayMethod] = {}
        parts: list[TerraformResource] = []
        for route in props.routes:
            parts += self._route(route)
        if props.cors_allowed_origins:
            for path in sorted({r.path for r in props.routes}):
                methods = sorted({r.method for r in props.routes if r.path == path})
                parts += self._preflight(path, methods)
        self._stage(parts)

    # --- routes -------------------------------------------------------------------
    def _resource(self, path: str) -> str:
        parent = ""
        for segment in path.strip("/").split("/"):
            here = f"{parent}/{segment}"
            if here not in self._resources:
                slug = re.sub(r"[^a-z0-9]+", "-", here).strip("-")
                self._resources[here] = api_gateway_resource.ApiGatewayResource(
                    self, f"resource-{slug}", rest_api_id=self.api.id, parent_id=self._resources[parent], path_part=segment
                ).id
            parent = here
        return self._resources[parent]

    def _route(self, route: Route) -> list[TerraformResource]:
        resource_id = self._resource(route.path)
        models = None
        if route.body_schema is not None:
            model = api_gateway_model.ApiGatewayModel(
                self,
                f"{route.slug}-model",
                rest_api_id=self.api.id,
                name=re.sub(r"[^A-Za-z0-9]", "", route.slug.title()) + "Body",
                content_type="application/json",
                schema=json.dumps(route.body_schema),
            )
            models = {"application/json": model.name}
        method = api_gateway_method.ApiGatewayMethod(
            self,
            f"{route.slug}-method",
            rest_api_id=self.api.id,
            resource_id=resource_id,
            http_method=route.method,
            authorization="COGNITO_USER_POOLS",
            authorizer_id=self.authorizer.id,
            request_validator_id=self.validator.id,
            request_models=models,
            request_parameters={f"method.request.path.{p}": True for p in route.path_parameters} or None,
        )
        self.methods[route.slug] = method
        integration = api_gateway_integration.ApiGatewayIntegration(
            self,
            f"{route.slug}-integration",
            rest_api_id=self.api.id,
            resource_id=resource_id,
            http_method=method.http_method,
            type="AWS_PROXY",
            integration_http_method="POST",
            uri=route.function.function.invoke_arn,
        )
        arn_path = "/".join("*" if s.startswith("{") else s for s in route.path.split("/"))
        lambda_permission.LambdaPermission(
            self,
            f"{route.slug}-permission",
            statement_id=f"ApiGateway-{route.slug}",
            action="lambda:InvokeFunction",
            function_name=route.function.function.function_name,
            principal="apigateway.amazonaws.com",
            # This method of this API, in any stage; nothing else may invoke through API Gateway.
            source_arn=f"{self.api.execution_arn}/*/{route.method}{arn_path}",
        )
        return [method, integration]

    def _preflight(self, path: str, methods: Sequence[str]) -> list[TerraformResource]:
        """OPTIONS answered by API Gateway itself. Browsers send no credentials on a preflight,
        so it cannot be authorized; it reveals only the allowed methods and headers, and
        echoes the Origin only when it is one of the configured origins."""
        resource_id = self._resource(path)
        slug = "options-" + re.sub(r"[^a-z0-9]+", "-", path).strip("-")
        method = api_gateway_method.ApiGatewayMethod(
            self,
            f"{slug}-method",
            rest_api_id=self.api.id,
            resource_id=resource_id,
            http_method="OPTIONS",
            authorization="NONE",
            # Nothing to validate on a preflight, but every method goes through the validator.
            request_validator_id=self.validator.id,
        )
        integration = api_gateway_integration.ApiGatewayIntegration(
            self,
            f"{slug}-integration",
            rest_api_id=self.api.id,
            resource_id=resource_id,
            http_method=method.http_method,
            type="MOCK",
            request_templates={"application/json": '{"statusCode": 200}'},
        )
        header = "method.response.header."
        names = (
            "Access-Control-Allow-Origin",
            "Access-Control-Allow-Methods",
            "Access-Control-Allow-Headers",
            "Access-Control-Max-Age",
            "Vary",
        )
        response = api_gateway_method_response.ApiGatewayMethodResponse(
            self,
            f"{slug}-response",
            rest_api_id=self.api.id,
            resource_id=resource_id,
            http_method=method.http_method,
            status_code="200",
            response_parameters={f"{header}{name}": True for name in names},
        )
        allowed = json.dumps(list(self.props.cors_allowed_origins))
        # A static header can name one origin only; the template echoes the caller's
        # Origin when it is in the list and sends no Allow-Origin otherwise.
        template = "\n".join(
            (
                '#set($origin = $input.params("Origin"))',
                '#if($origin == "")#set($origin = $input.params("origin"))#end',
                f"#set($allowed = {allowed})",
                "#if($allowed.contains($origin))",
                "#set($context.responseOverride.header.Access-Control-Allow-Origin = $origin)",
                "#end",
                "{}",
            )
        )
        api_gateway_integration_response.ApiGatewayIntegrationResponse(
            self,
            f"{slug}-integration-response",
            rest_api_id=self.api.id,
            resource_id=resource_id,
            http_method=method.http_method,
            status_code=response.status_code,
            response_parameters={
                f"{header}Access-Control-Allow-Methods": f"'{','.join([*methods, 'OPTIONS'])}'",
                f"{header}Access-Control-Allow-Headers": f"'{','.join(PREFLIGHT_HEADERS)}'",
                f"{header}Access-Control-Max-Age": f"'{PREFLIGHT_MAX_AGE_SECONDS}'",
                f"{header}Vary": "'Origin'",
            },
            response_templates={"application/json": template},
            depends_on=[integration],
        )
        return [method, integration]

    # --- stage --------------------------------------------------------------------
    def _definition_hash(self) -> str:
        """Changes whenever a route, schema or CORS origin does, so the deployment is redone."""
        definition = {
            "routes": [
                {"method": r.method, "path": r.path, "function": r.function.props.name, "schema": r.body_schema}
                for r in self.props.routes
            ],
            "cors": list(self.props.cors_allowed_origins),
        }
        return hashlib.sha256(json.dumps(definition, sort_keys=True).encode()).hexdigest()

    def _stage(self, parts: list[TerraformResource]) -> None:
        props = self.props
        deployment = api_gateway_deployment.ApiGatewayDeployment(
            self,
            "deployment",
            rest_api_id=self.api.id,
            description=f"{props.name} routes",
            triggers={"redeployment": self._definition_hash()},
            lifecycle=TerraformResourceLifecycle(create_before_destroy=True),
            depends_on=parts,
        )
        self.access_log_group = cloudwatch_log_group.CloudwatchLogGroup(
            self,
            "access-logs",
            name=access_log_group_name(props.name),
            retention_in_days=props.log_retention_days,
            kms_key_id=props.key.arn,
        )
        depends: list[Any] = []
        if props.manage_api_gateway_account:
            depends.append(self._account_logging_role())
        self.stage = api_gateway_stage.ApiGatewayStage(
            self,
            "stage",
            rest_api_id=self.api.id,
            deployment_id=deployment.id,
            stage_name=props.stage_name,
            xray_tracing_enabled=True,
            access_log_settings=api_gateway_stage.ApiGatewayStageAccessLogSettings(
                destination_arn=self.access_log_group.arn, format=json.dumps(ACCESS_LOG_FORMAT)
            ),
            depends_on=depends or None,
        )
        method_settings = api_gateway_method_settings.ApiGatewayMethodSettings(
            self,
            "method-settings",
            rest_api_id=self.api.id,
            stage_name=self.stage.stage_name,
            method_path="*/*",
            settings=api_gateway_method_settings.ApiGatewayMethodSettingsSettings(
                metrics_enabled=True,
                # Errors only, and never full request or response bodies: they hold
                # presigned URLs and tokens.
                logging_level="ERROR",
                data_trace_enabled=False,
                throttling_rate_limit=props.throttle_rate_per_second,
                throttling_burst_limit=props.throttle_burst,
                # Every response is per caller and short-lived; a cache would only leak
                # one user's presigned URL to the next.
                caching_enabled=False,
                cache_data_encrypted=True,
            ),
        )
        self.web_acl = waf.managed_rules_acl(
            self,
            "web-acl",
            name=f"{props.name}-api",
            description=f"{props.name}: AWS managed rules and a per-IP rate limit in front of the API",
            waf_scope="REGIONAL",
            managed_rule_groups=MANAGED_RULE_GROUPS,
            rate_limit_per_5_minutes=props.waf_rate_limit_per_5_minutes,
            metric_name=f"{props.name}-api",
        )
        wafv2_web_acl_association.Wafv2WebAclAssociation(
            self, "web-acl-association", resource_arn=self.stage.arn, web_acl_arn=self.web_acl.arn
        )
        self.waf_log_group = waf.log_to_cloudwatch(
            self,
            acl=self.web_acl,
            group_name=waf.log_group_name(f"{props.name}-api"),
            key=props.key,
            retention_days=props.log_retention_days,
        )
        accept_short_retention(self.access_log_group, props.log_retention_days, "API access logs")
        accept_short_retention(self.waf_log_group, props.log_retention_days, "The API's WAF logs")
        uncached = "Every response is a per-caller presigned URL or error; a cache would serve one user's answer to another."
        accept(self.stage, check="CKV_AWS_120", pin={}, reason=uncached)
        accept(method_settings, check="CKV_AWS_225", pin={}, reason=uncached)
        accept(
            self.stage,
            check="CKV2_AWS_51",
            pin={},
            reason="Client certificates authenticate API Gateway to an HTTP backend; this API's only backends are Lambda proxy integrations.",
        )
        accept(
            self.stage,
            check="CKV2_AWS_77",
            pin={},
            reason="The Log4j rule is part of AWSManagedRulesKnownBadInputsRuleSet, which the API's web ACL has; the check also demands rule groups that do not apply to this API.",
        )

    def _account_logging_role(self) -> api_gateway_account.ApiGatewayAccount:
        """API Gateway writes access and execution logs with one role per account and Region."""
        account = self.account
        role = iam_role.IamRole(
            self,
            "cloudwatch-role",
            name=f"{self.props.name}-apigateway-logs",
            description="Lets API Gateway write access and execution logs in this Region",
            assume_role_policy=account.assume_role_policy("apigateway.amazonaws.com"),
        )
        # The role serves every API in the account and Region, so it is scoped to this
        # account's log groups in this Region rather than to one group.
        groups = account.arn("logs", "log-group:*")
        iam_role_policy.IamRolePolicy(
            self,
            "cloudwatch-role-policy",
            name="write-logs",
            role=role.id,
            policy=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "WriteApiLogs",
                            "Effect": "Allow",
                            "Action": [
                                "logs:CreateLogGroup",
                                "logs:CreateLogStream",
                                "logs:DescribeLogGroups",
                                "logs:DescribeLogStreams",
                                "logs:PutLogEvents",
                                "logs:GetLogEvents",
                                "logs:FilterLogEvents",
                            ],
                            "Resource": groups,
                        }
                    ],
                }
            ),
        )
        return api_gateway_account.ApiGatewayAccount(self, "account-settings", cloudwatch_role_arn=role.arn)

    @property
    def url(self) -> str:
        return self.stage.invoke_url
