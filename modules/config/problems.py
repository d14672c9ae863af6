"""Configuration problems: each names the file, the key, the value received and what is
allowed; a load reports every problem at once."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError


class _Missing:
    def __repr__(self) -> str:
        return "(missing)"


MISSING: Any = _Missing()


class Problem(BaseModel):
    """One thing wrong in one file."""

    model_config = ConfigDict(frozen=True)

    file: str
    key: str
    value: Any
    allowed: str

    def render(self) -> str:
        # Names and values come from the file: escaped, so a hostile key cannot print
        # control characters or a forged line, and cut when long.
        file = self.file if self.file.isprintable() else json.dumps(self.file)
        if not self.key:
            return f"{file}: {self.allowed}"
        shown = "(missing)" if self.value is MISSING else repr(self.value)
        if len(shown) > MAX_SHOWN:
            shown = shown[:MAX_SHOWN] + f"... ({len(shown)} characters)"
        key = self.key if self.key.isprintable() else json.dumps(self.key)
        return f"{file}: {key} = {shown}: {self.allowed}"


class ConfigError(Exception):
    """Raised once per load with every problem found; the CLI prints it and exits 2."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        count = len(problems)
        lines = [f"Configuration error: {count} problem{'s' if count != 1 else ''} found."]
        lines += [f"  - {p.render()}" for p in problems]
        lines.append("Nothing was synthesized. Fix the values above and run the command again.")
        super().__init__("\n".join(lines))


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
# Location entries pydantic adds for the validator it tried, never a key of the file.
_INTERNAL_LOC = re.compile(r"(function-(after|before|wrap|plain)|json-or-python|lax-or-strict|tagged-union)\[.*\]|lax|strict")
# A value longer than this is shown cut: a problem line is for reading, not for echoing a file.
MAX_SHOWN = 120


def dotted(loc: tuple[Any, ...], prefix: str) -> str:
    """Dotted TOML path of an error location: network.public_subnets[2], tags.extra."aws:team"."""
    parts = [prefix] if prefix else []
    for item in loc:
        if isinstance(item, int):
            parts[-1] = f"{parts[-1]}[{item}]"
        elif item != "[key]":
            text = str(item)
            parts.append(text if _BARE_KEY.fullmatch(text) else json.dumps(text))
    return ".".join(parts)


def _lookup(data: Any, loc: tuple[Any, ...]) -> Any:
    if loc and loc[-1] == "[key]":
        return loc[-2]  # the key itself is what is wrong
    for item in loc:
        try:
            data = data[item]
        except (KeyError, IndexError, TypeError):
            return MISSING
    return data


# Pydantic's wording for type errors, rephrased for someone editing a TOML file.
_TYPE_MESSAGES = {
    "int_type": "a whole number, without quotes",
    "int_from_float": "a whole number, without quotes",
    "float_type": "a number, without quotes",
    "string_type": "a string in double quotes",
    "bool_type": "true or false, without quotes",
    "tuple_type": 'a list such as ["a", "b"]',
    "list_type": 'a list such as ["a", "b"]',
    "dict_type": "a table of key = value pairs",
    "model_type": "a table of key = value pairs",
    "ip_v4_network": "a CIDR block such as 10.0.0.0/16 (network address, prefix length 0 to 32, no host bits set)",
    "is_instance_of": "a CIDR block such as 10.0.0.0/16",
}


def _allowed_from(error: Mapping[str, Any], model: type[BaseModel], loc: tuple[Any, ...]) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        owner = _model_at(model, loc[:-1])
        return "unknown key; allowed keys: " + ", ".join(owner.model_fields) if owner else "unknown key"
    if kind == "missing":
        return "required key is missing"
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        return f"one of {expected}"
    if kind in _TYPE_MESSAGES:
        return _TYPE_MESSAGES[kind]
    bounds = error.get("ctx", {})
    if kind == "greater_than_equal":
        return f"at least {bounds.get('ge')}"
    if kind == "less_than_equal":
        return f"at most {bounds.get('le')}"
    if kind == "greater_than":
        return f"more than {bounds.get('gt')}"
    if kind == "less_than":
        return f"less than {bounds.get('lt')}"
    if kind == "string_pattern_mismatch":
        return f"text matching {bounds.get('pattern')}"
    message = str(error["msg"])
    return message.removeprefix("Value error, ")


def _inner_model(annotation: Any) -> Any:
    """X for X, X | None, tuple[X, ...], tuple[X, ...] | None and dict[str, X] (the value's model)."""
    import typing

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin is dict:
        return annotation
    for arg in typing.get_args(annotation):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def _model_at(model: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model that owns a nested location, to list its keys in an unknown-key message."""
    import typing

    current: Any = model
    for item in loc:
        if isinstance(item, int):
            continue
        if typing.get_origin(current) is dict:
            current = _inner_model(typing.get_args(current)[1])
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        field = current.model_fields.get(str(item))
        if field is None:
            return None
        current = _inner_model(field.annotation)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def validate(file: str, prefix: str, raw: Any, model: type[BaseModel]) -> tuple[BaseModel | None, list[Problem]]:
    """`raw` validated by `model`; problems keyed under `prefix`."""
    if not isinstance(raw, dict):
        return None, [Problem(file=file, key=prefix, value=raw, allowed="a table ([section])")]
    try:
        return model.model_validate(raw), []
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc = tuple(error["loc"])
            # Pydantic reports a wrong-typed item under an extra loc element naming the
            # type it tried ("function-after[...]", "tagged-union[...]"); drop those.
            loc = tuple(p for p in loc if isinstance(p, int) or not _INTERNAL_LOC.fullmatch(str(p)))
            problems.append(
                Problem(file=file, key=dotted(loc, prefix), value=_lookup(raw, loc), allowed=_allowed_from(error, model, loc))
            )
        return None, problems
