"""Aurora PostgreSQL in the database subnets: encrypted, IAM-authenticated, Data API on, no password anywhere."""

from __future__ import annotations

import re
from typing import Any

from constructs import Construct

from modules.components.database.postgresql import (
    POSTGRES_PORT,
    enhanced_monitoring_role,
    grant,
    grant_connect,
    grant_read_secret,
    house_parameters,
    rds_alarm,
    rotate_master_secret,
    subnet_group,
)
from modules.components.database.settings import AuroraPostgresqlSettings
from modules.core.aws import (
    cloudwatch_log_group,
    db_parameter_group,
    iam_role,
    iam_role_policy,
    rds_cluster,
    rds_cluster_instance,
    rds_cluster_parameter_group,
)
from modules.core.context import BuildContext
from modules.core.contributions import AlarmSpec, Contributions, OutputSpec, WidgetSpec
from modules.core.findings import accept
from modules.core.framework import TerraformResourceLifecycle
from modules.core.kms import EncryptionKey, EncryptionKeyProps
from modules.core.logs import accept_short_retention
from modules.core.ports import DatabasePort, NetworkPort, Parts, Ports

MB = 1024 * 1024
# The actions the RDS Data API needs on a cluster (RDS Data API reference, "Authorizing access").
DATA_API_ACTIONS = (
    "rds-data:BatchExecuteStatement",
    "rds-data:BeginTransaction",
    "rds-data:CommitTransaction",
    "rds-data:ExecuteStatement",
    "rds-data:RollbackTransaction",
)
# Aurora Standard is the API default and is left unset: the provider reads it back
# as an empty string, so writing "aurora" would show as a change on every plan.
_STORAGE_TYPE = {"standard": None, "io-optimized": "aurora-iopt1"}
# Parameters the construct owns: turning TLS off is not a parameter tweak.
HOUSE_CLUSTER_PARAMETERS = ("rds.force_ssl",)
_DB_USER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class Database(Construct):
    """An Aurora PostgreSQL cluster behind the network's database security group."""

    def __init__(
        self, scope: Construct, id: str, *, ctx: BuildContext, network: NetworkPort, settings: AuroraPostgresqlSettings
    ) -> None:
        super().__init__(scope, id)
        overridden = sorted(set(settings.cluster_parameters) & set(HOUSE_CLUSTER_PARAMETERS))
        if overridden:
            raise ValueError(f"cluster_parameters may not set {', '.join(overridden)}: TLS is always required")
        self.settings = settings
        self.name = name = ctx.name
        self.account = account = ctx.account
        protection = ctx.protection
        major = settings.engine_version.split(".")[0]
        family = f"aurora-postgresql{major}"
        log_group_name = f"/aws/rds/cluster/{name}/postgresql"

        self.key = EncryptionKey(
            self,
            "key",
            account=account,
            props=EncryptionKeyProps(
                alias=f"{name}-database",
                description=f"Encrypts the {name} Aurora cluster: storage, master secret, Performance Insights, logs",
                log_group_names=(log_group_name,),
                deletion_window_in_days=protection.key_deletion_window_days,
                prevent_destroy=protection.retain_on_destroy,
            ),
        )
        # Created before the cluster: otherwise RDS creates the group itself,
        # unencrypted and kept forever.
        self.log_group = cloudwatch_log_group.CloudwatchLogGroup(
            self, "postgresql-logs", name=log_group_name, retention_in_days=settings.log_retention_days, kms_key_id=self.key.arn
        )
        self.subnet_group = subnet_group(self, name, network.database_subnet_ids)
        self.cluster_parameter_group = rds_cluster_parameter_group.RdsClusterParameterGroup(
            self,
            "cluster-parameters",
            name=f"{name}-{family}",
            family=family,
            description=f"{name}: TLS required, slow statements, connections and DDL logged",
            parameter=[
                rds_cluster_parameter_group.RdsClusterParameterGroupParameter(name=k, value=v, apply_method="pending-reboot")
                for k, v in sorted(
                    {**house_parameters(settings.log_min_duration_statement_ms), **settings.cluster_parameters}.items()
                )
            ],
            lifecycle=TerraformResourceLifecycle(create_before_destroy=True),
        )
        self.instance_parameter_group = db_parameter_group.DbParameterGroup(
            self,
            "instance-parameters",
            name=f"{name}-{family}-instance",
            family=family,
            description=f"{name}: instance parameters",
            parameter=[
                db_parameter_group.DbParameterGroupParameter(name=k, value=v, apply_method="pending-reboot")
                for k, v in sorted(settings.instance_parameters.items())
            ],
            lifecycle=TerraformResourceLifecycle(create_before_destroy=True),
        )
        self.monitoring_role = (
            enhanced_monitoring_role(self, account, name, "this cluster's instances")
            if settings.monitoring_interval_seconds
            else None
        )

        serverless = settings.capacity == "serverless"
        self.cluster = rds_cluster.RdsCluster(
            self,
            "cluster",
            cluster_identifier=name,
            engine="aurora-postgresql",
            engine_mode="provisioned",
            engine_version=settings.engine_version,
            database_name=settings.database_name,
            master_username=settings.master_username,
            # RDS generates the password and keeps it in Secrets Manager under our key:
            # it never appears in configuration, code, the plan or the state.
            manage_master_user_password=True,
            master_user_secret_kms_key_id=self.key.arn,
            storage_encrypted=True,
            kms_key_id=self.key.arn,
            storage_type=_STORAGE_TYPE[settings.storage_type],
            port=POSTGRES_PORT,
            db_subnet_group_name=self.subnet_group.name,
            vpc_security_group_ids=[network.database_security_group_id],
            db_cluster_parameter_group_name=self.cluster_parameter_group.name,
            iam_database_authentication_enabled=True,
            enable_http_endpoint=True,
            backup_retention_period=settings.backup_retention_days,
            preferred_backup_window=settings.preferred_backup_window,
            preferred_maintenance_window=settings.preferred_maintenance_window,
            copy_tags_to_snapshot=True,
            deletion_protection=settings.deletion_protection,
            skip_final_snapshot=not protection.retain_on_destroy,
            final_snapshot_identifier=f"{name}-final" if protection.retain_on_destroy else None,
            enabled_cloudwatch_logs_exports=["postgresql"],
            serverlessv2_scaling_configuration=rds_cluster.RdsClusterServerlessv2ScalingConfiguration(
                min_capacity=settings.min_capacity_acu,
                max_capacity=settings.max_capacity_acu,
                seconds_until_auto_pause=settings.seconds_until_auto_pause if settings.min_capacity_acu == 0 else None,
            )
            if serverless
            else None,
            depends_on=[self.log_group],
            lifecycle=TerraformResourceLifecycle(prevent_destroy=protection.retain_on_destroy),
        )
        rotate_master_secret(self, self.cluster.master_user_secret.get(0).secret_arn, settings.master_secret_rotation_days)
        accept_short_retention(self.log_group, settings.log_retention_days, "PostgreSQL logs")
        accept(
            self.cluster,
            check="CKV2_AWS_8",
            pin={},
            reason="Aurora's automated backups with point-in-time restore cover recovery inside the account; an AWS Backup plan with cross-account copies belongs to the account's operations baseline.",
        )
        if not settings.deletion_protection:
            accept(
                self.cluster,
                check="CKV_AWS_139",
                pin={"deletion_protection": False},
                reason="database.deletion_protection is off: this environment's cluster is meant to be torn down and recreated freely.",
            )
        zones = network.availability_zones
        self.instances = [
            rds_cluster_instance.RdsClusterInstance(
                self,
                f"instance-{index + 1}",
                identifier=f"{name}-{index + 1}",
                cluster_identifier=self.cluster.id,
                engine=self.cluster.engine,
                engine_version=self.cluster.engine_version,
                instance_class="db.serverless" if serverless else settings.instance_class,
                # Round-robin over the zones: the first reader never shares the writer's zone.
                availability_zone=zones[index % len(zones)],
                db_parameter_group_name=self.instance_parameter_group.name,
                publicly_accessible=False,
                auto_minor_version_upgrade=True,
                promotion_tier=index,
                performance_insights_enabled=True,
                performance_insights_kms_key_id=self.key.arn,
                performance_insights_retention_period=settings.performance_insights_retention_days,
                monitoring_interval=settings.monitoring_interval_seconds,
                monitoring_role_arn=self.monitoring_role.arn if self.monitoring_role else None,
                copy_tags_to_snapshot=True,
            )
            for index in range(settings.instances)
        ]

    @property
    def secret_arn(self) -> str:
        return self.cluster.master_user_secret.get(0).secret_arn

    def grant_data_api(self, role: iam_role.IamRole) -> iam_role_policy.IamRolePolicy:
        """Exactly what the RDS Data API needs: statements on this cluster, its secret, its key."""
        return self._grant(
            role,
            "data-api",
            [
                {
                    "Sid": "DataApiOnThisCluster",
                    "Effect": "Allow",
                    "Action": list(DATA_API_ACTIONS),
                    "Resource": self.cluster.arn,
                },
                {
                    "Sid": "ReadThisClusterSecret",
                    "Effect": "Allow",
                    "Action": "secretsmanager:GetSecretValue",
                    "Resource": self.secret_arn,
                },
                {
                    "Sid": "DecryptThisClusterSecret",
                    "Effect": "Allow",
                    "Action": "kms:Decrypt",
                    "Resource": self.key.arn,
                    "Condition": {"StringEquals": {"kms:ViaService": f"secretsmanager.{self.account.region}.amazonaws.com"}},
                },
            ],
        )

    def grant_read_secret(self, role: iam_role.IamRole) -> iam_role_policy.IamRolePolicy:
        """Read the master secret through Secrets Manager (prefer grant_connect: no password at all)."""
        return grant_read_secret(self, self.account, self.name, self.secret_arn, self.key.arn, role)

    def grant_connect(self, role: iam_role.IamRole, db_user: str) -> iam_role_policy.IamRolePolicy:
        """IAM database authentication as `db_user` on this cluster only."""
        return grant_connect(self, self.account, self.name, self.cluster.cluster_resource_id, role, db_user)

    def _grant(self, role: iam_role.IamRole, purpose: str, statements: list[dict[str, Any]]) -> iam_role_policy.IamRolePolicy:
        return grant(self, self.name, role, purpose, statements)


