"""An element below a moved construct path gets the id its first path had (modules/core/naming.py,
`first_address`), computed in Python by the framework's own scheme: the same id the framework's
allocation gives that path."""

from __future__ import annotations

import pytest
from constructs import Construct

from modules.core.framework import App, TerraformStack
from modules.core.naming import first_address

# Construct paths below a stack, as lists of ids: the cases cdktf's makeUniqueId treats apart.
PATHS = [
    ["bucket"],
    ["uploads", "bucket"],
    ["storage", "uploads", "Resource"],
    ["storage", "Default", "key"],
    ["Default", "only-hidden-then-one"],
    ["api", "api-stage", "stage"],  # a component the previous one ends with is dropped from the human part
    ["network", "private subnet 1!", "route_table"],  # characters Terraform does not allow
    ["x" * 250],  # one component, short enough to stand alone
    ["y" * 300],  # one component too long: hashed
    ["z" * 200, "w" * 100, "leaf"],  # the human part cut at 240 characters
    ["Resource"],
    ["api", "object-processor-dead-letters", "queue"],
]


@pytest.fixture(scope="module")
def framework_ids() -> dict[str, str]:
    """The id the framework's own allocateLogicalId gives each path, for an element and for its node."""
    app = App(outdir="unused")
    stack = TerraformStack(app, "stack")
    ids: dict[str, str] = {}
    for number, path in enumerate(PATHS):
        scope: Construct = Construct(stack, f"case{number}")
        for part in path:
            scope = Construct(scope, part)
        ids[scope.node.path] = stack.get_logical_id(scope.node)
    ids["stack"] = stack.get_logical_id(stack.node)
    return ids


def test_the_python_allocation_is_the_frameworks(framework_ids: dict[str, str]) -> None:
    assert len(framework_ids) == len(PATHS) + 1
    for path, expected in framework_ids.items():
        below_stack = path.partition("/")[2]
        if below_stack:  # each path as its own first path: the id the framework gives it
            assert first_address(below_stack, {below_stack: below_stack}) == expected, path


def test_a_first_path_keeps_the_address_the_element_first_had(framework_ids: dict[str, str]) -> None:
    moved = {"case1/archive": "case1/uploads"}
    first = next(path for path in framework_ids if path.startswith("stack/case1/"))
    renamed = first.replace("/case1/uploads/", "/case1/archive/")
    below_stack = renamed.partition("/")[2]
    assert first_address(below_stack, moved) == framework_ids[first]
    assert first_address(below_stack, {}) is None  # not moved: the framework's own id stands
