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
    #   crash        = true: the entry covers the check crashing on the resource (a Checkov
    #                  defect), never a failure; say in the reason why that is safe
    #   pin          = optional table of the attribute values you accepted, by dotted path
    #                  ({ "viewer_certificate.0.minimum_protocol_version" = "TLSv1.2_2021" });
    #                  when one changes, or the check fails on an attribute outside the pin,
    #                  the entry no longer covers the finding and the gate names what changed
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
import json
import os
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gates.acceptances import uncovered_keys
from gates.inputs import PROFILES, InputError, Stack, read_regular_file
from policies.acceptance import CHECK_ID, REASON_RULE, fingerprint, is_sentence, path_segments, pin_values

_ADDRESS = re.compile(r"^[a-z0-9_]+\.[A-Za-z0-9_-]+$")
# A construct path below the stack: construct ids joined by "/", globs allowed within a segment.
_PATH = re.compile(r"^[^/\s]+(/[^/\s]+)*$")
_KEYS = {"check", "resource", "path", "reason", "expires", "environments", "profiles", "pin", "crash"}
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
    # The accepted values by dotted path; None: the entry accepts any failure of the check there.
    pin: dict[str, Any] | None = None
    # True: the entry covers Checkov's check crashing on the resource (and nothing else).
    crash: bool = False

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

    def problem(self, body: dict[str, Any], evaluated_keys: Iterable[str]) -> str | None:
        """Why this entry does not cover a failure on `body` although it matches; None when it does."""
        if self.pin is None:
            return None
        current = pin_values(body, self.pin)
        changed = [
            f"{path}: pinned {_show(self.pin[path])}, now {_show(current[path])}"
            for path in self.pin
            if fingerprint({path: current[path]}) != fingerprint({path: self.pin[path]})
        ]
        if changed:
            return (
                f"{self.describe()} no longer applies: the accepted value changed ({'; '.join(changed)}). "
                "Fix the finding, or review the reason and update the pin in the suppressions file."
            )
        outside = uncovered_keys(self.pin, evaluated_keys)
        if outside:
            return (
                f"{self.describe()} pins {', '.join(self.pin)}, but the check failed on {', '.join(outside)}, which the "
                "pin does not cover. Fix it, or pin those attributes too."
            )
        return None

    def describe(self) -> str:
        scopes = [*(self.environments or ()), *(f"{p} profile" for p in self.profiles or ())]
        scope = ", ".join(scopes) if scopes else "every stack of this project"
        target = self.resource if self.resource is not None else f"path {self.path}"
        return f"suppression #{self.number} ({self.check} on {target}, {scope})"


def _show(value: Any) -> str:
    return "absent" if value is None else json.dumps(value, default=str)


def _path_matches(pattern: str, path: str) -> bool:
    """Segment by segment, so that * never reaches into another construct's subtree."""
    want, have = pattern.split("/"), path.split("/")
    return len(want) == len(have) and all(fnmatch.fnmatchcase(h, w) for w, h in zip(want, have, strict=True))


def _names(value: object) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(e, str) and e for e in value)


def _plain(value: Any) -> Any:
    """TOML dates and times as the strings Terraform JSON holds, so pins compare with the JSON's values."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return value


def load(path: Path) -> list[Suppression]:
    """Read and validate the suppressions file; every problem is reported at once."""
    # /dev/null is the customary "no suppressions"; any other device or FIFO is refused below.
    if str(path) == os.devnull or (not path.exists() and not path.is_symlink()):
        return []
    raw = read_regular_file(path, "a suppressions file in TOML")
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text, so not a suppressions file in TOML") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: not valid TOML: {exc}") from None
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
        crash = entry.get("crash", False)
        if not isinstance(crash, bool):
            problems.append(f"{where}: crash = {crash!r}: true (the entry covers the check crashing) or absent")
        pin = entry.get("pin")
        if pin is not None:
            if not isinstance(pin, dict) or not pin:
                problems.append(f"{where}: pin = {pin!r}: a table of attribute paths to the values you accepted")
            else:
                for key in pin:
                    try:
                        path_segments(key)
                    except ValueError as exc:
                        problems.append(f"{where}: {exc}")
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
                    pin=_plain(pin) if isinstance(pin, dict) else None,
                    crash=crash is True,
                )
            )
    if problems:
        raise InputError("Invalid suppressions file:\n  - " + "\n  - ".join(problems))
    return result
