"""`[database]` of variant "rds-postgresql": one RDS for PostgreSQL instance, Multi-AZ in production."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from pydantic import Field, field_validator

from modules.components.database.settings import PostgresqlSettings
from modules.core.settings import EnvironmentView, Report, by_profile
from modules.core.weakening import Weakening, sets_parameter, turned_off
from policies import aws_rules

# gp3 volumes for RDS: 20 GiB to 64 TiB (RDS User Guide, "Amazon RDS DB instance storage").
STORAGE_RANGE_GB = (20, 65536)


class RdsPostgresqlSettings(PostgresqlSettings):
    """One RDS for PostgreSQL instance in the database subnets: encrypted gp3 storage that grows
    up to a limit, IAM authentication, TLS only, Multi-AZ under the production profile."""

    weakens: ClassVar[Mapping[str, Weakening]] = {
        **PostgresqlSettings.weakens,
        "multi_az": turned_off("A single instance: a zone outage stops the database."),
        "parameters": sets_parameter(
            "log_statement logs statements with their values: personal data and credentials in SQL reach the logs.",
            "log_statement",
            "all",
            "mod",
        ),
    }

    instance_class: str = by_profile(
        development="db.t4g.micro", production="db.m6g.large", description="DB instance class (db.<family>.<size>)."
    )
    multi_az: bool = by_profile(
        development=False, production=True, description="A synchronous standby in another zone that RDS fails over to."
    )
    allocated_storage_gb: int = Field(default=20, description="Initial gp3 storage, 20 to 65536 GiB.")
    max_allocated_storage_gb: int = Field(
        default=100, description="Storage autoscaling limit; RDS grows the volume up to it (at least allocated_storage_gb)."
    )
    parameters: dict[str, str] = Field(default_factory=dict, description="Extra parameters; rds.force_ssl is always 1.")
    alarm_freeable_memory_mb: int = Field(default=128, ge=1, description="Freeable memory floor of the instance.")
    alarm_connections: int = Field(default=200, ge=1, description="Connections that raise the database alarm.")
    alarm_free_storage_gb: int = Field(
        default=5, ge=1, description="Free storage floor (autoscaling may already be at its limit)."
    )

    @field_validator("instance_class")
    @classmethod
    def _instance_class(cls, value: str) -> str:
        if not aws_rules.rds_instance_class_shape(value):
            raise ValueError("an RDS instance class such as db.t4g.micro, db.m7g.large or db.r7g.large")
        return value

    @field_validator("parameters")
    @classmethod
    def _house_parameters(cls, value: dict[str, str]) -> dict[str, str]:
        if "rds.force_ssl" in value:
            raise ValueError("rds.force_ssl is always 1: clients must use TLS; remove it from parameters")
        return value

    @property
    def major_version(self) -> int:
        return int(self.engine_version.split(".")[0])

    def check(self, view: EnvironmentView, report: Report) -> None:
        low, high = STORAGE_RANGE_GB
        if not low <= self.allocated_storage_gb <= high:
            report("database.allocated_storage_gb", self.allocated_storage_gb, f"RDS gp3 storage is {low} to {high} GiB")
        if not self.allocated_storage_gb <= self.max_allocated_storage_gb <= high:
            report(
                "database.max_allocated_storage_gb",
                self.max_allocated_storage_gb,
                f"at least allocated_storage_gb ({self.allocated_storage_gb}) and at most {high} GiB",
            )
        super().check(view, report)
