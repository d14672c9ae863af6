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


def _configured(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each resource's configuration (its expressions and provider) by address without an index."""
    found: dict[str, dict[str, Any]] = {}

    def walk(module: Any, prefix: str) -> None:
        if not isinstance(module, dict):
            return
        for resource in module.get("resources") or []:
            if isinstance(resource, dict) and isinstance(resource.get("address"), str):
                found[prefix + resource["address"]] = resource
        for name, call in (module.get("module_calls") or {}).items():
            if isinstance(call, dict):
                walk(call.get("module"), f"{prefix}module.{name}.")

    walk((document.get("configuration") or {}).get("root_module"), "")
    return found


_INDEX = re.compile(r"\[[^\]]*\]")
_MANAGED_REFERENCE = re.compile(r"^([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_]+)$")


def _module_prefix(address: str) -> str:
    """`module.app.aws_s3_bucket.logs` -> `module.app.`; `aws_s3_bucket.logs` -> ``."""
    parts = _INDEX.sub("", address).split(".")
    prefix = []
    while len(parts) > 2 and parts[0] == "module":
        prefix += parts[:2]
        parts = parts[2:]
    return ".".join(prefix) + "." if prefix else ""


def _referenced(body: dict[str, Any], config: dict[str, Any], prefix: str, names: dict[str, str]) -> dict[str, Any]:
    """Top-level arguments unknown in the plan whose configuration is one reference to another managed
    resource's attribute ("${aws_s3_bucket.documents.id}"): written as that reference, as the configuration
    does, so that checks which follow references (a bucket's public access block, its logging) still connect
    the two resources. Other unknowns stay unknown."""
    given = config.get("expressions")
    expressions: dict[str, Any] = given if isinstance(given, dict) else {}

    def attributes(argument: str) -> list[str]:
        """The managed-resource attributes the argument's expression refers to, in order, as
        Terraform JSON references; empty when any of them is not one."""
        expression = expressions.get(argument)
        references = expression.get("references") if isinstance(expression, dict) else None
        raw: list[str] = []
        found: list[str] = []
        for reference in references if isinstance(references, list) else []:
            text = str(reference)
            if text.count(".") == 1 and any(r.startswith(text + ".") for r in raw):
                continue  # Terraform lists the resource itself after each of its attributes
            match = _MANAGED_REFERENCE.match(text)
            target = names.get(f"{prefix}{match.group(1)}.{match.group(2)}") if match else None
            if match is None or target is None or match.group(1) in _NOT_RESOURCES:
                return []
            raw.append(text)
            found.append("${" + f"{match.group(1)}.{target}.{match.group(3)}" + "}")
        return found

    for argument, value in body.items():
        if _is_unknown(value):
            refs = attributes(argument)
            if len(refs) == 1:
                body[argument] = refs[0]
        elif isinstance(value, list) and value and all(_is_unknown(v) for v in value):
            refs = attributes(argument)
            if len(refs) == len(value):
                body[argument] = refs
    return body


_NOT_RESOURCES = ("data", "var", "local", "module", "each", "count", "path", "self", "terraform")


def _is_unknown(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("${unknown: ")


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
    configured = _configured(document)
    out: dict[str, Any] = {}
    addresses: dict[str, str] = {}
    # Unindexed plan address -> the name given in the Terraform JSON (for references to it).
    names: dict[str, str] = {}
    pending: list[tuple[dict[str, Any], dict[str, Any], str]] = []
    # Data sources Terraform read while planning (the caller's account, policy documents) are in
    # prior_state; those it defers to apply are not, and stay unknown.
    prior = ((document.get("prior_state") or {}).get("values") or {}).get("root_module")
    planned = [r for m in _modules(root) for r in m.get("resources") or []]
    seen = {r.get("address") for r in planned if isinstance(r, dict)}
    read_while_planning = [
        r
        for m in (_modules(prior) if isinstance(prior, dict) else [])
        for r in m.get("resources") or []
        if isinstance(r, dict) and r.get("mode") == "data" and r.get("address") not in seen
    ]
    for resource in [*planned, *read_while_planning]:
        if not isinstance(resource, dict) or not isinstance(resource.get("type"), str):
            raise InputError(f"{source}: a planned resource without a type: {str(resource)[:120]}")
        rtype, address = resource["type"], str(resource.get("address", resource["type"]))
        block = "data" if resource.get("mode") == "data" else "resource"
        name = _name(address, rtype)
        while name in out.get(block, {}).get(rtype, {}):
            name += "_"
        values = resource.get("values") if isinstance(resource.get("values"), dict) else {}
        body = _with_unknowns(values, unknown_by_address.get(address), address)
        config = configured.get(_INDEX.sub("", address)) or {}
        provider = str(config.get("provider_config_key") or "")
        if block == "resource" and provider.startswith("aws.") and ":" not in provider:
            body["provider"] = provider  # the aliased configuration (and so the Region) it uses
        out.setdefault(block, {}).setdefault(rtype, {})[name] = body
        addresses[f"{'data.' if block == 'data' else ''}{rtype}.{name}"] = address
        if block == "resource":
            names.setdefault(_INDEX.sub("", address), name)
            pending.append((body, config, _module_prefix(address)))
    for body, config, prefix in pending:
        _referenced(body, config, prefix, names)
    providers = _provider_blocks(document)
    if providers:
        out["provider"] = providers
    out["//"] = {"plan": {"source": source, "terraform_version": document.get("terraform_version"), "addresses": addresses}}
    return out
