"""Offline diff of two synthesized stacks: resources added, removed and changed, with the
changed attributes, and the changes that destroy a resource holding state.

No provider and no credentials are needed: the comparison is between two Terraform JSON
documents (the last gated copy, or the output synthesized at a git ref, against the current
one). Which changes force replacement comes from policies/replacements.toml; a replacement
propagates along references, so a replaced key replaces the database that names it in an
argument that forces replacement.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gates.inputs import InputError, Stack

ROOT = Path(__file__).resolve().parent.parent
REPLACEMENTS = ROOT / "policies" / "replacements.toml"
GATED_COPY = "gated.tf.json"
_REFERENCE = re.compile(r"\$\{([a-z0-9_]+\.[A-Za-z0-9_-]+)\.")
_MISSING = object()
_SHOWN = 70


@dataclass(frozen=True)
class ReplacementRule:
    """Arguments of one stateful resource type whose change destroys and recreates it."""

    rtype: str
    attributes: frozenset[str]
    why: str
    source: str


def load_rules(path: Path = REPLACEMENTS) -> dict[str, ReplacementRule]:
    """The replacement list; a malformed table is one clear error naming the file and key."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"{path}: cannot read the replacement list ({exc})")
    rules: dict[str, ReplacementRule] = {}
    for rtype, table in data.items():
        attributes = table.get("attributes") if isinstance(table, dict) else None
        why, source = (table.get("why"), table.get("source")) if isinstance(table, dict) else (None, None)
        if not (isinstance(attributes, list) and attributes and all(isinstance(a, str) and a for a in attributes)):
            raise InputError(f"{path}: [{rtype}].attributes = {attributes!r}: a non-empty list of argument names")
        if not (isinstance(why, str) and why and isinstance(source, str) and source.startswith("https://")):
            raise InputError(f"{path}: [{rtype}]: needs why (what is lost) and source (the provider documentation URL)")
        rules[rtype] = ReplacementRule(rtype=rtype, attributes=frozenset(attributes), why=why, source=source)
    return rules


@dataclass(frozen=True)
class AttributeChange:
    path: str
    before: Any
    after: Any

    @property
    def argument(self) -> str:
        """The top-level argument the path belongs to (`lambda_function[0].events` -> `lambda_function`)."""
        return re.split(r"[.\[]", self.path, maxsplit=1)[0]


@dataclass(frozen=True)
class ResourceChange:
    address: str
    action: str  # "add", "remove" or "change"
    changes: tuple[AttributeChange, ...] = ()
    # The arguments (or references to replaced resources) that force replacement.
    forces_replacement: tuple[str, ...] = ()
    rule: ReplacementRule | None = None
    moved_from: str | None = None

    @property
    def replaced(self) -> bool:
        return bool(self.forces_replacement)

    @property
    def dangerous(self) -> bool:
        """A stateful resource destroyed: removed, or replaced by a change."""
        return self.rule is not None and (self.action == "remove" or self.replaced)


