"""Monthly cost of a synthesized stack, from the price catalogue and a usage profile.

Reads the Terraform JSON only. Every resource type is either priced by a rule of
gates/cost_rules/ (one module per service family) or declared free in
policies/pricing/free.toml; anything else is listed as unpriced and fails the
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
from policies.aws_rules import provider_configuration

HOURS_PER_MONTH = Decimal(730)  # AWS pricing pages' month: 365 days x 24 h / 12
MILLION = Decimal(1_000_000)
THOUSAND = Decimal(1000)
CENT = Decimal("0.0001")
DAYS_PER_MONTH = Decimal("30.4167")
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
    # SNS: the first million publishes and 1,000 e-mail deliveries a month (Amazon SNS pricing page, free tier).
    "sns_requests": Decimal(1_000_000),
    "sns_email_notifications": Decimal(1000),
    # Step Functions Standard: 4,000 state transitions a month (AWS Step Functions pricing page, free tier).
    "sfn_transitions": Decimal(4000),
}
_REF = re.compile(r"^\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.[a-z_]+\}$")


def single_block(value: Any) -> Any:
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
    # Why each free type costs nothing (policies/pricing/free.toml), for the reports.
    free_reasons: dict[str, str] = field(default_factory=dict)

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


class MissingInput(MissingPrice):
    """The resource cannot be priced from this file alone (its instance type lives in a launch
    template another stack owns, say); the message says what is missing and how to supply it."""

    def __init__(self, what: str):
        Exception.__init__(self, what)


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
        provider = provider_configuration(body.get("provider"))
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


def as_number(value: Any, default: Decimal) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return default
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return default


Rule = Callable[[Context, str, dict[str, Any]], list[LineItem]]


def rules() -> dict[str, Rule]:
    """Every pricing rule by resource type, from the service-family modules of gates/cost_rules/.

    Imported on first use, not at the top: the rule modules build on this module's Context
    and LineItem, so they import it."""
    from gates.cost_rules import RULES

    return RULES


def __getattr__(name: str) -> Any:
    # `gates.cost.RULES` as before the rules moved into gates/cost_rules/.
    if name == "RULES":
        return rules()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
    free_reasons: dict[str, str] = {}
    table = rules()
    for address, body in sorted(stack.resources().items()):
        rtype, name = address.split(".", 1)
        region = ctx.region_of(body)
        rule = table.get(rtype)
        if rule is None:
            why_free = ctx.catalogue(region).free.get(rtype)
            if why_free is not None:
                free[rtype] += 1
                free_reasons[rtype] = why_free
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
    result = CostEstimate(stack.env, ctx.default_region, resources, unpriced, free, profile, usage.source)
    result.free_reasons = dict(sorted(free_reasons.items()))
    return result
