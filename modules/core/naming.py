"""Names of AWS resources and of Terraform addresses.

Terraform addresses come from construct paths (cdktf's `makeUniqueId`). Users hold
state under those addresses, so when a resource's construct path changes, the
resource keeps the address its first path gave it (`first_address`, applied while the
stack builds, modules/core/first_addresses.py): no destroy, no `moved` block, nothing to apply.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping

# Constants of cdktf 0.21's lib/private/unique.js.
_HIDDEN_ID = "Default"
_HIDDEN_FROM_HUMAN_ID = "Resource"
_MAX_HUMAN_LEN = 240
_MAX_ID_LEN = 255
_DISALLOWED = re.compile(r"[^A-Za-z0-9_-]")

# Environment names end up in bucket, role and log group names: the strictest of those
# rules (S3 bucket names) applies, and the name must leave room for the rest.
ENVIRONMENT_NAME = re.compile(r"^[a-z][a-z0-9-]{0,14}[a-z0-9]$")
RESERVED_ENVIRONMENT_NAMES = ("bootstrap",)
# The bootstrap stack names the state bucket's access-log bucket <bucket>-logs.
ACCESS_LOG_SUFFIX = "-logs"


def bucket_suffix(project: str, environment: str, owner: str, given: str | None) -> str:
    """Bucket names are global: a short hash of project, environment and owner makes them
    unlikely to clash with another team's, and stable across runs and machines."""
    return given or hashlib.sha256(f"{project}:{environment}:{owner}".encode()).hexdigest()[:8]


def bucket_name(project: str, environment: str, purpose: str, suffix: str) -> str:
    return f"{project}-{environment}-{purpose}-{suffix}"


def _remove_dupes(parts: list[str]) -> list[str]:
    # A component the previous one ends with is dropped ("bucket/bucket" -> "bucket").
    kept: list[str] = []
    for part in parts:
        if not kept or not kept[-1].endswith(part):
            kept.append(part)
    return kept


def logical_id(path: Iterable[str]) -> str:
    """The logical id cdktf gives a resource at this construct path below the stack."""
    components = [c for c in path if c != _HIDDEN_ID]
    if not components:
        raise ValueError("a construct path below the stack has at least one component")
    if len(components) == 1:
        candidate = _DISALLOWED.sub("", components[0])
        if len(candidate) <= _MAX_ID_LEN:
            return candidate
    digest = hashlib.md5("/".join(components).encode(), usedforsecurity=False).hexdigest()[:8].upper()
    human = "_".join(_DISALLOWED.sub("", c) for c in _remove_dupes(components) if c != _HIDDEN_FROM_HUMAN_ID)
    return f"{human[:_MAX_HUMAN_LEN]}_{digest}"


def first_path(path: str, first_paths: Mapping[str, str]) -> str | None:
    """The path a resource had when users first applied it, if its path changed since.

    `first_paths` maps a path prefix as it is now to the prefix it had then; the
    longest matching prefix wins.
    """
    for prefix in sorted(first_paths, key=len, reverse=True):
        if path == prefix or path.startswith(prefix + "/"):
            return first_paths[prefix] + path[len(prefix) :]
    return None


def first_address(path: str, first_paths: Mapping[str, str]) -> str | None:
    """The logical id of the element at construct `path` below the stack when that path changed
    since users first applied it (the id of its first path); None when cdktf's own id stands."""
    first = first_path(path, first_paths)
    return None if first is None else logical_id(first.split("/"))
