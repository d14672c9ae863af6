"""Analytics and streaming: OpenSearch (and Elasticsearch) domains, Redshift clusters, MSK
clusters, Kinesis data streams and Firehose streams."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from gates.cost import HOURS_PER_MONTH, MILLION, Context, LineItem, MissingInput, Rule, as_number, single_block

# gp3 volumes include a baseline of IOPS and throughput; what a domain provisions beyond it is
# billed, and the catalogue has no row for that, so such a domain is refused, not undercounted.
OPENSEARCH_GP3_FREE_IOPS = Decimal(3000)
OPENSEARCH_GP3_FREE_THROUGHPUT_MIBPS = Decimal(125)
# MSK creates 1,000 GiB of EBS storage per broker unless volume_size says otherwise (MSK API, EBSStorageInfo).
MSK_DEFAULT_VOLUME_GB = Decimal(1000)
# Kinesis Data Streams keeps records 24 hours unless retention_period (hours) is longer.
KINESIS_INCLUDED_RETENTION_HOURS = Decimal(24)


def _search_instance_type(value: Any) -> str:
    # The Elasticsearch-era suffix names the same instance and price as OpenSearch's.
    return str(value or "").replace(".elasticsearch", ".search")


def _search_domain(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    """Data nodes, dedicated master nodes and the EBS volume of each data node."""
    cluster = single_block(body.get("cluster_config")) or {}
    instance_type = _search_instance_type(cluster.get("instance_type"))
    if not instance_type:
        raise MissingInput("the domain sets no cluster_config instance_type, so its hourly price is unknown")
    count = as_number(cluster.get("instance_count"), Decimal(1))
    items = [
        ctx.item(
            body,
            f"Data node hours ({count} x {instance_type})",
            count * HOURS_PER_MONTH,
            f"opensearch_instance_hour:{instance_type}",
        )
    ]
    if cluster.get("dedicated_master_enabled") is True:
        master = _search_instance_type(cluster.get("dedicated_master_type"))
        masters = as_number(cluster.get("dedicated_master_count"), Decimal(3))
        if not master:
            raise MissingInput("dedicated masters are enabled but dedicated_master_type is not set")
        items.append(
            ctx.item(
                body,
                f"Dedicated master hours ({masters} x {master})",
                masters * HOURS_PER_MONTH,
                f"opensearch_instance_hour:{master}",
            )
        )
    ebs = single_block(body.get("ebs_options")) or {}
    if ebs.get("ebs_enabled") is True:
        volume = str(ebs.get("volume_type", "gp2"))
        gb = as_number(ebs.get("volume_size"), Decimal(10)) * count
        items.append(ctx.item(body, f"EBS storage ({volume}, {count} data nodes)", gb, f"opensearch_storage_gb_month:{volume}"))
        if volume == "io1":
            iops = as_number(ebs.get("iops"), Decimal(0)) * count
            items.append(ctx.item(body, "Provisioned IOPS (io1)", iops, "opensearch_io1_iops_month"))
        if volume == "gp3" and (
            as_number(ebs.get("iops"), Decimal(0)) > OPENSEARCH_GP3_FREE_IOPS
            or as_number(ebs.get("throughput"), Decimal(0)) > OPENSEARCH_GP3_FREE_THROUGHPUT_MIBPS
        ):
            raise MissingInput("gp3 IOPS or throughput above the included baseline is not in the price catalogue")
    return items


def _redshift(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    node_type = str(body.get("node_type", ""))
    nodes = as_number(body.get("number_of_nodes"), Decimal(1))
    items = [
        ctx.item(
            body, f"Node hours ({nodes} x {node_type}, on-demand)", nodes * HOURS_PER_MONTH, f"redshift_node_hour:{node_type}"
        )
    ]
    if node_type.startswith("ra3."):
        # RA3 nodes store data in Redshift Managed Storage, billed per GB-month apart from the nodes.
        gb = ctx.usage.number("redshift", "managed_storage_gb")
        items.append(ctx.item(body, "Redshift Managed Storage", gb, "redshift_managed_storage_gb_month"))
    return items


def _msk(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    group = single_block(body.get("broker_node_group_info")) or {}
    instance_type = str(group.get("instance_type", ""))
    brokers = as_number(body.get("number_of_broker_nodes"), Decimal(0))
    storage = single_block(group.get("storage_info")) or {}
    ebs = single_block(storage.get("ebs_storage_info")) or {}
    volume = as_number(ebs.get("volume_size", group.get("ebs_volume_size")), MSK_DEFAULT_VOLUME_GB)
    return [
        ctx.item(
            body, f"Broker hours ({brokers} x {instance_type})", brokers * HOURS_PER_MONTH, f"msk_broker_hour:{instance_type}"
        ),
        ctx.item(body, f"Broker storage ({brokers} x {volume} GB)", brokers * volume, "msk_storage_gb_month"),
    ]


def _kinesis_stream(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    if as_number(body.get("retention_period"), KINESIS_INCLUDED_RETENTION_HOURS) > KINESIS_INCLUDED_RETENTION_HOURS:
        raise MissingInput(
            "retention beyond 24 hours (retention_period) is billed as extended retention, which the catalogue does not have"
        )
    mode = single_block(body.get("stream_mode_details")) or {}
    stream = str(body.get("name", name))
    if mode.get("stream_mode") == "ON_DEMAND":
        return [
            ctx.item(body, "On-demand stream hours", HOURS_PER_MONTH, "kinesis_on_demand_stream_hour"),
            ctx.item(
                body, "Data ingested", ctx.usage.number("kinesis", "gb_ingested", name=stream), "kinesis_on_demand_ingested_gb"
            ),
            ctx.item(
                body, "Data retrieved", ctx.usage.number("kinesis", "gb_retrieved", name=stream), "kinesis_on_demand_retrieved_gb"
            ),
        ]
    shards = as_number(body.get("shard_count"), Decimal(1))
    units = ctx.usage.number("kinesis", "put_payload_units", name=stream)
    return [
        ctx.item(body, f"Shard hours ({shards} shards, provisioned)", shards * HOURS_PER_MONTH, "kinesis_shard_hour"),
        ctx.item(body, "PUT payload units, 25 KB each (millions)", units / MILLION, "kinesis_put_payload_units_million"),
    ]


def _firehose(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    gb = ctx.usage.number("firehose", "gb_ingested", name=str(body.get("name", name)))
    return [ctx.item(body, "Data ingested (5 KB increments)", gb, "firehose_ingested_gb")]


RULES: dict[str, Rule] = {
    "aws_opensearch_domain": _search_domain,
    "aws_elasticsearch_domain": _search_domain,
    "aws_redshift_cluster": _redshift,
    "aws_msk_cluster": _msk,
    "aws_kinesis_stream": _kinesis_stream,
    "aws_kinesis_firehose_delivery_stream": _firehose,
}
