"""Every Region the configuration accepts has a price catalogue, and every catalogue prices
what the others price: a stack the configuration lets through can always be priced."""

from __future__ import annotations

import pytest

from gates.pricing import load_catalogue
from modules.core.regions import REGION_AZ_LETTERS
from tests.conftest import ROOT

PRICING = ROOT / "policies" / "pricing"
CATALOGUE_REGIONS = sorted(p.stem for p in PRICING.glob("*.toml") if p.stem != "free")


def _family(price_id: str) -> str:
    """`aurora_instance_hour:db.r6g.large` -> `aurora_instance_hour`: a row per instance class or
    viewer zone belongs to one priced charge; the classes offered differ by Region."""
    return price_id.split(":", 1)[0]


@pytest.mark.parametrize("region", sorted(REGION_AZ_LETTERS))
def test_every_accepted_region_has_a_price_catalogue(region: str) -> None:
    assert load_catalogue(PRICING, region).region == region


@pytest.mark.parametrize("region", sorted(REGION_AZ_LETTERS))
def test_every_accepted_region_prices_every_charge_another_catalogue_prices(region: str) -> None:
    families = {_family(p) for r in CATALOGUE_REGIONS for p in load_catalogue(PRICING, r).prices}
    own = {_family(p) for p in load_catalogue(PRICING, region).prices}
    assert sorted(families - own) == []


def test_no_catalogue_for_a_region_the_configuration_rejects() -> None:
    # A catalogue nobody can select is unreviewed weight; add the Region with it.
    assert sorted(set(CATALOGUE_REGIONS) - set(REGION_AZ_LETTERS)) == []
