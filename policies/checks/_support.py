"""Shared machinery of the custom checks; Checkov loads it like a check, and it defines none.

Checkov hands a check its own, list-wrapped view of one resource. Our checks read
the resource from the synthesized file instead, exactly as Terraform will see it,
and also see what a single resource cannot: the provider's default_tags and the
profile of the stack it belongs to (the app writes it to `"//".foundation.profile`).
"""

from __future__ import annotations

import json
import re
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from policies import aws_rules  # noqa: E402  (needs the project root on sys.path)
from policies.acceptance import UNKNOWN_PREFIX  # noqa: E402

__all__ = ["IDENTITY_POLICY_TYPES", "CheckResult", "FoundationCheck", "StackContext", "Unknown", "aws_rules", "is_expression"]

# Identity-based policies the stacks create; resource policies (bucket, key) follow other rules.
IDENTITY_POLICY_TYPES = ("aws_iam_policy", "aws_iam_role_policy", "aws_iam_user_policy", "aws_iam_group_policy")


class Unknown(str):
    """A problem that may or may not exist: it depends on a value known only at apply."""


# The checks' name for it: a value written as an expression is judged unknown, not wrong.
is_expression = aws_rules.is_reference


# "${aws_rds_cluster.main.engine}": another resource's argument, written literally in the same file.
_REFERENCE = re.compile(r"^\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z0-9_]+)\}$")


@lru_cache(maxsize=64)
def _load(path: str) -> dict[str, Any]:
    for candidate in (Path(path), Path.cwd() / path.lstrip("/")):
        if candidate.is_file():
            document = json.loads(candidate.read_text(encoding="utf-8"))
            return document if isinstance(document, dict) else {}
    return {}


class StackContext:
    """The stack a resource belongs to."""

    def __init__(self, scanned_file: str):
        self.path = scanned_file
        self.document = _load(scanned_file)

    def resolved(self, value: Any) -> Any:
        """A reference to another resource's argument replaced by that argument's literal value,
        when the file writes one; anything else as it is."""
        match = _REFERENCE.match(value) if isinstance(value, str) else None
        if match:
            target = self.resource(match.group(1), match.group(2)).get(match.group(3))
            if target is not None and not is_expression(target):
                return target
        return value

    def resource(self, rtype: str, name: str) -> dict[str, Any]:
        body = self.document.get("resource", {}).get(rtype, {}).get(name, {})
        return body if isinstance(body, dict) else {}

    def default_tags(self, body: dict[str, Any] | None = None) -> dict[str, Any] | None:
        """default_tags of the AWS provider configuration the resource uses (its `provider`
        argument names an alias; without one, the un-aliased configuration); {} when it has
        none; None when they are an expression, known only when Terraform evaluates it."""
        # Terraform JSON allows each block as an object or as an array of objects, at every
        # level: "provider" (or a list of {"aws": ...}), "aws" and "default_tags" alike.
        found = self.document.get("provider", {})
        providers: list[Any] = []
        for entry in found if isinstance(found, list) else [found]:
            aws = entry.get("aws", []) if isinstance(entry, dict) else []
            providers += aws if isinstance(aws, list) else [aws]
        chosen = aws_rules.provider_configuration((body or {}).get("provider"))
        alias = chosen.partition(".")[2] if chosen.startswith("aws.") else None
        for provider in providers:
            if isinstance(provider, dict) and provider.get("alias") == alias:
                blocks = provider.get("default_tags") or []
                for block in blocks if isinstance(blocks, list) else [blocks]:
                    if isinstance(block, dict) and is_expression(block.get("tags")):
                        return None
                    if isinstance(block, dict) and isinstance(block.get("tags"), dict):
                        return dict(block["tags"])
        return {}

    @property
    def environment(self) -> str:
        """The `environment` default tag, else the stack's folder name."""
        tagged = (self.default_tags() or {}).get("environment")
        return str(tagged) if tagged else Path(self.path).parent.name

    @property
    def profile(self) -> str | None:
        """`"//".foundation.profile` ("development" or "production"); None for JSON the app did not write."""
        meta = self.document.get("//")
        foundation = meta.get("foundation") if isinstance(meta, dict) else None
        profile = foundation.get("profile") if isinstance(foundation, dict) else None
        return profile if isinstance(profile, str) else None

    @property
    def is_production(self) -> bool:
        """Behaviour follows the profile, never the environment's name; only JSON without a
        profile (hand-written, another tool's) falls back to its environment tag."""
        if self.profile is not None:
            return self.profile == "production"
        return self.environment in ("prod", "production")


class FoundationCheck(BaseResourceCheck):  # type: ignore[misc]
    """A check over the raw resource body. Subclasses implement `problems`.

    Every subclass states `why` (the failure it prevents) and `fix`; both reach
    the report through Checkov's guideline field.
    """

    check_id = ""
    summary = ""
    why = ""
    fix = ""
    resource_types: tuple[str, ...] = ()
    production_only = False

    def __init__(self) -> None:
        super().__init__(
            name=self.summary,
            id=self.check_id,
            categories=[CheckCategories.CONVENTION],
            supported_resources=list(self.resource_types),
            guideline=f"{self.fix} (why: {self.why})",
        )

    def problems(self, rtype: str, body: dict[str, Any], stack: StackContext) -> list[str]:
        """What is wrong with the resource; an Unknown item for what depends on an expression."""
        raise NotImplementedError

    # Top-level arguments the check judges: when one is an expression, the check reports it as
    # unknown instead of judging the expression's text as if it were the value.
    reads: tuple[str, ...] = ()

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        scanned_file, rtype, name = self.entity_path.rsplit(":", 2)
        stack = StackContext(scanned_file)
        if self.production_only and not stack.is_production:
            return CheckResult.UNKNOWN
        body = stack.resource(rtype, name)
        if not body:
            return CheckResult.UNKNOWN
        literal = {key: stack.resolved(body[key]) for key in self.reads if is_expression(body.get(key))}
        body = {**body, **literal}
        computed = [key for key in self.reads if is_expression(body.get(key))]
        if computed:
            found: list[str] = [Unknown(f"{key} = {body[key]!r}") for key in computed]
        else:
            found = self.problems(rtype, body, stack)
        failures = [p for p in found if not isinstance(p, Unknown)]
        if failures:
            self.details.extend(failures)
            return CheckResult.FAILED
        self.details.extend(f"{UNKNOWN_PREFIX}{p}" for p in found)
        return CheckResult.PASSED
