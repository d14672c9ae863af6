"""FND_TAG_1: tag keys and values AWS rejects, counting the provider's default_tags."""

from __future__ import annotations

from typing import Any

from _support import FoundationCheck, StackContext, aws_rules


class TagsAcceptedByAws(FoundationCheck):
    check_id = "FND_TAG_1"
    summary = "Tag keys and values must use characters and lengths AWS accepts, and no aws: prefix"
    why = "AWS rejects the whole create or update call when one tag is invalid, and default_tags reach every resource"
    fix = f"use only {aws_rules.TAG_CHARS_ALLOWED}; keys up to 128 and values up to 256 characters; never start a key with aws:"
    resource_types = ("*",)

    def problems(self, rtype: str, body: dict[str, Any], stack: StackContext) -> list[str]:
        own = body.get("tags")
        tags = {**stack.default_tags(), **(own if isinstance(own, dict) else {})}
        return aws_rules.tags_problems(tags) if tags else []


check = TagsAcceptedByAws()
