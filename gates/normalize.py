"""Every form Terraform's JSON syntax allows, brought to the one form the gates and Checkov read.

Terraform JSON may write each block as an object or as an array of objects, at every level
("resource": [{"aws_s3_bucket": {...}}], "aws_s3_bucket": {"logs": [{...}]},
"terraform": [{"backend": [{"s3": [{...}]}]}]), and may put a "//" comment property in any
object (https://developer.hashicorp.com/terraform/language/syntax/json). HCL-to-JSON
converters write the array forms, so teams that gate converted configuration meet them all.

`canonical` merges those arrays into objects without changing meaning and drops the "//"
comments where they stand in for a label (a type or a name); a resource declared twice
is an error here, as it is in Terraform. `scanner_text` writes what Checkov is given: the
canonical document minus what Checkov 3.3's Terraform JSON parser cannot read (scalar
settings of the `terraform` block such as required_version, and moved, import, removed
and check blocks, which declare no resource of their own); with any of those present it
rejects the whole file and scans nothing. `line_addresses` maps each resource's first line
in that text to its address, because Checkov names a resource of a Terraform JSON file by
`resource.<name>` alone, which is ambiguous when two types share a name.
"""

from __future__ import annotations

import json
from typing import Any

from gates.inputs import InputError

COMMENT = "//"
# Blocks labelled by type and name; by one name; and without labels (merged into one object).
_TYPED = ("resource", "data")
_NAMED = ("module", "output", "variable")
# Blocks the scanner cannot parse and that hold no resource configuration.
_NOT_SCANNED = ("moved", "import", "removed", "check")


def _objects(value: Any, where: str) -> list[dict[str, Any]]:
    """An object, or an array of objects, as a list of objects."""
    items = value if isinstance(value, list) else [value]
    for item in items:
        if not isinstance(item, dict):
            raise InputError(f"{where} is {type(item).__name__}: an object, or an array of objects")
    return items


def _merge(value: Any, where: str, *, keep_comment: bool) -> dict[str, Any]:
    """Objects written as one or as an array, merged; a key given twice is a duplicate block."""
    merged: dict[str, Any] = {}
    for item in _objects(value, where):
        for key, body in item.items():
            if key == COMMENT and not keep_comment:
                continue
            if key in merged:
                raise InputError(f'{where}: "{key}" is declared twice; Terraform refuses a duplicate block')
            merged[key] = body
    return merged


def _single(value: Any, where: str) -> dict[str, Any]:
    """A labelled block's body: an object, or an array holding exactly one (two would be a duplicate)."""
    items = _objects(value, where)
    if len(items) != 1:
        raise InputError(f"{where} is an array of {len(items)} blocks: a block with these labels may be declared once")
    return items[0]


def _terraform(value: Any, where: str) -> dict[str, Any]:
    block = _merge(value, where, keep_comment=True)
    for name in ("backend", "cloud"):
        if name in block and block[name] is not None:
            inner = _merge(block[name], f'{where}."{name}"', keep_comment=False)
            block[name] = (
                {label: _single(body, f'{where}."{name}"."{label}"') for label, body in inner.items()}
                if name == "backend"
                else inner
            )
    if "required_providers" in block and block["required_providers"] is not None:
        block["required_providers"] = _merge(block["required_providers"], f'{where}."required_providers"', keep_comment=False)
    return block


def canonical(document: dict[str, Any], source: str) -> dict[str, Any]:
    """The same configuration with every block an object, ready for the gates' readers."""
    out: dict[str, Any] = {}
    for block, value in document.items():
        where = f'{source}: "{block}"'
        if block in _TYPED:
            typed: dict[str, dict[str, Any]] = {}
            for item in _objects(value, where):
                for rtype, named in item.items():
                    if rtype == COMMENT:
                        continue
                    for name, body in _merge(named, f'{where}."{rtype}"', keep_comment=False).items():
                        if name in typed.get(rtype, {}):
                            raise InputError(
                                f"{where}: {rtype}.{name} is declared twice; Terraform refuses a duplicate {block} block"
                            )
                        typed.setdefault(rtype, {})[name] = _single(body, f'{where}."{rtype}"."{name}"')
            out[block] = typed
        elif block in _NAMED:
            named_blocks = _merge(value, where, keep_comment=False)
            out[block] = {name: _single(body, f'{where}."{name}"') for name, body in named_blocks.items()}
        elif block == "provider":
            # A provider may be configured several times (aliases): keep every configuration, as a list.
            providers: dict[str, list[dict[str, Any]]] = {}
            for item in _objects(value, where):
                for name, body in item.items():
                    if name != COMMENT:
                        providers.setdefault(name, []).extend(_objects(body, f'{where}."{name}"'))
            out[block] = providers
        elif block == "locals":
            out[block] = _merge(value, where, keep_comment=False)
        elif block == "terraform":
            out[block] = _terraform(value, where)
        else:
            out[block] = value
    return out


def scanner_document(document: dict[str, Any]) -> dict[str, Any]:
    """The canonical document as Checkov is given it."""
    scanned: dict[str, Any] = {}
    for block, value in document.items():
        if block in _NOT_SCANNED:
            continue
        if block == "terraform" and isinstance(value, dict):
            # Checkov reads only nested blocks here; a scalar such as required_version makes it
            # reject the file. Nothing it checks reads them.
            value = {k: v for k, v in value.items() if isinstance(v, dict)}
            if not value:
                continue
        scanned[block] = value
    return scanned


def scanner_text(document: dict[str, Any]) -> str:
    """The scanner's document laid out one block per line range, as line_addresses reads it."""
    return json.dumps(scanner_document(document), indent=2, ensure_ascii=False) + "\n"


def line_addresses(text: str) -> dict[int, str]:
    """First line of each resource and data body -> its address, for text laid out as json.dumps(indent=2) does."""
    found: dict[int, str] = {}
    block = rtype = None
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.lstrip(" ")
        if not stripped.startswith('"'):
            continue
        depth = (len(line) - len(stripped)) // 2
        try:
            key = json.loads(stripped.split('": ', 1)[0] + '"')
        except json.JSONDecodeError:
            continue
        if depth == 1:
            block, rtype = key, None
        elif depth == 2 and block in _TYPED:
            rtype = key
        elif depth == 3 and block in _TYPED and rtype is not None:
            found[number] = f"{'data.' if block == 'data' else ''}{rtype}.{key}"
    return found
