"""Aurora PostgreSQL in the database subnets: encrypted, IAM-authenticated, Data API on, no password anywhere."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from cdktf import TerraformResourceLifecycle
from constructs import Construct

from modules.components.network.vpc import Network
from modules.core.aws import (
    cloudwatch_log_group,
    db_parameter_group,
    db_subnet_group,
    iam_role,
    iam_role_policy,
    iam_role_policy_attachment,
    rds_cluster,
    rds_cluster_instance,
    rds_cluster_parameter_group,
)
from modules.core.identity import AccountContext
from modules.core.kms import EncryptionKey, EncryptionKeyProps

POSTGRES_PORT = 5432
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


@dataclass(frozen=True, kw_only=True)
class DatabaseProps:
    """Aurora PostgreSQL settings; defaults are the production-safe ones.

    name: cluster identifier, `<project>-<environment>`; instances are `<name>-1`, `-2`...
    engine_version: Aurora PostgreSQL MAJOR.MINOR; default 16.6 (supports pausing at 0 ACU).
    capacity: "serverless" (Aurora Serverless v2) or "provisioned"; default provisioned.
    instance_class: provisioned class; default db.r6g.large. Serverless instances use db.serverless.
    instances: writer plus readers, placed round-robin over the network's zones so the
        first reader is in another zone than the writer; default 2.
    min_capacity_acu / max_capacity_acu: Serverless v2 bounds; default 0.5 to 16.
        A minimum of 0 lets an idle cluster pause after `seconds_until_auto_pause`.
    storage_type: "standard" (pay per I/O) or "io-optimized"; default standard.
    backup_retention_days: default 7. preferred_backup_window / preferred_maintenance_window:
        default 02:00-03:00 daily and sun:04:00-sun:05:00 UTC (they must not overlap).
    performance_insights_retention_days: default 7, the free tier.
    monitoring_interval_seconds: enhanced monitoring; default 60. 0 turns it off.
    log_retention_days: retention of the exported PostgreSQL log group; default 365.
    log_min_duration_statement_ms: slow-statement threshold; default 1000 ms.
    deletion_protection: RDS refuses deletion; default on.
    retain_on_destroy: prevent_destroy on the cluster and key, and a final snapshot;
        default on. Dev environments turn it off so a teardown leaves nothing behind.
    cluster_parameters / instance_parameters: extra parameters; `rds.force_ssl` cannot be overridden.
    key: KMS key for storage, the master secret, Performance Insights and logs; default:
        the construct creates one (rotation on) scoped to its own log group.
    """

    name: str
    engine_version: str = "16.6"
    capacity: Literal["serverless", "provisioned"] = "provisioned"
    instance_class: str = "db.r6g.large"
    instances: int = 2
    min_capacity_acu: float = 0.5
    max_capacity_acu: float = 16
    seconds_until_auto_pause: int = 900
    storage_type: Literal["standard", "io-optimized"] = "standard"
    database_name: str = "app"
    master_username: str = "app_admin"
    backup_retention_days: int = 7
    preferred_backup_window: str = "02:00-03:00"
    preferred_maintenance_window: str = "sun:04:00-sun:05:00"
    performance_insights_retention_days: int = 7
    monitoring_interval_seconds: int = 60
    log_retention_days: int = 365
    log_min_duration_statement_ms: int = 1000
    deletion_protection: bool = True
    retain_on_destroy: bool = True
    cluster_parameters: Mapping[str, str] = field(default_factory=dict)
    instance_parameters: Mapping[str, str] = field(default_factory=dict)
    key: EncryptionKey | None = None
    key_deletion_window_in_days: int = 30


class Database(Construct):
    """An Aurora PostgreSQL cluster behind the network's database security group."""

    def __init__(self, scope: Construct, id: str, *, account: AccountContext, network: Network, props: DatabaseProps) -> None:
        super().__init__(scope, id)
        overridden = sorted(set(props.cluster_parameters) & set(HOUSE_CLUSTER_PARAMETERS))
        if overridden:
            raise ValueError(f"cluster_parameters may not set {', '.join(overridden)}: TLS is always required")
        self.props = props
        self.account = account
        major = props.engine_version.split(".")[0]
        family = f"aurora-postgresql{major}"
        log_group_name = f"/aws/rds/cluster/{props.name}/postgresql"

        self.key = props.key or EncryptionKey(
            self,
            "key",
            account=account,
            props=EncryptionKeyProps(
                alias=f"{props.name}-database",
                description=f"Encrypts the {props.name} Aurora cluster: storage, master secret, Performance Insights, logs",
                log_group_names=(log_group_name,),
                deletion_window_in_days=props.key_deletion_window_in_days,
                prevent_destroy=props.retain_on_destroy,
            ),
        )
        # Created before the cluster: otherwise RDS creates the group itself,
        # unencrypted and kept forever.
        self.log_group = cloudwatch_log_group.CloudwatchLogGroup(
            self, "postgresql-logs", name=log_group_name, retention_in_days=props.log_retention_days, kms_key_id=self.key.arn
        )
        self.subnet_group = db_subnet_group.DbSubnetGroup(
            self,
            "subnets",
            name=props.name,
            description=f"Database subnets of {props.name} (no route to the internet)",
            subnet_ids=network.database_subnets.ids,
        )
        house_parameters = {
            "rds.force_ssl": "1",
            "log_min_duration_statement": str(props.log_min_duration_statement_ms),
            "log_connections": "1",
            "log_disconnections": "1",
            "log_lock_waits": "1",
            "log_statement": "ddl",
        }
        self.cluster_parameter_group = rds_cluster_parameter_group.RdsClusterParameterGroup(
            self,
            "cluster-parameters",
            name=f"{props.name}-{family}",
            family=family,
            description=f"{props.name}: TLS required, slow statements, connections and DDL logged",
            parameter=[
                rds_cluster_parameter_group.RdsClusterParameterGroupParameter(name=k, value=v, apply_method="pending-reboot")
                for k, v in sorted({**house_parameters, **props.cluster_parameters}.items())
            ],
            lifecycle=TerraformResourceLifecycle(create_before_destroy=True),
        )
        self.instance_parameter_group = db_parameter_group.DbParameterGroup(
            self,
            "instance-parameters",
            name=f"{props.name}-{family}-instance",
            family=family,
            description=f"{props.name}: instance parameters",
            parameter=[
                db_parameter_group.DbParameterGroupParameter(name=k, value=v, apply_method="pending-reboot")
                for k, v in sorted(props.instance_parameters.items())
            ],
            lifecycle=TerraformResourceLifecycle(create_before_destroy=True),
        )
        self.monitoring_role = self._monitoring_role() if props.monitoring_interval_seconds else None

        serverless = props.capacity == "serverless"
        self.cluster = rds_cluster.RdsCluster(
            self,
            "cluster",
            cluster_identifier=props.name,
            engine="aurora-postgresql",
            engine_mode="provisioned",
            engine_version=props.engine_version,
            database_name=props.database_name,
            master_username=props.master_username,
            # RDS generates the password and keeps it in Secrets Manager under our key:
            # it never appears in configuration, code, the plan or the state.
            manage_master_user_password=True,
            master_user_secret_kms_key_id=self.key.arn,
            storage_encrypted=True,
            kms_key_id=self.key.arn,
            storage_type=_STORAGE_TYPE[props.storage_type],
            port=POSTGRES_PORT,
            db_subnet_group_name=self.subnet_group.name,
            vpc_security_group_ids=[network.database_security_group.id],
            db_cluster_parameter_group_name=self.cluster_parameter_group.name,
            iam_database_authentication_enabled=True,
            enable_http_endpoint=True,
            backup_retention_period=props.backup_retention_days,
            preferred_backup_window=props.preferred_backup_window,
            preferred_maintenance_window=props.preferred_maintenance_window,
            copy_tags_to_snapshot=True,
            deletion_protection=props.deletion_protection,
            skip_final_snapshot=not props.retain_on_destroy,
            final_snapshot_identifier=f"{props.name}-final" if props.retain_on_destroy else None,
            enabled_cloudwatch_logs_exports=["postgresql"],
            serverlessv2_scaling_configuration=rds_cluster.RdsClusterServerlessv2ScalingConfiguration(
                min_capacity=props.min_capacity_acu,
                max_capacity=props.max_capacity_acu,
                seconds_until_auto_pause=props.seconds_until_auto_pause if props.min_capacity_acu == 0 else None,
            )
            if serverless
            else None,
            depends_on=[self.log_group],
            lifecycle=TerraformResourceLifecycle(prevent_destroy=props.retain_on_destroy),
        )
        zones = network.props.availability_zones
        self.instances = [
            rds_cluster_instance.RdsClusterInstance(
                self,
                f"instance-{index + 1}",
                identifier=f"{props.name}-{index + 1}",
                cluster_identifier=self.cluster.id,
                engine=self.cluster.engine,
                engine_version=self.cluster.engine_version,
                instance_class="db.serverless" if serverless else props.instance_class,
                # Round-robin over the zones: the first reader never shares the writer's zone.
                availability_zone=zones[index % len(zones)],
                db_parameter_group_name=self.instance_parameter_group.name,
                publicly_accessible=False,
                auto_minor_version_upgrade=True,
                promotion_tier=index,
                performance_insights_enabled=True,
                performance_insights_kms_key_id=self.key.arn,
                performance_insights_retention_period=props.performance_insights_retention_days,
                monitoring_interval=props.monitoring_interval_seconds,
                monitoring_role_arn=self.monitoring_role.arn if self.monitoring_role else None,
                copy_tags_to_snapshot=True,
            )
            for index in range(props.instances)
        ]

    def _monitoring_role(self) -> iam_role.IamRole:
        role = iam_role.IamRole(
            self,
            "monitoring-role",
            name=f"{self.props.name}-rds-monitoring",
            description="Lets RDS enhanced monitoring publish OS metrics of this cluster's instances",
            assume_role_policy=self.account.assume_role_policy("monitoring.rds.amazonaws.com"),
        )
        iam_role_policy_attachment.IamRolePolicyAttachment(
            self,
            "monitoring-policy",
            role=role.name,
            # AWS-managed, and scoped by AWS to writing the RDSOSMetrics log group.
            policy_arn=f"arn:{self.account.partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole",
        )
        return role

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

    def grant_connect(self, role: iam_role.IamRole, db_user: str) -> iam_role_policy.IamRolePolicy:
        """IAM database authentication as `db_user` on this cluster only."""
        if not _DB_USER.match(db_user):
            raise ValueError(f"db_user = {db_user!r}: a PostgreSQL role name (lowercase letters, digits, underscores)")
        user_arn = self.account.arn("rds-db", f"dbuser:{self.cluster.cluster_resource_id}/{db_user}")
        return self._grant(
            role,
            f"connect-{db_user}",
            [{"Sid": "ConnectAsUser", "Effect": "Allow", "Action": "rds-db:connect", "Resource": user_arn}],
        )

    def _grant(self, role: iam_role.IamRole, purpose: str, statements: list[dict[str, Any]]) -> iam_role_policy.IamRolePolicy:
        grantee = role.node.path.replace("/", "-")
        return iam_role_policy.IamRolePolicy(
            self,
            f"grant-{purpose}-{grantee}",
            name=f"{self.props.name}-{purpose}",
            role=role.id,
            policy=json.dumps({"Version": "2012-10-17", "Statement": statements}),
        )
