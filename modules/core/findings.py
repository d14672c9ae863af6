"""accept(): a finding a component creates knowingly, written into the resource it concerns.

    accept(log_group, check="CKV_AWS_338", pin={"retention_in_days": days},
           reason="Development keeps flow logs for 14 days to bound ingestion and storage cost.")

The acceptance lands in the resource body's `"//"` object of the synthesized JSON,
beside cdktf's own metadata, with a fingerprint of the pinned values
(policies/acceptance.py). The gate covers the finding only while the resource
still has those values, so changing the choice without revisiting the reason
fails the gate instead of staying silently accepted.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from policies.acceptance import FINDINGS_KEY, METADATA_KEY, entry_problems, fingerprint

if TYPE_CHECKING:
    from modules.core.framework import TerraformResource

# Where accept() keeps a resource's acceptances between calls: add_override replaces
# the whole list, so each call writes every acceptance made so far.
_ACCEPTED = "_foundation_accepted_findings"
# cdktf encodes unresolved values as strings with these markers and numbers as huge
# negative floats; a token would resolve to a different value than the one hashed.
_TOKEN_MARKERS = ("${TfToken[", "#{TfToken[", "${Token[")
_TOKEN_NUMBER_MAGNITUDE = 1e280


def accept(
    resource: TerraformResource,
    *,
    check: str,
    pin: Mapping[str, Any],
    reason: str,
    expires: dt.date | None = None,
) -> None:
    """Accept that `check` fails on `resource` because of the pinned values, for `reason`.

    pin: dotted attribute paths (list indexes as numbers, e.g.
    "viewer_certificate.0.minimum_protocol_version") to the literal values the
    component chose; an empty pin accepts any failure of the check on the resource.
    expires: the last day the acceptance holds; default: it does not expire.
    Raises ValueError, naming the construct path, for anything the gate would reject.
    """

    # The path is read from the framework only for an error message: most calls raise none.
    def where() -> str:
        return str(resource.node.path)

    if expires is not None and (isinstance(expires, dt.datetime) or not isinstance(expires, dt.date)):
        raise ValueError(f"accept() on {where()}: expires = {expires!r}: a datetime.date such as date(2027, 3, 31)")
    values = dict(pin)
    problems = [f"pin {path!r} = {value!r}: {why}" for path, value in values.items() if (why := _unusable(value))]
    entry: dict[str, Any] = {"check": check, "pin": values, "reason": reason}
    if expires is not None:
        entry["expires"] = expires.isoformat()
    if not problems:
        entry["fingerprint"] = fingerprint(values)
    # The fingerprint is ours to compute; only the caller's arguments can be wrong.
    problems += [p for p in entry_problems(entry) if not p.startswith("fingerprint")]
    if problems:
        raise ValueError(f"accept() on {where()}: " + "; ".join(problems))
    accepted: list[dict[str, Any]] = getattr(resource, _ACCEPTED, [])
    if any(existing["check"] == check for existing in accepted):
        raise ValueError(
            f"accept() on {where()}: {check} is already accepted on this resource; "
            "put every pinned value of one check into one accept() call"
        )
    accepted = [*accepted, entry]
    setattr(resource, _ACCEPTED, accepted)
    # Verified with cdktf 0.21: the override merges into the "//" object cdktf writes,
    # keeping its "metadata" (path, uniqueId) beside "accepted_findings".
    resource.add_override(f"{METADATA_KEY}.{FINDINGS_KEY}", accepted)


def _unusable(value: Any) -> str | None:
    """Why a pinned value cannot survive synthesis unchanged; None when it can."""
    if value is None:
        return "cdktf drops nulls from the JSON, so a null cannot be pinned; use an empty pin to accept a missing attribute"
    if isinstance(value, str) and any(marker in value for marker in _TOKEN_MARKERS):
        return "an unresolved token (a reference), which synthesizes to a different value; pin the literal the component chose"
    if isinstance(value, float) and (not math.isfinite(value) or abs(value) >= _TOKEN_NUMBER_MAGNITUDE):
        return "not a plain number (an unresolved numeric token?); pin the literal the component chose"
    if isinstance(value, Mapping):
        return next((why for v in value.values() if (why := _unusable(v))), None)
    if isinstance(value, list | tuple):
        return next((why for v in value if (why := _unusable(v))), None)
    try:
        json.dumps(value)
    except TypeError:
        return "not a JSON value (string, number, boolean, list or mapping of those)"
    return None
