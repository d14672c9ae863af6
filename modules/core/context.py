"""The build context handed to every component: who, where, how protected."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from modules.core.framework import TerraformProvider
from modules.core.identity import AccountContext
from modules.core.naming import bucket_name
from modules.core.profile import Profile, Protection


@dataclass(frozen=True, kw_only=True)
class BuildContext:
    """environment: the file's name. name: `<project>-<environment>`, the prefix of resource
    names. bucket_suffix: the last part of every bucket name. build_dir: where function
    packages are written before synthesis copies them into the stack. budget_usd: the
    environment's monthly budget, or None."""

    environment: str
    profile: Profile
    protection: Protection
    region: str
    project: str
    name: str
    bucket_suffix: str
    account: AccountContext
    us_east_1: TerraformProvider
    build_dir: Path
    budget_usd: float | None

    def bucket_name(self, purpose: str) -> str:
        return bucket_name(self.project, self.environment, purpose, self.bucket_suffix)
