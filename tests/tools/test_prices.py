"""`make prices`: Price List API responses (recorded shapes, botocore Stubber) into the catalogue."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sys
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


def product(usage_type: str, tiers: list[tuple[str, str]], unit: str = "Hrs") -> str:
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
            "product": {"productFamily": "x", "attributes": {"usagetype": usage_type, "regionCode": "eu-central-1"}},
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


def test_first_tier_is_taken_and_scaled_to_the_catalogue_unit(client: Any) -> None:
    query = prices.QUERIES["apigateway_rest_million"]
    with Stubber(client) as stubber:
        tiers = [("0", "0.0000037000"), ("333000000", "0.0000031900")]
        expect(stubber, query, "eu-central-1", [product("EUC1-ApiGatewayRequest", tiers, unit="Requests")])
        found = prices.fetch(client, "eu-central-1", "apigateway_rest_million", query)
    assert found == (Decimal("3.7"), "EUC1-ApiGatewayRequest")


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
    assert found == (Decimal("0.052"), "EUC1-NatGateway-Hours")


def test_refresh_confirms_answered_prices_and_keeps_the_rest(client: Any, tmp_path: Path) -> None:
    pricing = tmp_path / "pricing"
    shutil.copytree(ROOT / "policies" / "pricing", pricing)
    catalogue = load_catalogue(pricing, "eu-central-1")
    answers = {"nat_gateway_hour": "0.0530000000", "aurora_instance_hour:db.t4g.medium": "0.0860000000"}
    with Stubber(client) as stubber:
        for price_id, query in prices.QUERIES.items():
            usage_type = f"EUC1-{query.usage_type}"
            items = [product(usage_type, [("0", answers[price_id])])] if price_id in answers else []
            expect(stubber, query, "eu-central-1", items)
        refreshed, updated, missing = prices.refresh(client, catalogue, TODAY)
    assert updated == ["nat_gateway_hour", "aurora_instance_hour:db.t4g.medium"]
    assert len(missing) == len(prices.QUERIES) - 2
    nat = refreshed.prices["nat_gateway_hour"]
    assert (nat.usd, nat.status, nat.as_of, nat.unit) == (Decimal("0.053"), "confirmed", TODAY, "hour")
    assert nat.source == "AWS Price List API, AmazonEC2 EUC1-NatGateway-Hours, first tier"
    assert refreshed.prices["s3_get_1k"] == catalogue.prices["s3_get_1k"]

    # What is written reads back as the same catalogue.
    (pricing / "eu-central-1.toml").write_text(prices.render(refreshed, TODAY))
    again = load_catalogue(pricing, "eu-central-1")
    assert again.prices == refreshed.prices


def test_no_credentials_stops_before_any_call(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    before = (ROOT / "policies" / "pricing" / "eu-central-1.toml").read_text()
    assert prices.main([]) == 3
    assert "no AWS credentials found" in capsys.readouterr().err
    assert (ROOT / "policies" / "pricing" / "eu-central-1.toml").read_text() == before


def test_a_malformed_price_list_entry_is_an_error(client: Any) -> None:
    with pytest.raises(prices.PriceListError):
        prices.first_tier_usd("{not json")
