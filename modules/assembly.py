"""Stacks: one FoundationStack per environment, and the bootstrap stack for the state bucket.

A stack owns the providers, the backend and the default tags; constructs never
create providers.
"""

from __future__ import annotations

from pathlib import Path

from cdktf import App, LocalBackend, S3Backend, TerraformOutput, TerraformStack
from constructs import Construct

from modules.components.api.rest import FileApi, FileApiProps, FunctionLimits
from modules.components.audit.baseline import AuditBaseline, AuditBaselineProps
from modules.components.cdn.cloudfront import Cdn, CdnProps
from modules.components.database.aurora_postgresql import Database, DatabaseProps
from modules.components.monitoring.cloudwatch import Monitoring, MonitoringProps
from modules.components.network.vpc import Network, NetworkProps
from modules.components.storage.buckets import Storage, StorageProps
from modules.config import EnvironmentConfig
from modules.config_monitoring import budget_for
from modules.config_storage import bucket_names
from modules.core.aws import provider
from modules.core.identity import AccountContext
from modules.primitives.state_bucket import StateBucket, StateBucketProps

# The binding package pins provider 6.25.0; state written by it must not be read by
# an older provider, and a newer major could change schemas under us.
AWS_PROVIDER_SOURCE = "hashicorp/aws"
AWS_PROVIDER_VERSION = "6.25.0"
POLICIES = Path(__file__).resolve().parent.parent / "policies"


def _configure_terraform(stack: TerraformStack) -> None:
    # cdktf writes "source": "aws"; the fully qualified name avoids ambiguity with
    # OpenTofu's registry and with provider mirrors.
    stack.add_override("terraform.required_providers.aws.source", AWS_PROVIDER_SOURCE)
    stack.add_override("terraform.required_providers.aws.version", AWS_PROVIDER_VERSION)


def _providers(stack: TerraformStack, region: str, tags: dict[str, str]) -> tuple[provider.AwsProvider, provider.AwsProvider]:
    default = provider.AwsProvider(stack, "aws", region=region, default_tags=[provider.AwsProviderDefaultTags(tags=tags)])
    # CloudFront-scoped resources (WAF web ACLs, ACM certificates) must live in us-east-1.
    us_east_1 = provider.AwsProvider(
        stack, "aws-us-east-1", alias="us_east_1", region="us-east-1", default_tags=[provider.AwsProviderDefaultTags(tags=tags)]
    )
    return default, us_east_1


def render_backend(stack: TerraformStack, config: EnvironmentConfig) -> None:
    """Local state beside the stack by default; S3 with native locking when configured."""
    state = config.state
    if state.backend == "s3":
        S3Backend(stack, bucket=state.bucket, key=state.key, region=state.region, encrypt=True)
        # cdktf 0.21 has no use_lockfile argument; Terraform >= 1.11 locks with a
        # lock object next to the state (DynamoDB locking is deprecated).
        stack.add_override("terraform.backend.s3.use_lockfile", True)
    else:
        # A relative path keeps the synthesized JSON free of machine-specific paths;
        # Terraform resolves it in cdktf.out/stacks/<env>/.
        LocalBackend(stack, path=f"terraform.{config.name}.tfstate")


