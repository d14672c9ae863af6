"""`[api]` and the declared functions, `[functions.<name>]`.

Variant "rest": the functions and a REST API with Cognito in front of those that
declare routes. Variant "functions": the functions alone (bucket events, schedules).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import ClassVar, Literal

from pydantic import Field, field_validator

from modules.core.settings import ComponentSettings, EnvironmentView, LogRetentionDays, Report, Settings, WebOrigins, by_profile

LAMBDA_SRC = Path(__file__).resolve().parents[3] / "lambda_src"
_USER_POOL_ARN = re.compile(r"^arn:aws(-[a-z]+)*:cognito-idp:([a-z]{2}(-[a-z]+)+-\d):\d{12}:userpool/\2_[A-Za-z0-9]+$")
_FUNCTION_KEY = re.compile(r"^[a-z][a-z0-9-]{0,30}$")
_SOURCE = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
_ROUTE_PATH = re.compile(r"^(/(\{[a-z_]+\}|[a-z0-9-]+))+$")
_ENV_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_DB_USER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
# EventBridge schedule expressions (EventBridge User Guide, "Schedule expressions for rules").
_SCHEDULE = re.compile(r"^(rate\(\d+ (minute|minutes|hour|hours|day|days)\)|cron\([^)]+\))$")
# S3 event types a bucket notification may send to Lambda (S3 User Guide, "Event notification types").
S3_EVENTS = (
    "s3:ObjectCreated:*", "s3:ObjectCreated:Put", "s3:ObjectCreated:Post", "s3:ObjectCreated:Copy",
    "s3:ObjectCreated:CompleteMultipartUpload", "s3:ObjectRemoved:*", "s3:ObjectRemoved:Delete",
    "s3:ObjectRemoved:DeleteMarkerCreated", "s3:ObjectRestore:*", "s3:ObjectTagging:*",
)  # fmt: skip
# Where a function's environment_from may point; each resolves to a plain value at apply time.
REFERENCE_FORMS = (
    "buckets.<name>",
    "metadata_table",
    "storage.cors_allowed_origins",
    "api.cors_allowed_origins",
    "database.endpoint",
    "database.port",
    "database.secret_arn",
)
TableAccess = Literal["read", "create", "update", "read-write"]


class RouteSettings(Settings):
    """One authenticated method of the REST API, proxied to the function."""

    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE"] = Field(description="HTTP method.")
    path: str = Field(description="Path such as /files/{id}/download: lowercase words or {parameter} segments.")
    request_schema: str | None = Field(
        default=None,
        description="A JSON Schema (draft 4) file in the function's source folder; API Gateway rejects bodies that do not match.",
    )

    @field_validator("path")
    @classmethod
    def _path(cls, value: str) -> str:
        if not _ROUTE_PATH.match(value):
            raise ValueError("a path of lowercase words or {parameter} segments, such as /files/{id}/download")
        return value


class BucketEventSettings(Settings):
    """Objects landing in (or leaving) a declared bucket invoke the function asynchronously."""

    bucket: str = Field(description="A declared bucket ([buckets.<name>]).")
    events: tuple[str, ...] = Field(default=("s3:ObjectCreated:*",), strict=False, description="S3 event types.")
    prefix: str = Field(default="", description="Only keys under this prefix; default the whole bucket.")

    @field_validator("events")
    @classmethod
    def _events(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [e for e in value if e not in S3_EVENTS]
        if unknown or not value:
            raise ValueError(f"S3 event types such as s3:ObjectCreated:*; allowed: {', '.join(S3_EVENTS)}")
        return value


class FunctionSettings(Settings):
    """One Lambda function from `lambda_src/<source>/handler.py`: arm64, traced, JSON logs
    to its own encrypted group, and a role holding only what the keys below grant."""

    source: str = Field(description="Folder under lambda_src/ holding handler.py.")
    memory_mb: int = Field(default=256, ge=128, le=10240, description="Memory in MB; CPU scales with it (Lambda: 128 to 10240).")
    timeout_seconds: int = Field(
        default=10, ge=1, le=900, description="Timeout; an API route gives up after 29 s (Lambda: 1 to 900)."
    )
    reserved_concurrency: int = Field(
        default=10,
        ge=1,
        le=1000,
        description="Concurrent executions reserved and capped (1 to the default account limit of 1000).",
    )
    log_retention_days: LogRetentionDays = by_profile(
        development=14, production=365, description="Days the function's log group keeps its events."
    )
    in_vpc: bool = Field(default=False, description="Run in the private subnets with the application security group.")
    environment: dict[str, str] = Field(
        default_factory=dict, description="Plain settings (never secrets: anyone who can read the function sees them)."
    )
    environment_from: dict[str, str] = Field(
        default_factory=dict, description="Settings resolved from declared parts: " + ", ".join(REFERENCE_FORMS) + "."
    )
    reads: tuple[str, ...] = Field(default=(), strict=False, description="Declared buckets the function may read objects from.")
    writes: tuple[str, ...] = Field(default=(), strict=False, description="Declared buckets the function may write objects to.")
    deletes: tuple[str, ...] = Field(
        default=(), strict=False, description="Declared buckets the function may delete objects from."
    )
    object_prefix: str = Field(default="", description="Bucket grants cover keys under this prefix only; default all keys.")
    table_access: tuple[TableAccess, ...] = Field(
        default=(), strict=False, description="What the function may do on the metadata table: read, create, update, read-write."
    )
    connects_to_database: bool = Field(
        default=False, description="IAM authentication to the database as database_user (needs in_vpc)."
    )
    database_user: str | None = Field(
        default=None, description="PostgreSQL role to connect as; default: the function key with _ for -."
    )
    routes: tuple[RouteSettings, ...] = Field(default=(), strict=False, description="REST API routes served by the function.")
    bucket_events: tuple[BucketEventSettings, ...] = Field(
        default=(), strict=False, description="Bucket events that invoke the function."
    )
    schedule: str | None = Field(default=None, description="EventBridge schedule such as rate(5 minutes) or cron(0 3 * * ? *).")
    alarm_errors: int = Field(default=5, ge=1, description="Errors in 5 minutes that raise the function's alarm.")

    @field_validator("source")
    @classmethod
    def _source(cls, value: str) -> str:
        if not _SOURCE.match(value) or value == "shared":
            raise ValueError("a folder name under lambda_src/ (lowercase letters, digits, underscores; not shared)")
        if not (LAMBDA_SRC / value / "handler.py").is_file():
            raise ValueError(f"lambda_src/{value}/handler.py does not exist")
        return value

    @field_validator("object_prefix")
    @classmethod
    def _prefix(cls, value: str) -> str:
        if value and not value.endswith("/"):
            raise ValueError("end the prefix with '/' so a grant cannot reach a sibling prefix")
        return value

    @field_validator("environment", "environment_from")
    @classmethod
    def _names(cls, value: dict[str, str]) -> dict[str, str]:
        bad = [k for k in value if not _ENV_NAME.match(k) or k.startswith("AWS_")]
        if bad:
            raise ValueError(f"environment variable names are letters, digits and _, not starting with AWS_: {', '.join(bad)}")
        return value

    @field_validator("schedule")
    @classmethod
    def _schedule(cls, value: str | None) -> str | None:
        if value is not None and not _SCHEDULE.match(value):
            raise ValueError("an EventBridge schedule: rate(5 minutes), rate(1 hour), cron(0 3 * * ? *)")
        return value

    @field_validator("database_user")
    @classmethod
    def _user(cls, value: str | None) -> str | None:
        if value is not None and not _DB_USER.match(value):
            raise ValueError("a PostgreSQL role name: lowercase letters, digits and underscores")
        return value

    @property
    def asynchronous(self) -> bool:
        """Invoked by events rather than callers: failed events go to a dead-letter queue."""
        return bool(self.bucket_events) or self.schedule is not None

    def request_schema(self, route: RouteSettings) -> dict[str, object] | None:
        if route.request_schema is None:
            return None
        loaded: dict[str, object] = json.loads((LAMBDA_SRC / self.source / route.request_schema).read_text(encoding="utf-8"))
        return loaded


class ApiSettings(ComponentSettings):
    """The REST API's stage, throttling, WAF, Cognito and alarms; the functions are declared
    in `[functions.<name>]`."""

    moved_keys: ClassVar[Mapping[str, str]] = {
        **{
            key: "[functions.<name>] environment = {...} (the function's own settings)"
            for key in (
                "allowed_content_types",
                "max_upload_bytes",
                "upload_url_ttl_seconds",
                "download_url_ttl_seconds",
                "pending_ttl_seconds",
            )
        },
        "lambdas_in_vpc": "[functions.<name>] in_vpc",
        "upload_url": "[functions.upload-url]",
        "download_url": "[functions.download-url]",
        "object_processor": "[functions.object-processor]",
    }

    description: str = Field(default="API", description="What the API is; its description in the console.")
    cors_allowed_origins: WebOrigins = Field(
        default=(), strict=False, description="Browser origins answered on preflight; default none (no OPTIONS methods)."
    )
    throttle_rate_per_second: float = by_profile(
        development=10, production=100, strict=False, description="Stage-wide steady request rate."
    )
    throttle_burst: int = by_profile(development=20, production=200, description="Stage-wide burst.")
    waf_rate_limit_per_5_minutes: int = by_profile(
        development=500, production=2000, description="Requests per IP in 5 minutes before the regional WAF blocks it."
    )
    log_retention_days: LogRetentionDays = by_profile(
        development=14, production=365, description="Days the access and WAF logs are kept."
    )
    user_pool_arn: str | None = Field(default=None, description="An existing Cognito user pool to trust; default: create one.")
    allow_self_sign_up: bool = Field(default=False, description="Let anyone register; default: administrators invite users.")
    manage_api_gateway_account: bool = Field(
        default=True, description="Set the Region's API Gateway logging role (one per account and Region)."
    )
    alarm_5xx: int = Field(default=5, ge=1, description="5xx responses in 5 minutes that raise the API alarm.")
    alarm_latency_p99_ms: int = Field(
        default=3000, ge=1, le=29000, description="p99 latency alarm; the integration gives up at 29 s."
    )
    alarm_waf_blocked_requests: int = Field(
        default=1000, ge=1, description="Requests the WAF blocks in 5 minutes before alarming."
    )

    @field_validator("user_pool_arn")
    @classmethod
    def _pool(cls, value: str | None) -> str | None:
        if value is not None and not _USER_POOL_ARN.match(value):
            raise ValueError(
                "a user pool ARN such as arn:aws:cognito-idp:eu-central-1:123456789012:userpool/eu-central-1_AbCdEf123"
            )
        return value

    def check(self, view: EnvironmentView, report: Report) -> None:
        functions = view.parts.get("functions", {})
        variant = view.components.get("api")
        routes = [(name, r) for name, f in functions.items() if isinstance(f, FunctionSettings) for r in f.routes]
        if variant == "rest" and not routes:
            report(
                "functions",
                sorted(functions),
                'components.api = "rest" needs at least one function with routes; use "functions" for functions alone',
            )
        if variant == "functions" and routes:
            name, _ = routes[0]
            report(f"functions.{name}.routes", "...", 'routes need components.api = "rest"; "functions" builds no REST API')
        seen: dict[tuple[str, str], str] = {}
        for name, route in routes:
            if (route.method, route.path) in seen:
                report(
                    f"functions.{name}.routes",
                    f"{route.method} {route.path}",
                    f"already served by functions.{seen[route.method, route.path]}",
                )
            seen[route.method, route.path] = name
        for name, function in functions.items():
            assert isinstance(function, FunctionSettings)
            _check_function(name, function, view, report)


def _check_function(name: str, function: FunctionSettings, view: EnvironmentView, report: Report) -> None:
    where = f"functions.{name}"
    if not _FUNCTION_KEY.match(name):
        report(where, name, "a function key is 1 to 31 lowercase letters, digits and hyphens, starting with a letter")
    # Lambda function names are at most 64 characters, and the role adds "-lambda".
    if len(f"{view.project}-{view.name}-{name}-lambda") > 64:
        report(where, name, "the function and role names would pass 64 characters: shorten the key, project or environment")
    buckets = view.parts.get("buckets", {})
    declared = ", ".join(buckets) or "none"
    for grant in ("reads", "writes", "deletes"):
        for index, bucket in enumerate(getattr(function, grant)):
            if bucket not in buckets:
                report(f"{where}.{grant}[{index}]", bucket, f"not a declared bucket; declared: {declared}")
    for index, event in enumerate(function.bucket_events):
        if event.bucket not in buckets:
            report(f"{where}.bucket_events[{index}].bucket", event.bucket, f"not a declared bucket; declared: {declared}")
    if function.table_access and not view.enabled("metadata_table"):
        report(f"{where}.table_access", list(function.table_access), 'needs components.metadata_table, which is "none"')
    if function.in_vpc and not view.enabled("network"):
        report(f"{where}.in_vpc", True, 'needs components.network, which is "none"')
    if function.connects_to_database:
        if not view.enabled("database"):
            report(f"{where}.connects_to_database", True, 'needs components.database, which is "none"')
        if not function.in_vpc:
            report(f"{where}.connects_to_database", True, "the database is reachable only inside the VPC: set in_vpc = true")
    for index, route in enumerate(function.routes):
        if route.request_schema is not None:
            path = LAMBDA_SRC / function.source / route.request_schema
            try:
                schema = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
                report(
                    f"{where}.routes[{index}].request_schema",
                    route.request_schema,
                    f"not a readable JSON file in lambda_src/{function.source}/: {exc}",
                )
                continue
            if not isinstance(schema, dict) or not isinstance(schema.get("title"), str):
                report(
                    f"{where}.routes[{index}].request_schema",
                    route.request_schema,
                    "a JSON Schema object with a title (it names the API Gateway model)",
                )
    for variable, reference in function.environment_from.items():
        problem = _reference_problem(reference, view)
        if problem:
            report(f"{where}.environment_from.{variable}", reference, problem)
        if variable in function.environment:
            report(f"{where}.environment_from.{variable}", reference, "also set in environment: set it in one place")


def _reference_problem(reference: str, view: EnvironmentView) -> str | None:
    allowed = "one of " + ", ".join(REFERENCE_FORMS)
    kind, _, rest = reference.partition(".")
    if kind == "buckets":
        if rest not in view.parts.get("buckets", {}):
            return f"not a declared bucket; declared: {', '.join(view.parts.get('buckets', {})) or 'none'}"
        return None
    if reference not in REFERENCE_FORMS:
        return allowed
    component = "metadata_table" if kind == "metadata_table" else kind
    if not view.enabled(component):
        return f'needs components.{component}, which is "none"'
    return None
