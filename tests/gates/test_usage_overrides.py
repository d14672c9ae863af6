"""The environment file's [usage] figures, carried in the stack's metadata, replace the usage profile's
for that stack only; figures the profile does not have are refused."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path

import pytest

from gates import cost
from gates.inputs import InputError, Stack
from tests.conftest import ROOT

PRICING, USAGE = ROOT / "policies" / "pricing", ROOT / "policies" / "usage"


def _prod(overrides: object | None) -> Stack:
    document = json.loads((ROOT / "tests" / "golden" / "prod.json").read_text())
    if overrides is not None:
        document = copy.deepcopy(document)
        document["//"]["foundation"]["usage_overrides"] = overrides
    return Stack(env="prod", path=Path("prod/cdk.tf.json"), document=document)


def _nat_processing(estimate: cost.CostEstimate) -> list[Decimal]:
    return [
        item.quantity
        for resource in estimate.resources
        if resource.rtype == "aws_nat_gateway"
        for item in resource.items
        if "processed" in item.name.lower()
    ]


def test_the_files_figures_replace_the_profiles_for_that_stack() -> None:
    profile = cost.estimate(_prod(None), PRICING, USAGE)
    own = cost.estimate(_prod({"nat_gateway": {"gb_processed": 500}}), PRICING, USAGE)
    assert set(_nat_processing(profile)) == {Decimal(50)}
    assert set(_nat_processing(own)) == {Decimal(500)}
    assert own.monthly_usd > profile.monthly_usd
    assert "[usage]" in own.usage_source


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"natgw": {"gb_processed": 5}}, "usage_overrides.natgw: not a section of the usage profile"),
        ({"nat_gateway": {"gb_processed": -1}}, "usage_overrides.nat_gateway.gb_processed = -1: a finite number of at least 0"),
        ({"nat_gateway": {"gb_processed": True}}, "usage_overrides.nat_gateway.gb_processed = True: a number or a word"),
        ("lots", "usage_overrides = 'lots': a table of usage sections"),
    ],
)
def test_foreign_or_broken_overrides_are_one_clear_error(overrides: object, message: str) -> None:
    with pytest.raises(InputError, match=message.replace("[", r"\[").replace(".", r"\.")):
        cost.estimate(_prod(overrides), PRICING, USAGE)
