"""Environment configuration: `environments/<env>.toml` parsed into a frozen, validated model.

Every problem in a file is collected and reported at once, each naming the file,
the key, the value received and what is allowed. Sections are validated one by
one so that a typo in `[tags]` does not hide an overlapping subnet in `[network]`.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from ipaddress import IPv4Network
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, Strict, ValidationError, field_validator

from modules.components.network.layout import (
    TIERS,
    LayoutError,
    SubnetLayout,
    carve,
)
from modules.config_api import API_DEFAULTS, API_PRESETS, ApiConfig
from modules.config_cdn import CDN_DEFAULTS, CDN_PRESETS, CdnConfig, cdn_problems
from modules.config_database import DATABASE_DEFAULTS, DATABASE_PRESETS, DatabaseConfig, database_problems
from modules.config_monitoring import MonitoringConfig
from modules.config_security import SECURITY_DEFAULTS, SECURITY_PRESETS, SecurityConfig
from modules.config_storage import STORAGE_DEFAULTS, STORAGE_PRESETS, StorageConfig, storage_problems
from modules.core.regions import REGION_AZ_LETTERS, availability_zones
from policies import aws_rules

KNOWN_ENVIRONMENTS: tuple[str, ...] = ("dev", "staging", "prod")

# CloudWatch Logs accepts only these retention periods (PutRetentionPolicy API reference).
LOG_RETENTION_DAYS: tuple[int, ...] = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731,
    1096, 1827, 2192, 2557, 2922, 3288, 3653,
)  # fmt: skip

# Interface endpoint services the network construct knows how to name
# (com.amazonaws.<region>.<service>); the list is what an app tier of this stack talks to.
INTERFACE_ENDPOINT_SERVICES: tuple[str, ...] = (
    "secretsmanager", "rds-data", "kms", "logs", "sts", "ssm", "ssmmessages",
    "ec2messages", "ecr.api", "ecr.dkr", "sqs", "sns", "lambda", "monitoring",
    "events", "xray", "execute-api", "states",
)  # fmt: skip

_PROJECT_NAME = re.compile(r"^[a-z][a-z0-9-]{1,20}[a-z0-9]$")


class Problem(BaseModel):
    """One thing wrong in one file."""

    model_config = ConfigDict(frozen=True)

    file: str
    key: str
    value: Any
    allowed: str

    def render(self) -> str:
        if not self.key:
            return f"{self.file}: {self.allowed}"
        shown = "(missing)" if self.value is _MISSING else repr(self.value)
        return f"{self.file}: {self.key} = {shown}: {self.allowed}"


class _Missing:
    def __repr__(self) -> str:
        return "(missing)"


_MISSING: Any = _Missing()


class ConfigError(Exception):
    """Raised once per load with every problem found; the CLI prints it and exits 2."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        count = len(problems)
        lines = [f"Configuration error: {count} problem{'s' if count != 1 else ''} found."]
        lines += [f"  - {p.render()}" for p in problems]
        lines.append("Nothing was synthesized. Fix the values above and run the command again.")
        super().__init__("\n".join(lines))


def _first(problems: list[str]) -> None:
    if problems:
        raise ValueError("; ".join(problems))


def _tag_key(text: str) -> str:
    _first(aws_rules.tag_key_problems(text))
    return text


def _tag_value(text: str) -> str:
    _first(aws_rules.tag_value_problems(text))
    return text


TagKey = Annotated[str, AfterValidator(_tag_key)]
TagValue = Annotated[str, AfterValidator(_tag_value)]
# TOML has no CIDR type: accept the string form and parse it.
Cidr = Annotated[IPv4Network, Strict(False)]


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)


class TagsConfig(_Section):
    """`[tags]`: the house tags every resource carries through the provider's default_tags."""

    project: str = Field(description="Project name; also the prefix of resource names.")
    owner: str = Field(description="Team or person answerable for the environment.")
    cost_centre: str = Field(description="Cost centre the bill is charged to.")
    extra: dict[TagKey, TagValue] = Field(
        default_factory=dict, description="Additional tags; default: none beyond the house tags."
    )

    @field_validator("project")
    @classmethod
    def _project_name(cls, value: str) -> str:
        if not _PROJECT_NAME.match(value):
            raise ValueError(
                "3 to 22 characters: lowercase letters, digits and hyphens, starting with a "
                "letter (it prefixes bucket and resource names)"
            )
        return value

    @field_validator("owner", "cost_centre")
    @classmethod
    def _house_tag_value(cls, value: str) -> str:
        if not value:
            raise ValueError("a non-empty tag value")
        _first(aws_rules.tag_value_problems(value))
        return value


