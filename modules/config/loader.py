"""Environment files: `environments/<name>.toml` parsed into one resolved EnvironmentConfig.

The file's name is the environment's name; its `profile` chooses behaviour. Every
problem in a file is collected and reported at once, each naming the file, the key,
the value received and what is allowed; nothing is built from an invalid file.
"""

from __future__ import annotations

import hashlib
import math
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from modules.components.registry import BY_NAME, OFF, PARTS, REGISTRY
from modules.config.environment import (
    BudgetSection,
    EnvironmentConfig,
    StateSection,
    StateSettings,
    TagsSettings,
    TopLevel,
)
from modules.config.problems import MISSING, ConfigError, Problem, validate
from modules.config.risks import acceptable_settings, off_risks, weakened_risks
from modules.config.usage import USAGE, usage_overrides
from modules.core.naming import ACCESS_LOG_SUFFIX, ENVIRONMENT_NAME, RESERVED_ENVIRONMENT_NAMES, bucket_suffix
from modules.core.profile import PROFILES
from modules.core.regions import REGION_AZ_LETTERS
from modules.core.settings import ComponentSettings, EnvironmentView, Settings, with_profile_defaults
from policies import aws_rules

SECTIONS = ("tags", "state", "budget", "components")
# Why the file accepts each risk it reports: setting -> reason, shown in the gate's reports.
ACCEPTED_RISKS = "accepted_risks"
MAX_REASON = 500
MAX_FILE_BYTES = 1024 * 1024
# Keys of the first version's files, and where each went.
MOVED_TOP_LEVEL = {
    "environment": "remove it: the file name is the environment's name, and `profile` chooses its behaviour",
    "security": "[audit] (the audit component's section)",
}


def _top_level_keys() -> tuple[str, ...]:
    return (*TopLevel.model_fields, *SECTIONS, *(c.name for c in REGISTRY), *PARTS, ACCEPTED_RISKS, USAGE)


def _default_state_bucket(tags: TagsSettings) -> str:
    # Bucket names are global: a short hash of project and owner makes the default
    # unlikely to clash with another team's, and stable across runs and machines.
    digest = hashlib.sha256(f"{tags.project}:{tags.owner}".encode()).hexdigest()[:8]
    return f"{tags.project}-tfstate-{digest}"


def _read(path: Path, file: str) -> dict[str, Any]:
    def fail(allowed: str) -> ConfigError:
        return ConfigError([Problem(file=file, key="", value=MISSING, allowed=allowed)])

    try:
        # A FIFO, a device or a directory is not an environment file; reading one could
        # hang or exhaust memory, so only regular files of a sane size are read.
        if not path.is_file():
            raise fail("not a regular file: an environment file is a TOML text file")
        if path.stat().st_size > MAX_FILE_BYTES:
            raise fail(f"larger than {MAX_FILE_BYTES // 1024} KiB: an environment file is a few kilobytes of TOML")
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise fail("the file does not exist")
    except tomllib.TOMLDecodeError as exc:
        raise fail(f"not valid TOML: {exc}")
    except UnicodeDecodeError:
        raise fail("not UTF-8 text; save the file as UTF-8")
    except RecursionError:
        raise fail("nested too deeply to be read; an environment file needs a few levels of tables")
    except OSError as exc:
        raise fail(f"cannot be read: {exc.strerror or exc}")


