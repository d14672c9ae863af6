"""`make prices`: Price List API responses (recorded shapes, botocore Stubber or a fake client) into the catalogue."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sys
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber

from gates.pricing import load_catalogue
from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "tools"))
import prices

TODAY = dt.date(2026, 11, 22)
PRICING = ROOT / "policies" / "pricing"
REGIONS = tuple(sorted(p.stem for p in PRICING.glob("*.toml") if p.stem != "free"))


def product(usage_type: str, tiers: list[tuple[str, str]], unit: str = "Hrs", region: str = "eu-central-1") -> str:
    """One GetProducts PriceList entry, shaped as the API returns it (a JSON string)."""
    dimensions = {
        f"SKU.TERM.{i}": {
            "unit": unit,
            "beginRange": begin,
            "endRange": "Inf",
            "pricePerUnit": {"USD": usd},
            "description": f"{usage_type} tier {i}",
        }
        for i, (begin, usd) in enumerate(tiers)
    }
    return json.dumps(
        {
            "product": {"productFamily": "x", "attributes": {"usagetype": usage_type, "regionCode": region}},
            "serviceCode": "x",
            "terms": {"OnDemand": {"SKU.TERM": {"priceDimensions": dimensions, "effectiveDate": "2026-11-01T00:00:00Z"}}},
            "publicationDate": "2026-11-01T00:00:00Z",
        }
    )


@pytest.fixture()
def client() -> Any:
    return boto3.client("pricing", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")


def expect(stubber: Stubber, query: prices.Query, region: str, price_list: list[str], next_token: str | None = None) -> None:
    response: dict[str, Any] = {"PriceList": price_list, "FormatVersion": "aws_v1"}
    if next_token:
        response["NextToken"] = next_token
    params = {"ServiceCode": query.service, "Filters": ANY, "FormatVersion": "aws_v1"}
    stubber.add_response("get_products", response, params)


def expect_filters(stubber: Stubber, service: str, terms: list[tuple[str, str]], price_list: list[str]) -> None:
    """One GetProducts call with exactly these TERM_MATCH filters, in this order."""
    filters = [{"Type": "TERM_MATCH", "Field": field, "Value": value} for field, value in terms]
    stubber.add_response(
        "get_products",
        {"PriceList": price_list, "FormatVersion": "aws_v1"},
        {"ServiceCode": service, "Filters": filters, "FormatVersion": "aws_v1"},
    )


def catalogue_ids() -> dict[str, set[str]]:
    return {region: set(tomllib.loads((PRICING / f"{region}.toml").read_text())["prices"]) for region in REGIONS}


# Coverage: every catalogue row is either asked for or has a reason not to be.


@pytest.mark.parametrize("region", REGIONS)
def test_every_catalogue_row_has_a_query_or_a_reason_it_is_not_in_the_price_list(region: str) -> None:
    ids = sorted(catalogue_ids()[region])
    assert prices.uncovered(ids) == [], (
        "add a Query to tools/prices.py (QUERIES, or a rule in FAMILIES for a row priced per instance type), "
        "or name the row in NOT_IN_PRICE_LIST with the reason"
    )


def test_the_coverage_check_names_a_row_nobody_accounted_for() -> None:
    assert prices.uncovered(["nat_gateway_hour", "ec2_instance_hour:c7g.xlarge", "quantum_annealer_hour"]) == [
        "quantum_annealer_hour"
    ]


def test_queries_and_reasons_name_catalogue_rows_and_never_the_same_row() -> None:
    every_id = set().union(*catalogue_ids().values())
    assert set(prices.QUERIES) <= every_id, "a query for a row no catalogue has"
    assert set(prices.NOT_IN_PRICE_LIST) <= every_id, "a reason for a row no catalogue has"
    for price_id, reason in prices.NOT_IN_PRICE_LIST.items():
        assert prices.query_for(price_id) is None, f"{price_id} has a query and a reason not to be asked"
        assert len(reason.split()) >= 8, f"{price_id}: say why in a sentence"


def test_a_new_row_of_a_known_family_gets_its_query_from_the_type() -> None:
    query = prices.query_for("ec2_instance_hour:c7g.xlarge")
    assert query == prices.Query("AmazonEC2", "BoxUsage:c7g.xlarge", attributes=prices.LINUX_SHARED)
    node = prices.query_for("elasticache_node_hour:cache.t4g.micro")
    assert node is not None and node.usage_type == "NodeUsage:cache.t4g.micro"
    assert ("instanceType", "cache.t4g.micro") in node.attributes
    assert prices.query_for("ec2_instance_hour:") is None
    assert prices.query_for("ec2_instance_hour") is None
    assert prices.query_for("teleporter_hour:t3.micro") is None


def test_every_family_rule_names_the_type_it_was_given() -> None:
    for family, rule in prices.FAMILIES.items():
        query = rule("x9.fake")
        named = [query.usage_type or "", *(value for _, value in query.attributes)]
        assert any("x9.fake" in value for value in named), family


# The GetProducts filters each kind of query sends, and the scaling of the answer.

EUC1 = ("regionCode", "eu-central-1")

CASES: list[tuple[str, str, list[tuple[str, str]], str, str, Decimal]] = [
    # price id, service, filters, usage type answered, USD per API unit, catalogue price
    (
        "rds_multi_az_instance_hour:db.t4g.micro",
        "AmazonRDS",
        [
            EUC1,
            ("usagetype", "EUC1-Multi-AZUsage:db.t4g.micro"),
            ("instanceType", "db.t4g.micro"),
            ("databaseEngine", "PostgreSQL"),
            ("deploymentOption", "Multi-AZ"),
        ],
        "EUC1-Multi-AZUsage:db.t4g.micro",
        "0.0380000000",
        Decimal("0.038"),
    ),
    (
        "rds_instance_hour:db.t4g.small",
        "AmazonRDS",
        [
            EUC1,
            ("usagetype", "EUC1-InstanceUsage:db.t4g.small"),
            ("instanceType", "db.t4g.small"),
            ("databaseEngine", "PostgreSQL"),
            ("deploymentOption", "Single-AZ"),
        ],
        "EUC1-InstanceUsage:db.t4g.small",
        "0.0380000000",
        Decimal("0.038"),
    ),
    (
        "rds_multi_az_gp3_iops_month",
        "AmazonRDS",
        [
            EUC1,
            ("usagetype", "EUC1-RDS:Multi-AZ-GP3-PIOPS"),
            ("databaseEngine", "Any"),
            ("deploymentOption", "Multi-AZ"),
            ("groupDescription", "RDS Provisioned GP3 IOPS"),
        ],
        "EUC1-RDS:Multi-AZ-GP3-PIOPS",
        "0.0480000000",
        Decimal("0.048"),
    ),
    (
        "elasticache_node_hour:cache.r5.4xlarge",
        "AmazonElastiCache",
        [EUC1, ("usagetype", "EUC1-NodeUsage:cache.r5.4xlarge"), ("instanceType", "cache.r5.4xlarge"), ("cacheEngine", "Redis")],
        "EUC1-NodeUsage:cache.r5.4xlarge",
        "1.9680000000",
        Decimal("1.968"),
    ),
    (
        "msk_broker_hour:kafka.t3.small",
        "AmazonMSK",
        [EUC1, ("usagetype", "EUC1-Kafka.t3.small"), ("operation", "RunBroker")],
        "EUC1-Kafka.t3.small",
        "0.0520000000",
        Decimal("0.052"),
    ),
    (
        "redshift_node_hour:ra3.4xlarge",
        "AmazonRedshift",
        [EUC1, ("usagetype", "EUC1-Node:ra3.4xlarge"), ("instanceType", "ra3.4xlarge")],
        "EUC1-Node:ra3.4xlarge",
        "3.8930000000",
        Decimal("3.893"),
    ),
    (
        "neptune_instance_hour:db.r4.large",
        "AmazonNeptune",
        [EUC1, ("usagetype", "EUC1-InstanceUsage:db.r4.large"), ("instanceType", "db.r4.large")],
        "EUC1-InstanceUsage:db.r4.large",
        "0.4480000000",
        Decimal("0.448"),
    ),
    # No usage type: the product family and instance type pick the product, still in the Region.
    (
        "opensearch_instance_hour:c4.2xlarge.search",
        "AmazonES",
        [EUC1, ("productFamily", "Amazon OpenSearch Service Instance"), ("instanceType", "c4.2xlarge.search")],
        "EUC1-ESInstance:c4.2xlarge",
        "0.6140000000",
        Decimal("0.614"),
    ),
    (
        "docdb_instance_hour:db.t3.medium",
        "AmazonDocDB",
        [EUC1, ("productFamily", "Database Instance"), ("instanceType", "db.t3.medium"), ("volumeType", "General Purpose")],
        "EUC1-InstanceUsage:db.t3.medium",
        "0.0860000000",
        Decimal("0.086"),
    ),
    (
        "nlb_capacity_unit_hour",
        "AWSELB",
        [EUC1, ("usagetype", "EUC1-LCUUsage"), ("productFamily", "Load Balancer-Network")],
        "EUC1-LCUUsage",
        "0.0080000000",
        Decimal("0.008"),
    ),
    (
        "ebs_io2_iops_month",
        "AmazonEC2",
        [EUC1, ("usagetype", "EUC1-EBS:VolumeP-IOPS.io2"), ("volumeApiName", "io2")],
        "EUC1-EBS:VolumeP-IOPS.io2",
        "0.0780000000",
        Decimal("0.078"),
    ),
    # Listed per GB-second, priced per GB-hour.
    (
        "sfn_express_gb_hour",
        "AmazonStates",
        [EUC1, ("usagetype", "EUC1-StepFunctions-GB-Second")],
        "EUC1-StepFunctions-GB-Second",
        "0.0000166700",
        Decimal("0.060012"),
    ),
    (
        "kinesis_put_payload_units_million",
        "AmazonKinesis",
        [EUC1, ("usagetype", "EUC1-PutRequestPayloadUnits"), ("operation", "PutRequest")],
        "EUC1-PutRequestPayloadUnits",
        "0.0000000175",
        Decimal("0.0175"),
    ),
    (
        "eventbridge_events_million",
        "AWSEvents",
        [EUC1, ("usagetype", "EUC1-Event-64K-Chunks"), ("eventType", "Custom Event")],
        "EUC1-Event-64K-Chunks",
        "0.0000010000",
        Decimal("1"),
    ),
    (
        "guardduty_management_events_million",
        "AmazonGuardDuty",
        [EUC1, ("usagetype", "EUC1-PaidEventsAnalyzed")],
        "EUC1-PaidEventsAnalyzed",
        "0.0000046000",
        Decimal("4.6"),
    ),
    (
        "secretsmanager_api_10k",
        "AWSSecretsManager",
        [EUC1, ("productFamily", "API Request"), ("group", "AWSSecretsManager-APIRequest")],
        "EUC1-AWSSecretsManagerAPIRequest",
        "0.0000050000",
        Decimal("0.05"),
    ),
    (
        "cognito_mau:essentials",
        "AmazonCognito",
        [EUC1, ("usagetype", "EUC1-CognitoEssentialsMAU"), ("productFamily", "Amazon Cognito - Essentials")],
        "EUC1-CognitoEssentialsMAU",
        "0.0150000000",
        Decimal("0.015"),
    ),
    # Data transfer names the Region the bytes leave in fromRegionCode; the usage type is prefixed.
    (
        "data_transfer_internet_gb",
        "AWSDataTransfer",
        [("fromRegionCode", "eu-central-1"), ("usagetype", "EUC1-DataTransfer-Out-Bytes"), ("transferType", "AWS Outbound")],
        "EUC1-DataTransfer-Out-Bytes",
        "0.0900000000",
        Decimal("0.09"),
    ),
    # Global price lists: no Region filter and no Region prefix, whatever the catalogue's Region.
    (
        "cloudfront_https_10k:europe",
        "AmazonCloudFront",
        [("usagetype", "EU-Requests-Tier2-HTTPS")],
        "EU-Requests-Tier2-HTTPS",
        "0.0000012000",
        Decimal("0.012"),
    ),
    (
        "cloudfront_gb_out:south_america",
        "AmazonCloudFront",
        [("usagetype", "SA-DataTransfer-Out-Bytes")],
        "SA-DataTransfer-Out-Bytes",
        "0.1100000000",
        Decimal("0.11"),
    ),
    (
        "route53_health_check_month",
        "AmazonRoute53",
        [("usagetype", "Health-Check-Non-AWS")],
        "Health-Check-Non-AWS",
        "0.7500000000",
        Decimal("0.75"),
    ),
    (
        "cloudwatch_dashboard_month",
        "AmazonCloudWatch",
        [("usagetype", "DashboardsUsageHour")],
        "DashboardsUsageHour",
        "3.0000000000",
        Decimal("3"),
    ),
]


@pytest.mark.parametrize(("price_id", "service", "terms", "answered", "usd", "expected"), CASES, ids=[c[0] for c in CASES])
def test_the_query_sends_the_filters_of_its_kind_and_scales_the_answer(
    client: Any, price_id: str, service: str, terms: list[tuple[str, str]], answered: str, usd: str, expected: Decimal
) -> None:
    query = prices.query_for(price_id)
    assert query is not None
    with Stubber(client) as stubber:
        expect_filters(stubber, service, terms, [product(answered, [("0", usd)])])
        found = prices.fetch(client, "eu-central-1", price_id, query)
        stubber.assert_no_pending_responses()
    assert found == prices.Found(expected, answered, Decimal(0))


def test_gp3_throughput_is_read_per_gibps_month_only_and_priced_per_mibps_month(client: Any) -> None:
    query = prices.QUERIES["ebs_gp3_throughput_mibps_month"]
    terms = [EUC1, ("usagetype", "EUC1-EBS:VolumeP-Throughput.gp3"), ("volumeApiName", "gp3")]
    with Stubber(client) as stubber:
        listed = product("EUC1-EBS:VolumeP-Throughput.gp3", [("0", "48.7424000000")], unit="GiBps-mo")
        expect_filters(stubber, "AmazonEC2", terms, [listed])
        found = prices.fetch(client, "eu-central-1", "ebs_gp3_throughput_mibps_month", query)
        # A product listed in another unit is not read at 1/1024 of its price.
        other = product("EUC1-EBS:VolumeP-Throughput.gp3", [("0", "0.0476000000")], unit="MiBps-Mo")
        expect_filters(stubber, "AmazonEC2", terms, [other])
        assert prices.fetch(client, "eu-central-1", "ebs_gp3_throughput_mibps_month", query) is None
    assert found == prices.Found(Decimal("0.0476"), "EUC1-EBS:VolumeP-Throughput.gp3", Decimal(0))


def test_a_us_east_1_usage_type_is_asked_bare_first_then_with_its_use1_prefix(client: Any) -> None:
    """Fargate, like EFS and Transit Gateway, names its us-east-1 usage types with USE1-."""
    query = prices.QUERIES["fargate_vcpu_hour:x86_64"]
    use1 = ("regionCode", "us-east-1")
    with Stubber(client) as stubber:
        expect_filters(stubber, "AmazonECS", [use1, ("usagetype", "Fargate-vCPU-Hours:perCPU")], [])
        answer = product("USE1-Fargate-vCPU-Hours:perCPU", [("0", "0.0404800000")], region="us-east-1")
        expect_filters(stubber, "AmazonECS", [use1, ("usagetype", "USE1-Fargate-vCPU-Hours:perCPU")], [answer])
        found = prices.fetch(client, "us-east-1", "fargate_vcpu_hour:x86_64", query)
        stubber.assert_no_pending_responses()
    assert found == prices.Found(Decimal("0.04048"), "USE1-Fargate-vCPU-Hours:perCPU", Decimal(0))


def test_a_bare_us_east_1_answer_is_not_asked_again_with_the_prefix(client: Any) -> None:
    query = prices.query_for("ec2_instance_hour:t3.micro")
    assert query is not None
    with Stubber(client) as stubber:
        terms = [("regionCode", "us-east-1"), ("usagetype", "BoxUsage:t3.micro"), *prices.LINUX_SHARED]
        expect_filters(stubber, "AmazonEC2", terms, [product("BoxUsage:t3.micro", [("0", "0.0104")], region="us-east-1")])
        found = prices.fetch(client, "us-east-1", "ec2_instance_hour:t3.micro", query)
        stubber.assert_no_pending_responses()
    assert found == prices.Found(Decimal("0.0104"), "BoxUsage:t3.micro", Decimal(0))


def test_no_answer_under_any_prefix_is_none(client: Any) -> None:
    query = prices.QUERIES["eks_cluster_hour"]
    with Stubber(client) as stubber:
        expect(stubber, query, "us-east-1", [])
        expect(stubber, query, "us-east-1", [])
        assert prices.fetch(client, "us-east-1", "eks_cluster_hour", query) is None
        stubber.assert_no_pending_responses()


def test_a_free_first_tier_is_passed_over_for_the_first_paid_one(client: Any) -> None:
    """us-east-1 lists SNS's free first million requests as a zero-priced first tier."""
    query = prices.QUERIES["sns_requests_million"]
    tiers = [("0", "0.0000000000"), ("1000000", "0.0000005000")]
    with Stubber(client) as stubber:
        terms = [("regionCode", "us-east-1"), ("usagetype", "Requests-Tier1"), ("group", "SNS-Requests-Tier1")]
        expect_filters(stubber, "AmazonSNS", terms, [product("Requests-Tier1", tiers, "Requests", "us-east-1")])
        found = prices.fetch(client, "us-east-1", "sns_requests_million", query)
    assert found == prices.Found(Decimal("0.5"), "Requests-Tier1", Decimal(1_000_000))


