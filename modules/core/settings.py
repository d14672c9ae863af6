"""The base of every component's settings model, and the value types they share.

A setting is declared once: its type (AWS's allowed values checked where it is
declared), its description, and its default, or one default per profile through
`by_profile`. The configuration reference and the JSON Schema are generated from
these declarations.
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from modules.core.profile import PROFILES, Profile

# CloudWatch Logs accepts only these retention periods (PutRetentionPolicy API reference).
LOG_RETENTION_DAYS: tuple[int, ...] = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731,
    1096, 1827, 2192, 2557, 2922, 3288, 3653,
)  # fmt: skip
_PROFILE_DEFAULTS = "default_by_profile"


class Settings(BaseModel):
    """Frozen, strict, and closed: an unknown key is a mistake, not an extension."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)


def by_profile(*, development: Any, production: Any, description: str, **field: Any) -> Any:
    """A field whose default depends on the environment's profile (both given here, once)."""
    extra: dict[str, Any] = {_PROFILE_DEFAULTS: {"development": development, "production": production}}
    return Field(description=description, json_schema_extra=extra, **field)


def profile_defaults_of(model: type[BaseModel]) -> dict[str, dict[str, Any]]:
    """Field name -> {profile: default} for the fields declared with `by_profile`."""
    found = {}
    for name, info in model.model_fields.items():
        extra = info.json_schema_extra
        if isinstance(extra, Mapping) and _PROFILE_DEFAULTS in extra:
            found[name] = dict(extra[_PROFILE_DEFAULTS])  # type: ignore[arg-type]
    return found


def _settings_type(annotation: Any) -> type[Settings] | None:
    return annotation if isinstance(annotation, type) and issubclass(annotation, Settings) else None


def with_profile_defaults(model: type[BaseModel], raw: Any, profile: Profile) -> Any:
    """`raw` (a TOML table) completed with the profile's defaults, nested tables included.

    Anything that is not a table is returned unchanged for the model to reject clearly.
    """
    if not isinstance(raw, dict):
        return raw
    assert profile in PROFILES
    done = {name: values[profile] for name, values in profile_defaults_of(model).items() if name not in raw}
    done.update(raw)
    for name, info in model.model_fields.items():
        if name not in done:
            continue
        annotation = info.annotation
        nested = _settings_type(annotation)
        if nested is not None:
            done[name] = with_profile_defaults(nested, done[name], profile)
            continue
        # dict[str, SomeSettings]: a table of declared parts such as [buckets.<name>].
        if typing.get_origin(annotation) is dict:
            _, value_type = typing.get_args(annotation)
            part = _settings_type(value_type)
            if part is not None and isinstance(done[name], dict):
                done[name] = {key: with_profile_defaults(part, value, profile) for key, value in done[name].items()}
    return done


def _retention(days: int) -> int:
    if days not in LOG_RETENTION_DAYS:
        raise ValueError("one of the retention periods CloudWatch Logs accepts: " + ", ".join(map(str, LOG_RETENTION_DAYS)))
    return days


def _positive(days: int) -> int:
    if days < 1:
        raise ValueError("at least 1 day")
    return days


def _origins(value: tuple[str, ...]) -> tuple[str, ...]:
    for origin in value:
        parts = urlsplit(origin)
        local = parts.scheme == "http" and parts.hostname in ("localhost", "127.0.0.1")
        if parts.scheme not in ("https", "http") or not parts.hostname or (parts.scheme == "http" and not local):
            raise ValueError(f"{origin!r} is not an origin URL: use https://host[:port] (http only for localhost)")
        if parts.path not in ("", "/") or parts.query or parts.fragment or "*" in origin:
            raise ValueError(f"{origin!r}: an origin is scheme, host and port only, without path or wildcard")
    return value


LogRetentionDays = Annotated[int, AfterValidator(_retention)]
# Browser origins (CORS): https://host[:port], http only for localhost.
WebOrigins = Annotated[tuple[str, ...], AfterValidator(_origins)]
Days = Annotated[int, AfterValidator(_positive)]


Report = Callable[[str, Any, str], None]
"""report(dotted key, value received, what is allowed): one configuration problem."""


@dataclass(frozen=True, kw_only=True)
class EnvironmentView:
    """What a component's cross-checks may read: the environment and the other sections,
    all already valid on their own. `settings` maps each enabled component's section to
    its model; `parts` maps each table of declared parts (buckets, functions) to its
    entries."""

    name: str
    profile: Profile
    region: str
    project: str
    owner: str
    bucket_suffix: str
    components: Mapping[str, str]
    settings: Mapping[str, BaseModel]
    parts: Mapping[str, Mapping[str, BaseModel]]

    def enabled(self, component: str) -> bool:
        return self.components.get(component, "none") != "none"


class ComponentSettings(Settings):
    """A component's section. `check` reports problems that span keys or components;
    `moved_keys` names the new place of keys the first version had in this section."""

    moved_keys: ClassVar[Mapping[str, str]] = {}
    weakens: ClassVar[Mapping[str, Any]] = {}
    """Field -> modules.core.weakening.Weakening: what a value weaker than the production
    default gives up (reported as a risk under the production profile)."""

    def check(self, view: EnvironmentView, report: Report) -> None:
        """Cross-key checks; single values are validated where their fields are declared."""
