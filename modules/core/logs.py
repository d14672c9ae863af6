"""The one acceptance every log group shares: retention shorter than a year is a cost choice."""

from __future__ import annotations

from modules.core.findings import accept
from modules.core.framework import TerraformResource

# CKV_AWS_338 asks CloudWatch log groups to keep events for at least a year.
ONE_YEAR_DAYS = 365


def accept_short_retention(group: TerraformResource, days: int, what: str) -> None:
    """Accept CKV_AWS_338 for a log group whose retention the environment file set below a year."""
    if days < ONE_YEAR_DAYS:
        accept(
            group,
            check="CKV_AWS_338",
            pin={"retention_in_days": days},
            reason=f"{what} are kept for {days} days, as the environment file sets, to bound log storage cost.",
        )
