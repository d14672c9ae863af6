"""Purpose-built databases: Amazon DocumentDB and Amazon Neptune clusters and instances.

Both bill like Aurora: instance hours on each instance, storage and I/O on the cluster, and
backup storage beyond the cluster's size."""

from __future__ import annotations

from typing import Any

from gates.cost import HOURS_PER_MONTH, Context, LineItem, MissingInput, Rule
from gates.cost_rules.database import backup_beyond_free


def _cluster(engine: str, label: str) -> Rule:
    def rule(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
        storage = ctx.usage.number(engine, "storage_gb")
        return [
            ctx.item(body, f"{label} storage", storage, f"{engine}_storage_gb_month"),
            ctx.item(body, f"{label} I/O requests (millions)", ctx.usage.number(engine, "io_millions"), f"{engine}_io_million"),
            *backup_beyond_free(ctx, body, storage, engine),
        ]

    return rule


def _instance(engine: str) -> Rule:
    def rule(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
        instance_class = str(body.get("instance_class", ""))
        if not instance_class:
            raise MissingInput("the instance sets no instance_class, so its hourly price is unknown")
        return [ctx.item(body, f"Instance hours ({instance_class})", HOURS_PER_MONTH, f"{engine}_instance_hour:{instance_class}")]

    return rule


RULES: dict[str, Rule] = {
    "aws_docdb_cluster": _cluster("docdb", "DocumentDB"),
    "aws_docdb_cluster_instance": _instance("docdb"),
    "aws_neptune_cluster": _cluster("neptune", "Neptune"),
    "aws_neptune_cluster_instance": _instance("neptune"),
}