@dataclass
class StackDiff:
    env: str
    added: list[ResourceChange] = field(default_factory=list)
    removed: list[ResourceChange] = field(default_factory=list)
    changed: list[ResourceChange] = field(default_factory=list)

    @property
    def dangerous(self) -> list[ResourceChange]:
        return [c for c in [*self.removed, *self.changed] if c.dangerous]

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def _resources(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for rtype, named in (document.get("resource") or {}).items():
        if isinstance(named, dict):
            for name, body in named.items():
                if isinstance(body, dict):
                    # "//" is the app's metadata (construct path, accepted findings): Terraform ignores it.
                    found[f"{rtype}.{name}"] = {k: v for k, v in body.items() if k != "//"}
    return found


def _moves(document: dict[str, Any]) -> dict[str, str]:
    """`moved` blocks of the new document: old address -> new address (a rename, not a destroy)."""
    blocks = document.get("moved") or []
    moves: dict[str, str] = {}
    for block in blocks if isinstance(blocks, list) else [blocks]:
        if isinstance(block, dict) and isinstance(block.get("from"), str) and isinstance(block.get("to"), str):
            moves[block["from"]] = block["to"]
    return moves


def attribute_changes(before: Any, after: Any, path: str = "") -> list[AttributeChange]:
    """Leaf-level differences; lists of scalars compare as one value, lists of blocks item by item."""
    if isinstance(before, dict) and isinstance(after, dict):
        changes: list[AttributeChange] = []
        for key in sorted(set(before) | set(after), key=str):
            sub = f"{path}.{key}" if path else str(key)
            changes += attribute_changes(before.get(key, _MISSING), after.get(key, _MISSING), sub)
        return changes
    blocks = isinstance(before, list) and isinstance(after, list)
    if blocks and any(isinstance(item, dict) for item in [*before, *after]):
        changes = []
        for index in range(max(len(before), len(after))):
            old = before[index] if index < len(before) else _MISSING
            new = after[index] if index < len(after) else _MISSING
            changes += attribute_changes(old, new, f"{path}[{index}]")
        return changes
    return [] if before == after else [AttributeChange(path, before, after)]


def _references(value: Any) -> set[str]:
    return set(_REFERENCE.findall(json.dumps(value)))


def compare(env: str, before: dict[str, Any], after: dict[str, Any], rules: dict[str, ReplacementRule]) -> StackDiff:
    old, new = _resources(before), _resources(after)
    moves = {source: target for source, target in _moves(after).items() if source in old and target in new}
    renamed = {target: source for source, target in moves.items()}
    diff = StackDiff(env=env)
    for address in sorted(set(new) - set(old) - set(renamed)):
        diff.added.append(ResourceChange(address, "add", rule=rules.get(address.split(".", 1)[0])))
    for address in sorted(set(old) - set(new) - set(moves)):
        diff.removed.append(ResourceChange(address, "remove", rule=rules.get(address.split(".", 1)[0])))
    # Replacements first, then everything that forces replacement by naming a replaced resource.
    pending: dict[str, tuple[list[AttributeChange], str | None]] = {}
    for address in sorted((set(old) & set(new)) | set(renamed)):
        source = renamed.get(address, address)
        changes = attribute_changes(old[source], new[address])
        if changes:
            pending[address] = (changes, renamed.get(address))
    replaced: dict[str, list[str]] = {}
    for address, (changes, _) in pending.items():
        rule = rules.get(address.split(".", 1)[0])
        if rule is not None:
            forced = sorted({c.argument for c in changes if c.argument in rule.attributes})
            if forced:
                replaced[address] = forced
    gone = {c.address for c in diff.removed}
    grew = True
    while grew:
        grew = False
        destroyed = gone | set(replaced)
        for address, body in new.items():
            rule = rules.get(address.split(".", 1)[0])
            if rule is None or address in replaced or address in {c.address for c in diff.added}:
                continue
            via = sorted(
                f"{argument} (refers to {target}, which is replaced)"
                for argument in rule.attributes & set(body)
                for target in _references(body[argument]) & destroyed
            )
            if via:
                replaced[address] = via
                pending.setdefault(address, ([], renamed.get(address)))
                grew = True
    for address in sorted(pending):
        changes, moved_from = pending[address]
        diff.changed.append(
            ResourceChange(
                address,
                "change",
                changes=tuple(changes),
                forces_replacement=tuple(replaced.get(address, ())),
                rule=rules.get(address.split(".", 1)[0]),
                moved_from=moved_from,
            )
        )
    return diff


def _shown(value: Any) -> str:
    if value is _MISSING:
        return "(absent)"
    text = json.dumps(value, sort_keys=True)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"


def _red(text: str, colour: bool) -> str:
    return f"\033[1;31m{text}\033[0m" if colour else text


def render(diff: StackDiff, before_label: str, after_label: str, quiet: bool = False, colour: bool = False) -> str:
    """The console text: a headline, the dangerous changes first, then every change (not with quiet)."""
    if diff.empty:
        return f"{diff.env}: no resource changes between {before_label} and {after_label}."
    lines = [
        f"{diff.env}: {len(diff.added)} to add, {len(diff.changed)} to change, {len(diff.removed)} to remove "
        f"({before_label} -> {after_label})"
    ]
    if diff.dangerous:
        lines += ["", _red(f"DANGER: {len(diff.dangerous)} resource(s) holding state would be destroyed:", colour)]
        for change in diff.dangerous:
            assert change.rule is not None
            cause = "removed" if change.action == "remove" else "replaced: " + ", ".join(change.forces_replacement)
            lines.append(_red(f"  !! {change.address} {cause}", colour))
            lines.append(f"     {change.rule.why} ({change.rule.source})")
    if quiet:
        return "\n".join(lines)
    if diff.added:
        lines += ["", "Added:"] + [f"  + {c.address}" for c in diff.added]
    if diff.removed:
        lines += ["", "Removed:"] + [f"  - {c.address}{'  !! holds state' if c.dangerous else ''}" for c in diff.removed]
    if diff.changed:
        lines += ["", "Changed:"]
        for change in diff.changed:
            moved = f" (moved from {change.moved_from})" if change.moved_from else ""
            marker = "  !! replaced" if change.dangerous else ("  (replaced)" if change.replaced else "")
            lines.append(f"  ~ {change.address}{moved}{marker}")
            for attribute in change.changes:
                forces = "  # forces replacement" if attribute.argument in change.forces_replacement else ""
                lines.append(f"      {attribute.path}: {_shown(attribute.before)} -> {_shown(attribute.after)}{forces}")
            for reason in change.forces_replacement:
                if "refers to" in reason:
                    lines.append(f"      {reason}  # forces replacement")
    return "\n".join(lines)


def keep_gated(reports_dir: Path, stack: Stack) -> Path:
    """Keep the JSON that just passed every gate beside the reports: the baseline of `make diff`."""
    target = reports_dir / stack.env / GATED_COPY
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_text(json.dumps(stack.document, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    tmp.replace(target)
    return target
