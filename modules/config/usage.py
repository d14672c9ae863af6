"""`[usage]`: the environment's own figures over its usage profile, for the cost gate.

The profile (`policies/usage/<name>.toml`, chosen by `[budget] usage_profile` or the
environment's profile) states what the cost gate assumes a month of use looks like.
A team that knows its own traffic writes the figures that differ in the environment
file, `[usage.nat_gateway] gb_processed = 200`, rather than copying the whole profile.
Only keys the profile has may be overridden, so a misspelt key cannot silently leave
the estimate on the profile's figure.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

USAGE = "usage"
USAGE_DIR = Path(__file__).resolve().parents[2] / "policies" / "usage"
# Per-name figures (`[usage.s3.match."*-uploads-*"]`) select resources by a glob of their name.
MATCH = "match"
GLOB = re.compile(r"^[A-Za-z0-9*?._-]{1,63}$")
WORD = re.compile(r"^[a-z][a-z0-9_-]{0,40}$")

Report = Callable[[str, Any, str], None]


def profile_figures(usage_profile: str, usage_dir: Path = USAGE_DIR) -> dict[str, Any] | None:
    """The profile's tables, or None when no such profile exists."""
    path = usage_dir / f"{usage_profile}.toml"
    if not path.is_file():
        return None
    return tomllib.loads(path.read_text(encoding="utf-8"))


def usage_overrides(raw: Any, usage_profile: str, report: Report, usage_dir: Path = USAGE_DIR) -> dict[str, Any]:
    """The overrides `[usage]` gives, checked against the profile's keys and types."""
    if raw is None:
        return {}
    profile = profile_figures(usage_profile, usage_dir)
    if profile is None:
        available = ", ".join(sorted(p.stem for p in usage_dir.glob("*.toml"))) or "none"
        report("budget.usage_profile", usage_profile, f"a usage profile of policies/usage/: {available}")
        return {}
    if not isinstance(raw, dict):
        report(USAGE, raw, "a table of [usage.<section>] tables, such as [usage.nat_gateway] gb_processed = 200")
        return {}
    overrides: dict[str, Any] = {}
    for section, figures in raw.items():
        where = f"{USAGE}.{section}"
        known = profile.get(section)
        if not isinstance(known, dict):
            sections = ", ".join(k for k, v in profile.items() if isinstance(v, dict))
            report(where, figures, f"not a section of usage profile {usage_profile!r}; sections: {sections}")
            continue
        if not isinstance(figures, dict):
            report(where, figures, f"a table of figures, such as [{where}] with keys of [{section}] in the profile")
            continue
        checked = _figures(figures, known, where, usage_profile, report)
        if checked:
            overrides[section] = checked
    return overrides


def _figures(figures: dict[str, Any], known: dict[str, Any], where: str, usage_profile: str, report: Report) -> dict[str, Any]:
    checked: dict[str, Any] = {}
    for key, value in figures.items():
        at = f"{where}.{key}"
        if key == MATCH:
            checked_match = _match(value, known, at, usage_profile, report)
            if checked_match:
                checked[MATCH] = checked_match
            continue
        if key not in known or isinstance(known[key], dict):
            keys = ", ".join(k for k, v in known.items() if not isinstance(v, dict))
            report(at, value, f"not a figure of [{where.split('.', 1)[1]}] in usage profile {usage_profile!r}; figures: {keys}")
        elif isinstance(known[key], str):
            if isinstance(value, str) and WORD.match(value):
                checked[key] = value
            else:
                report(at, value, f"a word such as {known[key]!r}, as in the profile")
        elif isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
            report(at, value, "a finite number of at least 0, without quotes")
        else:
            checked[key] = value
    return checked


def _match(value: Any, known: dict[str, Any], where: str, usage_profile: str, report: Report) -> dict[str, Any]:
    if not isinstance(value, dict):
        report(where, value, 'a table of name globs, such as [usage.s3.match."*-uploads-*"]')
        return {}
    checked: dict[str, Any] = {}
    for pattern, figures in value.items():
        at = f"{where}.{pattern}"
        if not GLOB.match(pattern):
            report(at, pattern, "a glob of resource names: letters, digits, . _ - * ? (at most 63 characters)")
        elif not isinstance(figures, dict):
            report(at, figures, "a table of figures for the resources whose name matches")
        else:
            figures_checked = _figures(figures, {k: v for k, v in known.items() if k != MATCH}, at, usage_profile, report)
            if figures_checked:
                checked[pattern] = figures_checked
    return checked
