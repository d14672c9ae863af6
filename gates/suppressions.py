"""Suppressions: data, each with a check id, a resource address, a reason and an optional expiry.

A suppression that has expired, or that matches nothing in the stacks it applies
to, fails the gate: the list can only stay honest if it cannot rot silently.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from gates.inputs import InputError

_CHECK_ID = re.compile(r"^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$")
_ADDRESS = re.compile(r"^[a-z0-9_]+\.[A-Za-z0-9_-]+$")
_KEYS = {"check", "resource", "reason", "expires", "environments"}
MIN_REASON_WORDS = 6


@dataclass(frozen=True)
class Suppression:
    number: int
    check: str
    resource: str
    reason: str
    expires: dt.date | None
    environments: tuple[str, ...] | None

    def applies_to(self, env: str) -> bool:
        return self.environments is None or env in self.environments

    def matches(self, env: str, check: str, resource: str) -> bool:
        return self.check == check and self.resource == resource and self.applies_to(env)

    def expired(self, today: dt.date) -> bool:
        return self.expires is not None and self.expires < today

    def describe(self) -> str:
        scope = ", ".join(self.environments) if self.environments else "all environments"
        return f"suppression #{self.number} ({self.check} on {self.resource}, {scope})"


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
        for key in sorted(set(entry) - _KEYS):
            problems.append(f"{where}: unknown key {key!r}; allowed: {', '.join(sorted(_KEYS))}")
        check, resource, reason = entry.get("check"), entry.get("resource"), entry.get("reason")
        expires, environments = entry.get("expires"), entry.get("environments")
        if not isinstance(check, str) or not _CHECK_ID.match(check):
            problems.append(f"{where}: check = {check!r}: a check id such as CKV_AWS_338 or CKV2_AWS_5")
        if not isinstance(resource, str) or not _ADDRESS.match(resource):
            problems.append(f"{where}: resource = {resource!r}: a resource address such as aws_s3_bucket.logs_bucket_1A2B3C4D")
        if not isinstance(reason, str) or len(reason.split()) < MIN_REASON_WORDS or not reason.rstrip().endswith("."):
            problems.append(
                f"{where}: reason = {reason!r}: a sentence of at least {MIN_REASON_WORDS} words, ending with a "
                "period, saying why the finding is acceptable"
            )
        if expires is not None and not (isinstance(expires, dt.date) and not isinstance(expires, dt.datetime)):
            problems.append(f"{where}: expires = {expires!r}: a TOML date such as 2027-03-31 (no quotes)")
        if environments is not None and (
            not isinstance(environments, list) or not environments or not all(isinstance(e, str) for e in environments)
        ):
            problems.append(f"{where}: environments = {environments!r}: a non-empty list of environment names")
        if len(problems) == 0:
            result.append(
                Suppression(
                    number=number,
                    check=check,  # type: ignore[arg-type]
                    resource=resource,  # type: ignore[arg-type]
                    reason=reason.strip(),  # type: ignore[union-attr]
                    expires=expires,
                    environments=tuple(environments) if environments else None,
                )
            )
    if problems:
        raise InputError("Invalid suppressions file:\n  - " + "\n  - ".join(problems))
    return result
