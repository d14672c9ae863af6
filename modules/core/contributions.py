"""What a component hands to the others without importing them: alarms, dashboard widgets,
outputs, event rules and risks. Monitoring turns the first ones into resources; the
assembly writes outputs and risks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, kw_only=True)
class AlarmSpec:
    """One CloudWatch alarm over 5 minutes. `us_east_1`: the metric is published there
    (CloudFront and its WAF), so the alarm and its topic must be there too."""

    name: str
    namespace: str
    metric: str
    dimensions: dict[str, str]
    threshold: float
    what: str
    statistic: str = "Sum"
    comparison: str = "GreaterThanOrEqualToThreshold"
    us_east_1: bool = False


@dataclass(frozen=True, kw_only=True)
class WidgetSpec:
    """One dashboard graph. `rank` orders the dashboard: the request path first (functions,
    API), then the data tier, then the edge. `region` None means the stack's Region."""

    rank: int
    title: str
    metrics: list[list[Any]]
    region: str | None = None


@dataclass(frozen=True, kw_only=True)
class OutputSpec:
    name: str
    value: Any
    description: str


@dataclass(frozen=True, kw_only=True)
class EventRuleSpec:
    """An EventBridge rule whose matches go to the regional alarm topic."""

    name: str
    description: str
    event_pattern: dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class Risk:
    """A protection the environment file turned off, shown in the gate's report; `reason`
    is why the file accepts it (its `[accepted_risks]` entry), or None when it gives none."""

    component: str
    setting: str
    risk: str
    reason: str | None = None


@dataclass(kw_only=True)
class Contributions:
    alarms: list[AlarmSpec] = field(default_factory=list)
    widgets: list[WidgetSpec] = field(default_factory=list)
    outputs: list[OutputSpec] = field(default_factory=list)
    event_rules: list[EventRuleSpec] = field(default_factory=list)
    risks: list[Risk] = field(default_factory=list)

    def extend(self, other: Contributions) -> None:
        self.alarms += other.alarms
        self.widgets += other.widgets
        self.outputs += other.outputs
        self.event_rules += other.event_rules
        self.risks += other.risks
