"""FND_TAG_2: the house tags on every resource type AWS can tag."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from _support import FoundationCheck, StackContext, Unknown, aws_rules, is_expression

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
        defaults = stack.default_tags(body)
        own = body.get("tags")
        # A tag whose value is an expression is present; its value is known at apply.
        # tags_all: what a plan says the resource will carry, default_tags included.
        applied = body.get("tags_all") if isinstance(body.get("tags_all"), dict) else {}
        tags = {**(defaults or {}), **applied, **(own if isinstance(own, dict) else {})}
        missing = [key for key in aws_rules.HOUSE_TAGS if not tags.get(key)]
        if not missing:
            return []
        # Tags written as an expression (merge(local.tags, {...}), var.tags) may hold the missing
        # ones: that is known only when Terraform evaluates it, so it is not reported as missing.
        computed = [f"tags = {own!r}"] if is_expression(own) else []
        if defaults is None:
            computed.append("the provider's default_tags are an expression")
        if computed:
            return [Unknown(f"house tags {', '.join(missing)} may come from {' and '.join(computed)}")]
        return [f"missing house tags: {', '.join(missing)}"]


check = HouseTagsPresent()
