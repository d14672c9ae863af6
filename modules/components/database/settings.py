"""`[database]` of variant "aurora-postgresql": the cluster's one settings model and its checks."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, ClassVar, Literal

from pydantic import AfterValidator, Field, field_validator

from modules.core.settings import ComponentSettings, EnvironmentView, LogRetentionDays, Report, by_profile
from modules.core.weakening import Weakening, higher, lower, sets_parameter, turned_off
from policies import aws_rules

# Aurora PostgreSQL can pause at 0 ACU from these minor versions on (Aurora User
# Guide, "Scaling to zero ACUs with automatic pause and resume").
AUTO_PAUSE_MINIMUM: dict[int, int] = {13: 15, 14: 12, 15: 7, 16: 3}
# Major versions whose standard support has not ended (Aurora PostgreSQL release calendar).
SUPPORTED_MAJOR_VERSIONS = (13, 14, 15, 16, 17)
# Enhanced monitoring granularity RDS accepts (CreateDBInstance, MonitoringInterval).
MONITORING_INTERVALS = (0, 1, 5, 10, 15, 30, 60)
_VERSION = re.compile(r"^(\d+)\.(\d+)$")
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_BACKUP_WINDOW = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$")
_MAINTENANCE_WINDOW = re.compile(
    r"^(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):([0-5]\d)-(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):([0-5]\d)$"
)
MINUTES_PER_WEEK = 7 * 24 * 60


# Rules both PostgreSQL variants share (RDS User Guide and Aurora User Guide), declared once.
def _engine_version(value: str) -> str:
    match = _VERSION.fullmatch(value)
    if not match or int(match.group(1)) not in SUPPORTED_MAJOR_VERSIONS:
        raise ValueError(
            "a PostgreSQL version MAJOR.MINOR with a major version in standard support: "
            + ", ".join(map(str, SUPPORTED_MAJOR_VERSIONS))
        )
    return value


def _identifier(value: str) -> str:
    if not re.fullmatch(r"[a-z][a-z0-9_]{0,62}", value) or value in ("postgres", "rdsadmin", "admin"):
        raise ValueError("1 to 63 lowercase letters, digits and underscores, starting with a letter; not a reserved name")
    return value


def _backup_days(value: int) -> int:
    _raise(aws_rules.backup_retention_problems(value))
    return value


def _pi_days(value: int) -> int:
    _raise(aws_rules.pi_retention_problems(value))
    return value


def _monitoring_interval(value: int) -> int:
    if value not in MONITORING_INTERVALS:
        raise ValueError("one of " + ", ".join(map(str, MONITORING_INTERVALS)))
    return value


def _backup_window(value: str) -> str:
    if not _BACKUP_WINDOW.fullmatch(value):
        raise ValueError("hh:mm-hh:mm in UTC, e.g. 02:00-03:00")
    start, end = _backup_minutes(value)
    if (end - start) % (24 * 60) < 30:
        raise ValueError("the backup window must last at least 30 minutes")
    return value


def _maintenance_window(value: str) -> str:
    if not _MAINTENANCE_WINDOW.fullmatch(value):
        raise ValueError("ddd:hh:mm-ddd:hh:mm in UTC, e.g. sun:04:00-sun:05:00")
    start, end = _maintenance_minutes(value)
    if (end - start) % MINUTES_PER_WEEK < 30:
        raise ValueError("the maintenance window must last at least 30 minutes")
    return value


EngineVersion = Annotated[str, AfterValidator(_engine_version)]
DbIdentifier = Annotated[str, AfterValidator(_identifier)]
BackupRetentionDays = Annotated[int, AfterValidator(_backup_days)]
PiRetentionDays = Annotated[int, AfterValidator(_pi_days)]
MonitoringInterval = Annotated[int, AfterValidator(_monitoring_interval)]
BackupWindow = Annotated[str, AfterValidator(_backup_window)]
MaintenanceWindow = Annotated[str, AfterValidator(_maintenance_window)]


class PostgresqlSettings(ComponentSettings):
    """What both PostgreSQL variants are configured with the same way, declared once."""

    weakens: ClassVar[Mapping[str, Weakening]] = {
        "deletion_protection": turned_off("Database deletion protection is off: one API call or a mistaken plan deletes it."),
        "backup_retention_days": lower(
            "Fewer days of automated backups: an older mistake cannot be undone by point-in-time restore."
        ),
        "log_retention_days": lower("PostgreSQL logs are kept for less time: older activity cannot be investigated."),
        "log_min_duration_statement_ms": Weakening(
            risk="Every statement is logged with its values: personal data and credentials in SQL reach the logs.",
            weaker=lambda value, default, _: value == 0 and default != 0,
        ),
        "master_secret_rotation_days": higher("The master password rotates less often: a leaked password stays valid longer."),
        "monitoring_interval_seconds": Weakening(
            risk="Enhanced monitoring is off: operating-system metrics of the database are not collected.",
            weaker=lambda value, default, _: value == 0 and default != 0,
        ),
    }

    engine_version: EngineVersion = Field(
        default="16.6", description="PostgreSQL MAJOR.MINOR; 16.6 is offered by RDS and can pause Aurora Serverless v2 at 0 ACU."
    )
    database_name: DbIdentifier = Field(default="app", description="Initial database.")
    master_username: DbIdentifier = Field(
        default="app_admin", description="Master user; RDS generates its password and keeps it in Secrets Manager."
    )
    backup_retention_days: BackupRetentionDays = by_profile(
        development=1, production=7, description="Automated backup retention, 1 to 35 days."
    )
    preferred_backup_window: BackupWindow = Field(
        default="02:00-03:00", description="Daily backup window, UTC hh:mm-hh:mm, at least 30 minutes."
    )
    preferred_maintenance_window: MaintenanceWindow = Field(
        default="sun:04:00-sun:05:00",
        description="Weekly maintenance window, UTC ddd:hh:mm-ddd:hh:mm, at least 30 minutes, apart from the backup window.",
    )
    performance_insights_retention_days: PiRetentionDays = Field(default=7, description="7 (free) or a multiple of 31 up to 731.")
    monitoring_interval_seconds: MonitoringInterval = Field(
        default=60, description="Enhanced monitoring interval; 0 turns it off."
    )
    log_retention_days: LogRetentionDays = by_profile(
        development=14, production=365, description="Days the exported PostgreSQL log group keeps its events."
    )
    log_min_duration_statement_ms: int = Field(
        default=1000, ge=-1, description="Statements slower than this are logged; -1 logs none."
    )
    # Secrets Manager rotates on a schedule of 1 to 1000 days (RotationRules, AutomaticallyAfterDays).
    master_secret_rotation_days: int = Field(
        default=7,
        ge=1,
        le=365,
        description="Days between rotations of the RDS-managed master password (RDS's own default is 7).",
    )
    deletion_protection: bool = by_profile(
        development=False, production=True, description="RDS refuses to delete the database while this is on."
    )
    alarm_cpu_percent: int = Field(default=80, ge=1, le=100, description="CPU percent that raises the database alarm.")

    def check(self, view: EnvironmentView, report: Report) -> None:
        if windows_overlap(self.preferred_backup_window, self.preferred_maintenance_window):
            report(
                "database.preferred_maintenance_window",
                self.preferred_maintenance_window,
                f"overlaps the daily backup window {self.preferred_backup_window}; AWS requires them apart",
            )


class AuroraPostgresqlSettings(PostgresqlSettings):
    """Aurora PostgreSQL in the database subnets: encrypted, IAM authentication, TLS only."""

    weakens: ClassVar[Mapping[str, Weakening]] = {
        **PostgresqlSettings.weakens,
        "instances": lower("Fewer instances than in production: no reader in another zone to fail over to."),
        "cluster_parameters": sets_parameter(
            "log_statement logs statements with their values: personal data and credentials in SQL reach the logs.",
            "log_statement",
            "all",
            "mod",
        ),
    }

    capacity: Literal["serverless", "provisioned"] = by_profile(
        development="serverless", production="provisioned", description="Aurora Serverless v2 or provisioned instances."
    )
    instance_class: str = by_profile(
        development="db.t4g.medium", production="db.r6g.large", description="Class of provisioned instances."
    )
    instances: int = by_profile(
        development=1, production=2, description="Instances: a writer, then readers spread over the zones (1 to 16)."
    )
    # Aurora User Guide, "Aurora Serverless v2 capacity": 0 (with auto-pause) to 256 ACU.
    min_capacity_acu: float = by_profile(
        development=0,
        production=0.5,
        strict=False,
        ge=0,
        le=256,
        description="Serverless v2 minimum ACU; 0 lets an idle cluster pause.",
    )
    max_capacity_acu: float = by_profile(
        development=4, production=16, strict=False, ge=1, le=256, description="Serverless v2 maximum ACU (1 to 256)."
    )
    seconds_until_auto_pause: int = Field(default=900, description="Idle seconds before a 0-ACU cluster pauses (300 to 86400).")
    storage_type: Literal["standard", "io-optimized"] = Field(
        default="standard", description="Aurora Standard (pay per I/O) or I/O-Optimized."
    )
    cluster_parameters: dict[str, str] = Field(
        default_factory=dict, description="Extra cluster parameters; rds.force_ssl is always 1."
    )
    instance_parameters: dict[str, str] = Field(default_factory=dict, description="Extra instance parameters.")
    alarm_freeable_memory_mb: int = Field(default=256, ge=1, description="Freeable memory floor of provisioned instances.")
    alarm_connections: int = Field(default=500, ge=1, description="Connections that raise the database alarm.")

    @field_validator("instance_class")
    @classmethod
    def _instance_class(cls, value: str) -> str:
        _raise(aws_rules.aurora_instance_class_problems(value))
        return value

    @field_validator("instances")
    @classmethod
    def _instances(cls, value: int) -> int:
        if not 1 <= value <= 16:
            raise ValueError("1 writer plus up to 15 readers: 1 to 16")
        return value

    @field_validator("seconds_until_auto_pause")
    @classmethod
    def _pause(cls, value: int) -> int:
        if not 300 <= value <= 86400:
            raise ValueError("300 to 86400 seconds (5 minutes to 1 day)")
        return value

    @field_validator("cluster_parameters")
    @classmethod
    def _house_parameters(cls, value: dict[str, str]) -> dict[str, str]:
        if "rds.force_ssl" in value:
            raise ValueError("rds.force_ssl is always 1: clients must use TLS; remove it from cluster_parameters")
        return value

    def check(self, view: EnvironmentView, report: Report) -> None:
        if self.capacity == "serverless":
            for text in aws_rules.acu_problems(self.min_capacity_acu, self.max_capacity_acu):
                key = "min_capacity_acu" if text.startswith("min") else "max_capacity_acu"
                report(f"database.{key}", getattr(self, key), text)
            if self.min_capacity_acu == 0 and not can_auto_pause(self.engine_version):
                minimums = ", ".join(f"{major}.{minor}" for major, minor in AUTO_PAUSE_MINIMUM.items())
                report(
                    "database.min_capacity_acu",
                    self.min_capacity_acu,
                    f"0 ACU (auto-pause) needs Aurora PostgreSQL {minimums} or later; engine_version is "
                    f"{self.engine_version}: raise the version or set min_capacity_acu to 0.5 or more",
                )
        super().check(view, report)


def _raise(problems: list[str]) -> None:
    if problems:
        raise ValueError("; ".join(problems))


def _backup_minutes(window: str) -> tuple[int, int]:
    a, b = window.split("-")
    return int(a[:2]) * 60 + int(a[3:]), int(b[:2]) * 60 + int(b[3:])


def _maintenance_minutes(window: str) -> tuple[int, int]:
    def at(part: str) -> int:
        day, hh, mm = part.split(":")
        return _DAYS.index(day) * 1440 + int(hh) * 60 + int(mm)

    a, b = window.split("-")
    return at(a), at(b)


def _minutes(start: int, end: int, period: int) -> set[int]:
    """The minutes a window covers within one period, wrapping at its end."""
    return set(range(start, end)) if end > start else set(range(start, period)) | set(range(0, end))


def windows_overlap(backup: str, maintenance: str) -> bool:
    """Whether a daily backup window and a weekly maintenance window share a minute (AWS rejects that)."""
    daily = _minutes(*_backup_minutes(backup), 1440)
    backup_week = {(day * 1440 + minute) % MINUTES_PER_WEEK for day in range(7) for minute in daily}
    return bool(backup_week & _minutes(*_maintenance_minutes(maintenance), MINUTES_PER_WEEK))


def can_auto_pause(engine_version: str) -> bool:
    major, minor = (int(p) for p in engine_version.split("."))
    return major > 16 or (major in AUTO_PAUSE_MINIMUM and minor >= AUTO_PAUSE_MINIMUM[major])
