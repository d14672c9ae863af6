"""RDS for PostgreSQL (variant "rds-postgresql"): one instance in the database subnets,
Multi-AZ under the production profile, encrypted gp3 storage that grows to a limit,
IAM authentication, TLS only, the master password kept by RDS in Secrets Manager."""

from __future__ import annotations

from typing import Any

from constructs import Construct

from modules.components.database.postgresql import (
    POSTGRES_PORT,
    enhanced_monitoring_role,
    grant_connect,
    grant_read_secret,
    house_parameters,
    rds_alarm,
    rotate_master_secret,
    subnet_group,
)
from modules.components.database.rds_settings import RdsPostgresqlSettings
from modules.core.aws import cloudwatch_log_group, db_instance, db_parameter_group, iam_role, iam_role_policy
from modules.core.context import BuildContext
from modules.core.contributions import AlarmSpec, Contributions, OutputSpec, WidgetSpec
from modules.core.findings import accept
from modules.core.framework import TerraformResourceLifecycle
from modules.core.kms import EncryptionKey, EncryptionKeyProps
from modules.core.logs import accept_short_retention
from modules.core.ports import DatabasePort, NetworkPort, Parts, Ports

GB = 1024**3
MB = 1024**2
# The CA RDS signs server certificates with (RDS User Guide, "Certificate authorities"):
# RSA 2048 with a 40-year validity, so no rotation is forced on clients every few years.
CA_CERTIFICATE = "rds-ca-rsa2048-g1"


class RdsDatabase(Construct):
    """An RDS for PostgreSQL instance behind the network's database security group."""

    def __init__(
        self, scope: Construct, id: str, *, ctx: BuildContext, network: NetworkPort, settings: RdsPostgresqlSettings
    ) -> None:
        super().__init__(scope, id)
        self.settings = settings
        self.name = name = ctx.name
        self.account = account = ctx.account
        protection = ctx.protection
        family = f"postgres{settings.major_version}"
        log_groups = tuple(f"/aws/rds/instance/{name}/{log}" for log in ("postgresql", "upgrade"))
        self.key = EncryptionKey(
            self,
            "key",
            account=account,
            props=EncryptionKeyProps(
                alias=f"{name}-database",
                description=f"Encrypts the {name} RDS instance: storage, master secret, Performance Insights, logs",
                log_group_names=log_groups,
                deletion_window_in_days=protection.key_deletion_window_days,
                prevent_destroy=protection.retain_on_destroy,
            ),
        )
        # Created before the instance: otherwise RDS creates them, unencrypted and kept forever.
        self.log_groups = [
            cloudwatch_log_group.CloudwatchLogGroup(
                self,
                f"{group.rsplit('/', 1)[1]}-logs",
                name=group,
                retention_in_days=settings.log_retention_days,
                kms_key_id=self.key.arn,
            )
            for group in log_groups
        ]
        self.subnet_group = subnet_group(self, name, network.database_subnet_ids)
        self.parameter_group = db_parameter_group.DbParameterGroup(
            self,
            "parameters",
            name=f"{name}-{family}",
            family=family,
            description=f"{name}: TLS required, slow statements, connections and DDL logged",
            parameter=[
                db_parameter_group.DbParameterGroupParameter(name=k, value=v, apply_method="pending-reboot")
                for k, v in sorted({**house_parameters(settings.log_min_duration_statement_ms), **settings.parameters}.items())
            ],
            lifecycle=TerraformResourceLifecycle(create_before_destroy=True),
        )
        monitoring_role = (
            enhanced_monitoring_role(self, account, name, "this instance") if settings.monitoring_interval_seconds else None
        )
        self.instance = db_instance.DbInstance(
            self,
            "instance",
            identifier=name,
            engine="postgres",
            engine_version=settings.engine_version,
            instance_class=settings.instance_class,
            multi_az=settings.multi_az,
            storage_type="gp3",
            allocated_storage=settings.allocated_storage_gb,
            max_allocated_storage=settings.max_allocated_storage_gb,
            storage_encrypted=True,
            kms_key_id=self.key.arn,
            db_name=settings.database_name,
            username=settings.master_username,
            # RDS generates the password and keeps it in Secrets Manager under our key:
            # it never appears in configuration, code, the plan or the state.
            manage_master_user_password=True,
            master_user_secret_kms_key_id=self.key.arn,
            port=POSTGRES_PORT,
            db_subnet_group_name=self.subnet_group.name,
            vpc_security_group_ids=[network.database_security_group_id],
            parameter_group_name=self.parameter_group.name,
            publicly_accessible=False,
            iam_database_authentication_enabled=True,
            ca_cert_identifier=CA_CERTIFICATE,
            backup_retention_period=settings.backup_retention_days,
            backup_window=settings.preferred_backup_window,
            maintenance_window=settings.preferred_maintenance_window,
            copy_tags_to_snapshot=True,
            auto_minor_version_upgrade=True,
            deletion_protection=settings.deletion_protection,
            skip_final_snapshot=not protection.retain_on_destroy,
            final_snapshot_identifier=f"{name}-final" if protection.retain_on_destroy else None,
            enabled_cloudwatch_logs_exports=["postgresql", "upgrade"],
            performance_insights_enabled=True,
            performance_insights_kms_key_id=self.key.arn,
            performance_insights_retention_period=settings.performance_insights_retention_days,
            monitoring_interval=settings.monitoring_interval_seconds,
            monitoring_role_arn=monitoring_role.arn if monitoring_role else None,
            depends_on=self.log_groups,
            lifecycle=TerraformResourceLifecycle(prevent_destroy=protection.retain_on_destroy),
        )
        rotate_master_secret(self, self.instance.master_user_secret.get(0).secret_arn, settings.master_secret_rotation_days)
        for group in self.log_groups:
            accept_short_retention(group, settings.log_retention_days, "PostgreSQL logs")
        if not settings.multi_az:
            accept(
                self.instance,
                check="CKV_AWS_157",
                pin={"multi_az": False},
                reason="database.multi_az is off: a single instance is the environment file's choice for a disposable environment.",
            )
        if not settings.deletion_protection:
            accept(
                self.instance,
                check="CKV_AWS_293",
                pin={"deletion_protection": False},
                reason="database.deletion_protection is off: this environment's instance is meant to be torn down and recreated freely.",
            )

    @property
    def secret_arn(self) -> str:
        return self.instance.master_user_secret.get(0).secret_arn

    def grant_read_secret(self, role: iam_role.IamRole) -> iam_role_policy.IamRolePolicy:
        """Read the master secret through Secrets Manager (prefer grant_connect: no password at all)."""
        return grant_read_secret(self, self.account, self.name, self.secret_arn, self.key.arn, role)

    def grant_connect(self, role: iam_role.IamRole, db_user: str) -> iam_role_policy.IamRolePolicy:
        """IAM database authentication as `db_user` on this instance only."""
        return grant_connect(self, self.account, self.name, self.instance.resource_id, role, db_user)


