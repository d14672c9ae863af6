"""The configuration reference and the JSON schema are generated from the settings models and current."""

from __future__ import annotations

import json
import tomllib

import jsonschema
import pytest

from modules.components.registry import REGISTRY
from modules.config import reference
from tests.conftest import ROOT


def test_generated_reference_and_schema_are_current() -> None:
    assert reference.main(["--check"]) == 0, "run `make docs` and commit docs/configuration.md and environments/schema.json"


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_shipped_files_validate_against_the_schema_and_name_it(env: str) -> None:
    text = (ROOT / "environments" / f"{env}.toml").read_text()
    assert text.startswith("#:schema ./schema.json\n")
    schema = json.loads((ROOT / "environments" / "schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(tomllib.loads(text))


def test_the_schema_rejects_a_misspelt_key_and_an_unknown_variant() -> None:
    schema = json.loads((ROOT / "environments" / "schema.json").read_text())
    document = tomllib.loads((ROOT / "environments" / "dev.toml").read_text())
    document["network"]["nat_gatways"] = 1
    document["components"] = {"cdn": "fastly"}
    messages = sorted(e.message for e in jsonschema.Draft202012Validator(schema).iter_errors(document))
    assert messages == [
        "'fastly' is not one of ['cloudfront', 'none']",
        "Additional properties are not allowed ('nat_gatways' was unexpected)",
    ]


def test_the_reference_documents_every_key_of_every_component_with_its_profile_defaults() -> None:
    text = (ROOT / "docs" / "configuration.md").read_text()
    for component in REGISTRY:
        for variant in component.variants.values():
            for name in variant.settings.model_fields:
                assert f"| `{name}` |" in text, f"{component.name}.{name} is not documented"
    assert "| `nat_gateways` | integer | development: `0`<br>production: `3` |" in text


def _models() -> set[type]:
    """Every settings model reachable from the registry and the top level."""
    from modules.config.environment import BudgetSection, StateSection, TagsSettings, TopLevel
    from modules.config.reference import _nested

    found: set[type] = set()
    stack: list[type] = [TopLevel, TagsSettings, StateSection, BudgetSection]
    for component in REGISTRY:
        stack += [v.settings for v in component.variants.values()] + list(component.parts.values())
    while stack:
        model = stack.pop()
        if model in found:
            continue
        found.add(model)
        for info in model.model_fields.values():  # type: ignore[attr-defined]
            stack += list(_nested(info.annotation))
    return found


def test_every_setting_has_a_description() -> None:
    missing = [
        f"{model.__name__}.{name}"
        for model in _models()
        for name, info in model.model_fields.items()  # type: ignore[attr-defined]
        if not (info.description or "").strip()
    ]
    assert missing == []
