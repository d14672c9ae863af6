"""The bindings' type checks still run, against the same types, with annotations resolved once
(modules/core/type_hints.py)."""

from __future__ import annotations

import typing
from pathlib import Path
from typing import Any

import pytest

from modules.core import type_hints
from modules.core.aws import s3_bucket
from modules.core.framework import App, TerraformStack


def _stubs(module: Any) -> list[Any]:
    # The bindings' modules publish only their public names; the stubs live in their globals.
    names = module.S3Bucket.__init__.__globals__
    return [v for k, v in names.items() if k.startswith(type_hints.STUB_PREFIX) and callable(v)]


def test_installed_by_the_framework_loader() -> None:
    assert typing.get_type_hints is type_hints.get_type_hints


def test_a_stub_resolves_to_what_the_standard_function_gives() -> None:
    stubs = _stubs(s3_bucket)
    assert len(stubs) > 10
    for stub in stubs:
        assert type_hints.get_type_hints(stub) == type_hints._stock_get_type_hints(stub)


def test_a_stub_is_resolved_once_and_each_caller_gets_its_own_copy(monkeypatch: pytest.MonkeyPatch) -> None:
    resolved: list[Any] = []
    stock = type_hints._stock_get_type_hints

    def counting(obj: Any, *args: Any) -> dict[str, Any]:
        resolved.append(obj)
        return stock(obj, *args)

    monkeypatch.setattr(type_hints, "_stock_get_type_hints", counting)
    monkeypatch.setattr(type_hints, "_resolved", {})
    stub = _stubs(s3_bucket)[0]
    first = typing.get_type_hints(stub)
    first.clear()  # a caller that changes its answer does not change the next one's
    second = typing.get_type_hints(stub)
    assert second and resolved == [stub]


def test_other_uses_go_to_the_standard_function_with_their_arguments() -> None:
    def annotated(x: int, y: typing.Annotated[str, "note"]) -> None: ...

    assert typing.get_type_hints(annotated) == {"x": int, "y": str, "return": type(None)}
    assert typing.get_type_hints(annotated, include_extras=True)["y"] == typing.Annotated[str, "note"]


def test_a_wrong_type_is_still_refused_by_the_binding(tmp_path: Path) -> None:
    stack = TerraformStack(App(outdir=str(tmp_path)), "s")
    for _ in range(2):  # the second time the annotations come from the memo
        with pytest.raises(TypeError, match="bucket"):
            s3_bucket.S3Bucket(stack, f"b{_}", bucket=5)  # type: ignore[arg-type]
