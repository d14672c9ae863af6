"""Locate and read synthesized Terraform JSON; refuse anything else with a clear reason."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

STACK_FILE = "cdk.tf.json"
# Top-level blocks Terraform's JSON syntax allows; a file with none of them is not Terraform.
TERRAFORM_BLOCKS = frozenset(
    {"resource", "data", "provider", "terraform", "module", "output", "variable", "locals", "check", "import", "moved", "removed"}
)


class InputError(Exception):
    """The input cannot be gated at all (exit code 2)."""


@dataclass(frozen=True)
class Stack:
    """One synthesized stack: its environment name, file and parsed document."""

    env: str
    path: Path
    document: dict[str, Any]

    def resources(self) -> dict[str, dict[str, Any]]:
        """Resource address -> body, for every resource in the stack."""
        found: dict[str, dict[str, Any]] = {}
        for rtype, named in (self.document.get("resource") or {}).items():
            if isinstance(named, dict):
                for name, body in named.items():
                    found[f"{rtype}.{name}"] = body if isinstance(body, dict) else {}
        return found

    def address_of(self, name_or_address: str) -> str:
        """Full `type.name` address, also for Checkov's occasional `resource.<name>` form."""
        rtype, _, name = name_or_address.partition(".")
        if rtype != "resource":
            return name_or_address
        for candidate_type, named in (self.document.get("resource") or {}).items():
            if isinstance(named, dict) and name in named:
                return f"{candidate_type}.{name}"
        return name_or_address


def resolve(path_text: str, env: str | None = None) -> Stack:
    """A Terraform JSON file or a stack folder holding a cdk.tf.json; env defaults from the path."""
    path = Path(path_text)
    if path.is_dir():
        path = path / STACK_FILE
    if not path.is_file():
        raise InputError(f"{path_text}: no such file (expected a {STACK_FILE} or a stack folder containing one)")
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text, so not synthesized Terraform JSON")
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})")
    if not isinstance(document, dict) or not TERRAFORM_BLOCKS.intersection(document):
        raise InputError(
            f"{path}: JSON, but not Terraform JSON: expected top-level blocks such as 'resource', 'provider' or 'terraform'"
        )
    return Stack(env=env or _default_env(path), path=path, document=document)


def _default_env(path: Path) -> str:
    """A cdk.tf.json is named by its stack folder; any other file by its own name."""
    if path.name == STACK_FILE:
        return path.parent.name
    return path.name.removesuffix(".json").removesuffix(".tf")
