"""Accepted findings: the one algorithm both the constructs (writing) and the gates (reading) use.

A component that knowingly creates something a check flags calls
`modules.core.findings.accept(resource, check=..., pin=..., reason=...)`. That
writes, into the resource body's `"//"` object (which Terraform and Checkov ignore):

    "//": {"metadata": {...}, "accepted_findings": [
        {"check": "CKV_AWS_338", "pin": {"retention_in_days": 14},
         "fingerprint": "sha256:<hex>", "reason": "A full sentence.", "expires": "2027-03-31"}]}

`pin` maps dotted paths into the resource body to the values the component chose;
the fingerprint is a hash of that mapping. The gate recomputes the fingerprint from
the values the resource has now, so an acceptance stops covering a finding as soon
as the accepted value changes.

This module imports only the standard library: the gates must stay usable on any
Terraform JSON without the CDK packages.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

METADATA_KEY = "//"
FINDINGS_KEY = "accepted_findings"
# How a custom check's pass says it could not judge a value Terraform learns only at apply
# (policies/checks/_support.py writes it; gates/security.py lists such passes as unknown).
UNKNOWN_PREFIX = "unknown before apply: "
ENTRY_KEYS = ("check", "pin", "fingerprint", "reason", "expires")
REQUIRED_KEYS = ("check", "pin", "fingerprint", "reason")
CHECK_ID = re.compile(r"^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$")
FINGERPRINT = re.compile(r"^sha256:[0-9a-f]{64}$")
MIN_REASON_WORDS = 6


def is_sentence(reason: object) -> bool:
    """A reason a reviewer can read: at least six words, ending with a period."""
    return isinstance(reason, str) and len(reason.split()) >= MIN_REASON_WORDS and reason.rstrip().endswith(".")


REASON_RULE = f"a sentence of at least {MIN_REASON_WORDS} words, ending with a period, saying why the finding is acceptable"


def path_segments(path: str) -> list[str]:
    """`"viewer_certificate.0.minimum_protocol_version"` -> its segments; ValueError when malformed."""
    segments = path.split(".")
    if not path or any(not s for s in segments):
        raise ValueError(f"pin path {path!r}: dotted attribute names such as retention_in_days or viewer_certificate.0.x")
    if segments[0] == METADATA_KEY:
        raise ValueError(f"pin path {path!r}: points into the metadata, which Terraform ignores; pin a resource attribute")
    return segments


def value_at(body: Any, path: str) -> Any:
    """The value at a dotted path in a resource body; None where the path leads nowhere.

    cdktf writes a nested block either as an object or as a one-element list, so a
    numeric segment meeting an object treats the object as element 0, and a key
    meeting a one-element list steps into that element. Absent and null are the same
    value here, as they are to Terraform (and cdktf drops nulls when it synthesizes).
    """
    node = body
    for segment in path_segments(path):
        if isinstance(node, list):
            if segment.isdigit():
                index = int(segment)
                node = node[index] if index < len(node) else None
                continue
            if len(node) != 1:
                return None
            node = node[0]
        if isinstance(node, dict):
            if segment in node:
                node = node[segment]
            elif segment == "0":
                continue  # the object is the block's only element
            else:
                return None
        else:
            return None
    return node


def pin_values(body: Any, paths: Iterable[str]) -> dict[str, Any]:
    """The values a resource has now at the pinned paths, in the shape of a pin."""
    return {path: value_at(body, path) for path in paths}


def _canonical(value: Any) -> Any:
    # Python writes 14.0 where JSON from cdktf reads back 14: hash both the same way.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, Mapping):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    return value


def fingerprint(pin: Mapping[str, Any]) -> str:
    """sha256 over the pin as compact JSON with sorted keys, prefixed with the algorithm."""
    text = json.dumps(_canonical(pin), sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def entry_problems(entry: object) -> list[str]:
    """Everything wrong with one accepted-finding entry as it appears in the JSON; [] when valid."""
    if not isinstance(entry, dict):
        return [f"{entry!r}: an object with {', '.join(REQUIRED_KEYS)} and optionally expires"]
    problems = [f"unknown key {k!r}; allowed: {', '.join(ENTRY_KEYS)}" for k in sorted(set(entry) - set(ENTRY_KEYS))]
    problems += [f"{k} is missing" for k in REQUIRED_KEYS if k not in entry]
    check, pin, stored, reason = (entry.get(k) for k in REQUIRED_KEYS)
    if "check" in entry and not (isinstance(check, str) and CHECK_ID.match(check)):
        problems.append(f"check = {check!r}: a check id such as CKV_AWS_338, CKV2_AWS_5 or FND_LOG_1")
    if "pin" in entry:
        if not isinstance(pin, dict):
            problems.append(f"pin = {pin!r}: an object of attribute paths to the values the component chose")
        else:
            for path in pin:
                try:
                    if not isinstance(path, str):
                        raise ValueError(f"pin path {path!r}: a dotted attribute path written as a string")
                    path_segments(path)
                except ValueError as exc:
                    problems.append(str(exc))
    if "fingerprint" in entry and not (isinstance(stored, str) and FINGERPRINT.match(stored)):
        problems.append(f"fingerprint = {stored!r}: 'sha256:' followed by 64 lowercase hex digits")
    elif isinstance(pin, dict) and isinstance(stored, str) and stored != fingerprint(pin):
        # The pin was edited by hand after accept() wrote it: neither can be trusted.
        problems.append("fingerprint does not match the pin written beside it; write the acceptance with accept() again")
    if "reason" in entry and not is_sentence(reason):
        problems.append(f"reason = {reason!r}: {REASON_RULE}")
    expires = entry.get("expires")
    if expires is not None and parse_date(expires) is None:
        problems.append(f"expires = {expires!r}: a date written YYYY-MM-DD, such as 2027-03-31")
    return problems


def parse_date(text: object) -> dt.date | None:
    """A YYYY-MM-DD date; None for anything else (fromisoformat alone also takes 20270331)."""
    if not isinstance(text, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None
