"""docs/configuration.md and environments/schema.json, generated from the settings models.

    python -m modules.config.reference          # write both
    python -m modules.config.reference --check  # exit 1 when either is stale

Each field's type, description, default (or default per profile) and allowed values
come from where the field is declared; nothing here repeats them.
"""

from __future__ import annotations

import argparse
import json
import sys
import types
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from modules.components.registry import REGISTRY
from modules.config.environment import BudgetSection, StateSection, TagsSettings, TopLevel
from modules.config.loader import MAX_REASON
from modules.config.risks import acceptable_settings, risk_texts
from modules.core.regions import REGION_AZ_LETTERS
from modules.core.settings import profile_defaults_of

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "configuration.md"
SCHEMA = ROOT / "environments" / "schema.json"


# --- Markdown ---------------------------------------------------------------------------
def _type_name(annotation: Any) -> str:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _type_name(args[0])
    if origin is Literal:
        return " \\| ".join(f'"{a}"' for a in args)
    if origin in (types.UnionType, typing.Union):
        names = [_type_name(a) for a in args if a is not type(None)]
        return " \\| ".join(names) + (" (optional)" if type(None) in args else "")
    if origin is tuple:
        return f"list of {_type_name(args[0])}"
    if origin is dict:
        return f"table of {_type_name(args[1])}"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return f"[{annotation.__name__}](#{annotation.__name__.lower()})"
    plain: dict[Any, str] = {str: "string", int: "integer", float: "number", bool: "boolean"}
    return plain.get(annotation) or str(getattr(annotation, "__name__", annotation)).replace("IPv4Network", "CIDR")


def _shown(value: Any) -> str:
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json", exclude_defaults=True)
    elif isinstance(value, dict):
        value = {k: v.model_dump(mode="json", exclude_defaults=True) if isinstance(v, BaseModel) else v for k, v in value.items()}
    if isinstance(value, tuple):
        value = list(value)
    return "`" + json.dumps(value, default=str) + "`"


def _default(model: type[BaseModel], name: str, info: FieldInfo) -> str:
    by_profile = profile_defaults_of(model).get(name)
    if by_profile is not None:
        return "<br>".join(f"{profile}: {_shown(value)}" for profile, value in by_profile.items())
    if info.default is not PydanticUndefined:
        return _shown(info.default)
    if info.default_factory is not None:
        return _shown(info.default_factory())  # type: ignore[call-arg]
    return "required"


def _nested(annotation: Any) -> Iterator[type[BaseModel]]:
    """The models inside an annotation (X, X | None, tuple[X, ...], dict[str, X])."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
        return
    for arg in typing.get_args(annotation):
        yield from _nested(arg)


def _table(model: type[BaseModel], seen: set[type[BaseModel]]) -> list[str]:
    lines = ["| key | type | default | description |", "|---|---|---|---|"]
    nested: list[type[BaseModel]] = []
    for name, info in model.model_fields.items():
        description = (info.description or "").replace("|", "\\|")
        lines.append(f"| `{name}` | {_type_name(info.annotation)} | {_default(model, name, info)} | {description} |")
        nested += [m for m in _nested(info.annotation) if m not in seen]
    for sub in nested:
        if sub in seen:
            continue
        seen.add(sub)
        lines += ["", f"#### {sub.__name__}", "", (sub.__doc__ or "").strip().split("\n\n")[0], "", *_table(sub, seen)]
    return lines


def markdown() -> str:
    seen: set[type[BaseModel]] = set()
    lines = [
        "# Configuration reference",
        "",
        "Generated from the settings models by `make docs` (`python -m modules.config.reference`); do not edit by hand.",
        "",
        "An environment is a file `environments/<name>.toml`; its name goes into resource names. `profile` chooses the",
        "defaults that differ between development and production (shown as `development:` / `production:` below) and how",
        "protected the environment is. Start the file with `#:schema ./schema.json` so editors complete and check keys.",
        "",
        "## Top level",
        "",
        *_table(TopLevel, seen),
        "",
        f"Regions: {', '.join(REGION_AZ_LETTERS)}.",
        "",
    ]
    for key, model in (("tags", TagsSettings), ("state", StateSection), ("budget", BudgetSection)):
        lines += [f"## [{key}]", "", (model.__doc__ or "").strip(), "", *_table(model, seen), ""]
    lines += [
        "## [accepted_risks]",
        "",
        "Under the production profile, a protective component turned off or a setting weaker than the production",
        "default is reported by the gate as a risk. `[accepted_risks]` gives the reason for each, shown beside it in",
        'the reports: `"audit.enable_guardduty" = "GuardDuty runs in the organisation\'s security account"`. A key must',
        "name a risk the file reports; an entry that covers nothing is an error.",
        "",
        "| setting | risk when weakened |",
        "|---|---|",
        *[f"| `{key}` | {text} |" for key, text in risk_texts().items()],
        "",
    ]
    lines += [
        "## [usage]",
        "",
        "The cost gate prices usage from a usage profile, `policies/usage/<name>.toml` (`[budget] usage_profile`, by",
        "default the environment's profile). `[usage]` overrides the profile's figures for this environment only, with",
        "the profile's own sections and keys: `[usage.nat_gateway]` `gb_processed = 200`, or per resource name",
        '`[usage.s3.match."*-uploads-*"]` `standard_gb = 500`. A key the profile does not have is an error, so a',
        "misspelt figure cannot leave the estimate on the profile's; the reports show the figures used.",
        "",
    ]
    lines += ["## [components]", "", "Which parts the environment has; `none` turns one off.", ""]
    lines += ["| component | variants | default | needs | what it is |", "|---|---|---|---|---|"]
    for component in REGISTRY:
        variants = ", ".join(f"`{v}`" for v in component.choices)
        needs = ", ".join(component.needs) or "-"
        lines.append(f"| `{component.name}` | {variants} | `{component.default}` | {needs} | {component.summary} |")
    lines.append("")
    for component in REGISTRY:
        documented: set[type[BaseModel]] = set()
        for variant in component.variants.values():
            if variant.settings in documented:
                continue
            documented.add(variant.settings)
            names = [n for n, v in component.variants.items() if v.settings is variant.settings]
            lines += [
                f"## [{component.name}] ({', '.join(names)})",
                "",
                (variant.settings.__doc__ or "").strip(),
                "",
                *_table(variant.settings, seen),
                "",
            ]
            moved = variant.settings.moved_keys
            if moved:
                lines += [
                    "Keys of the first version and where they went: "
                    + "; ".join(f"`{k}` -> {v}" for k, v in moved.items())
                    + ".",
                    "",
                ]
        for table, part in component.parts.items():
            lines += [f"## [{table}.<name>]", "", (part.__doc__ or "").strip(), "", *_table(part, seen), ""]
    return "\n".join(lines).rstrip() + "\n"


# --- JSON Schema -----------------------------------------------------------------------
def _model_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's schema with per-profile defaults described and no longer required."""
    schema = model.model_json_schema(ref_template="#/$defs/{model}")
    _relax(model, schema)
    for name, definition in schema.get("$defs", {}).items():
        sub = _find_model(model, name)
        if sub is not None:
            _relax(sub, definition)
    return schema