def test_first_tier_is_taken_and_scaled_to_the_catalogue_unit(client: Any) -> None:
    query = prices.QUERIES["apigateway_rest_million"]
    with Stubber(client) as stubber:
        tiers = [("0", "0.0000037000"), ("333000000", "0.0000031900")]
        expect(stubber, query, "eu-central-1", [product("EUC1-ApiGatewayRequest", tiers, unit="Requests")])
        found = prices.fetch(client, "eu-central-1", "apigateway_rest_million", query)
    assert found == prices.Found(Decimal("3.7"), "EUC1-ApiGatewayRequest", Decimal(0))


def test_pages_are_followed(client: Any) -> None:
    query = prices.QUERIES["nat_gateway_hour"]
    with Stubber(client) as stubber:
        expect(stubber, query, "eu-central-1", [], next_token="page-2")
        stubber.add_response(
            "get_products",
            {"PriceList": [product("EUC1-NatGateway-Hours", [("0", "0.0520000000")])], "FormatVersion": "aws_v1"},
            {"ServiceCode": "AmazonEC2", "Filters": ANY, "FormatVersion": "aws_v1", "NextToken": "page-2"},
        )
        found = prices.fetch(client, "eu-central-1", "nat_gateway_hour", query)
    assert found == prices.Found(Decimal("0.052"), "EUC1-NatGateway-Hours", Decimal(0))


