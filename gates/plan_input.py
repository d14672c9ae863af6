"""A saved plan's JSON (`terraform show -json plan.out`) as Terraform JSON the gates read.

Teams with credentials can gate what Terraform will actually do: the plan's
`planned_values` hold every resource after the change with the values Terraform
knows, and `resource_changes[].change.after_unknown` marks those it learns only
during apply. Each resource becomes a block of Terraform JSON with its known values;
an unknown value becomes an expression string (`${unknown: <address>.<attribute>}`),
which is what Terraform JSON writes for a value computed at apply, so checks treat it
as unknown, never as missing. Module and indexed resources get names that Terraform
JSON allows, and the "//" block maps each back to its plan address for the reports.

Format: Terraform's "JSON Output Format" (https://developer.hashicorp.com/terraform/internals/json-format),
format_version 1.x; a different major version is refused, as that page asks.
"""

from __future__ import annotations

import re
from typing import Any

from gates.inputs import InputError

SUPPORTED_MAJOR = "1"
_NOT_NAME = re.compile(r"[^A-Za-z0-9_-]+")


def is_plan(document: Any) -> bool:
    """A plan's JSON representation, rather than Terraform JSON configuration."""
    return isinstance(document, dict) and "format_version" in document and "planned_values" in document


def _name(address: str, rtype: str) -> str:
    """`module.app.aws_s3_bucket.logs["a"]` -> `module_app__logs_a`: a name Terraform JSON allows."""
    local = address.removeprefix("data.")
    if local.startswith(f"{rtype}."):
        local = local[len(rtype) + 1 :]
    else:
        local = local.replace(f".data.{rtype}.", "__").replace(f".{rtype}.", "__")
    name = _NOT_NAME.sub("_", local).strip("_") or "resource"
    return name if name[0].isalpha() else f"r_{name}"


def _marked(mark: Any) -> bool:
    """Whether an after_unknown mark says anything is unknown below it."""
    if isinstance(mark, dict):
        return any(_marked(m) for m in mark.values())
    if isinstance(mark, list):
        return any(_marked(m) for m in mark)
    return mark is True


def _with_unknowns(values: Any, unknown: Any, where: str) -> Any:
    """Known values as they are; each attribute marked unknown replaced by an expression string."""
    if unknown is True:
        return "${unknown: " + where + "}"
    if isinstance(values, dict) or (values is None and isinstance(unknown, dict) and _marked(unknown)):
        known = values or {}
        marks = unknown if isinstance(unknown, dict) else {}
        keys = [*known, *(k for k, m in marks.items() if k not in known and _marked(m))]
        return {k: _with_unknowns(known.get(k), marks.get(k), f"{where}.{k}") for k in keys}
    if isinstance(values, list) or (values is None and isinstance(unknown, list) and _marked(unknown)):
        items = values or []
        marks_list = unknown if isinstance(unknown, list) else []
        count = max(len(items), len(marks_list) if _marked(marks_list) else 0)
        return [
            _with_unknowns(items[i] if i < len(items) else None, marks_list[i] if i < len(marks_list) else None, f"{where}[{i}]")
            for i in range(count)
        ]
    return values


def _modules(module: dict[str, Any]) -> list[dict[str, Any]]:
    found = [module]
    for child in module.get("child_modules") or []:
        if isinstance(child, dict):
            found += _modules(child)
    return found


def _provider_blocks(document: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Provider configurations with their constant arguments (a region, for prices)."""
    blocks: dict[str, list[dict[str, Any]]] = {}
    config = (document.get("configuration") or {}).get("provider_config") or {}
    for key, provider in config.items() if isinstance(config, dict) else ():
        if not isinstance(provider, dict):
            continue
        block: dict[str, Any] = {}
        for argument, expression in (provider.get("expressions") or {}).items():
            if isinstance(expression, dict) and "constant_value" in expression:
                block[argument] = expression["constant_value"]
        if provider.get("alias"):
            block["alias"] = provider["alias"]
        name = str(provider.get("name") or key.split(".")[0])
        blocks.setdefault(name, []).append(block)
    return blocks


def to_terraform_json(document: dict[str, Any], source: str) -> dict[str, Any]:
    """The plan's resources after the change as Terraform JSON, with the plan addresses in "//"."""
    version = str(document.get("format_version", ""))
    if version.split(".")[0] != SUPPORTED_MAJOR:
        raise InputError(f"{source}: plan JSON format_version {version!r}: only 1.x is understood (Terraform 1.0 and later)")
    root = (document.get("planned_values") or {}).get("root_module")
    if not isinstance(root, dict):
        raise InputError(f"{source}: planned_values.root_module is missing: not the output of `terraform show -json <plan file>`")
    unknown_by_address = {
        change["address"]: (change.get("change") or {}).get("after_unknown")
        for change in document.get("resource_changes") or []
        if isinstance(change, dict) and isinstance(change.get("address"), str)
    }
    out: dict[str, Any] = {}
    addresses: dict[str, str] = {}
    for module in _modules(root):
        for resource in module.get("resources") or []:
            if not isinstance(resource, dict) or not isinstance(resource.get("type"), str):
                raise InputError(f"{source}: a planned resource without a type: {str(resource)[:120]}")
            rtype, address = resource["type"], str(resource.get("address", resource["type"]))
            block = "data" if resource.get("mode") == "data" else "resource"
            name = _name(address, rtype)
            while name in out.get(block, {}).get(rtype, {}):
                name += "_"
            values = resource.get("values") if isinstance(resource.get("values"), dict) else {}
            body = _with_unknowns(values, unknown_by_address.get(address), address)
            out.setdefault(block, {}).setdefault(rtype, {})[name] = body
            addresses[f"{'data.' if block == 'data' else ''}{rtype}.{name}"] = address
    providers = _provider_blocks(document)
    if providers:
        out["provider"] = providers
    out["//"] = {"plan": {"source": source, "terraform_version": document.get("terraform_version"), "addresses": addresses}}
    return out