def _relax(model: type[BaseModel], schema: dict[str, Any]) -> None:
    by_profile = profile_defaults_of(model)
    for name, values in by_profile.items():
        prop = schema.get("properties", {}).get(name, {})
        prop.pop("default_by_profile", None)
        shown = ", ".join(f"{profile}: {json.dumps(value, default=list)}" for profile, value in values.items())
        prop["description"] = f"{prop.get('description', '')} Default by profile: {shown}.".strip()
    if "required" in schema:
        schema["required"] = [r for r in schema["required"] if r not in by_profile]
        if not schema["required"]:
            del schema["required"]


def _find_model(root: type[BaseModel], name: str) -> type[BaseModel] | None:
    stack, seen = [root], set()
    while stack:
        model = stack.pop()
        if model.__name__ == name:
            return model
        seen.add(model)
        for info in model.model_fields.values():
            stack += [m for m in _nested(info.annotation) if m not in seen]
    return None


def json_schema() -> dict[str, Any]:
    defs: dict[str, Any] = {}
    properties: dict[str, Any] = {}

    def add(key: str, model: type[BaseModel]) -> dict[str, Any]:
        schema = _model_schema(model)
        defs.update(schema.pop("$defs", {}))
        defs[model.__name__] = schema
        return {"$ref": f"#/$defs/{model.__name__}"}

    top = _model_schema(TopLevel)
    properties.update(top["properties"])
    properties["region"] = {**properties["region"], "enum": list(REGION_AZ_LETTERS)}
    properties["tags"] = add("tags", TagsSettings)
    properties["state"] = add("state", StateSection)
    properties["budget"] = add("budget", BudgetSection)
    properties["accepted_risks"] = {
        "type": "object",
        "description": "Why the file accepts each risk it reports (setting -> reason).",
        "propertyNames": {"enum": list(acceptable_settings())},
        "additionalProperties": {"type": "string", "minLength": 1, "maxLength": MAX_REASON},
    }
    properties["usage"] = {
        "type": "object",
        "description": "This environment's usage figures over its usage profile ([usage.<section>] key = number).",
        "additionalProperties": {"type": "object"},
    }
    properties["components"] = {
        "type": "object",
        "additionalProperties": False,
        "description": 'Which parts the environment has; "none" turns one off.',
        "properties": {c.name: {"enum": list(c.choices), "default": c.default, "description": c.summary} for c in REGISTRY},
    }
    for component in REGISTRY:
        models = list(dict.fromkeys(v.settings for v in component.variants.values()))
        refs = [add(component.name, m) for m in models]
        properties[component.name] = refs[0] if len(refs) == 1 else {"anyOf": refs}
        for table, part in component.parts.items():
            properties[table] = {"type": "object", "additionalProperties": add(table, part)}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Environment file",
        "description": "environments/<name>.toml; generated from the settings models, see docs/configuration.md.",
        "type": "object",
        "additionalProperties": False,
        "required": ["profile", "region", "tags"],
        "properties": properties,
        "$defs": dict(sorted(defs.items())),
    }


def rendered() -> dict[Path, str]:
    return {DOCS: markdown(), SCHEMA: json.dumps(json_schema(), indent=2, sort_keys=False) + "\n"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m modules.config.reference", description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when a generated file is stale")
    args = parser.parse_args(argv)
    stale = [path for path, text in rendered().items() if not path.is_file() or path.read_text(encoding="utf-8") != text]
    if args.check:
        for path in stale:
            print(f"{path.relative_to(ROOT)} is stale: run `make docs` and commit it.", file=sys.stderr)
        return 1 if stale else 0
    for path, text in rendered().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"Wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
