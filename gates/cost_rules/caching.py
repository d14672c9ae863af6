"""In-memory caches: ElastiCache clusters and replication groups."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from gates.cost import HOURS_PER_MONTH, Context, LineItem, MissingInput, Rule, as_number


def _node_hours(ctx: Context, body: dict[str, Any], nodes: Decimal) -> list[LineItem]:
    node_type = str(body.get("node_type", ""))
    if not node_type:
        raise MissingInput("the cache sets no node_type, so its hourly price is unknown")
    return [
        ctx.item(
            body, f"Node hours ({nodes} x {node_type}, on-demand)", nodes * HOURS_PER_MONTH, f"elasticache_node_hour:{node_type}"
        )
    ]


def _cache_cluster(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    if body.get("replication_group_id"):
        return []  # a member of a replication group: its nodes are priced on the group
    return _node_hours(ctx, body, as_number(body.get("num_cache_nodes"), Decimal(1)))


def _replication_group(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    """Cluster mode: num_node_groups shards of one primary and replicas_per_node_group replicas;
    otherwise num_cache_clusters nodes (one when unset)."""
    if "num_node_groups" in body:
        shards = as_number(body.get("num_node_groups"), Decimal(1))
        nodes = shards * (as_number(body.get("replicas_per_node_group"), Decimal(0)) + 1)
    else:
        nodes = as_number(body.get("num_cache_clusters"), Decimal(1))
    return _node_hours(ctx, body, nodes)


RULES: dict[str, Rule] = {
    "aws_elasticache_cluster": _cache_cluster,
    "aws_elasticache_replication_group": _replication_group,
}
