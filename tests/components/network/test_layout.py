"""Subnet carving and NAT placement, without synthesizing."""

from __future__ import annotations

from ipaddress import IPv4Network

import pytest

from modules.components.network.layout import LayoutError, carve, nat_for_zone


def test_default_carving_matches_the_seed_plan() -> None:
    layout = carve(IPv4Network("10.0.0.0/16"), 3, 24)
    assert [str(n) for n in layout.public] == ["10.0.1.0/24", "10.0.2.0/24", "10.0.3.0/24"]
    assert [str(n) for n in layout.private] == ["10.0.11.0/24", "10.0.12.0/24", "10.0.13.0/24"]
    assert [str(n) for n in layout.database] == ["10.0.21.0/24", "10.0.22.0/24", "10.0.23.0/24"]


def test_adding_a_zone_keeps_existing_subnets() -> None:
    three = carve(IPv4Network("10.0.0.0/16"), 3, 24)
    four = carve(IPv4Network("10.0.0.0/16"), 4, 24)
    assert four.public[:3] == three.public and four.private[:3] == three.private and four.database[:3] == three.database
    assert str(four.database[3]) == "10.0.24.0/24"


def test_carving_follows_the_vpc_base_and_prefix() -> None:
    layout = carve(IPv4Network("172.20.0.0/20"), 2, 26)
    assert [str(n) for n in layout.public] == ["172.20.0.64/26", "172.20.0.128/26"]
    assert [str(n) for n in layout.private] == ["172.20.2.192/26", "172.20.3.0/26"]
    assert [str(n) for n in layout.database] == ["172.20.5.64/26", "172.20.5.128/26"]


def test_carving_is_deterministic() -> None:
    assert carve(IPv4Network("10.1.0.0/16"), 3, 24) == carve(IPv4Network("10.1.0.0/16"), 3, 24)


def test_rejects_a_vpc_too_small_for_the_tiers() -> None:
    with pytest.raises(LayoutError, match=r"a /24 VPC holds 16 subnets of /28, but 24 are needed for 3 zones"):
        carve(IPv4Network("10.0.0.0/24"), 3, 28)


def test_rejects_a_subnet_prefix_shorter_than_the_vpc() -> None:
    with pytest.raises(LayoutError, match="between the VPC's /16 and /28"):
        carve(IPv4Network("10.0.0.0/16"), 3, 15)


@pytest.mark.parametrize(
    ("zones", "nats", "expected"),
    [
        (3, 0, (None, None, None)),
        (3, 1, (0, 0, 0)),
        (3, 2, (0, 1, 0)),
        (3, 3, (0, 1, 2)),
        (4, 2, (0, 1, 0, 1)),
    ],
)
def test_nat_placement(zones: int, nats: int, expected: tuple[int | None, ...]) -> None:
    assert nat_for_zone(zones, nats) == expected


def test_nat_count_above_zone_count_is_refused() -> None:
    with pytest.raises(LayoutError, match="between 0 and 3"):
        nat_for_zone(3, 4)
