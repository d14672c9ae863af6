"""The top level of an environment file, and the resolved environment the stack is built from."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, field_validator

from modules.core.profile import Profile
from modules.core.settings import ComponentSettings, Settings
from policies import aws_rules

_PROJECT_NAME = re.compile(r"^[a-z][a-z0-9-]{1,20}[a-z0-9]$")


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


class TagsSettings(Settings):
    """`[tags]`: the house tags every resource carries through the provider's default_tags."""

    project: str = Field(description="Project name; also the prefix of resource names (3 to 22 characters).")
    owner: str = Field(description="Team or person answerable for the environment.")
    cost_centre: str = Field(description="Cost centre the bill is charged to.")
    extra: dict[TagKey, TagValue] = Field(
        default_factory=dict, description="Additional tags; default: none beyond the house tags."
    )

    @field_validator("project")
    @classmethod
    def _project_name(cls, value: str) -> str:
        if not _PROJECT_NAME.fullmatch(value):
            raise ValueError(
                "3 to 22 characters: lowercase letters, digits and hyphens, starting with a "
                "letter (it prefixes bucket and resource names)"
            )
        return value

    @field_validator("extra")
    @classmethod
    def _count(cls, value: dict[str, str]) -> dict[str, str]:
        # AWS allows 50 tags on a resource, and the five house tags are always there.
        if len(value) > 45:
            raise ValueError(f"{len(value)} extra tags: at most 45 beside the five house tags (AWS allows 50 per resource)")
        return value

    @field_validator("owner", "cost_centre")
    @classmethod
    def _house_tag_value(cls, value: str) -> str:
        if not value:
            raise ValueError("a non-empty tag value")
        _first(aws_rules.tag_value_problems(value))
        return value


class StateSection(Settings):
    """`[state]`: where Terraform state lives when `backend = "s3"`, and what bootstrap creates."""

    bucket: str | None = Field(
        default=None, description="State bucket name; default: <project>-tfstate-<8 hex of project and owner>."
    )
    region: str | None = Field(default=None, description="State bucket Region; default: the environment's.")
    monthly_budget_usd: float = Field(
        default=10, gt=0, strict=False, description="Budget of the bootstrap stack (the state bucket, its key and logs)."
    )

    @field_validator("monthly_budget_usd", mode="before")
    @classmethod
    def _number(cls, value: object) -> object:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError("a number of US dollars without quotes, such as 10")
        return value


class BudgetSection(Settings):
    """`[budget]`: what the environment may cost. The cost gate holds the estimate against it,
    and monitoring creates an AWS Budget of the same amount."""

    monthly_usd: float | None = Field(
        default=None, gt=0, description="Monthly budget in US dollars; default: none (the estimate is reported, not enforced)."
    )
    usage_profile: str | None = Field(
        default=None,
        pattern=r"^[a-z][a-z0-9-]{0,40}$",
        description="Usage assumptions of the cost gate, policies/usage/<name>.toml; default: the profile's.",
    )

    @field_validator("monthly_usd", mode="before")
    @classmethod
    def _number(cls, value: object) -> object:
        # A quoted "1000" would read as a budget the gate and AWS Budgets disagree on.
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError("a number of US dollars without quotes, such as 250 or 99.5")
        return float(value)


class TopLevel(Settings):
    """The keys at the top of an environment file (sections are validated by their own models)."""

    profile: Profile = Field(description="production (highly available, protected) or development (cheap, disposable).")
    region: str = Field(description="AWS Region of the environment.")
    backend: Literal["local", "s3"] = Field(
        default="local", description="local: state beside the stack; s3: the bootstrap stack's bucket, with native locking."
    )
    bucket_suffix: str | None = Field(
        default=None, description="Last part of every bucket name; default: 8 hex of a hash of project, environment and owner."
    )

    @field_validator("bucket_suffix")
    @classmethod
    def _suffix(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"[a-z0-9]{1,12}", value):
            raise ValueError("1 to 12 lowercase letters and digits")
        return value


@dataclass(frozen=True, kw_only=True)
class StateSettings:
    backend: Literal["local", "s3"]
    bucket: str
    region: str
    key: str
    monthly_budget_usd: float


@dataclass(frozen=True, kw_only=True)
class EnvironmentConfig:
    """One environment, fully resolved: nothing left for a construct to default.

    components: every component's variant ("none" when off). settings: the section model
    of each enabled component. parts: the declared parts of enabled components by table.
    """

    name: str
    source: str
    profile: Profile
    region: str
    tags: TagsSettings
    state: StateSettings
    bucket_suffix: str
    budget_usd: float | None
    usage_profile: str
    components: Mapping[str, str]
    settings: Mapping[str, ComponentSettings]
    parts: Mapping[str, Mapping[str, Settings]]
    accepted_risks: Mapping[str, str] = field(default_factory=dict)
    """Setting -> why the file accepts the risk it reports (`[accepted_risks]`)."""
    usage_overrides: Mapping[str, Any] = field(default_factory=dict)
    """The file's own usage figures over its usage profile (`[usage]`), for the cost gate."""

    def enabled(self, component: str) -> bool:
        return self.components.get(component, "none") != "none"

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
