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

from modules.core.domains import DomainName, within
from modules.core.settings import ComponentSettings, EnvironmentView, LogRetentionDays, Report, Settings, WebOrigins, by_profile
from modules.core.weakening import Weakening, becomes, higher, lower

LAMBDA_SRC = Path(__file__).resolve().parents[3] / "lambda_src"
_USER_POOL_ARN = re.compile(r"^arn:aws(-[a-z]+)*:cognito-idp:([a-z]{2}(-[a-z]+)+-\d):\d{12}:userpool/\2_[A-Za-z0-9]+$")
_FUNCTION_KEY = re.compile(r"^[a-z][a-z0-9-]{0,30}$")
_SOURCE = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
_ROUTE_PATH = re.compile(r"^(/(\{[a-z_]+\}|[a-z0-9-]+))+$")
_ENV_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_DB_USER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
# EventBridge schedule expressions (EventBridge User Guide, "Schedule expressions for rules").
_SCHEDULE = re.compile(
    r"rate\(1 (minute|hour|day)\)|rate\([2-9][0-9]* (minutes|hours|days)\)|rate\([1-9][0-9]+ (minutes|hours|days)\)"
    r"|cron\([^()\s]+( [^()\s]+){5}\)",
    re.ASCII,
)
# Variables Lambda sets itself and refuses in a function's environment (Lambda Developer
# Guide, "Defined runtime environment variables"); AWS_* is reserved as a whole.
RESERVED_VARIABLES = (
    "_HANDLER", "_X_AMZN_TRACE_ID", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR", "TZ",
)  # fmt: skip
# Lambda allows 4 KB of environment variables per function (Lambda quotas).
MAX_ENVIRONMENT_BYTES = 4096
# An account's concurrency is 1,000 by default, of which Lambda keeps 100 unreserved
# (Lambda quotas): reservations may add up to 900.
MAX_RESERVED_CONCURRENCY = 900
# API Gateway accepts a model schema of up to 64 KB; read no more than that.
MAX_SCHEMA_BYTES = 64 * 1024
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
    "secrets.<name>",
    "email.domain",
    "email.configuration_set",
)
TableAccess = Literal["read", "create", "update", "read-write"]
# Runtimes Lambda offers on arm64 and supports until at least 2027 (Lambda Developer Guide,
# "Lambda runtimes", deprecation dates: python3.12 2028-10-31, python3.13 and python3.14
# 2029-06-30, nodejs22.x 2027-04-30, nodejs24.x 2028-04-30).
Runtime = Literal["python3.12", "python3.13", "python3.14", "nodejs22.x", "nodejs24.x"]
# The file each runtime family starts from, in the function's folder.
ENTRY_FILES = {"python": "handler.py", "nodejs": "index.mjs"}
# Bedrock foundation model ids: provider.model-name[-version][:n] (Bedrock User Guide, "Supported foundation models").
_MODEL_ID = re.compile(r"^[a-z0-9-]+\.[a-z0-9.-]+(:[0-9]+(:[0-9a-z]+)?)?$")
_SECRET_KEY = re.compile(r"^[a-z][a-z0-9-]{0,30}$")


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
        if not _ROUTE_PATH.fullmatch(value):
            raise ValueError("a path of lowercase words or {parameter} segments, such as /files/{id}/download")
        return value


