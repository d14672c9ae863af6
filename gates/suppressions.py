"""The user's suppression file: decisions about foreign JSON or their own overrides, as data.

Findings this project's components create knowingly are accepted in code, beside
the choice (`accept()` in modules/core/findings.py), and reach the gate inside the
synthesized JSON. This file is for everything else. Each entry names one check,
one resource, a reason and optionally an expiry. The header comment for the file:

    # Suppressions: findings you accept in stacks whose constructs cannot say so
    # themselves (hand-written or foreign Terraform JSON, or your own overrides).
    # Findings this project's components create on purpose are accepted in code,
    # beside the choice, with accept() (modules/core/findings.py).
    #
    # Each entry names one check on one resource, says why in a sentence, and may
    # expire. An entry that has expired, or that no longer matches a failed check in
    # a stack it applies to, fails the gate: delete it when the finding is gone.
    #
    #   check        = Checkov check id (built-in CKV_*/CKV2_* or ours in policies/checks/)
    #   resource     = address as printed by the gate: <type>.<name>
    #   path         = or, instead of resource: the construct path below the stack, as in
    #                  the resource's "//".metadata.path without its first segment
    #                  ("network/flow-log-group"); it survives refactors. * matches
    #                  within one segment ("api/*/logs").
    #   environments = optional list of stack (environment) names
    #   profiles     = optional list of profiles: "development", "production"
    #   reason       = why the finding is acceptable (a full sentence)
    #   expires      = optional TOML date; after it the entry fails the gate
    #
    # Which stacks an entry applies to: with environments and/or profiles, the stacks
    # they select (both must match when both are given); with neither, only stacks
    # synthesized by this project (they carry "//".foundation metadata). Foreign JSON
    # gated with this file therefore never sees, nor reports as stale, this project's
    # unscoped entries.

A suppression that has expired, or that matches nothing in the stacks it applies
to, fails the gate: the list can only stay honest if it cannot rot silently.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from gates.inputs import PROFILES, InputError, Stack
from policies.acceptance import CHECK_ID, REASON_RULE, is_sentence

_ADDRESS = re.compile(r"^[a-z0-9_]+\.[A-Za-z0-9_-]+$")
# A construct path below the stack: construct ids joined by "/", globs allowed within a segment.
_PATH = re.compile(r"^[^/\s]+(/[^/\s]+)*$")
_KEYS = {"check", "resource", "path", "reason", "expires", "environments", "profiles"}
SOURCE = "suppressions file"


@dataclass(frozen=True)
class Suppression:
    number: int
    check: str
    resource: str | None
    path: str | None
    reason: str
    expires: dt.date | None
    environments: tuple[str, ...] | None
    profiles: tuple[str, ...] | None = None

    def applies_to(self, stack: Stack) -> bool:
        """Whether this entry speaks about `stack` at all (see the module docstring)."""
        if self.environments is None and self.profiles is None:
            return stack.foundation.present
        if self.environments is not None and stack.env not in self.environments:
            return False
        return self.profiles is None or stack.foundation.profile in self.profiles

    def matches(self, stack: Stack, check: str, resource: str) -> bool:
        if self.check != check or not self.applies_to(stack):
            return False
        if self.resource is not None:
            return self.resource == resource
        below = stack.path_below_stack(resource)
        return below is not None and self.path is not None and _path_matches(self.path, below)

    def expired(self, today: dt.date) -> bool:
        return self.expires is not None and self.expires < today

    def describe(self) -> str:
        scopes = [*(self.environments or ()), *(f"{p} profile" for p in self.profiles or ())]
        scope = ", ".join(scopes) if scopes else "every stack of this project"
        target = self.resource if self.resource is not None else f"path {self.path}"
        return f"suppression #{self.number} ({self.check} on {target}, {scope})"


def _path_matches(pattern: str, path: str) -> bool:
    """Segment by segment, so that * never reaches into another construct's subtree."""
    want, have = pattern.split("/"), path.split("/")
    return len(want) == len(have) and all(fnmatch.fnmatchcase(h, w) for w, h in zip(want, have, strict=True))


def _names(value: object) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(e, str) and e for e in value)


def load(path: Path) -> list[Suppression]:
    """Read and validate the suppressions file; every problem is reported at once."""
    if not path.exists():
        return []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: not valid TOML: {exc}")
    unknown_top = set(data) - {"suppression"}
    problems = [f"{path}: unknown top-level key {k!r}; allowed: [[suppression]] tables" for k in sorted(unknown_top)]
    entries = data.get("suppression", [])
    if not isinstance(entries, list):
        raise InputError(f"{path}: 'suppression' must be an array of tables ([[suppression]])")
    result: list[Suppression] = []
    for number, entry in enumerate(entries, start=1):
        where = f"{path}: suppression #{number}"
        if not isinstance(entry, dict):
            problems.append(f"{where}: must be a table")
            continue
        before = len(problems)
        for key in sorted(set(entry) - _KEYS):
            problems.append(f"{where}: unknown key {key!r}; allowed: {', '.join(sorted(_KEYS))}")
        check, resource, construct_path, reason = (entry.get(k) for k in ("check", "resource", "path", "reason"))
        expires, environments, profiles = entry.get("expires"), entry.get("environments"), entry.get("profiles")
        if not isinstance(check, str) or not CHECK_ID.match(check):
            problems.append(f"{where}: check = {check!r}: a check id such as CKV_AWS_338 or CKV2_AWS_5")
        if resource is not None and construct_path is not None:
            problems.append(
                f"{where}: has both resource and path; keep one (path survives refactors, resource fits foreign JSON)"
            )
        elif resource is None and construct_path is None:
            problems.append(
                f"{where}: names no resource; add resource = <type>.<name> or path = <construct path below the stack>"
            )
        if resource is not None and not (isinstance(resource, str) and _ADDRESS.match(resource)):
            problems.append(f"{where}: resource = {resource!r}: a resource address such as aws_s3_bucket.logs_bucket_1A2B3C4D")
        if construct_path is not None and not (isinstance(construct_path, str) and _PATH.match(construct_path)):
            problems.append(
                f"{where}: path = {construct_path!r}: a construct path below the stack such as network/flow-log-group "
                '(the resource\'s "//".metadata.path without the stack name)'
            )
        if not is_sentence(reason):
            problems.append(f"{where}: reason = {reason!r}: {REASON_RULE}")
        if expires is not None and not (isinstance(expires, dt.date) and not isinstance(expires, dt.datetime)):
            problems.append(f"{where}: expires = {expires!r}: a TOML date such as 2027-03-31 (no quotes)")
        if environments is not None and not _names(environments):
            problems.append(f"{where}: environments = {environments!r}: a non-empty list of environment names")
        if profiles is not None and not (_names(profiles) and set(profiles) <= set(PROFILES)):
            problems.append(f"{where}: profiles = {profiles!r}: a non-empty list of {' and '.join(repr(p) for p in PROFILES)}")
        if len(problems) == before:
            result.append(
                Suppression(
                    number=number,
                    check=check,  # type: ignore[arg-type]
                    resource=resource,
                    path=construct_path,
                    reason=reason.strip(),  # type: ignore[union-attr]
                    expires=expires,
                    environments=tuple(environments) if environments else None,
                    profiles=tuple(profiles) if profiles else None,
                )
            )
    if problems:
        raise InputError("Invalid suppressions file:\n  - " + "\n  - ".join(problems))
    return result
