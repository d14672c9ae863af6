"""Regions the foundation supports and the Availability Zones each one offers.

Source: AWS documentation, "Regions and Availability Zones"
(https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/using-regions-availability-zones.html)
and the zone names listed per Region on https://aws.amazon.com/about-aws/global-infrastructure/regions_az/,
as of 2026-11. Zone *names* map to different physical zones per account, but the set of
letters a Region offers is the same for every account, which is what configuration is
checked against.

Only Regions with a price catalogue (policies/pricing/<region>.toml) are accepted: the
cost gate must be able to price every stack the configuration lets through, so a Region
joins this list together with its catalogue (tests/gates/test_cost_regions.py holds the
two together).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

REGION_AZ_LETTERS: Mapping[str, str] = MappingProxyType(
    {
        "eu-central-1": "abc",
        "us-east-1": "abcdef",
    }
)


def availability_zones(region: str) -> tuple[str, ...]:
    """All zone names of a supported Region, in letter order."""
    return tuple(f"{region}{letter}" for letter in REGION_AZ_LETTERS[region])
