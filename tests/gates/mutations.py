"""One-change mutations of a clean synthesized stack, applied from tests/fixtures/mutations/*.json.

Each mutation is data: a list of operations on the parsed document (set a value,
delete a key, append or remove a policy statement, set a database parameter).
Policy values given as {"json": ...} are written as JSON strings, as CDKTF does.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from tests.conftest import ROOT

MUTATIONS = ROOT / "tests" / "fixtures" / "mutations"


def load(name: str = "prod") -> tuple[dict[str, Any], list[dict[str, Any]]]:
    table = json.loads((MUTATIONS / f"{name}.json").read_text())
    clean = json.loads((ROOT / table["clean"]).read_text())
    return clean, table["mutations"]


def _value(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"json"}:
        return json.dumps(value["json"])
    if isinstance(value, dict):
        return {k: _value(v) for k, v in value.items()}
    return value


def _parent(document: Any, path: list[Any]) -> tuple[Any, Any]:
    node = document
    for key in path[:-1]:
        if isinstance(node, dict) and key not in node:
            node[key] = {}
        node = node[key]
    return node, path[-1]


def _edit_policy(document: Any, path: list[Any], change: Any) -> None:
    parent, key = _parent(document, path)
    policy = json.loads(parent[key])
    statements = policy["Statement"] if isinstance(policy["Statement"], list) else [policy["Statement"]]
    policy["Statement"] = change(statements)
    parent[key] = json.dumps(policy)


def apply(clean: dict[str, Any], mutation: dict[str, Any]) -> dict[str, Any]:
    document = copy.deepcopy(clean)
    for op in mutation["ops"]:
        if "set" in op:
            parent, key = _parent(document, op["set"])
            parent[key] = _value(op["value"])
        elif "delete" in op:
            parent, key = _parent(document, op["delete"])
            del parent[key]
        elif "append_statement" in op:
            _edit_policy(document, op["append_statement"], lambda s, op=op: [*s, op["value"]])
        elif "remove_statement" in op:
            before = json.loads(_parent(document, op["remove_statement"])[0][op["remove_statement"][-1]])
            _edit_policy(document, op["remove_statement"], lambda s, op=op: [x for x in s if x.get("Sid") != op["sid"]])
            assert json.loads(_parent(document, op["remove_statement"])[0][op["remove_statement"][-1]]) != before
        elif "remove_condition" in op:
            _edit_policy(
                document,
                op["remove_condition"],
                lambda s, op=op: [
                    {k: v for k, v in x.items() if k != "Condition"} if x.get("Sid") == op["sid"] else x for x in s
                ],
            )
        elif "set_parameter" in op:
            parent, key = _parent(document, op["set_parameter"])
            body = parent[key]
            parameters = [p for p in body["parameter"] if p["name"] != op["name"]]
            body["parameter"] = [*parameters, {"apply_method": "pending-reboot", "name": op["name"], "value": op["value"]}]
        else:
            raise ValueError(f"unknown operation {op}")
    assert document != clean, f"{mutation['id']} changes nothing"
    return document


def write_all(target: Path, name: str = "prod") -> tuple[list[dict[str, Any]], list[Path]]:
    """The clean stack as <target>/clean and every mutation as <target>/<id>; all stack folders."""
    clean, mutations = load(name)
    folders = []
    for stack_name, document in [("clean", clean), *((m["id"], apply(clean, m)) for m in mutations)]:
        folder = target / stack_name
        folder.mkdir(parents=True)
        (folder / "cdk.tf.json").write_text(json.dumps(document, indent=1))
        folders.append(folder)
    return mutations, folders