class FakePricing:
    """A pricing client answering from {(service, usage type): PriceList entries}; records each call."""

    def __init__(self, answers: dict[tuple[str, str], list[str]]) -> None:
        self.answers = answers
        self.calls: list[tuple[str, dict[str, str]]] = []

    def get_products(self, ServiceCode: str, Filters: list[dict[str, str]], FormatVersion: str, **_: Any) -> dict[str, Any]:
        terms = {f["Field"]: f["Value"] for f in Filters}
        assert all(f["Type"] == "TERM_MATCH" for f in Filters) and FormatVersion == "aws_v1"
        self.calls.append((ServiceCode, terms))
        return {"PriceList": self.answers.get((ServiceCode, terms.get("usagetype", "")), []), "FormatVersion": "aws_v1"}


def test_refresh_confirms_answered_prices_and_keeps_the_rest(tmp_path: Path) -> None:
    pricing = tmp_path / "pricing"
    shutil.copytree(PRICING, pricing)
    catalogue = load_catalogue(pricing, "eu-central-1")
    client = FakePricing(
        {
            ("AmazonEC2", "EUC1-NatGateway-Hours"): [product("EUC1-NatGateway-Hours", [("0", "0.0530000000")])],
            ("AmazonRDS", "EUC1-InstanceUsage:db.t4g.medium"): [product("EUC1-InstanceUsage:db.t4g.medium", [("0", "0.086")])],
            ("AmazonRoute53", "Health-Check-AWS"): [product("Health-Check-AWS", [("0", "0"), ("50", "0.5000000000")])],
        }
    )
    refreshed, updated, missing = prices.refresh(client, catalogue, TODAY)

    assert set(updated) == {"nat_gateway_hour", "aurora_instance_hour:db.t4g.medium", "route53_health_check_aws_month"}
    asked = set(updated) | set(missing)
    assert asked == {i for i in catalogue.prices if prices.query_for(i) is not None}
    assert not asked & set(prices.NOT_IN_PRICE_LIST)
    nat = refreshed.prices["nat_gateway_hour"]
    assert (nat.usd, nat.status, nat.as_of, nat.unit) == (Decimal("0.053"), "confirmed", TODAY, "hour")
    assert nat.source == "AWS Price List API, AmazonEC2 EUC1-NatGateway-Hours, first tier"
    check = refreshed.prices["route53_health_check_aws_month"]
    assert (check.usd, check.source) == (
        Decimal("0.5"),
        "AWS Price List API, AmazonRoute53 Health-Check-AWS, first paid tier (from 50)",
    )
    assert refreshed.prices["s3_get_1k"] == catalogue.prices["s3_get_1k"]
    assert refreshed.prices["globalaccelerator_hour"] == catalogue.prices["globalaccelerator_hour"]

    # What is written reads back as the same catalogue.
    (pricing / "eu-central-1.toml").write_text(prices.render(refreshed, TODAY))
    again = load_catalogue(pricing, "eu-central-1")
    assert again.prices == refreshed.prices


