"""Elements below a moved construct path keep their first address, with no call from Node.js per element.

cdktf asks the stack for each element's logical id (`allocateLogicalId`). A stack that
overrides that method in Python is called back from Node.js once for every element of
the stack, and needs a call into Node.js inside each callback for the element's path:
about a sixth of the CPU time of synthesizing a stack went to these round trips. Only
the elements below a path that changed since users first applied them (a component's
`FIRST_PATHS`) need an id other than cdktf's own, so the stack leaves the allocation
to cdktf and builds its components inside `first_addresses`. While it is open, every
construct created below the stack through the jsii runtime (`jsii.create`, which every
construct class calls) has its path below the stack noted on its Python object, from
its scope's path and its id, with no call into Node.js; an element whose path is below
a moved prefix is given the id of its first path (`overrideLogicalId`) as soon as it
exists, before anything can reference it (the first reference fixes an element's id).
The ids are `naming.first_address`'s (tests/core/test_naming.py, tests/core/test_first_addresses.py).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from typing import Any

import jsii
from constructs import Construct

from modules.core.framework import TerraformAsset, TerraformElement
from modules.core.naming import first_address

# The attribute on a construct's Python object: its path below the stack and the stack's moved prefixes.
_NOTED = "_foundation_path_below_stack"


class FirstAddressError(Exception):
    """A construct below a moved path cannot keep its first address."""


def _note(obj: Any, args: list[Any] | None) -> None:
    if not args or len(args) < 2 or not isinstance(args[1], str) or not isinstance(obj, Construct):
        return
    noted = getattr(args[0], _NOTED, None)  # a plain attribute: no call into Node.js
    if noted is None:
        return  # not created below a stack being built with moved paths
    parent, first_paths = noted
    path = f"{parent}/{args[1]}" if parent else args[1]
    obj.__dict__[_NOTED] = (path, first_paths)
    address = first_address(path, first_paths)
    if address is None:
        return
    if isinstance(obj, TerraformElement):
        obj.override_logical_id(address)
    elif isinstance(obj, TerraformAsset):
        # cdktf names an asset's folder by the stack's own allocation, which knows no first paths.
        raise FirstAddressError(f"the asset at {path} is below a moved construct path; build it outside that construct")


@contextlib.contextmanager
def first_addresses(stack: Construct, first_paths: Mapping[str, str]) -> Iterator[None]:
    """While open, elements created below `stack` whose path is below a key of `first_paths`
    (path prefix now -> prefix when first applied, both below the stack) get their first address."""
    if not first_paths:
        yield
        return
    stock_create = jsii.create

    def create(klass: type, obj: Any, args: list[Any] | None = None) -> Any:
        reference = stock_create(klass, obj, args)
        _note(obj, args)
        return reference

    stack.__dict__[_NOTED] = ("", dict(first_paths))
    jsii.create = create
    try:
        yield
    finally:
        jsii.create = stock_create
        del stack.__dict__[_NOTED]
