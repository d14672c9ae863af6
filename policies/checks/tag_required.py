"""FND_TAG_2: the house tags on every resource type AWS can tag."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from _support import FoundationCheck, StackContext, aws_rules

_TAGGABLE = frozenset(
    line.strip()
    for line in (Path(__file__).resolve().parents[1] / "taggable_resources.txt").read_text(encoding="utf-8").splitlines()
    if line.strip() and not line.startswith("#")
)


class HouseTagsPresent(FoundationCheck):
    check_id = "FND_TAG_2"
    summary = "Taggable resources must carry the house tags (project, environment, owner, cost-centre, managed-by)"
    why = "cost allocation, ownership and the budget alarms group spending by these tags; an untagged resource is an unowned cost"
    fix = "set the tags in the AWS provider's default_tags (the foundation stacks do) or on the resource itself"
    resource_types = tuple(sorted(_TAGGABLE))

    def problems(self, rtype: str, body: dict[str, Any], stack: StackContext) -> list[str]:
        own = body.get("tags")
        tags = {**stack.default_tags(), **(own if isinstance(own, dict) else {})}
        missing = [key for key in aws_rules.HOUSE_TAGS if not tags.get(key)]
        return [f"missing house tags: {', '.join(missing)}"] if missing else []


check = HouseTagsPresent()
