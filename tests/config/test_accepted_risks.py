"""Settings weaker than production's defaults: reported as risks in the stack's metadata, with
the reason `[accepted_risks]` gives; an entry that covers nothing is an error."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from modules.components.registry import REGISTRY
from modules.config.risks import acceptable_settings, production_defaults
from tests.config.test_loader import F, problems_of
from tests.conftest import ROOT, Stack, merge, to_toml


def _prod(patch: dict) -> str:
    raw = tomllib.loads((ROOT / "environments" / "prod.toml").read_text())
    return to_toml(merge(raw, patch))


def test_weakened_settings_are_risks_with_their_reason(synthesized: dict[str, Stack]) -> None:
    risks = {r["setting"]: r for r in synthesized["weakened"].foundation["risks"]}
    assert sorted(risks) == ["api.throttle_rate_per_second", "audit.enable_guardduty", "database.log_min_duration_statement_ms"]
    assert risks["audit.enable_guardduty"]["reason"] == "GuardDuty runs in the organisation's security account."
    assert "reason" not in risks["api.throttle_rate_per_second"]
    assert risks["api.throttle_rate_per_second"]["risk"].endswith("(500; production default 100).")
    assert "logged with its values" in risks["database.log_min_duration_statement_ms"]["risk"]


def test_the_shipped_files_weaken_nothing(prod: Stack, dev: Stack) -> None:
    assert prod.foundation["risks"] == [] and dev.foundation["risks"] == []


def test_at_least_twenty_protections_are_watched() -> None:
    assert len(acceptable_settings()) >= 20


@pytest.mark.parametrize("setting", [s for s in acceptable_settings() if not s.startswith("components.")])
def test_every_watched_setting_exists_with_a_production_default(setting: str) -> None:
    component, field = setting.split(".")
    models = [v.settings for c in REGISTRY if c.name == component for v in c.variants.values()]
    assert any(field in m.model_fields and field in production_defaults(m) for m in models), setting


@pytest.mark.parametrize(
    ("patch", "expected"),
    [
        (
            {"accepted_risks": {"audit.enable_guardduty": "not weakened here"}},
            f"{F}: accepted_risks.audit.enable_guardduty = 'not weakened here': this file does not weaken it",
        ),
        (
            {"accepted_risks": {"audit.colour": "why"}},
            f"{F}: accepted_risks.audit.colour = 'why': not a setting that weakens a protection",
        ),
        (
            {"audit": {"enable_guardduty": False}, "accepted_risks": {"audit.enable_guardduty": ""}},
            f"{F}: accepted_risks.audit.enable_guardduty = '': a reason of 1 to 500 characters",
        ),
        ({"accepted_risks": "yes"}, f"{F}: accepted_risks = 'yes': a table of setting = \"reason\""),
    ],
)
def test_accepted_risks_problems_are_named(tmp_path: Path, patch: dict, expected: str) -> None:
    found = problems_of(tmp_path, _prod(patch))
    assert any(p.startswith(expected) for p in found), found
