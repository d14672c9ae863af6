"""Profiles: the one place where "production" and "development" behave differently.

An environment file names its profile; everything that differs by profile is either a
per-profile default on a settings field (`by_profile`) or the Protection below. No
construct asks which profile it is in: it reads `ctx.protection`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Profile = Literal["development", "production"]
PROFILES: tuple[Profile, ...] = ("development", "production")


@dataclass(frozen=True, kw_only=True)
class Protection:
    """How hard an environment is to destroy by accident.

    retain_on_destroy: Terraform's prevent_destroy on stateful resources (keys, buckets,
        databases, tables, user pools), a final database snapshot, and no force_destroy on
        buckets. Off, a teardown removes everything, objects included.
    deletion_protection: AWS-side deletion protection where a service has it (DynamoDB,
        Cognito); the database's own switch is `database.deletion_protection`.
    key_deletion_window_days: the waiting period before KMS deletes a key scheduled for
        deletion (7 to 30; data under a deleted key is lost, so longer is safer).
    report_weakened: a protection the environment file turns off (GuardDuty, AWS Config,
        database deletion protection) is listed as a risk in the gate's report.
    """

    retain_on_destroy: bool
    deletion_protection: bool
    key_deletion_window_days: int
    report_weakened: bool


# Development environments are torn down and rebuilt freely; production ones keep the
# 30-day key window (the maximum KMS allows) to give time to notice a mistake.
PROTECTION: dict[Profile, Protection] = {
    "development": Protection(
        retain_on_destroy=False, deletion_protection=False, key_deletion_window_days=7, report_weakened=False
    ),
    "production": Protection(retain_on_destroy=True, deletion_protection=True, key_deletion_window_days=30, report_weakened=True),
}
