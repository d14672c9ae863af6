"""Which settings of an environment weaken a production protection, and what `[accepted_risks]` may name."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from modules.components.registry import OFF, REGISTRY
from modules.core.contributions import Risk
from modules.core.profile import PROTECTION, Profile
from modules.core.settings import ComponentSettings, profile_defaults_of
from modules.core.weakening import weakened_fields


def production_defaults(model: type[ComponentSettings]) -> dict[str, Any]:
    """Each field's default under the production profile."""
    by_profile = profile_defaults_of(model)
    defaults = {}
    for name, info in model.model_fields.items():
        if name in by_profile:
            defaults[name] = by_profile[name]["production"]
        elif not info.is_required():
            defaults[name] = info.get_default(call_default_factory=True)
    return defaults


def acceptable_settings() -> tuple[str, ...]:
    """The keys `[accepted_risks]` may hold: a protective component turned off, or a setting
    that can weaken a production protection."""
    return tuple(risk_texts())


def risk_texts() -> dict[str, str]:
    """Each key `[accepted_risks]` may hold, with the risk it stands for."""
    texts = {f"components.{c.name}": c.off_risk for c in REGISTRY if c.off_risk}
    for component in REGISTRY:
        for variant in component.variants.values():
            for field, weakening in variant.settings.weakens.items():
                texts.setdefault(f"{component.name}.{field}", weakening.risk)
    return texts


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k} = {_shown(v)}" for k, v in value.items()) + "}"
    if isinstance(value, float) and value.is_integer():
        # TOML and pydantic turn 500 into 500.0 for float fields; show what the file said.
        return str(int(value))
    return str(value)


def weakened_risks(profile: Profile, components: Mapping[str, str], settings: Mapping[str, ComponentSettings]) -> list[Risk]:
    """Under a profile that reports them, every setting weaker than the production default."""
    if not PROTECTION[profile].report_weakened:
        return []
    risks = []
    for component in REGISTRY:
        if components.get(component.name, OFF) == OFF or component.name not in settings:
            continue
        section = settings[component.name]
        for found in weakened_fields(section, production_defaults(type(section))):
            risks.append(
                Risk(
                    component=component.name,
                    setting=f"{component.name}.{found.field}",
                    risk=f"{found.risk.rstrip('.')} ({_shown(found.value)}; production default {_shown(found.default)}).",
                )
            )
    return risks


def off_risks(components: Mapping[str, str]) -> list[Risk]:
    """Protective components the file turns off."""
    return [
        Risk(component=c.name, setting=f"components.{c.name}", risk=c.off_risk)
        for c in REGISTRY
        if c.off_risk and components.get(c.name, OFF) == OFF
    ]
