"""Refresh the price catalogue from the AWS Price List API (boto3 `pricing` client).

    python tools/prices.py                   # every catalogue in policies/pricing/
    python tools/prices.py --region eu-central-1

Needs AWS credentials allowed to call pricing:GetProducts. Each price the API
returns replaces the catalogue row, with the API named as its source, today's
date and status "confirmed"; rows the API does not answer for are kept as they
are and listed. Exit codes: 0 done, 2 bad arguments or catalogue, 3 no credentials
or the API cannot be reached (the catalogue is left unchanged).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gates.inputs import InputError  # noqa: E402
from gates.pricing import Catalogue, Price, load_catalogue  # noqa: E402

# Usage-type prefixes in the Price List; us-east-1 usage types carry none for most services.
USAGE_PREFIX = {"us-east-1": "", "eu-central-1": "EUC1-"}
# The Price List API answers only in these Regions; us-east-1 serves every Region's prices.
PRICING_ENDPOINT_REGION = "us-east-1"


@dataclass(frozen=True)
class Query:
    """Where one catalogue price lives in the Price List, and how to scale it to our unit."""

    service: str
    usage_type: str  # without the Region prefix
    scale: Decimal = Decimal(1)  # API unit -> catalogue unit (per request -> per million: 1e6)
    attributes: tuple[tuple[str, str], ...] = ()


AURORA = (("databaseEngine", "Aurora PostgreSQL"),)
POSTGRESQL = (("databaseEngine", "PostgreSQL"),)
# On-demand Linux in shared tenancy without pre-installed software: the plain hourly rate.
LINUX_SHARED = (("operatingSystem", "Linux"), ("tenancy", "Shared"), ("preInstalledSw", "NA"), ("capacitystatus", "Used"))
QUERIES: dict[str, Query] = {
    "nat_gateway_hour": Query("AmazonEC2", "NatGateway-Hours"),
    "nat_gateway_gb": Query("AmazonEC2", "NatGateway-Bytes"),
    "public_ipv4_hour": Query("AmazonVPC", "PublicIPv4:InUseAddress"),
    "vpc_endpoint_az_hour": Query("AmazonVPC", "VpcEndpoint-Hours"),
    "vpc_endpoint_gb": Query("AmazonVPC", "VpcEndpoint-Bytes"),
    "aurora_instance_hour:db.r6g.large": Query("AmazonRDS", "InstanceUsage:db.r6g.large", attributes=AURORA),
    "aurora_instance_hour:db.t4g.medium": Query("AmazonRDS", "InstanceUsage:db.t4g.medium", attributes=AURORA),
    "aurora_serverless_v2_acu_hour": Query("AmazonRDS", "Aurora:ServerlessV2Usage", attributes=AURORA),
    "aurora_storage_gb_month": Query("AmazonRDS", "Aurora:StorageUsage", attributes=AURORA),
    "aurora_io_million": Query("AmazonRDS", "Aurora:StorageIOUsage", Decimal(1_000_000), AURORA),
    "aurora_iopt_storage_gb_month": Query("AmazonRDS", "Aurora:IO-OptimizedStorageUsage", attributes=AURORA),
    "aurora_backup_gb_month": Query("AmazonRDS", "Aurora:BackupUsage", attributes=AURORA),
    "s3_standard_gb_month": Query("AmazonS3", "TimedStorage-ByteHrs"),
    "s3_standard_ia_gb_month": Query("AmazonS3", "TimedStorage-SIA-ByteHrs"),
    "s3_put_1k": Query("AmazonS3", "Requests-Tier1", Decimal(1000)),
    "s3_get_1k": Query("AmazonS3", "Requests-Tier2", Decimal(1000)),
    "logs_ingestion_gb": Query("AmazonCloudWatch", "DataProcessing-Bytes"),
    "logs_storage_gb_month": Query("AmazonCloudWatch", "TimedStorage-ByteHrs"),
    "lambda_gb_second:arm64": Query("AWSLambda", "Lambda-GB-Second-ARM"),
    "lambda_gb_second:x86_64": Query("AWSLambda", "Lambda-GB-Second"),
    "lambda_requests_million": Query("AWSLambda", "Request", Decimal(1_000_000)),
    "apigateway_rest_million": Query("AmazonApiGateway", "ApiGatewayRequest", Decimal(1_000_000)),
    "dynamodb_wru_million": Query("AmazonDynamoDB", "WriteRequestUnits", Decimal(1_000_000)),
    "dynamodb_rru_million": Query("AmazonDynamoDB", "ReadRequestUnits", Decimal(1_000_000)),
    "dynamodb_storage_gb_month": Query("AmazonDynamoDB", "TimedStorage-ByteHrs"),
    "dynamodb_pitr_gb_month": Query("AmazonDynamoDB", "TimedPITRStorage-ByteHrs"),
    "kms_key_month": Query("awskms", "KMS-Keys"),
    "kms_requests_10k": Query("awskms", "KMS-Requests", Decimal(10_000)),
    "secretsmanager_secret_month": Query("AWSSecretsManager", "AWSSecretsManager-Secrets"),
    "sqs_requests_million": Query("AWSQueueService", "Requests-Tier1", Decimal(1_000_000)),
    "cloudtrail_management_events_100k": Query("AWSCloudTrail", "PaidEventsRecorded", Decimal(100_000)),
    "cloudtrail_data_events_100k": Query("AWSCloudTrail", "DataEventsRecorded", Decimal(100_000)),
    "config_configuration_item": Query("AWSConfig", "ConfigurationItemRecorded"),
    "config_rule_evaluation": Query("AWSConfig", "ConfigRuleEvaluations"),
    "rds_gp2_storage_gb_month": Query("AmazonRDS", "RDS:GP2-Storage", attributes=POSTGRESQL),
    "rds_multi_az_gp2_storage_gb_month": Query("AmazonRDS", "RDS:Multi-AZ-GP2-Storage", attributes=POSTGRESQL),
    "ebs_gp3_gb_month": Query("AmazonEC2", "EBS:VolumeUsage.gp3"),
    "ebs_gp2_gb_month": Query("AmazonEC2", "EBS:VolumeUsage.gp2"),
    "cloudwatch_metric_month": Query("AmazonCloudWatch", "CW:MetricMonitorUsage"),
    "cloudwatch_alarm_month": Query("AmazonCloudWatch", "CW:AlarmMonitorUsage"),
    **{
        f"ec2_instance_hour:{instance_type}": Query("AmazonEC2", f"BoxUsage:{instance_type}", attributes=LINUX_SHARED)
        for instance_type in (
            "t3.micro",
            "t3.small",
            "t3.medium",
            "t4g.micro",
            "t4g.small",
            "t4g.medium",
            "m5.large",
            "m6g.large",
        )
    },
}


class PriceListError(Exception):
    pass


def first_tier_usd(price_list_item: str) -> Decimal | None:
    """The on-demand USD price of the first tier (beginRange 0) of one GetProducts item."""
    try:
        product = json.loads(price_list_item)
    except json.JSONDecodeError as exc:
        raise PriceListError(f"a PriceList entry is not JSON: {exc}")
    for term in (product.get("terms", {}).get("OnDemand") or {}).values():
        dimensions = sorted((term.get("priceDimensions") or {}).values(), key=lambda d: Decimal(str(d.get("beginRange", "0"))))
        for dimension in dimensions:
            usd = (dimension.get("pricePerUnit") or {}).get("USD")
            if usd is not None and str(dimension.get("beginRange", "0")) == "0":
                return Decimal(usd)
    return None


def fetch(client: Any, region: str, price_id: str, query: Query) -> tuple[Decimal, str] | None:
    """(price in the catalogue's unit, usage type) or None when the API has no such product."""
    usage_type = f"{USAGE_PREFIX.get(region, '')}{query.usage_type}"
    filters = [
        {"Type": "TERM_MATCH", "Field": "regionCode", "Value": region},
        {"Type": "TERM_MATCH", "Field": "usagetype", "Value": usage_type},
        *({"Type": "TERM_MATCH", "Field": k, "Value": v} for k, v in query.attributes),
    ]
    prices: list[Decimal] = []
    token: str | None = None
    while True:
        kwargs: dict[str, Any] = {"ServiceCode": query.service, "Filters": filters, "FormatVersion": "aws_v1"}
        if token:
            kwargs["NextToken"] = token
        response = client.get_products(**kwargs)
        for item in response.get("PriceList", []):
            usd = first_tier_usd(item)
            if usd is not None and usd > 0:
                prices.append(usd)
        token = response.get("NextToken")
        if not token:
            break
    if not prices:
        return None
    # Several products can share a usage type (e.g. per operation); the on-demand list
    # price is the same for all of them, and the highest is the safe side if not.
    return (max(prices) * query.scale).normalize(), usage_type


def refresh(client: Any, catalogue: Catalogue, today: dt.date) -> tuple[Catalogue, list[str], list[str]]:
    """A new catalogue with every price the API answered for; (catalogue, updated ids, missing ids)."""
    prices = dict(catalogue.prices)
    updated, missing = [], []
    for price_id, query in QUERIES.items():
        found = fetch(client, catalogue.region, price_id, query)
        if found is None:
            missing.append(price_id)
            continue
        usd, usage_type = found
        unit = prices[price_id].unit if price_id in prices else "unit"
        prices[price_id] = Price(
            id=price_id,
            usd=usd,
            unit=unit,
            source=f"AWS Price List API, {query.service} {usage_type}, first tier",
            as_of=today,
            status="confirmed",
        )
        updated.append(price_id)
    return Catalogue(catalogue.region, prices, catalogue.free, catalogue.path), updated, missing


def render(catalogue: Catalogue, today: dt.date) -> str:
    lines = [
        f"# On-demand list prices, {catalogue.region}, USD. First pricing tier only.",
        "# Rewritten by `make prices`; rows the Price List API did not answer for keep their",
        "# earlier source and status. See policies/pricing/us-east-1.toml for the format.",
        f'region = "{catalogue.region}"',
        f"as_of = {today.isoformat()}",
    ]
    for price_id in sorted(catalogue.prices):
        price = catalogue.prices[price_id]
        key = price_id if price_id.replace("_", "").isalnum() else json.dumps(price_id)
        lines += [
            "",
            f"[prices.{key}]",
            f"usd = {price.usd}",
            f"unit = {json.dumps(price.unit)}",
            f"source = {json.dumps(price.source)}",
            f"as_of = {price.as_of.isoformat()}",
            f'status = "{price.status}"',
        ]
        if price.note:
            lines.append(f"note = {json.dumps(price.note)}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tools/prices.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--region", action="append", help="catalogue to refresh (repeatable); default: all")
    parser.add_argument("--pricing-dir", type=Path, default=ROOT / "policies" / "pricing")
    args = parser.parse_args(argv)

    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    regions = args.region or sorted(p.stem for p in args.pricing_dir.glob("*.toml") if p.stem != "free")
    session = boto3.Session()
    if session.get_credentials() is None:
        print(
            "make prices: no AWS credentials found, so the Price List API cannot be asked. The catalogue "
            "is unchanged. Set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY for an identity "
            "allowed pricing:GetProducts, then run it again.",
            file=sys.stderr,
        )
        return 3
    client = session.client("pricing", region_name=PRICING_ENDPOINT_REGION)
    today = dt.date.today()
    try:
        catalogues = [load_catalogue(args.pricing_dir, region) for region in regions]
        results = [refresh(client, catalogue, today) for catalogue in catalogues]
    except InputError as exc:
        print(f"make prices: {exc}", file=sys.stderr)
        return 2
    except (BotoCoreError, ClientError, PriceListError) as exc:
        print(f"make prices: the Price List API call failed ({exc}); the catalogue is unchanged.", file=sys.stderr)
        return 3
    # Written only after every Region answered: never half a refresh.
    for catalogue, updated, missing in results:
        tmp = catalogue.path.with_suffix(".toml.tmp")
        tmp.write_text(render(catalogue, today), encoding="utf-8")
        tmp.replace(catalogue.path)
        print(f"{catalogue.region}: {len(updated)} prices confirmed from the Price List API")
        if missing:
            print(f"  not found (kept as they were): {', '.join(missing)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
