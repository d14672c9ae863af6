"""The typed ports components meet through; none of them names a component.

A component receives the ports of the components it needs (the registry checks that
they are enabled) and returns its own. The primitives in modules/primitives/ satisfy
these protocols structurally.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from modules.core.aws import (
    cloudfront_distribution,
    dynamodb_table,
    iam_role,
    iam_role_policy,
    lambda_function,
    s3_bucket,
    vpc,
)
from modules.core.contributions import Contributions


class KeyPort(Protocol):
    @property
    def arn(self) -> str: ...

    def add_to_key_policy(self, statement: dict[str, Any]) -> None: ...


class BucketPort(Protocol):
    @property
    def bucket(self) -> s3_bucket.S3Bucket: ...

    @property
    def key(self) -> KeyPort | None: ...

    def add_to_resource_policy(self, statement: dict[str, Any]) -> None: ...

    def grant_read(self, role: iam_role.IamRole, prefix: str = "") -> iam_role_policy.IamRolePolicy: ...

    def grant_put(self, role: iam_role.IamRole, prefix: str = "") -> iam_role_policy.IamRolePolicy: ...

    def grant_delete(self, role: iam_role.IamRole, prefix: str = "") -> iam_role_policy.IamRolePolicy: ...

    def grant_read_write(self, role: iam_role.IamRole) -> iam_role_policy.IamRolePolicy: ...

    @property
    def event_consumers(self) -> list[str]:
        """Who receives this bucket's event notifications; components append themselves."""
        ...


class TablePort(Protocol):
    @property
    def table(self) -> dynamodb_table.DynamodbTable: ...

    def grant_read_data(self, role: iam_role.IamRole) -> iam_role_policy.IamRolePolicy: ...

    def grant_create_items(self, role: iam_role.IamRole) -> iam_role_policy.IamRolePolicy: ...

    def grant_update_items(self, role: iam_role.IamRole) -> iam_role_policy.IamRolePolicy: ...

    def grant_read_write(self, role: iam_role.IamRole) -> iam_role_policy.IamRolePolicy: ...


class FunctionPort(Protocol):
    @property
    def function(self) -> lambda_function.LambdaFunction: ...

    @property
    def role(self) -> iam_role.IamRole: ...


@dataclass(frozen=True, kw_only=True)
class NetworkPort:
    vpc: vpc.Vpc
    availability_zones: tuple[str, ...]
    private_subnet_ids: list[str]
    database_subnet_ids: list[str]
    app_security_group_id: str
    database_security_group_id: str
    security_group_users: dict[str, list[str]] = field(default_factory=lambda: {"app": [], "database": []})
    """Who attaches each tier's group ("app", "database"): a component that places a
    workload in a tier adds its name, and the network accepts the unattached ones."""


@dataclass(frozen=True, kw_only=True)
class DatabasePort:
    """What a client of the database needs; `grant_connect` / `grant_data_api` add
    least-privilege statements (the key included) to a role."""

    engine: str
    port: int
    endpoint: str
    secret_arn: str
    connect: Any  # Callable[[iam_role.IamRole, str], IamRolePolicy]
    data_api: Any  # Callable[[iam_role.IamRole], IamRolePolicy] | None
    read_secret: Any  # Callable[[iam_role.IamRole], IamRolePolicy]

    def grant_read_secret(self, role: iam_role.IamRole) -> iam_role_policy.IamRolePolicy:
        return self.read_secret(role)  # type: ignore[no-any-return]

    def grant_connect(self, role: iam_role.IamRole, db_user: str) -> iam_role_policy.IamRolePolicy:
        return self.connect(role, db_user)  # type: ignore[no-any-return]


@dataclass(frozen=True, kw_only=True)
class StoragePort:
    """The declared buckets by name, the access-log bucket, and the storage key (which
    encrypts the buckets only when `encryption` is "kms")."""

    buckets: Mapping[str, BucketPort]
    logs: BucketPort
    key: KeyPort
    encryption: str
    cors_allowed_origins: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class FunctionsPort:
    functions: Mapping[str, FunctionPort]
    key: KeyPort


@dataclass(frozen=True, kw_only=True)
class CdnPort:
    distribution: cloudfront_distribution.CloudfrontDistribution


@dataclass(frozen=True, kw_only=True)
class DnsPort:
    """The public zone other components add records to (certificate validation, aliases,
    mail records). `zone_name` is the zone's domain."""

    zone_id: str
    zone_name: str


@dataclass(frozen=True, kw_only=True)
class EmailPort:
    """The SES domain identity and configuration set functions send through;
    `grant_send` lets a role send from the domain, through the set only."""

    domain: str
    identity_arn: str
    configuration_set_name: str
    configuration_set_arn: str
    send: Any  # Callable[[iam_role.IamRole], IamRolePolicy]

    def grant_send(self, role: iam_role.IamRole) -> iam_role_policy.IamRolePolicy:
        return self.send(role)  # type: ignore[no-any-return]


@dataclass(frozen=True, kw_only=True)
class AuditPort:
    """`detector`: whether this environment runs a GuardDuty detector."""

    detector: bool


@dataclass(kw_only=True)
class Ports:
    """The ports of the components built so far, filled in registry order."""

    network: NetworkPort | None = None
    database: DatabasePort | None = None
    storage: StoragePort | None = None
    metadata_table: TablePort | None = None
    audit: AuditPort | None = None
    dns: DnsPort | None = None
    email: EmailPort | None = None
    cdn: CdnPort | None = None
    api: FunctionsPort | None = None
    contributions: Contributions = field(default_factory=Contributions)
    """Everything the components built so far contributed (monitoring reads it)."""
    finalizers: list[Callable[[], None]] = field(default_factory=list)
    """Run once every component is built: for choices that depend on what later
    components did (a security group nobody attached, a bucket nobody listens to)."""


Parts = Mapping[str, Mapping[str, Any]]
"""Declared parts by table: parts["buckets"]["uploads"] is that bucket's settings."""
