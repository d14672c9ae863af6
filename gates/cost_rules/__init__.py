"""The pricing rules of the cost gate, one module per service family.

Each module maps the Terraform resource types it prices to one rule in its own `RULES`;
this package merges them. A type priced by two modules is a mistake (which price would
the estimate use?), so the merge refuses it when the package is imported.
"""

from __future__ import annotations

from types import ModuleType

from gates.cost import Rule
from gates.cost_rules import (
    analytics,
    api,
    block_storage,
    caching,
    compute,
    containers,
    database,
    edge,
    messaging,
    network,
    observability,
    purpose_built,
    security,
    storage,
)

FAMILIES: tuple[ModuleType, ...] = (
    network,
    database,
    purpose_built,
    caching,
    analytics,
    compute,
    containers,
    block_storage,
    storage,
    edge,
    security,
    observability,
    api,
    messaging,
)


class DuplicateRule(Exception):
    pass


def merged(families: tuple[ModuleType, ...]) -> dict[str, Rule]:
    """Every family's RULES in one table; a type priced twice stops the import, naming both modules."""
    rules: dict[str, Rule] = {}
    owner: dict[str, str] = {}
    for family in families:
        for rtype, rule in family.RULES.items():
            if rtype in owner:
                raise DuplicateRule(
                    f"{rtype} is priced by both {owner[rtype]} and {family.__name__}; "
                    "keep the rule in the module of its service family and delete the other"
                )
            owner[rtype] = family.__name__
            rules[rtype] = rule
    return rules


RULES: dict[str, Rule] = merged(FAMILIES)