def build(scope: Construct, ctx: BuildContext, settings: RdsPostgresqlSettings, ports: Ports, parts: Parts) -> Contributions:
    """The "rds-postgresql" variant: the instance, its port, outputs, alarms and widget."""
    assert ports.network is not None  # the registry checked that the network is enabled
    database = RdsDatabase(scope, "database", ctx=ctx, network=ports.network, settings=settings)
    instance = database.instance
    ports.network.security_group_users["database"].append("database")
    ports.database = DatabasePort(
        engine="postgresql",
        port=POSTGRES_PORT,
        endpoint=instance.address,
        secret_arn=database.secret_arn,
        connect=database.grant_connect,
        read_secret=database.grant_read_secret,
        data_api=None,
    )
    made = Contributions()
    made.outputs += [
        OutputSpec(name="db_instance_id", value=instance.identifier, description="RDS instance identifier"),
        OutputSpec(name="db_endpoint", value=instance.address, description="RDS endpoint (host name)"),
        OutputSpec(name="db_port", value=instance.port, description="PostgreSQL port"),
        OutputSpec(
            name="db_secret_arn", value=database.secret_arn, description="ARN of the RDS-managed master secret (not its value)"
        ),
    ]
    dimensions = {"DBInstanceIdentifier": instance.identifier}

    def alarm(name: str, metric: str, threshold: float, what: str, statistic: str, **extra: Any) -> AlarmSpec:
        return rds_alarm(dimensions, name, metric, threshold, what, statistic, **extra)

    below = {"comparison": "LessThanOrEqualToThreshold"}
    made.alarms += [
        alarm("db-cpu", "CPUUtilization", settings.alarm_cpu_percent, "CPU percent", "Average"),
        alarm("db-connections", "DatabaseConnections", settings.alarm_connections, "connections", "Maximum"),
        alarm(
            "db-freeable-memory",
            "FreeableMemory",
            settings.alarm_freeable_memory_mb * MB,
            "bytes of freeable memory",
            "Minimum",
            **below,
        ),
        alarm(
            "db-free-storage",
            "FreeStorageSpace",
            settings.alarm_free_storage_gb * GB,
            "bytes of free storage",
            "Minimum",
            **below,
        ),
    ]
    instance_dimension = ["DBInstanceIdentifier", instance.identifier]
    made.widgets.append(
        WidgetSpec(
            rank=30,
            title="RDS CPU and connections",
            metrics=[
                ["AWS/RDS", "CPUUtilization", *instance_dimension, {"stat": "Average"}],
                ["AWS/RDS", "DatabaseConnections", *instance_dimension],
            ],
        )
    )
    return made
