"""The frameworks the project synthesizes with, and which one `FOUNDATION_CDK` chooses.

Importable without importing any framework, so that a wrong choice is a clear error.
"""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Framework:
    name: str
    module: str
    provider_package: str
    # The provider release the bindings describe, pinned in required_providers: state
    # written by it must not be read by an older provider, and a newer one could change
    # schemas under the bindings.
    aws_provider_version: str
    packages: str


FRAMEWORKS = {
    "cdktf": Framework("cdktf", "cdktf", "cdktf_cdktf_provider_aws", "6.25.0", "cdktf 0.21.0, cdktf-cdktf-provider-aws 21.22.1"),
    "cdktn": Framework("cdktn", "cdktn", "cdktn_provider_aws", "6.69.1", "cdktn 0.24.0, cdktn-provider-aws 25.8.1"),
}
VARIABLE = "FOUNDATION_CDK"


class FrameworkError(Exception):
    """The chosen framework is unknown or not installed (exit code 2, no traceback)."""


def chosen() -> Framework:
    name = os.environ.get(VARIABLE, "cdktf") or "cdktf"
    if name not in FRAMEWORKS:
        raise FrameworkError(f"{VARIABLE}={name!r}: one of {', '.join(FRAMEWORKS)} (make check CDK=cdktn)")
    return FRAMEWORKS[name]


# The jsii runtime (two Node.js processes: a relay and the kernel) starts at the first jsii import
# and inherits this environment. V8's default young generation (16 MiB semi-spaces) holds about
# 28 MiB more at the peak of synthesis than 1 MiB semi-spaces, for the same JSON; that keeps the
# process tree under 300 MiB. An option the user set is left alone.
NODE_HEAP_OPTIONS = ("--max-semi-space-size=1",)


def node_heap_options() -> None:
    """Add NODE_HEAP_OPTIONS to NODE_OPTIONS; effective only before the jsii runtime starts."""
    current = os.environ.get("NODE_OPTIONS", "")
    added = [o for o in NODE_HEAP_OPTIONS if o.split("=", 1)[0] not in current]
    if added:
        os.environ["NODE_OPTIONS"] = " ".join([current, *added]).strip()
