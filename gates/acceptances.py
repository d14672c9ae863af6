"""Accepted findings written by the constructs into the synthesized JSON, read and judged.

A failed check on a resource is covered by an acceptance on that resource when
  - the check id is the same,
  - the fingerprint recomputed from the resource's current values at the pinned
    paths equals the stored one (the accepted choice has not changed since),
  - every key Checkov evaluated for the failure lies at or under a pinned path
    (with an empty pin: any key), so a failure about something else stays a failure,
  - and it has not expired.
The shapes and the fingerprint algorithm are in policies/acceptance.py, shared with
`accept()` on the construct side.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from gates.inputs import Stack
from policies.acceptance import FINDINGS_KEY, METADATA_KEY, entry_problems, fingerprint, parse_date, pin_values

SOURCE = "acceptance"
# Checkov's graph checks list this pseudo-attribute among the evaluated keys; it is
# the resource's type, which no pin can change.
_PSEUDO_KEYS = frozenset({"resource_type"})
_INDEX = re.compile(r"^\[(\d+)\]$")


@dataclass(frozen=True)
class Acceptance:
    check: str
    address: str
    construct_path: str | None
    pin: dict[str, Any]
    fingerprint: str
    reason: str
    expires: dt.date | None

    def expired(self, today: dt.date) -> bool:
        return self.expires is not None and self.expires < today

    @property
    def where(self) -> str:
        return self.construct_path or self.address

    def describe(self) -> str:
        return f"accepted finding {self.check} on {self.address}" + (f" ({self.construct_path})" if self.construct_path else "")

    def remedy(self) -> str:
        if self.construct_path:
            return f"the accept() call at {self.construct_path}"
        return f'the entry in {self.address}\'s "//".{FINDINGS_KEY}'


@dataclass
class StackAcceptances:
    """The acceptances found in one stack, keyed by (resource address, check id), and what was wrong."""

    by_key: dict[tuple[str, str], Acceptance] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def get(self, address: str, check: str) -> Acceptance | None:
        return self.by_key.get((address, check))


def load(stack: Stack) -> StackAcceptances:
    """Every acceptance in the stack; malformed ones become errors naming the resource."""
    found = StackAcceptances()
    for address, body in sorted(stack.resources().items()):
        meta = body.get(METADATA_KEY)
        if not isinstance(meta, dict) or FINDINGS_KEY not in meta:
            continue
        construct_path = stack.construct_path(address)
        where = f"{stack.path}: {address}" + (f" ({construct_path})" if construct_path else "")
        entries = meta[FINDINGS_KEY]
        if not isinstance(entries, list):
            found.errors.append(f'{where}: "//".{FINDINGS_KEY} must be a list of accepted findings; regenerate the stack')
            continue
        for number, entry in enumerate(entries, start=1):
            problems = entry_problems(entry)
            if problems:
                found.errors.append(
                    f'{where}: accepted finding #{number} in "//".{FINDINGS_KEY} is malformed: '
                    + "; ".join(problems)
                    + ". Correct the accept() call (or the hand-written entry) and synthesize again."
                )
                continue
            key = (address, entry["check"])
            if key in found.by_key:
                found.errors.append(f"{where}: {entry['check']} is accepted twice; keep one acceptance per check and resource")
                continue
            found.by_key[key] = Acceptance(
                check=entry["check"],
                address=address,
                construct_path=construct_path,
                pin=dict(entry["pin"]),
                fingerprint=entry["fingerprint"],
                reason=entry["reason"].strip(),
                expires=parse_date(entry.get("expires")),
            )
    return found


def _segments_of_pin(path: str) -> list[str]:
    # A pinned "0" may stand for the object cdktf wrote instead of a one-element list.
    return [s for s in path.split(".") if s != "0"]


def _segments_of_key(key: str) -> list[str]:
    """Checkov's "viewer_certificate/[0]/minimum_protocol_version" as comparable segments."""
    segments = []
    for part in key.split("/"):
        index = _INDEX.match(part)
        if index:
            if index.group(1) != "0":
                segments.append(index.group(1))
        elif part != "0":
            segments.append(part)
    return segments


def uncovered_keys(pin: dict[str, Any], evaluated_keys: Iterable[str]) -> list[str]:
    """Evaluated keys that neither equal nor lie under a pinned path; [] for an empty pin.

    A "*" in a key (a graph check looking at every element of a list) is covered only
    by a pin on the list itself, never by a pin on one element.
    """
    if not pin:
        return []
    pinned = [_segments_of_pin(p) for p in pin]
    outside = []
    for key in evaluated_keys:
        if key in _PSEUDO_KEYS:
            continue
        segments = _segments_of_key(key)
        if not any(segments[: len(p)] == p for p in pinned):
            outside.append(key)
    return outside


def _show(value: Any) -> str:
    return "absent" if value is None else json.dumps(value)


def problem(acceptance: Acceptance, body: dict[str, Any], evaluated_keys: Iterable[str], today: dt.date) -> str | None:
    """Why the acceptance does not cover this failure of its check; None when it does."""
    current = pin_values(body, acceptance.pin)
    if fingerprint(current) != acceptance.fingerprint:
        changed = "; ".join(
            f"{path}: pinned {_show(acceptance.pin[path])}, now {_show(current[path])}"
            for path in acceptance.pin
            if fingerprint({path: current[path]}) != fingerprint({path: acceptance.pin[path]})
        )
        return (
            f"{acceptance.describe()} no longer applies: the value changed since the acceptance was written "
            f"({changed}). Fix the finding, or review the reason and update {acceptance.remedy()}."
        )
    outside = uncovered_keys(acceptance.pin, evaluated_keys)
    if outside:
        return (
            f"{acceptance.describe()} pins {', '.join(acceptance.pin)}, but Checkov failed the check on "
            f"{', '.join(outside)}, which the pin does not cover: this failure is about something the acceptance "
            f"did not accept. Fix it, or pin those attributes too in {acceptance.remedy()}."
        )
    if acceptance.expired(today):
        return (
            f"{acceptance.describe()} expired on {acceptance.expires}: fix the finding, or renew the expiry in "
            f"{acceptance.remedy()} with a reason that still holds."
        )
    return None