class StateConfig(_Section):
    """`[state]`: where Terraform state lives when `backend = "s3"`, and what bootstrap creates."""

    bucket: str | None = Field(
        default=None,
        description="State bucket name; default: <project>-tfstate-<8 hex of project and owner>.",
    )
    region: str | None = Field(default=None, description="State bucket Region; default: the environment's.")


class NetworkConfig(_Section):
    """`[network]`: the VPC. Defaults for the environment's preset fill keys left out."""

    vpc_cidr: Cidr = Field(description="VPC CIDR; default 10.0.0.0/16.")
    availability_zones: tuple[str, ...] | None = Field(
        default=None, strict=False, description="Zones to span; default: the Region's first three."
    )
    subnet_prefix_length: int = Field(default=24, description="Size of carved subnets; default /24 (251 usable addresses).")
    public_subnets: tuple[Cidr, ...] | None = Field(
        default=None, strict=False, description="Explicit public CIDRs, one per zone; default: carved."
    )
    private_subnets: tuple[Cidr, ...] | None = Field(
        default=None, strict=False, description="Explicit private CIDRs, one per zone; default: carved."
    )
    database_subnets: tuple[Cidr, ...] | None = Field(
        default=None, strict=False, description="Explicit database CIDRs, one per zone; default: carved."
    )
    nat_gateways: int = Field(description="NAT gateways, 0 to the zone count; default per preset.")
    interface_endpoints: tuple[str, ...] = Field(strict=False, description="Interface endpoint services; default per preset.")
    flow_log_retention_days: int = Field(description="Flow log retention; default per preset.")
    flow_log_traffic_type: Literal["ALL", "ACCEPT", "REJECT"] = Field(
        default="ALL", description="Traffic captured by flow logs; default ALL."
    )

    @field_validator("vpc_cidr")
    @classmethod
    def _vpc_size(cls, value: IPv4Network) -> IPv4Network:
        # VPC CIDR blocks must be between /16 and /28 (Amazon VPC quotas).
        if not 16 <= value.prefixlen <= 28:
            raise ValueError("a VPC CIDR block must be between /16 and /28")
        if not value.is_private:
            raise ValueError("use a private (RFC 1918) range such as 10.0.0.0/16")
        return value

    @field_validator("subnet_prefix_length")
    @classmethod
    def _prefix(cls, value: int) -> int:
        if not 16 <= value <= 28:
            raise ValueError("a subnet prefix length between 16 and 28")
        return value

    @field_validator("interface_endpoints")
    @classmethod
    def _endpoints(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [s for s in value if s not in INTERFACE_ENDPOINT_SERVICES]
        if unknown:
            raise ValueError(
                f"unknown service {', '.join(map(repr, unknown))}; allowed: {', '.join(INTERFACE_ENDPOINT_SERVICES)}"
            )
        if len(set(value)) != len(value):
            raise ValueError("each service may be listed once")
        return value

    @field_validator("flow_log_retention_days")
    @classmethod
    def _retention(cls, value: int) -> int:
        if value not in LOG_RETENTION_DAYS:
            raise ValueError("one of the retention periods CloudWatch Logs accepts: " + ", ".join(map(str, LOG_RETENTION_DAYS)))
        return value

    @field_validator("nat_gateways")
    @classmethod
    def _nat_non_negative(cls, value: int) -> int:
        if value < 0:
            raise ValueError("0 or more NAT gateways (at most one per availability zone)")
        return value


# What each known environment gets for keys its file leaves out. dev is cheap
# (no NAT: Lambdas run outside the VPC; no interface endpoints at ~$7.30 per
# endpoint-AZ a month; short log retention), prod is highly available and
# keeps a year of flow logs.
PRESETS: Mapping[str, Mapping[str, Mapping[str, Any]]] = {
    "dev": {
        "network": {
            "vpc_cidr": "10.0.0.0/16",
            "nat_gateways": 0,
            "interface_endpoints": [],
            "flow_log_retention_days": 14,
        },
    },
    "staging": {
        "network": {
            "vpc_cidr": "10.0.0.0/16",
            "nat_gateways": 1,
            "interface_endpoints": [],
            "flow_log_retention_days": 90,
        },
    },
    "prod": {
        "network": {
            "vpc_cidr": "10.0.0.0/16",
            "nat_gateways": 3,
            "interface_endpoints": ["secretsmanager", "rds-data", "kms", "logs"],
            "flow_log_retention_days": 365,
        },
    },
}


@dataclass(frozen=True, kw_only=True)
class StateSettings:
    backend: Literal["local", "s3"]
    bucket: str
    region: str
    key: str


@dataclass(frozen=True, kw_only=True)
class EnvironmentConfig:
    """One environment, fully resolved: nothing left for a construct to default."""

    name: str
    source: str
    region: str
    tags: TagsConfig
    state: StateSettings
    network: NetworkConfig
    database: DatabaseConfig
    storage: StorageConfig
    cdn: CdnConfig
    api: ApiConfig
    monitoring: MonitoringConfig
    security: SecurityConfig
    availability_zones: tuple[str, ...]
    subnets: SubnetLayout

    @property
    def is_production(self) -> bool:
        return self.name == "prod"

    def default_tags(self) -> dict[str, str]:
        """The provider-level tags; house tags win over `extra` on a clash."""
        return {
            **self.tags.extra,
            "project": self.tags.project,
            "environment": self.name,
            "owner": self.tags.owner,
            "cost-centre": self.tags.cost_centre,
            "managed-by": "cdktf",
        }


_TOP_LEVEL_KEYS = (
    "environment", "region", "backend", "tags", "state", "network", "database", "storage", "cdn", "api", "monitoring",
    "security",
)  # fmt: skip


_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def _key(loc: tuple[Any, ...], prefix: str) -> str:
    """Dotted TOML path of an error location: network.public_subnets[2], tags.extra."aws:team"."""
    parts = [prefix] if prefix else []
    for item in loc:
        if isinstance(item, int):
            parts[-1] = f"{parts[-1]}[{item}]"
        elif item != "[key]":
            parts.append(str(item) if _BARE_KEY.match(str(item)) else f'"{item}"')
    return ".".join(parts)


def _lookup(data: Any, loc: tuple[Any, ...]) -> Any:
    if loc and loc[-1] == "[key]":
        return loc[-2]  # the key itself is what is wrong
    for item in loc:
        try:
            data = data[item]
        except (KeyError, IndexError, TypeError):
            return _MISSING
    return data


# Pydantic's wording for type errors, rephrased for someone editing a TOML file.
_TYPE_MESSAGES = {
    "int_type": "a whole number, without quotes",
    "int_from_float": "a whole number, without quotes",
    "string_type": "a string in double quotes",
    "bool_type": "true or false, without quotes",
    "tuple_type": 'a list such as ["a", "b"]',
    "list_type": 'a list such as ["a", "b"]',
    "dict_type": "a table of key = value pairs",
    "ip_v4_network": "a CIDR block such as 10.0.0.0/16 (network address, prefix length 0 to 32, no host bits set)",
    "is_instance_of": "a CIDR block such as 10.0.0.0/16",
}


def _allowed_from(error: Mapping[str, Any], model: type[BaseModel]) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        return "unknown key; allowed keys: " + ", ".join(model.model_fields)
    if kind == "missing":
        return "required key is missing"
    if kind in _TYPE_MESSAGES:
        return _TYPE_MESSAGES[kind]
    message = str(error["msg"])
    return message.removeprefix("Value error, ")


def _section_problems(file: str, prefix: str, raw: Any, model: type[BaseModel]) -> tuple[BaseModel | None, list[Problem]]:
    if not isinstance(raw, dict):
        return None, [Problem(file=file, key=prefix, value=raw, allowed="a table ([section])")]
    try:
        return model.model_validate(raw), []
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc = tuple(error["loc"])
            # Pydantic reports a wrong-typed list item under an extra loc element
            # naming the type it tried ("function-after[...]"); drop those.
            loc = tuple(p for p in loc if isinstance(p, int) or not str(p).startswith(("function-", "json-")))
            problems.append(
                Problem(
                    file=file,
                    key=_key(loc, prefix),
                    value=_lookup(raw, loc),
                    allowed=_allowed_from(error, model),
                )
            )
        return None, problems


def _with_preset(raw: Any, defaults: Mapping[str, Any], presets: Mapping[str, Mapping[str, Any]], name: Any) -> Any:
    """A section as written over its environment's preset over the defaults. Something
    other than a table is passed through for the model to reject with a clear message."""
    if not isinstance(raw, dict):
        return raw
    preset = presets[name if isinstance(name, str) and name in presets else "dev"]
    return {**defaults, **preset, **raw}


def _default_state_bucket(tags: TagsConfig) -> str:
    # Bucket names are global: a short hash of project and owner makes the default
    # unlikely to clash with another team's, and stable across runs and machines.
    digest = hashlib.sha256(f"{tags.project}:{tags.owner}".encode()).hexdigest()[:8]
    return f"{tags.project}-tfstate-{digest}"


# The bootstrap stack names the state bucket's access-log bucket <bucket>-logs.
ACCESS_LOG_SUFFIX = "-logs"


def load_environment(path: Path, *, display_root: Path | None = None) -> EnvironmentConfig:
    """Read and validate one environment file. Raises ConfigError with every problem."""
    file = str(path.relative_to(display_root)) if display_root else str(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError([Problem(file=file, key="", value=_MISSING, allowed="the file does not exist")])
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([Problem(file=file, key="", value=_MISSING, allowed=f"not valid TOML: {exc}")])
    except UnicodeDecodeError:
        raise ConfigError([Problem(file=file, key="", value=_MISSING, allowed="not UTF-8 text; save the file as UTF-8")])

    problems: list[Problem] = []

    def problem(key: str, value: Any, allowed: str) -> None:
        problems.append(Problem(file=file, key=key, value=value, allowed=allowed))

    for key in raw:
        if key not in _TOP_LEVEL_KEYS:
            problem(key, raw[key], "unknown key; allowed keys: " + ", ".join(_TOP_LEVEL_KEYS))

    stem = path.stem
    name = raw.get("environment", _MISSING)
    if name is _MISSING:
        problem("environment", name, f"required; one of {', '.join(KNOWN_ENVIRONMENTS)}, matching the file name")
    elif name not in KNOWN_ENVIRONMENTS:
        problem("environment", name, f"unknown environment; allowed: {', '.join(KNOWN_ENVIRONMENTS)}")
    elif name != stem:
        problem("environment", name, f"must match the file name ({stem!r})")
    preset = PRESETS.get(name, PRESETS["dev"]) if isinstance(name, str) else PRESETS["dev"]

    region = raw.get("region", _MISSING)
    region_ok = isinstance(region, str) and region in REGION_AZ_LETTERS
    if not region_ok:
        problem("region", region, "one of the supported Regions: " + ", ".join(REGION_AZ_LETTERS))

    backend = raw.get("backend", "local")
    if backend not in ("local", "s3"):
        problem("backend", backend, "'local' (state file beside the stack) or 's3' (remote state)")

    tags, tag_problems = _section_problems(file, "tags", raw.get("tags", {}), TagsConfig)
    problems += tag_problems
    state, state_problems = _section_problems(file, "state", raw.get("state", {}), StateConfig)
    problems += state_problems

    network_raw = raw.get("network", {})
    if isinstance(network_raw, dict):
        network_raw = {**preset["network"], **network_raw}
    network, network_problems = _section_problems(file, "network", network_raw, NetworkConfig)
    problems += network_problems

    database_raw = _with_preset(raw.get("database", {}), DATABASE_DEFAULTS, DATABASE_PRESETS, name)
    database, database_section_problems = _section_problems(file, "database", database_raw, DatabaseConfig)
    problems += database_section_problems
    if isinstance(database, DatabaseConfig):
        database_problems(database, problem)

    storage_raw = _with_preset(raw.get("storage", {}), STORAGE_DEFAULTS, STORAGE_PRESETS, name)
    storage, storage_section_problems = _section_problems(file, "storage", storage_raw, StorageConfig)
    problems += storage_section_problems
    if isinstance(storage, StorageConfig) and isinstance(tags, TagsConfig):
        storage_problems(storage, tags.project, stem, tags.owner, problem)

    cdn_raw = _with_preset(raw.get("cdn", {}), CDN_DEFAULTS, CDN_PRESETS, name)
    cdn, cdn_section_problems = _section_problems(file, "cdn", cdn_raw, CdnConfig)
    problems += cdn_section_problems
    if isinstance(cdn, CdnConfig):
        cdn_problems(cdn, problem)
        if cdn.waf_log_retention_days not in LOG_RETENTION_DAYS:
            problem(
                "cdn.waf_log_retention_days", cdn.waf_log_retention_days, "one of the retention periods CloudWatch Logs accepts"
            )

    written_api = raw.get("api", {})
    api_raw = _with_preset(written_api, API_DEFAULTS, API_PRESETS, name)
    if isinstance(written_api, dict):
        # A function's table merges key by key, so setting one limit keeps the others.
        for function in ("upload_url", "download_url", "object_processor"):
            if isinstance(written_api.get(function), dict):
                api_raw[function] = {**API_DEFAULTS[function], **written_api[function]}
    api, api_section_problems = _section_problems(file, "api", api_raw, ApiConfig)
    problems += api_section_problems
    if isinstance(api, ApiConfig) and api.log_retention_days not in LOG_RETENTION_DAYS:
        problem("api.log_retention_days", api.log_retention_days, "one of the retention periods CloudWatch Logs accepts")

    monitoring, monitoring_problems = _section_problems(file, "monitoring", raw.get("monitoring", {}), MonitoringConfig)
    problems += monitoring_problems

    security_raw = _with_preset(raw.get("security", {}), SECURITY_DEFAULTS, SECURITY_PRESETS, name)
    security, security_problems = _section_problems(file, "security", security_raw, SecurityConfig)
    problems += security_problems
    if isinstance(security, SecurityConfig) and security.trail_log_retention_days not in LOG_RETENTION_DAYS:
        problem(
            "security.trail_log_retention_days",
            security.trail_log_retention_days,
            "one of the retention periods CloudWatch Logs accepts: " + ", ".join(map(str, LOG_RETENTION_DAYS)),
        )

    zones: tuple[str, ...] = ()
    layout: SubnetLayout | None = None
    if isinstance(network, NetworkConfig) and region_ok:
        zones, layout = _network_plan(network, region, problem)

    state_settings: StateSettings | None = None
    if isinstance(state, StateConfig) and isinstance(tags, TagsConfig) and region_ok:
        bucket = state.bucket or _default_state_bucket(tags)
        reasons = aws_rules.bucket_name_problems(bucket)
        if reasons:
            problem("state.bucket", bucket, "; ".join(reasons))
        elif len(bucket) > 63 - len(ACCESS_LOG_SUFFIX):
            problem(
                "state.bucket",
                bucket,
                f"at most {63 - len(ACCESS_LOG_SUFFIX)} characters: its access-log bucket adds {ACCESS_LOG_SUFFIX!r}",
            )
        if state.region is not None and state.region not in REGION_AZ_LETTERS:
            problem("state.region", state.region, "one of the supported Regions: " + ", ".join(REGION_AZ_LETTERS))
        state_settings = StateSettings(
            backend=backend if backend in ("local", "s3") else "local",
            bucket=bucket,
            region=state.region or region,
            key=f"{stem}/terraform.tfstate",
        )

    if problems:
        raise ConfigError(problems)
    assert isinstance(tags, TagsConfig) and isinstance(network, NetworkConfig) and isinstance(database, DatabaseConfig)
    assert isinstance(storage, StorageConfig) and isinstance(cdn, CdnConfig) and isinstance(api, ApiConfig)
    assert isinstance(monitoring, MonitoringConfig) and isinstance(security, SecurityConfig)
    assert state_settings is not None and layout is not None
    return EnvironmentConfig(
        name=stem,
        source=file,
        region=region,
        tags=tags,
        state=state_settings,
        network=network,
        database=database,
        storage=storage,
        cdn=cdn,
        api=api,
        monitoring=monitoring,
        security=security,
        availability_zones=zones,
        subnets=layout,
    )


def _network_plan(network: NetworkConfig, region: str, problem: Any) -> tuple[tuple[str, ...], SubnetLayout | None]:
    offered = availability_zones(region)
    zones = network.availability_zones if network.availability_zones is not None else offered[:3]
    zones_ok = True
    for i, zone in enumerate(zones):
        if zone not in offered:
            problem(f"network.availability_zones[{i}]", zone, f"not a zone of {region}; allowed: {', '.join(offered)}")
            zones_ok = False
    if len(set(zones)) != len(zones):
        problem("network.availability_zones", list(zones), "each zone may be listed once")
        zones_ok = False
    if not zones:
        problem("network.availability_zones", [], "at least one zone (three for production)")
        zones_ok = False
    if network.nat_gateways > len(zones):
        problem(
            "network.nat_gateways",
            network.nat_gateways,
            f"at most one NAT gateway per availability zone: 0 to {len(zones)}",
        )
    if not zones_ok:
        return zones, None

    tiers: dict[str, tuple[IPv4Network, ...]] = {}
    carved: SubnetLayout | None = None
    explicit = {t: getattr(network, f"{t}_subnets") for t in TIERS}
    if any(v is None for v in explicit.values()):
        try:
            carved = carve(network.vpc_cidr, len(zones), network.subnet_prefix_length)
        except LayoutError as exc:
            problem("network.subnet_prefix_length", network.subnet_prefix_length, str(exc))
            return zones, None
    for tier in TIERS:
        given = explicit[tier]
        tiers[tier] = given if given is not None else carved.tier(tier)  # type: ignore[union-attr]

    ok = True
    seen: list[tuple[str, IPv4Network]] = []
    for tier in TIERS:
        key = f"network.{tier}_subnets"
        blocks = tiers[tier]
        if len(blocks) != len(zones):
            problem(key, [str(b) for b in blocks], f"one CIDR per availability zone ({len(zones)})")
            ok = False
        for i, block in enumerate(blocks):
            where = f"{key}[{i}]"
            if not block.subnet_of(network.vpc_cidr):
                problem(where, str(block), f"must lie inside the VPC CIDR {network.vpc_cidr}")
                ok = False
                continue
            if not 16 <= block.prefixlen <= 28:
                problem(where, str(block), "a subnet must be between /16 and /28")
                ok = False
            for other_key, other in seen:
                if block.overlaps(other):
                    problem(where, str(block), f"overlaps {other_key} ({other}); subnets must not overlap")
                    ok = False
            seen.append((where, block))
    if not ok:
        return zones, None
    return zones, SubnetLayout(public=tiers["public"], private=tiers["private"], database=tiers["database"])


def load_environments(directory: Path, names: list[str] | None = None) -> list[EnvironmentConfig]:
    """Load the named environments (default: every *.toml in the folder), all problems at once.

    Files that agree on nothing else must agree on the state bucket: one bootstrap
    stack creates it for all of them.
    """
    root = directory.parent
    available = sorted(p.stem for p in directory.glob("*.toml"))
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
                    value=_MISSING,
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
            Problem(file=str(directory.relative_to(root)), key="", value=_MISSING, allowed="no *.toml environment files found")
        )
    if not problems:
        first = configs[0]
        for other in configs[1:]:
            for attr in ("bucket", "region"):
                if getattr(other.state, attr) != getattr(first.state, attr):
                    problems.append(
                        Problem(
                            file=other.source,
                            key=f"state.{attr}",
                            value=getattr(other.state, attr),
                            allowed=f"must equal {first.source}'s {getattr(first.state, attr)!r}: one bootstrap stack creates one state bucket",
                        )
                    )
    if problems:
        raise ConfigError(problems)
    return configs