def _values(raw: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """Every (dotted key, value) in a parsed file, keys included as values of their own."""
    if isinstance(raw, dict):
        for key, value in raw.items():
            where = f"{path}.{key}" if path else str(key)
            yield where, key
            yield from _values(value, where)
    elif isinstance(raw, list):
        for index, value in enumerate(raw):
            yield from _values(value, f"{path}[{index}]")
    else:
        yield path, raw


def _unsafe_values(raw: dict[str, Any], report: Any) -> None:
    """What no setting may hold, wherever it is: Terraform expressions (the JSON would run
    them at plan time), control characters, and numbers that are not numbers."""
    for where, value in _values(raw):
        if isinstance(value, str):
            if "${" in value or "%{" in value:
                report(where, value, "a plain value: ${ and %{ start Terraform expressions, which settings may not contain")
            elif any(not c.isprintable() for c in value if c not in "\t"):
                report(where, value, "text without control characters such as line breaks")
        elif isinstance(value, float) and not math.isfinite(value):
            report(where, value, "a finite number (not nan or inf)")


def load_environment(path: Path, *, display_root: Path | None = None) -> EnvironmentConfig:
    """Read and validate one environment file. Raises ConfigError with every problem."""
    file = str(path.relative_to(display_root)) if display_root else str(path)
    raw = _read(path, file)
    problems: list[Problem] = []

    def report(key: str, value: Any, allowed: str) -> None:
        problems.append(Problem(file=file, key=key, value=value, allowed=allowed))

    _unsafe_values(raw, report)
    if problems:
        raise ConfigError(problems)

    allowed_keys = _top_level_keys()
    for key in raw:
        if key in MOVED_TOP_LEVEL:
            report(key, raw[key], f"moved: {MOVED_TOP_LEVEL[key]}")
        elif key not in allowed_keys:
            report(key, raw[key], "unknown key; allowed keys: " + ", ".join(allowed_keys))

    name = path.stem
    if not ENVIRONMENT_NAME.fullmatch(name) or name in RESERVED_ENVIRONMENT_NAMES:
        report(
            "(file name)",
            name,
            "an environment name is 2 to 16 lowercase letters, digits and hyphens, starting with a letter "
            f"(it goes into bucket and resource names); not {', '.join(RESERVED_ENVIRONMENT_NAMES)}",
        )

    top, top_problems = validate(file, "", {k: raw[k] for k in TopLevel.model_fields if k in raw}, TopLevel)
    problems += top_problems
    profile = raw.get("profile") if raw.get("profile") in PROFILES else None
    region = raw.get("region")
    region_ok = isinstance(region, str) and region in REGION_AZ_LETTERS
    if isinstance(region, str) and not region_ok:
        report("region", region, "one of the supported Regions: " + ", ".join(REGION_AZ_LETTERS))

    tags: Any = None
    if "tags" in raw:
        tags, tag_problems = validate(file, "tags", raw["tags"], TagsSettings)
        problems += tag_problems
    else:
        report("tags", MISSING, "required: a [tags] table with project, owner and cost_centre")
    state, state_problems = validate(file, "state", raw.get("state", {}), StateSection)
    problems += state_problems
    budget, budget_problems = validate(file, "budget", raw.get("budget", {}), BudgetSection)
    problems += budget_problems

    components = _components(raw.get("components", {}), report)
    settings: dict[str, ComponentSettings] = {}
    parts: dict[str, dict[str, Settings]] = {}
    if profile is not None:
        for component in REGISTRY:
            variant = components.get(component.name, OFF)
            if variant == OFF:
                # Described but off would build nothing without a word: say so. (A variant
                # that is not known was reported already.)
                written = raw.get("components", {}).get(component.name) if isinstance(raw.get("components"), dict) else None
                if written is None or written == OFF:
                    choices = " or ".join(f'"{v}"' for v in component.variants)
                    if component.name in raw:
                        report(
                            component.name,
                            "...",
                            f'[{component.name}] is set but components.{component.name} is "none": set components.'
                            f"{component.name} = {choices}, or remove the section",
                        )
                    for table in component.parts:
                        if raw.get(table):
                            report(
                                table,
                                sorted(raw[table]) if isinstance(raw[table], dict) else raw[table],
                                f'declared, but components.{component.name} is "none", which builds them: set components.'
                                f"{component.name} = {choices}, or remove the [{table}.<name>] tables",
                            )
                continue
            model = component.variants[variant].settings
            section = raw.get(component.name, {})
            if isinstance(section, dict):
                for key in section:
                    if key in model.moved_keys:
                        report(f"{component.name}.{key}", section[key], f"moved: {model.moved_keys[key]}")
                section = {k: v for k, v in section.items() if k not in model.moved_keys}
            validated, section_problems = validate(file, component.name, with_profile_defaults(model, section, profile), model)
            problems += section_problems
            if isinstance(validated, ComponentSettings):
                settings[component.name] = validated
            for table, part_model in component.parts.items():
                parts[table] = _parts(file, table, raw.get(table, {}), part_model, profile, problems)
        for component in REGISTRY:
            if components.get(component.name, OFF) == OFF:
                continue
            for needed in component.needs:
                if components.get(needed, OFF) == OFF:
                    report(
                        f"components.{component.name}",
                        components[component.name],
                        f'needs components.{needed}, which is "none": enable {needed} or set components.{component.name} = "none"',
                    )

    state_settings: StateSettings | None = None
    if isinstance(state, StateSection) and isinstance(tags, TagsSettings) and region_ok:
        bucket = state.bucket or _default_state_bucket(tags)
        reasons = aws_rules.bucket_name_problems(bucket)
        if reasons:
            report("state.bucket", bucket, "; ".join(reasons))
        elif len(bucket) > 63 - len(ACCESS_LOG_SUFFIX):
            report(
                "state.bucket",
                bucket,
                f"at most {63 - len(ACCESS_LOG_SUFFIX)} characters: its access-log bucket adds {ACCESS_LOG_SUFFIX!r}",
            )
        if state.region is not None and state.region not in REGION_AZ_LETTERS:
            report("state.region", state.region, "one of the supported Regions: " + ", ".join(REGION_AZ_LETTERS))
        backend = raw.get("backend", "local")
        state_settings = StateSettings(
            backend=backend if backend in ("local", "s3") else "local",
            bucket=bucket,
            region=state.region or str(region),
            key=f"{name}/terraform.tfstate",
            monthly_budget_usd=state.monthly_budget_usd,
        )

    if problems:
        raise ConfigError(problems)
    assert isinstance(top, TopLevel) and isinstance(tags, TagsSettings) and isinstance(budget, BudgetSection)
    assert state_settings is not None and profile is not None
    suffix = bucket_suffix(tags.project, name, tags.owner, top.bucket_suffix)
    view = EnvironmentView(
        name=name,
        profile=profile,
        region=top.region,
        project=tags.project,
        owner=tags.owner,
        bucket_suffix=suffix,
        components=components,
        settings=settings,
        parts=parts,
    )
    for section_settings in settings.values():
        section_settings.check(view, report)
    accepted = _accepted_risks(raw.get(ACCEPTED_RISKS, {}), profile, components, settings, report)
    usage = usage_overrides(raw.get(USAGE), budget.usage_profile or profile, report)
    if problems:
        raise ConfigError(problems)
    return EnvironmentConfig(
        name=name,
        source=file,
        profile=profile,
        region=top.region,
        tags=tags,
        state=state_settings,
        bucket_suffix=suffix,
        budget_usd=budget.monthly_usd,
        usage_profile=budget.usage_profile or profile,
        components=components,
        settings=settings,
        parts=parts,
        accepted_risks=accepted,
        usage_overrides=usage,
    )


def _accepted_risks(raw: Any, profile: Any, components: dict[str, str], settings: dict[str, Any], report: Any) -> dict[str, str]:
    """`[accepted_risks]`: each key a risk this file reports, each value a reason."""
    if not isinstance(raw, dict):
        report(ACCEPTED_RISKS, raw, 'a table of setting = "reason", such as "audit.enable_guardduty" = "..."')
        return {}
    reported = {r.setting for r in off_risks(components) + weakened_risks(profile, components, settings)}
    known = acceptable_settings()
    accepted: dict[str, str] = {}
    for key, reason in raw.items():
        where = f"{ACCEPTED_RISKS}.{key}"
        if not isinstance(reason, str) or not reason.strip() or len(reason) > MAX_REASON:
            report(where, reason, f"a reason of 1 to {MAX_REASON} characters")
        elif key not in known:
            report(where, reason, "not a setting that weakens a protection; see docs/configuration.md (accepted_risks)")
        elif key not in reported:
            report(
                where,
                reason,
                "this file does not weaken it (an accepted risk that covers nothing is a mistake): remove the entry",
            )
        else:
            accepted[key] = reason
    return accepted


def _components(raw: Any, report: Any) -> dict[str, str]:
    """`[components]` over the registry's defaults; unknown names and variants reported."""
    chosen = {component.name: component.default for component in REGISTRY}
    if not isinstance(raw, dict):
        report("components", raw, 'a table such as [components] with database = "none"')
        return chosen
    for key, value in raw.items():
        component = BY_NAME.get(key)
        if component is None:
            report(f"components.{key}", value, "unknown component; components: " + ", ".join(BY_NAME))
        elif value not in component.choices:
            report(f"components.{key}", value, "one of " + ", ".join(repr(c) for c in component.choices))
            # Nothing more to say about a component whose variant is unknown.
            chosen[key] = OFF
        else:
            chosen[key] = value
    return chosen


def _parts(file: str, table: str, raw: Any, model: type[Settings], profile: Any, problems: list[Problem]) -> dict[str, Settings]:
    """`[<table>.<name>]` entries, each validated by the part's model."""
    if not isinstance(raw, dict):
        problems.append(Problem(file=file, key=table, value=raw, allowed=f"tables such as [{table}.<name>]"))
        return {}
    declared: dict[str, Settings] = {}
    for key, entry in raw.items():
        validated, entry_problems = validate(file, f"{table}.{key}", with_profile_defaults(model, entry, profile), model)
        problems.extend(entry_problems)
        if isinstance(validated, Settings):
            declared[key] = validated
    return declared


def load_environments(directory: Path, names: list[str] | None = None, *, shared_state: bool = True) -> list[EnvironmentConfig]:
    """Load the named environments (default: every *.toml in the folder), all problems at once.

    Files that agree on nothing else must agree on the state bucket: one bootstrap
    stack creates it for all of them. `shared_state=False` is for files that are
    separate systems (the examples), each with its own state.
    """
    root = directory.parent
    # Hidden files and editor leftovers (.#dev.toml) are not environments.
    available = sorted(p.stem for p in directory.glob("*.toml") if not p.name.startswith((".", "#")))
    problems: list[Problem] = []
    selected = names if names else available
    configs: list[EnvironmentConfig] = []
    for name in selected:
        path = directory / f"{name}.toml"
        if name not in available:
            problems.append(
                Problem(
                    file=str(path.relative_to(root)),
                    key="",
                    value=MISSING,
                    allowed=f"no such file: environment {name!r} is unknown; available: {', '.join(available) or 'none'}",
                )
            )
            continue
        try:
            configs.append(load_environment(path, display_root=root))
        except ConfigError as exc:
            problems += exc.problems
    if not problems and not configs:
        problems.append(
            Problem(file=str(directory.relative_to(root)), key="", value=MISSING, allowed="no *.toml environment files found")
        )
    if not problems and shared_state:
        first = configs[0]
        for other in configs[1:]:
            for attr in ("bucket", "region"):
                if getattr(other.state, attr) != getattr(first.state, attr):
                    problems.append(
                        Problem(
                            file=other.source,
                            key=f"state.{attr}",
                            value=getattr(other.state, attr),
                            allowed=f"must equal {first.source}'s {getattr(first.state, attr)!r}: one bootstrap stack "
                            "creates one state bucket for every environment (by default named from tags.project and "
                            f"tags.owner, in the environment's Region); add [state] {attr} = {getattr(first.state, attr)!r} "
                            "to this file",
                        )
                    )
    if problems:
        raise ConfigError(problems)
    return configs
