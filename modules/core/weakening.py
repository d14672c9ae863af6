"""Settings that weaken a production protection: declared beside each setting, reported as risks.

A component's settings model lists, in `weakens`, the fields whose value can give up
something the production profile protects, with what is given up and when a value
counts as weaker than the production default. An environment file under the
production profile that sets such a value builds what it asks for, and the stack's
"//" metadata lists the risk, with the reason the file gives in `[accepted_risks]`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel


@dataclass(frozen=True, kw_only=True)
class Weakening:
    """risk: what is given up, in a sentence. weaker(value, production_default, section):
    whether the value gives it up (`section` is the whole settings model, for limits that
    depend on another field, such as one NAT gateway per zone)."""

    risk: str
    weaker: Callable[[Any, Any, Any], bool]


def turned_off(risk: str) -> Weakening:
    """A protection that is on by default in production and set to false."""
    return Weakening(risk=risk, weaker=lambda value, default, _: bool(default) and not value)


def lower(risk: str) -> Weakening:
    """A retention, count or window below the production default."""
    return Weakening(risk=risk, weaker=lambda value, default, _: value is not None and default is not None and value < default)


def higher(risk: str) -> Weakening:
    """A limit or interval above the production default (more requests allowed, rarer rotation)."""
    return Weakening(risk=risk, weaker=lambda value, default, _: value is not None and default is not None and value > default)


def becomes(risk: str, *weak_values: Any) -> Weakening:
    """One of the named values, such as SSE-S3 instead of the customer-managed key."""
    return Weakening(risk=risk, weaker=lambda value, default, _: value in weak_values and default not in weak_values)


def sets_parameter(risk: str, parameter: str, *weak_values: str) -> Weakening:
    """A database parameter table that sets `parameter` to one of `weak_values`."""
    return Weakening(
        risk=risk, weaker=lambda value, default, _: isinstance(value, Mapping) and str(value.get(parameter, "")) in weak_values
    )


@dataclass(frozen=True, kw_only=True)
class Weakened:
    field: str
    risk: str
    value: Any
    default: Any


def weakened_fields(settings: BaseModel, production_defaults: Mapping[str, Any]) -> Iterator[Weakened]:
    """The fields of `settings` whose value is weaker than the production default."""
    declared: Mapping[str, Weakening] = getattr(type(settings), "weakens", {})
    for field, weakening in declared.items():
        value = getattr(settings, field)
        default = production_defaults.get(field)
        if weakening.weaker(value, default, settings):
            yield Weakened(field=field, risk=weakening.risk, value=value, default=default)
