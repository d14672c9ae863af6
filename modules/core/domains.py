"""Domain names as Route 53, ACM and SES accept them."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator

# Lowercase labels of letters, digits and hyphens, at most 63 characters each and 253 in
# all, with a top-level domain of letters (RFC 1035 as Route 53 applies it; ACM and SES
# take the same names). Uppercase is refused rather than folded, so a name is written one way.
_FQDN = re.compile(r"(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")


def _domain(value: str) -> str:
    if not _FQDN.fullmatch(value):
        raise ValueError("a lowercase fully qualified domain name such as example.com or api.example.com (no trailing dot)")
    return value


DomainName = Annotated[str, AfterValidator(_domain)]


def within(name: str, zone: str) -> bool:
    """Whether `name` is the zone's apex or a name under it."""
    return name == zone or name.endswith(f".{zone}")
