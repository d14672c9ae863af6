"""The file-sharing API: upload URL, object processor and download URL functions, their
least-privilege roles, the uploads notification, Cognito and the REST API in front."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from constructs import Construct

from modules.components.network.vpc import Network
from modules.components.storage.buckets import Storage
from modules.core.aws import lambda_permission, s3_bucket_notification, sqs_queue
from modules.core.identity import AccountContext
from modules.core.kms import EncryptionKey, EncryptionKeyProps
from modules.primitives.function import Function, FunctionProps
from modules.primitives.rest_api import RestApi, RestApiProps, Route, access_log_group_name
from modules.primitives.user_pool import UserPool, UserPoolProps
from modules.primitives.waf import log_group_name as waf_log_group_name

# Every object the API hands out lives under this prefix; the handlers build keys
# as uploads/<owner>/<file id>/<name> and the roles reach nothing outside it.
UPLOAD_PREFIX = "uploads/"
# SQS keeps messages at most 14 days (SQS quotas): the longest time to notice a failure.
DEAD_LETTER_RETENTION_SECONDS = 14 * 24 * 3600


@dataclass(frozen=True, kw_only=True)
class FunctionLimits:
    memory_mb: int = 256
    timeout_seconds: int = 10
    reserved_concurrency: int = 20


@dataclass(frozen=True, kw_only=True)
class FileApiProps:
    """name: `<project>-<environment>`. build_dir: where function packages are written.
    allowed_content_types / max_upload_bytes: what an upload may declare; default images,
    PDF and CSV up to 25 MiB. upload_url_ttl_seconds (default 900, at most 900) and
    download_url_ttl_seconds (default 120): presigned URL lifetimes. pending_ttl_seconds:
    an upload that never arrives is forgotten after this; default one day.
    cors_allowed_origins: browser origins; default none. throttle_*: stage limits.
    waf_rate_limit_per_5_minutes: per-IP block threshold. log_retention_days: all API logs.
    lambdas_in_vpc: run the functions in the private subnets with the application
        security group; default off (they call only S3 and DynamoDB over HTTPS, so dev
        needs no NAT gateway). user_pool_arn: trust an existing Cognito pool instead of
        creating one. allow_self_sign_up: default off. manage_api_gateway_account: see
        RestApiProps. retain_on_destroy: prod keeps the key and the user pool.
    """

    name: str
    build_dir: Path
    allowed_content_types: tuple[str, ...] = ("image/png", "image/jpeg", "image/webp", "application/pdf", "text/csv")
    max_upload_bytes: int = 25 * 1024 * 1024
    upload_url_ttl_seconds: int = 900
    download_url_ttl_seconds: int = 120
    pending_ttl_seconds: int = 86400
    cors_allowed_origins: tuple[str, ...] = ()
    throttle_rate_per_second: float = 100
    throttle_burst: int = 200
    waf_rate_limit_per_5_minutes: int = 2000
    log_retention_days: int = 365
    lambdas_in_vpc: bool = False
    upload_url: FunctionLimits = FunctionLimits()
    download_url: FunctionLimits = FunctionLimits()
    object_processor: FunctionLimits = FunctionLimits(timeout_seconds=30, reserved_concurrency=10)
    user_pool_arn: str | None = None
    allow_self_sign_up: bool = False
    manage_api_gateway_account: bool = True
    retain_on_destroy: bool = True
    key_deletion_window_in_days: int = 30


# The JSON body POST /uploads accepts; the handler checks the same fields again.
UPLOAD_REQUEST_SCHEMA: dict[str, Any] = {
    "$schema": "http://json-schema.org/draft-04/schema#",
    "title": "UploadRequest",
    "type": "object",
    "required": ["file_name", "content_type", "size"],
    "additionalProperties": False,
    "properties": {
        "file_name": {"type": "string", "minLength": 1, "maxLength": 1024},
        "content_type": {"type": "string", "minLength": 3, "maxLength": 255},
        "size": {"type": "integer", "minimum": 1},
    },
}


class FileApi(Construct):
    """POST /uploads and GET /files/{id}/download behind Cognito; S3 ObjectCreated on
    uploads/ runs the processor, whose failed events land in an encrypted dead-letter queue."""

    def __init__(
        self, scope: Construct, id: str, *, account: AccountContext, network: Network, storage: Storage, props: FileApiProps
    ) -> None:
        super().__init__(scope, id)
        self.props = props
        names = {purpose: f"{props.name}-{purpose}" for purpose in ("upload-url", "download-url", "object-processor")}
        log_groups = tuple(f"/aws/lambda/{n}" for n in names.values())
        log_groups += (access_log_group_name(props.name), waf_log_group_name(f"{props.name}-api"))
        self.key = EncryptionKey(
            self,
            "key",
            account=account,
            props=EncryptionKeyProps(
                alias=f"{props.name}-api",
                description=f"Encrypts the {props.name} API's function settings, logs and dead letters",
                log_group_names=log_groups,
                deletion_window_in_days=props.key_deletion_window_in_days,
                prevent_destroy=props.retain_on_destroy,
            ),
        )
        self.dead_letter_queue = sqs_queue.SqsQueue(
            self,
            "processor-dead-letters",
            name=f"{names['object-processor']}-dead-letters",
            kms_master_key_id=self.key.arn,
            # One data key per 5 minutes instead of per message: fewer KMS requests.
            kms_data_key_reuse_period_seconds=300,
            message_retention_seconds=DEAD_LETTER_RETENTION_SECONDS,
        )
        uploads, table = storage.uploads, storage.file_table
        common = {"TABLE_NAME": table.table.name}
        origins = ",".join(props.cors_allowed_origins)

        def function(purpose: str, limits: FunctionLimits, environment: dict[str, str], **extra: Any) -> Function:
            return Function(
                self,
                purpose,
                account=account,
                props=FunctionProps(
                    name=names[purpose],
                    source=purpose.replace("-", "_"),
                    memory_mb=limits.memory_mb,
                    timeout_seconds=limits.timeout_seconds,
                    reserved_concurrency=limits.reserved_concurrency,
                    environment={**common, **environment},
                    key=self.key,
                    log_retention_days=props.log_retention_days,
                    build_dir=props.build_dir,
                    subnet_ids=network.private_subnets.ids if props.lambdas_in_vpc else [],
                    security_group_ids=[network.app_security_group.id] if props.lambdas_in_vpc else [],
                    **extra,
                ),
            )

        self.upload_url = function(
            "upload-url",
            props.upload_url,
            {
                "BUCKET_NAME": uploads.bucket.bucket,
                "ALLOWED_CONTENT_TYPES": ",".join(props.allowed_content_types),
                "MAX_UPLOAD_BYTES": str(props.max_upload_bytes),
                "UPLOAD_URL_TTL_SECONDS": str(props.upload_url_ttl_seconds),
                "PENDING_TTL_SECONDS": str(props.pending_ttl_seconds),
                "CORS_ALLOWED_ORIGINS": origins,
            },
        )
        self.download_url = function(
            "download-url",
            props.download_url,
            {
                "BUCKET_NAME": uploads.bucket.bucket,
                "DOWNLOAD_URL_TTL_SECONDS": str(props.download_url_ttl_seconds),
                "CORS_ALLOWED_ORIGINS": origins,
            },
        )
        self.object_processor = function("object-processor", props.object_processor, {}, dead_letter_queue=self.dead_letter_queue)

        # Each role gets exactly what its handler calls, through the storage grants.
        uploads.grant_put(self.upload_url.role, UPLOAD_PREFIX)
        table.grant_create_items(self.upload_url.role)
        uploads.grant_read(self.download_url.role, UPLOAD_PREFIX)
        table.grant_read_data(self.download_url.role)
        table.grant_update_items(self.download_url.role)
        # HeadObject is authorized by s3:GetObject.
        uploads.grant_read(self.object_processor.role, UPLOAD_PREFIX)
        uploads.grant_delete(self.object_processor.role, UPLOAD_PREFIX)
        table.grant_read_data(self.object_processor.role)
        table.grant_update_items(self.object_processor.role)

        invoke = lambda_permission.LambdaPermission(
            self,
            "uploads-invoke-processor",
            statement_id="UploadsBucketObjectCreated",
            action="lambda:InvokeFunction",
            function_name=self.object_processor.function.function_name,
            principal="s3.amazonaws.com",
            source_arn=uploads.bucket.arn,
            # Bucket ARNs carry no account: pin it, or a same-named bucket elsewhere could invoke.
            source_account=account.account_id,
        )
        self.notification = s3_bucket_notification.S3BucketNotification(
            self,
            "uploads-notification",
            bucket=uploads.bucket.id,
            lambda_function=[
                s3_bucket_notification.S3BucketNotificationLambdaFunction(
                    id="process-uploads",
                    lambda_function_arn=self.object_processor.function.arn,
                    events=["s3:ObjectCreated:*"],
                    filter_prefix=UPLOAD_PREFIX,
                )
            ],
            depends_on=[invoke],
        )

        if props.user_pool_arn:
            self.user_pool: UserPool | None = None
            pool_arn = props.user_pool_arn
        else:
            self.user_pool = UserPool(
                self,
                "users",
                props=UserPoolProps(
                    name=props.name, allow_self_sign_up=props.allow_self_sign_up, deletion_protection=props.retain_on_destroy
                ),
            )
            pool_arn = self.user_pool.arn
        self.rest_api = RestApi(
            self,
            "rest",
            account=account,
            props=RestApiProps(
                name=props.name,
                routes=(
                    Route(method="POST", path="/uploads", function=self.upload_url, body_schema=UPLOAD_REQUEST_SCHEMA),
                    Route(method="GET", path="/files/{id}/download", function=self.download_url),
                ),
                user_pool_arn=pool_arn,
                key=self.key,
                cors_allowed_origins=props.cors_allowed_origins,
                throttle_rate_per_second=props.throttle_rate_per_second,
                throttle_burst=props.throttle_burst,
                waf_rate_limit_per_5_minutes=props.waf_rate_limit_per_5_minutes,
                log_retention_days=props.log_retention_days,
                manage_api_gateway_account=props.manage_api_gateway_account,
            ),
        )