def test_refresh_asks_each_us_east_1_row_bare_then_prefixed_and_global_rows_once() -> None:
    catalogue = load_catalogue(PRICING, "us-east-1")
    client = FakePricing({})
    _, updated, missing = prices.refresh(client, catalogue, TODAY)
    assert updated == []
    asked = [terms.get("usagetype") for _, terms in client.calls]
    assert asked.count("Fargate-GB-Hours") == asked.count("USE1-Fargate-GB-Hours") == 1
    assert asked.count("HostedZone") == 1 and "USE1-HostedZone" not in asked
    assert all(terms.get("regionCode", "us-east-1") == "us-east-1" for _, terms in client.calls)
    assert len(missing) == sum(1 for i in catalogue.prices if prices.query_for(i) is not None)


def test_no_credentials_stops_before_any_call(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    before = (PRICING / "eu-central-1.toml").read_text()
    assert prices.main([]) == 3
    assert "no AWS credentials found" in capsys.readouterr().err
    assert (PRICING / "eu-central-1.toml").read_text() == before


def test_a_malformed_price_list_entry_is_an_error() -> None:
    with pytest.raises(prices.PriceListError):
        prices.first_paid_tier("{not json")


def test_an_entry_with_only_free_tiers_has_no_paid_tier() -> None:
    assert prices.first_paid_tier(product("DeliveryAttempts-SQS", [("0", "0.0000000000")])) is None
