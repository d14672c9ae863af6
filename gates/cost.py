"""Monthly cost of a synthesized stack, from the price catalogue and a usage profile.

Reads the Terraform JSON only. Every resource type is either priced here or declared
free in policies/pricing/free.toml; anything else is listed as unpriced and fails the
gate, so a new resource type can never add a silent $0 to an estimate.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from gates.inputs import InputError, Stack
from gates.pricing import Catalogue, Price, Usage, load_catalogue

HOURS_PER_MONTH = Decimal(730)  # AWS pricing pages' month: 365 days x 24 h / 12
MILLION = Decimal(1_000_000)
THOUSAND = Decimal(1000)
CENT = Decimal("0.0001")
DAYS_PER_MONTH = Decimal("30.4167")
# vCPUs per Aurora instance class (Aurora User Guide, "Hardware specifications for DB
# instance classes"); Performance Insights long-term retention is billed per vCPU.
AURORA_VCPUS = {
    "db.t4g.medium": Decimal(2),
    "db.t4g.large": Decimal(2),
    "db.r6g.large": Decimal(2),
    "db.r6g.xlarge": Decimal(4),
    "db.r6g.2xlarge": Decimal(8),
    "db.r7g.large": Decimal(2),
    "db.r7g.xlarge": Decimal(4),
}
# Cognito Lite and Essentials include 10,000 monthly active users per account (Amazon
# Cognito pricing, feature plans of November 2024).
COGNITO_FREE_MAU = Decimal(10_000)
# Always-free allowances per account and month. A stack gets the share its usage profile
# gives it ([free_tier] share: 1 when it is the account's only workload, 0 when other
# stacks use them up); within a stack they are used in address order.
FREE_ALLOWANCES = {
    # Data transfer out to the internet, all services and Regions together except CloudFront
    # (Amazon EC2 on-demand pricing page, "Data Transfer": 100 GB free per month since 2021-12-01).
    "internet_gb": Decimal(100),
    # CloudFront always-free tier: 1 TB out and 10 million HTTP(S) requests a month (CloudFront pricing page).
    "cloudfront_gb": Decimal(1000),
    "cloudfront_requests": Decimal(10_000_000),
    # X-Ray: the first 100,000 traces recorded each month are free (AWS X-Ray pricing page).
    "xray_traces": Decimal(100_000),
    # CloudWatch free tier: 10 detailed-monitoring or custom metrics, 10 standard-resolution
    # alarm metrics, 3 dashboards of up to 50 metrics (Amazon CloudWatch pricing page, "Free tier").
    "cloudwatch_metrics": Decimal(10),
    "cloudwatch_alarms": Decimal(10),
    "cloudwatch_dashboards": Decimal(3),
    # CloudWatch Logs: 5 GB of data a month (ingestion, archive storage and Logs Insights
    # scans together; the gate spends it on standard-class ingestion only, where it is worth most).
    "logs_gb": Decimal(5),
    # Lambda free tier: 1 million requests and 400,000 GB-seconds a month, both architectures (AWS Lambda pricing page).
    "lambda_requests": Decimal(1_000_000),
    "lambda_gb_seconds": Decimal(400_000),
    # SQS: the first million requests a month (Amazon SQS pricing page).
    "sqs_requests": Decimal(1_000_000),
    # KMS: 20,000 requests a month (AWS KMS pricing page, free tier).
    "kms_requests": Decimal(20_000),
    # DynamoDB: 25 GB of table storage (Amazon DynamoDB pricing page, free tier).
    "dynamodb_storage_gb": Decimal(25),
}
# CloudWatch metrics API Gateway publishes per method and stage when detailed metrics are on:
# Count, 4XXError, 5XXError, Latency, IntegrationLatency, CacheHitCount, CacheMissCount
# (API Gateway Developer Guide, "Amazon API Gateway dimensions and metrics").
APIGATEWAY_METRICS_PER_METHOD = Decimal(7)
# Viewer zones whose edge locations each CloudFront price class uses (CloudFront pricing page,
# "Price classes"); a viewer outside the class is served, and billed, from US/Europe edges.
PRICE_CLASS_ZONES = {
    "PriceClass_100": {"us", "europe"},
    "PriceClass_200": {"us", "europe", "asia", "japan", "india", "middle_east", "africa"},
}
_REF = re.compile(r"^\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.[a-z_]+\}$")


def _single_block(value: Any) -> Any:
    """A nested block as Terraform JSON may write it: an object, or a list holding one."""
    return value[0] if isinstance(value, list) and value else value


@dataclass(frozen=True)
class LineItem:
    name: str
    quantity: Decimal
    price: Price

    @property
    def monthly_usd(self) -> Decimal:
        return (self.quantity * self.price.usd).quantize(CENT)

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "quantity": str(self.quantity.normalize()),
            "unit": self.price.unit,
            "unit_usd": str(self.price.usd),
            "monthly_usd": float(self.monthly_usd),
            "price_id": self.price.id,
            "source": self.price.source,
            "as_of": self.price.as_of.isoformat(),
            "status": self.price.status,
        }


@dataclass
class ResourceCost:
    address: str
    rtype: str
    module: str
    region: str
    items: list[LineItem] = field(default_factory=list)
    note: str = ""

    @property
    def monthly_usd(self) -> Decimal:
        return sum((i.monthly_usd for i in self.items), Decimal(0))


@dataclass(frozen=True)
class Unpriced:
    address: str
    rtype: str
    reason: str


@dataclass
class CostEstimate:
    env: str
    region: str
    resources: list[ResourceCost]
    unpriced: list[Unpriced]
    free: Counter[str]
    usage_profile: str
    usage_source: str = ""
    # Totals under the profile's low and high traffic ([sensitivity] factors), and those factors.
    scenarios: dict[str, Decimal] = field(default_factory=dict)
    sensitivity: dict[str, Decimal] = field(default_factory=dict)
    # Every number of the usage profile, flattened ("s3.match.*-uploads-*.standard_gb", value), for cost.md.
    usage_assumptions: list[tuple[str, str]] = field(default_factory=list)
    # Cheaper equivalents for the same protection (gates.cost_advice.Advice), largest saving first.
    advice: list[Any] = field(default_factory=list)

    def largest(self, count: int) -> list[ResourceCost]:
        """The `count` largest drivers of the estimate, by monthly cost."""
        ranked = sorted(self.resources, key=lambda r: (-r.monthly_usd, r.address))
        return [r for r in ranked if r.monthly_usd > 0][:count]

    @property
    def monthly_usd(self) -> Decimal:
        return sum((r.monthly_usd for r in self.resources), Decimal(0))

    @property
    def unconfirmed_usd(self) -> Decimal:
        return sum((i.monthly_usd for r in self.resources for i in r.items if i.price.status != "confirmed"), Decimal(0))


class MissingPrice(Exception):
    def __init__(self, price_id: str, region: str):
        super().__init__(f"needs price {price_id!r}, which the {region} catalogue does not have")


class Context:
    """What a pricing rule may look at: the stack, the catalogues by Region, the usage profile."""

    def __init__(self, stack: Stack, pricing_dir: Path, usage: Usage, fallback_region: str | None = None):
        self.stack = stack
        self.usage = usage
        self.pricing_dir = pricing_dir
        self.regions = _provider_regions(stack)
        if fallback_region:
            self.regions.setdefault("aws", fallback_region)
        aliased = sorted({region for name, region in self.regions.items() if name != "aws"})
        if "aws" not in self.regions and len(aliased) == 1:
            # Only aliased providers, all in one Region (common in hand-written and plan JSON):
            # resources name their alias, and that Region prices them.
            self.regions["aws"] = aliased[0]
        self.default_region = self.regions.get("aws", "")
        self._catalogues: dict[str, Catalogue] = {}
        self.flow_log_groups = {
            m.group(2)
            for body in (stack.document.get("resource", {}).get("aws_flow_log") or {}).values()
            if (m := _REF.match(str(body.get("log_destination", ""))))
        }

        self._free_left: dict[str, Decimal] = {}

    def free_part(self, allowance: str, wanted: Decimal) -> Decimal:
        """How much of `wanted` the stack's share of an always-free allowance still covers; uses it up."""
        if allowance not in self._free_left:
            # No [free_tier] in the profile: assume the allowances are used elsewhere in the account.
            share = self.usage.number("free_tier", "share", scaled=False) if "free_tier" in self.usage.data else Decimal(0)
            self._free_left[allowance] = FREE_ALLOWANCES[allowance] * min(share, Decimal(1))
        covered = min(wanted, self._free_left[allowance])
        self._free_left[allowance] -= covered
        return covered

    def catalogue(self, region: str) -> Catalogue:
        if region not in self._catalogues:
            self._catalogues[region] = load_catalogue(self.pricing_dir, region)
        return self._catalogues[region]

    def region_of(self, body: dict[str, Any]) -> str:
        provider = str(body.get("provider", "aws")).strip()
        if provider.startswith("${") and provider.endswith("}"):
            provider = provider[2:-1].strip()  # provider = aws.primary, as an HCL-to-JSON converter writes it
        if provider not in self.regions:
            raise InputError(f"{self.stack.path}: provider {provider!r} is used but has no region set")
        return self.regions[provider]

    def item(self, body: dict[str, Any], name: str, quantity: Decimal, price_id: str) -> LineItem:
        region = self.region_of(body)
        price = self.catalogue(region).get(price_id)
        if price is None:
            raise MissingPrice(price_id, region)
        return LineItem(name=name, quantity=quantity, price=price)

    def deref(self, reference: Any) -> dict[str, Any] | None:
        match = _REF.match(str(reference))
        if not match:
            return None
        found = (self.stack.document.get("resource", {}).get(match.group(1)) or {}).get(match.group(2))
        return found if isinstance(found, dict) else None


