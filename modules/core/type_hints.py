"""The jsii bindings' run-time type checks, each checked signature's annotations resolved once per process.

Every call into a generated binding (a construct's constructor, a property setter, a
method) checks its arguments with typeguard against the annotations of a stub function
(`_typecheckingstub__<hash>`), which it first resolves with `typing.get_type_hints(stub)`:
on every call, although a stub and its annotations never change once its module is
imported. Resolving them again was about a tenth of the CPU time of synthesis (30
environments in one process: 2.2 s of about 25). `install()` has `typing.get_type_hints`
answer for these stubs from a memo filled on first use, a copy each time; the checks
themselves still run on every call against the same types, and every other use of
`typing.get_type_hints` goes to the standard function unchanged.
"""

from __future__ import annotations

import typing
from typing import Any

STUB_PREFIX = "_typecheckingstub__"

_stock_get_type_hints = typing.get_type_hints
_resolved: dict[Any, dict[str, Any]] = {}


def get_type_hints(obj: Any, globalns: Any = None, localns: Any = None, include_extras: bool = False) -> dict[str, Any]:
    """`typing.get_type_hints`, from the memo for a jsii type-checking stub asked with no other arguments."""
    if globalns is None and localns is None and not include_extras and getattr(obj, "__name__", "").startswith(STUB_PREFIX):
        hints = _resolved.get(obj)
        if hints is None:
            hints = _resolved[obj] = _stock_get_type_hints(obj)
        return dict(hints)
    return _stock_get_type_hints(obj, globalns, localns, include_extras)


def install() -> None:
    """Before the bindings are used; effective for every binding, which looks the function up on each call."""
    typing.get_type_hints = get_type_hints