class BucketEventSettings(Settings):
    """Objects landing in (or leaving) a declared bucket invoke the function asynchronously."""

    bucket: str = Field(description="A declared bucket ([buckets.<name>]).")
    events: tuple[str, ...] = Field(default=("s3:ObjectCreated:*",), strict=False, description="S3 event types.")
    prefix: str = Field(default="", description="Only keys under this prefix; default the whole bucket.")
    suffix: str = Field(
        default="", description="Only keys ending with this, such as .pdf (one function per file type); default any key."
    )
    delivery: Literal["s3", "eventbridge"] = Field(
        default="s3",
        description='"s3": the bucket invokes the function (S3 allows one function per event type, prefix and suffix); '
        '"eventbridge": the bucket sends its events to EventBridge and a rule invokes the function, so several functions '
        "can react to the same objects (the handler receives an EventBridge event, see lambda_src/shared/s3_events.py).",
    )

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

    source: str = Field(
        description="Folder under lambda_src/ holding the function: handler.py (Python, handler()) or index.mjs (Node.js, "
        "export handler)."
    )
    runtime: Runtime = Field(default="python3.13", description="Lambda runtime; arm64 in every case.")
    memory_mb: int = Field(default=256, ge=128, le=10240, description="Memory in MB; CPU scales with it (Lambda: 128 to 10240).")
    timeout_seconds: int = Field(
        default=10, ge=1, le=900, description="Timeout; an API route gives up after 29 s (Lambda: 1 to 900)."
    )
    reserved_concurrency: int = Field(
        default=10,
        ge=1,
        le=MAX_RESERVED_CONCURRENCY,
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
    reads_database_secret: bool = Field(
        default=False,
        description="Read the database's managed master secret (for setup functions that create the application's "
        "users; prefer connects_to_database, which needs no password).",
    )
    uses_data_api: bool = Field(
        default=False, description="Run SQL through the RDS Data API on the Aurora cluster (no VPC placement needed)."
    )
    reads_secrets: tuple[str, ...] = Field(
        default=(), strict=False, description="Application secrets ([secrets.<name>]) the function may read."
    )
    sends_email: bool = Field(
        default=False, description="Send mail from the email component's domain, through its configuration set."
    )
    invokes_models: tuple[str, ...] = Field(
        default=(),
        strict=False,
        description="Bedrock foundation model ids the function may invoke in the environment's Region, such as "
        "amazon.titan-text-express-v1; nothing else in Bedrock.",
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
    run_on_deploy: bool = Field(
        default=False,
        description="Invoke once during terraform apply, and again when its code or deploy_input changes (database "
        "initialisation, seed data). It runs with its own grants only, must be idempotent, and a failure fails the apply.",
    )
    deploy_input: dict[str, str] = Field(
        default_factory=dict, description="The event (a JSON object of strings) a run_on_deploy invocation receives."
    )

    @field_validator("source")
    @classmethod
    def _source(cls, value: str) -> str:
        if not _SOURCE.fullmatch(value) or value == "shared":
            raise ValueError("a folder name under lambda_src/ (lowercase letters, digits, underscores; not shared)")
        if not (LAMBDA_SRC / value).is_dir():
            raise ValueError(f"lambda_src/{value}/ does not exist")
        return value

    @field_validator("invokes_models")
    @classmethod
    def _models(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        bad = [m for m in value if not _MODEL_ID.fullmatch(m)]
        if bad:
            raise ValueError(f"Bedrock model ids such as amazon.titan-text-express-v1 (no wildcards): {', '.join(bad)}")
        return value

    @property
    def family(self) -> str:
        """python or nodejs: which entry file and packaging the function gets."""
        return "nodejs" if self.runtime.startswith("nodejs") else "python"

    @property
    def entry_file(self) -> str:
        return ENTRY_FILES[self.family]

    @field_validator("object_prefix")
    @classmethod
    def _prefix(cls, value: str) -> str:
        if value and not value.endswith("/"):
            raise ValueError("end the prefix with '/' so a grant cannot reach a sibling prefix")
        return value

    @field_validator("environment", "environment_from")
    @classmethod
    def _names(cls, value: dict[str, str]) -> dict[str, str]:
        bad = [k for k in value if not _ENV_NAME.fullmatch(k) or k.startswith("AWS_") or k in RESERVED_VARIABLES]
        if bad:
            raise ValueError(
                f"environment variable names are letters, digits and _, not starting with AWS_ and not one Lambda "
                f"sets itself ({', '.join(RESERVED_VARIABLES)}): {', '.join(bad)}"
            )
        return value

    @field_validator("schedule")
    @classmethod
    def _schedule(cls, value: str | None) -> str | None:
        if value is not None and not _SCHEDULE.fullmatch(value):
            raise ValueError("an EventBridge schedule: rate(5 minutes), rate(1 hour), cron(0 3 * * ? *)")
        return value

    @field_validator("database_user")
    @classmethod
    def _user(cls, value: str | None) -> str | None:
        if value is not None and not _DB_USER.fullmatch(value):
            raise ValueError("a PostgreSQL role name: lowercase letters, digits and underscores")
        return value

    @property
    def asynchronous(self) -> bool:
        """Invoked by events rather than callers: failed events go to a dead-letter queue."""
        return bool(self.bucket_events) or self.schedule is not None

    def schema_path(self, route: RouteSettings) -> Path | None:
        """The route's schema file, or None when it names none; `schema_problem` vets it first."""
        return None if route.request_schema is None else (LAMBDA_SRC / self.source / route.request_schema)

    def schema_problem(self, route: RouteSettings) -> str | None:
        """Why the route's schema file cannot be used: outside the function's folder, not a
        regular file, too large, not JSON, or without the title that names the model."""
        path = self.schema_path(route)
        if path is None:
            return None
        folder = (LAMBDA_SRC / self.source).resolve()
        try:
            resolved = path.resolve()
            if not resolved.is_relative_to(folder):
                return f"a file inside lambda_src/{self.source}/ (it is packaged with the function's sources)"
            if not resolved.is_file():
                return f"no such file in lambda_src/{self.source}/"
            if resolved.stat().st_size > MAX_SCHEMA_BYTES:
                return f"at most {MAX_SCHEMA_BYTES // 1024} KB, the largest model API Gateway accepts"
            schema = json.loads(resolved.read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError) as exc:
            return f"a readable JSON file in lambda_src/{self.source}/: {exc}"
        if not isinstance(schema, dict) or not isinstance(schema.get("title"), str):
            return "a JSON Schema object with a title (it names the API Gateway model)"
        return None

    def request_schema(self, route: RouteSettings) -> dict[str, object] | None:
        path = self.schema_path(route)
        if path is None:
            return None
        loaded: dict[str, object] = json.loads(path.resolve().read_text(encoding="utf-8"))
        return loaded

    @property
    def environment_bytes(self) -> int:
        return sum(len(k) + len(v) for k, v in self.environment.items())


class SecretSettings(Settings):
    """An application secret (an API key, an OAuth client secret) in Secrets Manager under the
    API's key. Terraform creates it empty: its value is put by whoever holds it
    (`aws secretsmanager put-secret-value`), so it never appears in the configuration, the plan or the state."""

    description: str = Field(description="What the secret is, for whoever puts or rotates it.")
    rotation_function: str | None = Field(
        default=None,
        description="A declared function ([functions.<name>]) that rotates the secret (Secrets Manager's four-step "
        "rotation contract); default: rotated by hand, reported by the gate.",
    )
    rotation_days: int = Field(default=30, ge=1, le=365, description="Days between rotations when rotation_function is set.")
    recovery_window_days: int = by_profile(
        development=7,
        production=30,
        ge=7,
        le=30,
        description="Days a deleted secret can still be restored (Secrets Manager accepts 7 to 30).",
    )

    @field_validator("description")
    @classmethod
    def _description(cls, value: str) -> str:
        if not 1 <= len(value) <= 2048:
            raise ValueError("1 to 2048 characters (Secrets Manager's limit)")
        return value


class ApiSettings(ComponentSettings):
    """The REST API's stage, throttling, WAF, Cognito and alarms; the functions are declared
    in `[functions.<name>]`."""

    weakens: ClassVar[Mapping[str, Weakening]] = {
        "throttle_rate_per_second": higher("The API's stage throttling allows more requests a second than production's."),
        "throttle_burst": higher("The API's stage throttling allows larger bursts than production's."),
        "waf_rate_limit_per_5_minutes": higher("The API's WAF lets each address send more requests before it blocks it."),
        "log_retention_days": lower("API access and WAF logs are kept for less time."),
        "allow_self_sign_up": becomes("Anyone can register in the user pool: the API is open to every sign-up.", True),
    }

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
    # At least 1: a rate or burst of 0 throttles every request, and -1 turns throttling off,
    # which a stage that fronts Lambda and the database must never do.
    throttle_rate_per_second: float = by_profile(
        development=10, production=100, strict=False, ge=1, description="Stage-wide steady request rate (at least 1)."
    )
    throttle_burst: int = by_profile(development=20, production=200, ge=1, description="Stage-wide burst (at least 1).")
    # WAF rate-based rules count requests over 5 minutes; AWS accepts 10 to 2,000,000,000.
    waf_rate_limit_per_5_minutes: int = by_profile(
        development=500,
        production=2000,
        ge=10,
        le=2_000_000_000,
        description="Requests per IP in 5 minutes before the regional WAF blocks it.",
    )
    log_retention_days: LogRetentionDays = by_profile(
        development=14, production=365, description="Days the access and WAF logs are kept."
    )
    domain_name: DomainName | None = Field(
        default=None,
        description="Custom domain of the REST API, in the dns component's zone (a Regional certificate, TLS 1.2 "
        "minimum, the stage mapped at the root); default: the execute-api URL only.",
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
        if value is not None and not _USER_POOL_ARN.fullmatch(value):
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
        _check_routes(routes, report)
        if self.domain_name is not None:
            if variant != "rest":
                report("api.domain_name", self.domain_name, 'a custom domain serves the REST API: needs components.api = "rest"')
            if not view.enabled("dns"):
                report("api.domain_name", self.domain_name, "needs components.dns (its zone validates the certificate)")
            else:
                zone = view.settings["dns"].zone_name  # type: ignore[attr-defined]
                if not within(self.domain_name, zone):
                    report("api.domain_name", self.domain_name, f"a name in the dns component's zone {zone}")
        for key, secret in view.parts.get("secrets", {}).items():
            assert isinstance(secret, SecretSettings)
            if not _SECRET_KEY.fullmatch(key):
                report(
                    f"secrets.{key}", key, "a secret key is 1 to 31 lowercase letters, digits and hyphens, starting with a letter"
                )
            if secret.rotation_function is not None and secret.rotation_function not in functions:
                report(
                    f"secrets.{key}.rotation_function",
                    secret.rotation_function,
                    f"not a declared function; declared: {', '.join(functions) or 'none'}",
                )
            if "rotation_days" in secret.model_fields_set and secret.rotation_function is None:
                report(f"secrets.{key}.rotation_days", secret.rotation_days, "only a secret with a rotation_function rotates")
        declared = {name: f for name, f in functions.items() if isinstance(f, FunctionSettings)}
        reserved = sum(f.reserved_concurrency for f in declared.values())
        if reserved > MAX_RESERVED_CONCURRENCY:
            report(
                "functions",
                f"reserved_concurrency adds up to {reserved}",
                f"at most {MAX_RESERVED_CONCURRENCY} in all: Lambda keeps 100 of the account's 1,000 unreserved",
            )
        triggers = [(name, index, event) for name, f in declared.items() for index, event in enumerate(f.bucket_events)]
        for i, (name, index, event) in enumerate(triggers):
            for other_name, _, other in triggers[:i]:
                kinds = {e.split(":")[1] for e in event.events} & {e.split(":")[1] for e in other.events}
                if (
                    event.bucket == other.bucket
                    # EventBridge rules may overlap: each is its own subscription.
                    and event.delivery == other.delivery == "s3"
                    and kinds
                    and _overlap(event.prefix, other.prefix)
                    and _overlap_suffix(event.suffix, other.suffix)
                ):
                    report(
                        f"functions.{name}.bucket_events[{index}]",
                        event.model_dump(exclude_defaults=True),
                        f"overlaps the bucket event of functions.{other_name} on {event.bucket}: S3 rejects two "
                        "notifications for the same event type whose prefixes and suffixes both overlap; "
                        'set delivery = "eventbridge" on one of them to have both react',
                    )
        for name, function in functions.items():
            assert isinstance(function, FunctionSettings)
            _check_function(name, function, view, report)


def _check_routes(routes: list[tuple[str, RouteSettings]], report: Report) -> None:
    """API Gateway builds one resource per path whatever its variables are called, and
    accepts one variable name per position ({id} beside {name} is rejected)."""
    seen: dict[tuple[str, str], str] = {}
    variables: dict[tuple[str, ...], str] = {}
    for name, route in routes:
        segments = route.path.strip("/").split("/")
        shape = "/".join("{}" if s.startswith("{") else s for s in segments)
        if (route.method, shape) in seen:
            report(
                f"functions.{name}.routes",
                f"{route.method} {route.path}",
                f"already served by functions.{seen[route.method, shape]}",
            )
        seen[route.method, shape] = name
        for depth, segment in enumerate(segments):
            if segment.startswith("{") and variables.setdefault(tuple(segments[:depth]), segment) != segment:
                report(
                    f"functions.{name}.routes",
                    f"{route.method} {route.path}",
                    f"{variables[tuple(segments[:depth])]} and {segment} at the same place in a path: API Gateway accepts one name there",
                )
        # The REST API names a resource by its path with punctuation folded: /files/{id} and
        # /files/id would collide.
    slugs: dict[str, str] = {}
    for name, route in routes:
        for depth in range(1, len(route.path.strip("/").split("/")) + 1):
            prefix = "/" + "/".join(route.path.strip("/").split("/")[:depth])
            slug = re.sub(r"[^a-z0-9]+", "-", prefix).strip("-")
            if slugs.setdefault(slug, prefix) != prefix:
                report(
                    f"functions.{name}.routes",
                    f"{route.method} {route.path}",
                    f"{prefix} and {slugs[slug]} differ only in braces or punctuation; rename one",
                )
                break


def _check_function(name: str, function: FunctionSettings, view: EnvironmentView, report: Report) -> None:
    where = f"functions.{name}"
    if not _FUNCTION_KEY.fullmatch(name):
        report(where, name, "a function key is 1 to 31 lowercase letters, digits and hyphens, starting with a letter")
    # Lambda function and IAM role names are at most 64 characters; the role adds "-lambda"
    # and a schedule rule "-schedule".
    if len(f"{view.project}-{view.name}-{name}-{'schedule' if function.schedule else 'lambda'}") > 64:
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
    if not (LAMBDA_SRC / function.source / function.entry_file).is_file():
        report(
            f"{where}.source",
            function.source,
            f"lambda_src/{function.source}/{function.entry_file} does not exist (the {function.runtime} entry point)",
        )
    if function.reads_database_secret and not view.enabled("database"):
        report(f"{where}.reads_database_secret", True, 'needs components.database, which is "none"')
    if function.uses_data_api and view.components.get("database") != "aurora-postgresql":
        report(
            f"{where}.uses_data_api",
            True,
            f'the RDS Data API serves Aurora: needs components.database = "aurora-postgresql" (it is '
            f'"{view.components.get("database", "none")}")',
        )
    if function.sends_email and not view.enabled("email"):
        report(f"{where}.sends_email", True, 'needs components.email, which is "none"')
    secrets = view.parts.get("secrets", {})
    for index, secret in enumerate(function.reads_secrets):
        if secret not in secrets:
            report(f"{where}.reads_secrets[{index}]", secret, f"not a declared secret; declared: {', '.join(secrets) or 'none'}")
    if function.deploy_input and not function.run_on_deploy:
        report(
            f"{where}.deploy_input", function.deploy_input, "only a run_on_deploy function receives it: set run_on_deploy = true"
        )
    for index, route in enumerate(function.routes):
        problem = function.schema_problem(route)
        if problem:
            report(f"{where}.routes[{index}].request_schema", route.request_schema, problem)
    if function.environment_bytes > MAX_ENVIRONMENT_BYTES:
        report(
            f"{where}.environment", "...", f"at most {MAX_ENVIRONMENT_BYTES} bytes of names and values in all (Lambda's limit)"
        )
    # A function that writes where its own bucket event fires would invoke itself forever.
    for index, event in enumerate(function.bucket_events):
        if event.bucket in function.writes and _overlap(event.prefix, function.object_prefix):
            report(
                f"{where}.bucket_events[{index}]",
                event.model_dump(exclude_defaults=True),
                f"the function writes to {event.bucket} under {function.object_prefix or 'any key'!r}, where this event "
                "fires: each write would invoke it again; give the trigger and object_prefix separate prefixes",
            )
    for variable, reference in function.environment_from.items():
        problem = _reference_problem(reference, view)
        if problem:
            report(f"{where}.environment_from.{variable}", reference, problem)
        if variable in function.environment:
            report(f"{where}.environment_from.{variable}", reference, "also set in environment: set it in one place")


def _overlap(a: str, b: str) -> bool:
    """Whether two key prefixes can match the same object."""
    return a.startswith(b) or b.startswith(a)


def _overlap_suffix(a: str, b: str) -> bool:
    """Whether two key suffixes can match the same object (.pdf and .PDF do not: S3 compares exactly)."""
    return a.endswith(b) or b.endswith(a)


def _reference_problem(reference: str, view: EnvironmentView) -> str | None:
    allowed = "one of " + ", ".join(REFERENCE_FORMS)
    kind, _, rest = reference.partition(".")
    if kind == "buckets":
        if rest not in view.parts.get("buckets", {}):
            return f"not a declared bucket; declared: {', '.join(view.parts.get('buckets', {})) or 'none'}"
        return None
    if kind == "secrets":
        if rest not in view.parts.get("secrets", {}):
            return f"not a declared secret; declared: {', '.join(view.parts.get('secrets', {})) or 'none'}"
        return None
    if reference not in REFERENCE_FORMS:
        return allowed
    component = kind
    if not view.enabled(component):
        return f'needs components.{component}, which is "none"'
    return None