def _provider_regions(stack: Stack) -> dict[str, str]:
    """ "aws" and "aws.<alias>" -> Region, from the provider blocks."""
    regions: dict[str, str] = {}
    configs = (stack.document.get("provider") or {}).get("aws") or []
    if isinstance(configs, dict):
        configs = [configs]
    for config in configs:
        if isinstance(config, dict) and isinstance(config.get("region"), str):
            alias = config.get("alias")
            regions[f"aws.{alias}" if alias else "aws"] = config["region"]
    return regions


def _number(value: Any, default: Decimal) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return default
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return default


Rule = Callable[[Context, str, dict[str, Any]], list[LineItem]]


# --- network -----------------------------------------------------------------------
def _nat_gateway(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    gb = ctx.usage.number("nat_gateway", "gb_processed")
    return [
        ctx.item(body, "NAT gateway hours", HOURS_PER_MONTH, "nat_gateway_hour"),
        ctx.item(body, "NAT data processed", gb, "nat_gateway_gb"),
    ]


def _eip(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    # Every public IPv4 address is billed per hour, attached or idle (since 2024-02-01).
    return [ctx.item(body, "Public IPv4 address hours", HOURS_PER_MONTH, "public_ipv4_hour")]


def _vpc_endpoint(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    if body.get("vpc_endpoint_type", "Gateway") != "Interface":
        return []  # gateway endpoints (S3, DynamoDB) have no charge
    zones = Decimal(len(body.get("subnet_ids") or []) or 1)
    gb = ctx.usage.number("vpc_endpoint", "gb_processed")
    return [
        ctx.item(body, f"Interface endpoint hours ({zones} AZ)", zones * HOURS_PER_MONTH, "vpc_endpoint_az_hour"),
        ctx.item(body, "Interface endpoint data processed", gb, "vpc_endpoint_gb"),
    ]


# --- database ----------------------------------------------------------------------
def _aurora_cluster(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    usage = ctx.usage
    storage = usage.number("aurora", "storage_gb")
    optimized = body.get("storage_type") == "aurora-iopt1"
    items = [
        ctx.item(
            body,
            "Storage (I/O-Optimized)" if optimized else "Storage",
            storage,
            "aurora_iopt_storage_gb_month" if optimized else "aurora_storage_gb_month",
        )
    ]
    if not optimized:
        items.append(ctx.item(body, "I/O requests (millions)", usage.number("aurora", "io_millions"), "aurora_io_million"))
    items += _backup_beyond_free(ctx, body, storage, "aurora")
    if body.get("manage_master_user_password") is True:
        items.append(ctx.item(body, "Managed master secret (Secrets Manager)", Decimal(1), "secretsmanager_secret_month"))
    if body.get("enable_http_endpoint") is True:
        requests = usage.number("aurora", "data_api_requests")
        items.append(ctx.item(body, "Data API requests (millions)", requests / MILLION, "aurora_data_api_million"))
    return items


def _aurora_instance(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    usage = ctx.usage
    instance_class = str(body.get("instance_class", ""))
    cluster = ctx.deref(body.get("cluster_identifier")) or {}
    items: list[LineItem] = []
    if instance_class == "db.serverless":
        scaling = cluster.get("serverlessv2_scaling_configuration") or [{}]
        scaling = _single_block(scaling)
        minimum = _number((scaling or {}).get("min_capacity"), Decimal("0.5"))
        active = usage.number("aurora", "serverless_active_hours", scaled=False)
        average = usage.number("aurora", "serverless_average_acu")
        # Never below the configured floor while the cluster runs; 0 ACU pauses.
        acu_hours = max(active * average, minimum * HOURS_PER_MONTH)
        items.append(ctx.item(body, "Serverless v2 capacity (ACU-hours)", acu_hours, "aurora_serverless_v2_acu_hour"))
    else:
        optimized = cluster.get("storage_type") == "aurora-iopt1"
        price_id = f"aurora_{'iopt_' if optimized else ''}instance_hour:{instance_class}"
        items.append(ctx.item(body, f"Instance hours ({instance_class})", HOURS_PER_MONTH, price_id))
    return items + _instance_extras(ctx, body, instance_class, "aurora")


def _backup_beyond_free(ctx: Context, body: dict[str, Any], storage: Decimal, section: str) -> list[LineItem]:
    """Backup storage up to the database's size is free; beyond it, each retained day of
    changes is billed (Aurora and RDS pricing, "Backup storage")."""
    retention = _number(body.get("backup_retention_period"), Decimal(1))
    change = ctx.usage.number(section, "daily_change_percent", scaled=False) / Decimal(100)
    billed = max(Decimal(0), storage * change * retention - storage)
    if billed <= 0:
        return []
    return [ctx.item(body, "Backup storage beyond the free allowance", billed, f"{section}_backup_gb_month")]


def _instance_extras(ctx: Context, body: dict[str, Any], instance_class: str, section: str) -> list[LineItem]:
    """Performance Insights beyond the free 7 days (per vCPU) and enhanced-monitoring logs."""
    items: list[LineItem] = []
    retention = _number(body.get("performance_insights_retention_period"), Decimal(7))
    if body.get("performance_insights_enabled") is True and retention > 7:
        if instance_class not in AURORA_VCPUS:
            raise MissingPrice(f"vCPU count of {instance_class}", ctx.region_of(body))
        vcpus = AURORA_VCPUS[instance_class]
        items.append(
            ctx.item(
                body,
                f"Performance Insights retention beyond 7 days ({vcpus} vCPU)",
                vcpus,
                "performance_insights_long_term_vcpu_month",
            )
        )
    if _number(body.get("monitoring_interval"), Decimal(0)) > 0:
        gb = ctx.usage.number(section, "enhanced_monitoring_gb_per_instance", scaled=False)
        billed = gb - ctx.free_part("logs_gb", gb)
        items.append(
            ctx.item(body, "Enhanced monitoring logs ingested (RDSOSMetrics) beyond the free tier", billed, "logs_ingestion_gb")
        )
    return items


def _rds_instance(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    """RDS (not Aurora) instances: hours by class and deployment, provisioned gp3 storage,
    backups beyond the free allowance (the provisioned size), the managed secret."""
    instance_class = str(body.get("instance_class", ""))
    multi_az = body.get("multi_az") is True
    deployment = "rds_multi_az" if multi_az else "rds"
    label = "Multi-AZ" if multi_az else "Single-AZ"
    storage = _number(body.get("allocated_storage"), Decimal(20))
    # Terraform leaves storage_type to AWS when unset, which picks gp2 for new instances.
    volume = str(body.get("storage_type", "gp2"))
    items = [
        ctx.item(
            body, f"Instance hours ({instance_class}, {label})", HOURS_PER_MONTH, f"{deployment}_instance_hour:{instance_class}"
        ),
        ctx.item(body, f"{volume} storage ({label})", storage, f"{deployment}_{volume}_storage_gb_month"),
    ]
    if volume == "gp3":
        # gp3 includes 3,000 IOPS below 400 GB and 12,000 from 400 GB (RDS User Guide, "gp3 storage");
        # IOPS provisioned above the baseline are billed per IOPS-month.
        baseline = Decimal(12_000) if storage >= 400 else Decimal(3000)
        extra = _number(body.get("iops"), baseline) - baseline
        if extra > 0:
            items.append(
                ctx.item(body, f"gp3 IOPS above the {baseline} included ({label})", extra, f"{deployment}_gp3_iops_month")
            )
        throughput = _number(body.get("storage_throughput"), Decimal(0))
        if throughput > (500 if storage >= 400 else 125):
            raise MissingPrice(f"{deployment}_gp3_throughput_mibps_month", ctx.region_of(body))
    items += _backup_beyond_free(ctx, body, storage, "rds")
    if body.get("manage_master_user_password") is True:
        items.append(ctx.item(body, "Managed master secret (Secrets Manager)", Decimal(1), "secretsmanager_secret_month"))
    return items + _instance_extras(ctx, body, instance_class, "rds")


def _ec2_instance(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    """EC2 instances: Linux on-demand hours by type, the root gp3 volume, and the public IPv4
    address when the instance asks for one."""
    instance_type = str(body.get("instance_type", ""))
    root = body.get("root_block_device")
    root = _single_block(root)
    root = root if isinstance(root, dict) else {}
    volume = str(root.get("volume_type", "gp3"))
    # An AMI's root volume is 8 GB unless the resource sets volume_size (Amazon Linux 2023 AMIs).
    size = _number(root.get("volume_size"), Decimal(8))
    items = [
        ctx.item(body, f"Instance hours ({instance_type}, Linux)", HOURS_PER_MONTH, f"ec2_instance_hour:{instance_type}"),
        ctx.item(body, f"Root volume ({volume})", size, f"ebs_{volume}_gb_month"),
    ]
    if body.get("associate_public_ip_address") is True:
        items.append(ctx.item(body, "Public IPv4 address hours", HOURS_PER_MONTH, "public_ipv4_hour"))
    return items


# --- storage -----------------------------------------------------------------------
def _s3_bucket(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    bucket = str(body.get("bucket", name))
    usage = ctx.usage
    items = [ctx.item(body, "Standard storage", usage.number("s3", "standard_gb", name=bucket), "s3_standard_gb_month")]
    ia = usage.number("s3", "standard_ia_gb", name=bucket)
    if ia:
        items.append(ctx.item(body, "Standard-IA storage", ia, "s3_standard_ia_gb_month"))
    items.append(
        ctx.item(
            body, "PUT, COPY, POST, LIST (thousands)", usage.number("s3", "put_requests", name=bucket) / THOUSAND, "s3_put_1k"
        )
    )
    items.append(
        ctx.item(
            body, "GET and other requests (thousands)", usage.number("s3", "get_requests", name=bucket) / THOUSAND, "s3_get_1k"
        )
    )
    return items


def _dynamodb_table(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    usage = ctx.usage
    if body.get("billing_mode", "PROVISIONED") != "PAY_PER_REQUEST":
        raise MissingPrice("dynamodb provisioned capacity", ctx.region_of(body))
    storage = usage.number("dynamodb", "storage_gb", name=str(body.get("name", name)))
    items = [
        ctx.item(
            body,
            "Write request units (millions)",
            usage.number("dynamodb", "write_request_units", name=str(body.get("name", name))) / MILLION,
            "dynamodb_wru_million",
        ),
        ctx.item(
            body,
            "Read request units (millions)",
            usage.number("dynamodb", "read_request_units", name=str(body.get("name", name))) / MILLION,
            "dynamodb_rru_million",
        ),
        ctx.item(
            body,
            "Table storage beyond the free 25 GB",
            storage - ctx.free_part("dynamodb_storage_gb", storage),
            "dynamodb_storage_gb_month",
        ),
    ]
    pitr = body.get("point_in_time_recovery")
    pitr = _single_block(pitr)
    if isinstance(pitr, dict) and pitr.get("enabled") is True:
        items.append(ctx.item(body, "Point-in-time recovery", storage, "dynamodb_pitr_gb_month"))
    return items


# --- edge --------------------------------------------------------------------------
def _cloudfront(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    usage = ctx.usage
    viewers = usage.text("cloudfront", "viewer_region", "europe")
    price_class = str(body.get("price_class", "PriceClass_All"))
    served = PRICE_CLASS_ZONES.get(price_class)
    zone = viewers if served is None or viewers in served else "europe"
    where = zone if zone == viewers else f"{viewers} viewers served from {zone} edges, {price_class}"
    gb = usage.number("cloudfront", "gb_out")
    requests = usage.number("cloudfront", "https_requests")
    gb_billed = gb - ctx.free_part("cloudfront_gb", gb)
    requests_billed = requests - ctx.free_part("cloudfront_requests", requests)
    return [
        ctx.item(body, f"Data transfer out ({where}) beyond the free 1 TB", gb_billed, f"cloudfront_gb_out:{zone}"),
        ctx.item(
            body,
            f"HTTPS requests ({where}) beyond the free 10 million (10 thousands)",
            requests_billed / Decimal(10_000),
            f"cloudfront_https_10k:{zone}",
        ),
    ]


def _waf_acl(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    rules = Decimal(len(body.get("rule") or []))
    requests = ctx.usage.number("waf", "requests", name=str(body.get("name", name)))
    return [
        ctx.item(body, "Web ACL", Decimal(1), "waf_acl_month"),
        ctx.item(body, f"Rules and managed rule groups ({rules})", rules, "waf_rule_month"),
        ctx.item(body, "Requests inspected (millions)", requests / MILLION, "waf_requests_million"),
    ]


# --- keys, secrets, logs --------------------------------------------------------------
def _kms_key(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    items = [
        ctx.item(body, "Customer managed key", Decimal(1), "kms_key_month"),
    ]
    requests = ctx.usage.number("kms", "requests")
    requests -= ctx.free_part("kms_requests", requests)
    items.append(ctx.item(body, "Requests beyond the free tier (10 thousands)", requests / Decimal(10_000), "kms_requests_10k"))
    if body.get("enable_key_rotation") is True:
        # The first and second rotations each add a key-month; later ones are free (AWS KMS
        # pricing, since May 2024). [kms] billed_rotations: 0 in a key's first year, 2 from its third.
        rotations = min(ctx.usage.number("kms", "billed_rotations", scaled=False), Decimal(2))
        if rotations:
            items.append(ctx.item(body, f"Rotated key versions ({rotations} billed)", rotations, "kms_key_month"))
    return items


def _secret(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    return [ctx.item(body, "Secret", Decimal(1), "secretsmanager_secret_month")]


def _log_group(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    group = str(body.get("name", name))
    flow_logs = name in ctx.flow_log_groups
    # A flow-log destination stores what the flow log delivers ([flow_logs] gb), not the
    # general per-group ingestion of [logs]; its ingestion is billed on the flow log.
    gb = ctx.usage.number("flow_logs", "gb") if flow_logs else ctx.usage.number("logs", "gb_ingested", name=group)
    days = _number(body.get("retention_in_days"), Decimal(0))
    # Steady state: a month's ingestion kept for the retention period; a group that
    # never expires is counted as one year, and FND_LOG_1 flags it anyway.
    months = (days if days > 0 else Decimal(365)) / DAYS_PER_MONTH
    items = []
    if not flow_logs:  # flow logs are billed as vended logs on the flow log
        billed = gb - ctx.free_part("logs_gb", gb)
        items.append(ctx.item(body, "Log ingestion beyond the free tier", billed, "logs_ingestion_gb"))
    items.append(
        ctx.item(body, f"Log storage ({days or 'no'} days retention)", (gb * months).quantize(CENT), "logs_storage_gb_month")
    )
    return items


def _flow_log(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    return [ctx.item(body, "Flow log delivery (vended logs)", ctx.usage.number("flow_logs", "gb"), "logs_vended_ingestion_gb")]


def _log_delivery(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    return [
        ctx.item(body, "Log delivery to S3 (vended logs)", ctx.usage.number("log_delivery", "gb"), "logs_vended_s3_delivery_gb")
    ]


# --- compute and API ---------------------------------------------------------------------
def _lambda(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    function = str(body.get("function_name", name))
    invocations = ctx.usage.number("lambda", "invocations", name=function)
    duration = ctx.usage.number("lambda", "average_duration_ms", name=function, scaled=False) / THOUSAND
    memory_gb = _number(body.get("memory_size"), Decimal(128)) / Decimal(1024)
    arch = "arm64" if (body.get("architectures") or ["x86_64"])[0] == "arm64" else "x86_64"
    seconds = (invocations * duration * memory_gb).quantize(CENT)
    seconds -= ctx.free_part("lambda_gb_seconds", seconds)
    requests = invocations - ctx.free_part("lambda_requests", invocations)
    items = [
        ctx.item(body, f"Compute ({arch}, GB-seconds beyond the free tier)", seconds, f"lambda_gb_second:{arch}"),
        ctx.item(body, "Requests beyond the free tier (millions)", requests / MILLION, "lambda_requests_million"),
    ]
    tracing = body.get("tracing_config")
    tracing = _single_block(tracing)
    if isinstance(tracing, dict) and tracing.get("mode") == "Active":
        # The default sampling rule records the first request each second and 5 % of the rest.
        traces = (invocations * ctx.usage.number("xray", "sampled_fraction", scaled=False)).quantize(Decimal(1))
        billed = traces - ctx.free_part("xray_traces", traces)
        items.append(
            ctx.item(body, "X-Ray traces recorded beyond the free 100,000 (millions)", billed / MILLION, "xray_traces_million")
        )
    return items


def _rest_api(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    return [
        ctx.item(
            body, "REST API requests (millions)", ctx.usage.number("api_gateway", "requests") / MILLION, "apigateway_rest_million"
        )
    ]


def _method_settings(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    settings = body.get("settings")
    settings = _single_block(settings)
    if not (isinstance(settings, dict) and settings.get("metrics_enabled") is True):
        return []  # without detailed metrics API Gateway publishes its free per-API metrics only
    api = body.get("rest_api_id")
    path = str(body.get("method_path", "*/*"))
    methods = [
        m
        for m in (ctx.stack.document.get("resource", {}).get("aws_api_gateway_method") or {}).values()
        if m.get("rest_api_id") == api
    ]
    count = Decimal(len(methods) if path == "*/*" else 1)
    metrics = count * APIGATEWAY_METRICS_PER_METHOD
    metrics -= ctx.free_part("cloudwatch_metrics", metrics)
    return [
        ctx.item(
            body,
            f"Detailed CloudWatch metrics ({count} methods x {APIGATEWAY_METRICS_PER_METHOD}, beyond the free tier)",
            metrics,
            "cloudwatch_metric_month",
        )
    ]


# CloudFront Developer Guide, "Enable additional CloudFront distribution metrics": cache hit
# rate, origin latency and the 401, 403, 404, 502, 503 and 504 error rates, billed as
# CloudWatch custom metrics.
CLOUDFRONT_ADDITIONAL_METRICS = Decimal(8)


def _cloudfront_monitoring(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    subscription = body.get("monitoring_subscription")
    subscription = _single_block(subscription)
    config = subscription.get("realtime_metrics_subscription_config") if isinstance(subscription, dict) else None
    config = _single_block(config)
    if not (isinstance(config, dict) and config.get("realtime_metrics_subscription_status") == "Enabled"):
        return []
    metrics = CLOUDFRONT_ADDITIONAL_METRICS - ctx.free_part("cloudwatch_metrics", CLOUDFRONT_ADDITIONAL_METRICS)
    return [
        ctx.item(
            body,
            f"Additional distribution metrics ({CLOUDFRONT_ADDITIONAL_METRICS}, beyond the free tier)",
            metrics,
            "cloudwatch_metric_month",
        )
    ]


def _ses_identity(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    messages = ctx.usage.number("ses", "messages", name=str(body.get("email_identity", name)))
    return [ctx.item(body, "Messages sent (thousands)", messages / THOUSAND, "ses_messages_1k")]


def _stage(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    if body.get("cache_cluster_enabled") is True:
        raise MissingPrice(f"apigateway_cache_hour:{body.get('cache_cluster_size', '0.5')}", ctx.region_of(body))
    return []  # requests are billed on the REST API


def _sqs(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    requests = ctx.usage.number("sqs", "requests")
    requests -= ctx.free_part("sqs_requests", requests)
    return [ctx.item(body, "Requests beyond the free million (millions)", requests / MILLION, "sqs_requests_million")]


def _user_pool(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    tier = str(body.get("user_pool_tier", "ESSENTIALS")).lower()
    users = ctx.usage.number("cognito", "monthly_active_users")
    return [
        ctx.item(
            body,
            f"Monthly active users beyond {COGNITO_FREE_MAU} ({tier})",
            max(Decimal(0), users - COGNITO_FREE_MAU),
            f"cognito_mau:{tier}",
        )
    ]


def _alarm(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    # Standard resolution (60 s or more); percentile statistics cost the same.
    if _number(body.get("period"), Decimal(60)) < 60:
        raise MissingPrice("cloudwatch_high_resolution_alarm_month", ctx.region_of(body))
    billed = Decimal(1) - ctx.free_part("cloudwatch_alarms", Decimal(1))
    return [ctx.item(body, "Standard-resolution alarm" + ("" if billed else " (free tier)"), billed, "cloudwatch_alarm_month")]


def _dashboard(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    billed = Decimal(1) - ctx.free_part("cloudwatch_dashboards", Decimal(1))
    return [ctx.item(body, "Dashboard" + ("" if billed else " (free tier)"), billed, "cloudwatch_dashboard_month")]


# --- audit and detection ---------------------------------------------------------------
def _cloudtrail(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    # The first copy of management events in each Region is free; every further trail that
    # records them (another environment in the same account, an organization trail) pays.
    events = ctx.usage.number("cloudtrail", "management_events")
    paid_copies = ctx.usage.number("cloudtrail", "paid_copies", scaled=False)
    items = [
        ctx.item(
            body,
            f"Management events beyond the free first copy ({paid_copies} paid, 100 thousands)",
            events * paid_copies / Decimal(100_000),
            "cloudtrail_management_events_100k",
        )
    ]
    selectors = list(body.get("event_selector") or []) + list(body.get("advanced_event_selector") or [])
    if any(s.get("data_resource") or s.get("field_selector") for s in selectors if isinstance(s, dict)):
        data_events = ctx.usage.number("cloudtrail", "data_events")
        items.append(ctx.item(body, "Data events (100 thousands)", data_events / Decimal(100_000), "cloudtrail_data_events_100k"))
    return items


def _config_recorder(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    items = ctx.usage.number("config", "configuration_items")
    return [ctx.item(body, "Configuration items recorded", items, "config_configuration_item")]


def _config_rule(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    evaluations = ctx.usage.number("config", "evaluations_per_rule")
    return [ctx.item(body, "Rule evaluations", evaluations, "config_rule_evaluation")]


def _guardduty(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    if body.get("enable") is False:
        return []  # a suspended detector analyses nothing and is not billed
    return [
        ctx.item(
            body,
            "CloudTrail management events analysed (millions)",
            ctx.usage.number("guardduty", "management_events") / MILLION,
            "guardduty_management_events_million",
        ),
        ctx.item(
            body, "VPC flow and DNS logs analysed", ctx.usage.number("guardduty", "flow_and_dns_gb"), "guardduty_flow_dns_gb"
        ),
        # S3 Protection is on for a new detector unless turned off (GuardDuty User Guide,
        # "GuardDuty S3 Protection"); it analyses the S3 data events of the account's buckets.
        ctx.item(
            body,
            "S3 Protection: S3 data events analysed (millions)",
            ctx.usage.number("guardduty", "s3_data_events") / MILLION,
            "guardduty_s3_data_events_million",
        ),
    ]


def _hosted_zone(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    # Alias queries to CloudFront, API Gateway and other AWS resources are free; the rest
    # (MX, TXT, CAA, DKIM CNAMEs, lookups of names that do not exist) are standard queries.
    queries = ctx.usage.number("route53", "standard_queries")
    return [
        ctx.item(body, "Hosted zone", Decimal(1), "route53_zone_month"),
        ctx.item(body, "Standard queries (millions)", queries / MILLION, "route53_queries_million"),
    ]


RULES: dict[str, Rule] = {
    "aws_nat_gateway": _nat_gateway,
    "aws_eip": _eip,
    "aws_vpc_endpoint": _vpc_endpoint,
    "aws_rds_cluster": _aurora_cluster,
    "aws_rds_cluster_instance": _aurora_instance,
    "aws_db_instance": _rds_instance,
    "aws_instance": _ec2_instance,
    "aws_s3_bucket": _s3_bucket,
    "aws_dynamodb_table": _dynamodb_table,
    "aws_cloudfront_distribution": _cloudfront,
    "aws_wafv2_web_acl": _waf_acl,
    "aws_kms_key": _kms_key,
    "aws_secretsmanager_secret": _secret,
    "aws_cloudwatch_log_group": _log_group,
    "aws_flow_log": _flow_log,
    "aws_cloudwatch_log_delivery": _log_delivery,
    "aws_lambda_function": _lambda,
    "aws_api_gateway_rest_api": _rest_api,
    "aws_api_gateway_stage": _stage,
    "aws_api_gateway_method_settings": _method_settings,
    "aws_cloudfront_monitoring_subscription": _cloudfront_monitoring,
    "aws_sesv2_email_identity": _ses_identity,
    "aws_sqs_queue": _sqs,
    "aws_cognito_user_pool": _user_pool,
    "aws_route53_zone": _hosted_zone,
    "aws_cloudwatch_metric_alarm": _alarm,
    "aws_cloudwatch_dashboard": _dashboard,
    "aws_cloudtrail": _cloudtrail,
    "aws_config_configuration_recorder": _config_recorder,
    "aws_config_config_rule": _config_rule,
    "aws_guardduty_detector": _guardduty,
}


def _module(body: dict[str, Any]) -> str:
    """The construct that made the resource (`network`, `database`, ...), from cdktf's metadata."""
    path = str(((body.get("//") or {}).get("metadata") or {}).get("path", ""))
    parts = path.split("/")
    return parts[1] if len(parts) > 2 else "(stack)"


def _data_transfer(ctx: Context) -> ResourceCost:
    """Traffic no single resource carries: what the stack sends to the internet directly (API
    responses, NAT egress, S3 downloads; CloudFront is priced on the distribution) and what
    crosses Availability Zones inside its VPC, billed on both sides (Amazon EC2 on-demand
    pricing, "Data Transfer")."""
    usage = ctx.usage
    internet = usage.number("data_transfer", "internet_gb_out")
    billed = internet - ctx.free_part("internet_gb", internet)
    region = {"provider": "aws"}
    items = [ctx.item(region, "Data transfer out to the internet beyond the free 100 GB", billed, "data_transfer_internet_gb")]
    subnets = (ctx.stack.document.get("resource", {}).get("aws_subnet") or {}).values()
    if len({b.get("availability_zone") for b in subnets if isinstance(b, dict)}) > 1:
        crossing = usage.number("data_transfer", "inter_az_gb")
        items.append(
            ctx.item(
                region,
                "Data transfer between Availability Zones (GB, billed out and in)",
                crossing * 2,
                "data_transfer_inter_az_gb",
            )
        )
    return ResourceCost("(usage).data_transfer", "data_transfer", "(usage)", ctx.default_region, items)


def _flatten(data: dict[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    flat: list[tuple[str, str]] = []
    for key, value in data.items():
        if isinstance(value, dict):
            flat += _flatten(value, f"{prefix}{key}.")
        else:
            flat.append((f"{prefix}{key}", str(value)))
    return flat


def estimate(stack: Stack, pricing_dir: Path, usage_dir: Path, fallback_region: str | None = None) -> CostEstimate:
    """The expected estimate, with the low and high totals of the profile's sensitivity."""
    named = stack.foundation.usage_profile
    usage = Usage.load(usage_dir, stack.env, named, f'{stack.path}: "//".foundation.usage_profile')
    meta = stack.document.get("//")
    foundation = meta.get("foundation") if isinstance(meta, dict) else None
    if isinstance(foundation, dict) and "usage_overrides" in foundation:
        usage = usage.with_overrides(foundation["usage_overrides"], f'{stack.path}: "//".foundation.usage_overrides')
    result = _estimate(stack, pricing_dir, usage, fallback_region)
    result.sensitivity = usage.sensitivity()
    result.usage_assumptions = _flatten(usage.data)
    if not result.unpriced:
        result.scenarios = {
            scenario: _estimate(stack, pricing_dir, usage.scenario_of(scenario), fallback_region).monthly_usd
            for scenario in ("low", "high")
        }
        result.scenarios["expected"] = result.monthly_usd
        # Imported here: the advice reads estimates, so it imports this module.
        from gates.cost_advice import advise

        result.advice = advise(result, stack, load_catalogue(pricing_dir, result.region))
    return result


def _estimate(stack: Stack, pricing_dir: Path, usage: Usage, fallback_region: str | None) -> CostEstimate:
    ctx = Context(stack, pricing_dir, usage, fallback_region)
    profile = str(usage.path.name) if usage.path else ""
    if not ctx.default_region:
        aliased = sorted({r for name, r in ctx.regions.items() if name != "aws"})
        reason = (
            f"the aws provider configurations are aliased and in several Regions ({', '.join(aliased)}); give --region "
            "for the resources that name no provider and the stack's usage charges"
            if aliased
            else "the aws provider sets no region and --region was not given, so no price applies"
        )
        return CostEstimate(stack.env, "", [], [Unpriced("(stack)", "provider", reason)], Counter(), profile, usage.source)
    resources: list[ResourceCost] = []
    unpriced: list[Unpriced] = []
    free: Counter[str] = Counter()
    for address, body in sorted(stack.resources().items()):
        rtype, name = address.split(".", 1)
        region = ctx.region_of(body)
        rule = RULES.get(rtype)
        if rule is None:
            if rtype in ctx.catalogue(region).free:
                free[rtype] += 1
            else:
                unpriced.append(Unpriced(address, rtype, "not in the price catalogue and not declared free in free.toml"))
            continue
        try:
            items = rule(ctx, name, body)
        except MissingPrice as exc:
            unpriced.append(Unpriced(address, rtype, str(exc)))
            continue
        note = "" if items else "no charge for this configuration"
        resources.append(ResourceCost(address, rtype, _module(body), region, items, note))
    try:
        # A profile without [data_transfer] (a hand-written one) prices none; the shipped ones all set it.
        if "data_transfer" in usage.data:
            resources.append(_data_transfer(ctx))
    except MissingPrice as exc:
        unpriced.append(Unpriced("(usage).data_transfer", "data_transfer", str(exc)))
    return CostEstimate(stack.env, ctx.default_region, resources, unpriced, free, profile, usage.source)