def build(scope: Construct, ctx: BuildContext, settings: AuroraPostgresqlSettings, ports: Ports, parts: Parts) -> Contributions:
    """The "aurora-postgresql" variant: the cluster, its port, outputs, alarms and widget."""
    assert ports.network is not None  # the registry checked that the network is enabled
    database = Database(scope, "database", ctx=ctx, network=ports.network, settings=settings)
    cluster = database.cluster
    ports.network.security_group_users["database"].append("database")
    ports.database = DatabasePort(
        engine="postgresql",
        port=POSTGRES_PORT,
        endpoint=cluster.endpoint,
        secret_arn=database.secret_arn,
        connect=database.grant_connect,
        read_secret=database.grant_read_secret,
        data_api=database.grant_data_api,
    )
    made = Contributions()
    made.outputs += [
        OutputSpec(name="db_cluster_id", value=cluster.cluster_identifier, description="Aurora cluster identifier"),
        OutputSpec(name="db_writer_endpoint", value=cluster.endpoint, description="Aurora writer endpoint"),
        OutputSpec(name="db_reader_endpoint", value=cluster.reader_endpoint, description="Aurora reader endpoint"),
        OutputSpec(name="db_port", value=cluster.port, description="PostgreSQL port"),
        OutputSpec(name="db_cluster_arn", value=cluster.arn, description="Aurora cluster ARN (for the Data API)"),
        OutputSpec(
            name="db_secret_arn", value=database.secret_arn, description="ARN of the RDS-managed master secret (not its value)"
        ),
    ]
    dimensions = {"DBClusterIdentifier": cluster.cluster_identifier}

    def alarm(name: str, metric: str, threshold: float, what: str, statistic: str, **extra: Any) -> AlarmSpec:
        return rds_alarm(dimensions, name, metric, threshold, what, statistic, **extra)

    made.alarms.append(alarm("db-cpu", "CPUUtilization", settings.alarm_cpu_percent, "CPU percent", "Average"))
    made.alarms.append(alarm("db-connections", "DatabaseConnections", settings.alarm_connections, "connections", "Maximum"))
    if settings.capacity == "serverless":
        # At the maximum ACU the cluster cannot grow any further under load.
        made.alarms.append(
            alarm(
                "db-acu-at-max",
                "ServerlessDatabaseCapacity",
                settings.max_capacity_acu,
                "ACU at the configured maximum",
                "Maximum",
            )
        )
    else:
        made.alarms.append(
            alarm(
                "db-freeable-memory",
                "FreeableMemory",
                settings.alarm_freeable_memory_mb * MB,
                "bytes of freeable memory",
                "Minimum",
                comparison="LessThanOrEqualToThreshold",
            )
        )
    cluster_dimension = ["DBClusterIdentifier", cluster.cluster_identifier]
    made.widgets.append(
        WidgetSpec(
            rank=30,
            title="Aurora CPU and connections",
            metrics=[
                ["AWS/RDS", "CPUUtilization", *cluster_dimension, {"stat": "Average"}],
                ["AWS/RDS", "DatabaseConnections", *cluster_dimension],
            ],
        )
    )
    return made
