"""FND_TAG_1: tag keys and values AWS rejects, counting the provider's default_tags."""

from __future__ import annotations

from typing import Any

from _support import FoundationCheck, StackContext, Unknown, aws_rules, is_expression


class TagsAcceptedByAws(FoundationCheck):
    check_id = "FND_TAG_1"
    summary = "Tag keys and values must use characters and lengths AWS accepts, and no aws: prefix"
    why = "AWS rejects the whole create or update call when one tag is invalid, and default_tags reach every resource"
    fix = f"use only {aws_rules.TAG_CHARS_ALLOWED}; keys up to 128 and values up to 256 characters; never start a key with aws:"
    resource_types = ("*",)

    def problems(self, rtype: str, body: dict[str, Any], stack: StackContext) -> list[str]:
        own = body.get("tags")
        own_tags = own if isinstance(own, dict) else {}
        tags = {**(stack.default_tags(body) or {}), **own_tags}
        # Keys and values written as expressions are judged by AWS at apply, not here. Those of the
        # provider's default_tags would be the same unknown on every resource: only the resource's own are listed.
        computed = sorted(k for k, v in tags.items() if is_expression(k) or is_expression(v))
        literal = {k: v for k, v in tags.items() if k not in computed}
        found: list[str] = aws_rules.tags_problems(literal) if literal else []
        own_computed = [k for k in computed if k in own_tags]
        if own_computed:
            found.append(Unknown(f"tags {', '.join(own_computed)} are expressions"))
        if is_expression(own):
            found.append(Unknown(f"tags = {own!r}"))
        return found


check = TagsAcceptedByAws()
