"""Checkov's Terraform JSON reading through libyaml (runs in Checkov's own venv).

Checkov reads every `*.tf.json` file with PyYAML so that each object carries the
lines it spans (`__startline__`, `__endline__`), and it uses PyYAML's pure-Python
scanner and parser for that: about a quarter of a scan's CPU time on the shipped
stacks. PyYAML built with libyaml (`yaml.__with_libyaml__`, true for the wheels
Checkov's lock file installs) scans and parses in C and hands the same nodes, with
the same marks, to the same constructor: about eight times faster, the same result.

`install()` swaps Checkov's `loads` for one that takes the C parser where it gives
exactly what the pure-Python one gives, and Checkov's own function everywhere else:
- a file with a tab: the pure-Python scanner refuses tabs, and Checkov then reads
  the file with its JSON parser; libyaml accepts them (a different path, so not taken);
- anything the C parser refuses (an escaped surrogate pair, say): read again by
  Checkov's function, which accepts or refuses it as it always did.
tests/gates/test_checkov_json_loader.py compares both over every JSON file the tests
and the shipped stacks use. The server (checkov_server.py) installs it after the
import; `checkov` run as an executable keeps Checkov's own reading.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import yaml
from checkov.common.parsers.yaml import loader as checkov_loader
from yaml.constructor import SafeConstructor


class CSafeLineLoader(yaml.CSafeLoader):  # type: ignore[misc,name-defined]
    """Checkov's SafeLineLoader on libyaml's parser: the same construction and booleans."""

    bool_values = checkov_loader.SafeLineLoader.bool_values

    def construct_mapping(self, node: Any, deep: bool = False) -> dict[Hashable, Any]:
        mapping: dict[Hashable, Any] = SafeConstructor.construct_mapping(self, node, deep=deep)
        # As Checkov numbers them: from 1.
        mapping["__startline__"] = node.start_mark.line + 1
        mapping["__endline__"] = node.end_mark.line + 1
        return mapping


def loads(content: str) -> list[dict[str, Any]]:
    """What Checkov's `loads` returns for `content`, read by libyaml where that is the same."""
    if "\t" not in content:
        try:
            return list(yaml.load_all(content, Loader=CSafeLineLoader))
        except Exception:  # Checkov's own reading decides, as it always did
            pass
    result: list[dict[str, Any]] = _checkov_loads(content)
    return result


# Checkov's own function, kept before `install()` replaces it.
_checkov_loads = checkov_loader.loads


def install() -> bool:
    """Route Checkov's Terraform JSON reading through `loads`; False (nothing changed) without libyaml."""
    if not getattr(yaml, "__with_libyaml__", False):
        return False
    checkov_loader.loads = loads
    return True