class FoundationStack(TerraformStack):
    """Everything one environment needs, composed from the constructs in modules/."""

    def __init__(self, scope: Construct, config: EnvironmentConfig) -> None:
        super().__init__(scope, config.name)
        self.config = config
        _configure_terraform(self)
        _, self.us_east_1 = _providers(self, config.region, config.default_tags())
        render_backend(self, config)
        self.account = AccountContext(self, "account", region=config.region)
        net = config.network
        self.network = Network(
            self,
            "network",
            account=self.account,
            props=NetworkProps(
                name_prefix=f"{config.tags.project}-{config.name}",
                vpc_cidr=net.vpc_cidr,
                availability_zones=config.availability_zones,
                subnets=config.subnets,
                nat_gateways=net.nat_gateways,
                interface_endpoints=net.interface_endpoints,
                flow_log_retention_days=net.flow_log_retention_days,
                flow_log_traffic_type=net.flow_log_traffic_type,
                # A dev key can go within a week; prod keeps the 30-day safety net.
                key_deletion_window_in_days=30 if config.is_production else 7,
                retain_on_destroy=config.is_production,
            ),
        )
        db = config.database
        self.database = Database(
            self,
            "database",
            account=self.account,
            network=self.network,
            props=DatabaseProps(
                name=f"{config.tags.project}-{config.name}",
                engine_version=db.engine_version,
                capacity=db.capacity,
                instance_class=db.instance_class,
                instances=db.instances,
                min_capacity_acu=db.min_capacity_acu,
                max_capacity_acu=db.max_capacity_acu,
                seconds_until_auto_pause=db.seconds_until_auto_pause,
                storage_type=db.storage_type,
                database_name=db.database_name,
                master_username=db.master_username,
                backup_retention_days=db.backup_retention_days,
                preferred_backup_window=db.preferred_backup_window,
                preferred_maintenance_window=db.preferred_maintenance_window,
                performance_insights_retention_days=db.performance_insights_retention_days,
                monitoring_interval_seconds=db.monitoring_interval_seconds,
                log_retention_days=db.log_retention_days,
                log_min_duration_statement_ms=db.log_min_duration_statement_ms,
                deletion_protection=db.deletion_protection,
                retain_on_destroy=config.is_production,
                cluster_parameters=db.cluster_parameters,
                instance_parameters=db.instance_parameters,
                key_deletion_window_in_days=30 if config.is_production else 7,
            ),
        )
        st = config.storage
        self.storage = Storage(
            self,
            "storage",
            account=self.account,
            props=StorageProps(
                name_prefix=f"{config.tags.project}-{config.name}",
                bucket_names=bucket_names(config.tags.project, config.name, config.tags.owner, st.bucket_suffix),
                cors_allowed_origins=st.cors_allowed_origins,
                encryption=st.encryption,
                uploads_temp_expiration_days=st.uploads_temp_expiration_days,
                uploads_infrequent_access_days=st.uploads_infrequent_access_days,
                uploads_expiration_days=st.uploads_expiration_days,
                uploads_cors_methods=st.uploads_cors_methods,
                uploads_cors_expose_headers=st.uploads_cors_expose_headers,
                profile_temp_expiration_days=st.profile_temp_expiration_days,
                profile_infrequent_access_days=st.profile_infrequent_access_days,
                reports_expiration_days=st.reports_expiration_days,
                reports_tmp_expiration_days=st.reports_tmp_expiration_days,
                noncurrent_version_expiration_days=st.noncurrent_version_expiration_days,
                access_log_retention_days=st.access_log_retention_days,
                retain_on_destroy=config.is_production,
                deletion_protection=config.is_production,
                key_deletion_window_in_days=30 if config.is_production else 7,
            ),
        )
        sec = config.security
        self.audit = AuditBaseline(
            self,
            "audit",
            account=self.account,
            props=AuditBaselineProps(
                name=f"{config.tags.project}-{config.name}",
                bucket_name=bucket_names(config.tags.project, config.name, config.tags.owner, st.bucket_suffix)["audit"],
                access_log_bucket=self.storage.logs,
                trail_log_retention_days=sec.trail_log_retention_days,
                audit_log_expiration_days=sec.audit_log_expiration_days,
                enable_config=sec.enable_config,
                config_rules=sec.config_rules,
                enable_guardduty=sec.enable_guardduty,
                retain_on_destroy=config.is_production,
                key_deletion_window_in_days=30 if config.is_production else 7,
            ),
        )
        cdn = config.cdn
        self.cdn = Cdn(
            self,
            "cdn",
            account=self.account,
            storage=self.storage,
            us_east_1=self.us_east_1,
            props=CdnProps(
                name=f"{config.tags.project}-{config.name}",
                geo_allow_list=cdn.geo_allow_list,
                price_class=cdn.price_class,
                image_cache_days=cdn.image_cache_days,
                document_cache_days=cdn.document_cache_days,
                rate_limit_per_5_minutes=cdn.rate_limit_per_5_minutes,
                waf_log_retention_days=cdn.waf_log_retention_days,
                domain_name=cdn.domain_name,
                hosted_zone_id=cdn.hosted_zone_id,
                retain_on_destroy=config.is_production,
                key_deletion_window_in_days=30 if config.is_production else 7,
            ),
        )
        api = config.api

        def limits(function: str) -> FunctionLimits:
            settings = getattr(api, function)
            return FunctionLimits(
                memory_mb=settings.memory_mb,
                timeout_seconds=settings.timeout_seconds,
                reserved_concurrency=settings.reserved_concurrency,
            )

        self.api = FileApi(
            self,
            "api",
            account=self.account,
            network=self.network,
            storage=self.storage,
            props=FileApiProps(
                name=f"{config.tags.project}-{config.name}",
                # Packages are built beside the synthesized stacks; synthesis copies them in.
                build_dir=Path(App.of(self).outdir) / "build" / config.name,
                allowed_content_types=api.allowed_content_types,
                max_upload_bytes=api.max_upload_bytes,
                upload_url_ttl_seconds=api.upload_url_ttl_seconds,
                download_url_ttl_seconds=api.download_url_ttl_seconds,
                pending_ttl_seconds=api.pending_ttl_seconds,
                cors_allowed_origins=st.cors_allowed_origins,
                throttle_rate_per_second=api.throttle_rate_per_second,
                throttle_burst=api.throttle_burst,
                waf_rate_limit_per_5_minutes=api.waf_rate_limit_per_5_minutes,
                log_retention_days=api.log_retention_days,
                lambdas_in_vpc=api.lambdas_in_vpc,
                upload_url=limits("upload_url"),
                download_url=limits("download_url"),
                object_processor=limits("object_processor"),
                user_pool_arn=api.user_pool_arn,
                allow_self_sign_up=api.allow_self_sign_up,
                manage_api_gateway_account=api.manage_api_gateway_account,
                retain_on_destroy=config.is_production,
                key_deletion_window_in_days=30 if config.is_production else 7,
            ),
        )
        mon = config.monitoring
        self.monitoring = Monitoring(
            self,
            "monitoring",
            account=self.account,
            network=self.network,
            database=self.database,
            storage=self.storage,
            cdn=self.cdn,
            api=self.api,
            audit=self.audit,
            us_east_1=self.us_east_1,
            props=MonitoringProps(
                name=f"{config.tags.project}-{config.name}",
                environment=config.name,
                alarm_emails=mon.alarm_emails,
                lambda_errors=mon.lambda_errors,
                api_5xx=mon.api_5xx,
                api_latency_p99_ms=mon.api_latency_p99_ms,
                db_cpu_percent=mon.db_cpu_percent,
                db_freeable_memory_mb=mon.db_freeable_memory_mb,
                db_connections=mon.db_connections,
                cloudfront_5xx_rate_percent=mon.cloudfront_5xx_rate_percent,
                waf_blocked_requests=mon.waf_blocked_requests,
                nat_packets_dropped=mon.nat_packets_dropped,
                # The same figure the cost gate holds the estimate against.
                budget_usd=budget_for(POLICIES / "budgets.toml", config.name),
                cost_anomaly_threshold_usd=mon.cost_anomaly_threshold_usd,
                guardduty_finding_min_severity=mon.guardduty_finding_min_severity,
                retain_on_destroy=config.is_production,
                key_deletion_window_in_days=30 if config.is_production else 7,
            ),
        )
        self._outputs()

    def _outputs(self) -> None:
        network = self.network
        TerraformOutput(self, "vpc_id", value=network.vpc.id, description="VPC id")
        for group in (network.public_subnets, network.private_subnets, network.database_subnets):
            TerraformOutput(
                self, f"{group.tier}_subnet_ids", value=group.ids, description=f"{group.tier} subnet ids, in zone order"
            )
        TerraformOutput(
            self, "app_security_group_id", value=network.app_security_group.id, description="application tier security group"
        )
        TerraformOutput(
            self,
            "database_security_group_id",
            value=network.database_security_group.id,
            description="database tier security group",
        )
        TerraformOutput(
            self,
            "nat_gateway_ids",
            value=[nat.id for nat in network.nat_gateways],
            description="NAT gateway ids, in zone order (empty without NAT)",
        )
        cluster = self.database.cluster
        TerraformOutput(self, "db_cluster_id", value=cluster.cluster_identifier, description="Aurora cluster identifier")
        TerraformOutput(self, "db_writer_endpoint", value=cluster.endpoint, description="Aurora writer endpoint")
        TerraformOutput(self, "db_reader_endpoint", value=cluster.reader_endpoint, description="Aurora reader endpoint")
        TerraformOutput(self, "db_port", value=cluster.port, description="PostgreSQL port")
        TerraformOutput(self, "db_cluster_arn", value=cluster.arn, description="Aurora cluster ARN (for the Data API)")
        TerraformOutput(
            self,
            "db_secret_arn",
            value=self.database.secret_arn,
            description="ARN of the RDS-managed master secret (not its value)",
        )
        for purpose in ("uploads", "profile", "reports", "logs"):
            bucket = getattr(self.storage, purpose).bucket
            TerraformOutput(self, f"{purpose}_bucket", value=bucket.bucket, description=f"{purpose} bucket name")
        TerraformOutput(
            self, "audit_bucket", value=self.audit.bucket.bucket.bucket, description="CloudTrail and AWS Config bucket"
        )
        TerraformOutput(self, "trail_arn", value=self.audit.trail.arn, description="multi-Region CloudTrail trail")
        TerraformOutput(self, "file_table_name", value=self.storage.file_table.table.name, description="file metadata table")
        TerraformOutput(self, "cdn_distribution_id", value=self.cdn.distribution.id, description="CloudFront distribution id")
        TerraformOutput(self, "cdn_domain", value=self.cdn.distribution.domain_name, description="CloudFront domain name")
        TerraformOutput(self, "cdn_tls", value=self.cdn.tls_note, description="what TLS viewers get")
        TerraformOutput(self, "api_url", value=self.api.rest_api.url, description="file-sharing API base URL (stage)")
        if self.api.user_pool is not None:
            TerraformOutput(self, "user_pool_id", value=self.api.user_pool.pool.id, description="Cognito user pool id")
            TerraformOutput(
                self,
                "user_pool_client_id",
                value=self.api.user_pool.client.id,
                description="Cognito app client id (public, no secret)",
            )
        TerraformOutput(self, "alarm_topic_arn", value=self.monitoring.topic.arn, description="SNS topic every alarm notifies")
        TerraformOutput(
            self,
            "alarm_topic_us_east_1_arn",
            value=self.monitoring.global_topic.arn,
            description="SNS topic for the CloudFront and CDN WAF alarms (us-east-1)",
        )
        TerraformOutput(
            self,
            "processor_dead_letter_queue_url",
            value=self.api.dead_letter_queue.url,
            description="uploads the processor failed on, for inspection and replay",
        )


class BootstrapStack(TerraformStack):
    """Creates the state bucket, with local state (it cannot keep its state in itself)."""

    def __init__(self, scope: Construct, configs: list[EnvironmentConfig]) -> None:
        super().__init__(scope, "bootstrap")
        # All environments share the bucket (the config loader checks they agree); the
        # production environment's owner and cost centre are the ones billed for it.
        owner = next((c for c in configs if c.is_production), configs[0])
        _configure_terraform(self)
        tags = {**owner.default_tags(), "environment": "bootstrap"}
        _providers(self, owner.state.region, tags)
        LocalBackend(self, path="terraform.bootstrap.tfstate")
        account = AccountContext(self, "account", region=owner.state.region)
        self.state_bucket = StateBucket(self, "state", account=account, props=StateBucketProps(bucket=owner.state.bucket))
        TerraformOutput(self, "state_bucket", value=self.state_bucket.bucket.bucket, description="Terraform state bucket")
        TerraformOutput(self, "state_key_arn", value=self.state_bucket.key.arn, description="KMS key of the state bucket")
