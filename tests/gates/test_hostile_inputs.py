"""Malformed gate inputs: each gives exit 2, one clear line naming the file and what is wrong, no traceback,
and nothing written. None of them reaches Checkov."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from gates.inputs import MAX_DEPTH, MAX_INPUT_BYTES
from tests.gates.test_cli import TRUSTED_ROLE, gates

BUCKET = {"bucket": "filehub-hostile-test"}


def _stack(tmp_path: Path, content: str | bytes) -> list[str]:
    folder = tmp_path / "hostile"
    folder.mkdir()
    path = folder / "cdk.tf.json"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return [str(folder)]


def _json(document: object) -> Callable[[Path], list[str]]:
    return lambda tmp_path: _stack(tmp_path, json.dumps(document))


def _text(text: str | bytes) -> Callable[[Path], list[str]]:
    return lambda tmp_path: _stack(tmp_path, text)


def _nested(depth: int) -> Callable[[Path], list[str]]:
    value = "[" * depth + "]" * depth
    return _text('{"resource": {"aws_s3_bucket": {"b": {"tags": ' + value + "}}}}")


def _fifo_stack(tmp_path: Path) -> list[str]:
    path = tmp_path / "pipe.tf.json"
    os.mkfifo(path)
    return [str(path)]


def _huge(tmp_path: Path) -> list[str]:
    path = tmp_path / "huge.tf.json"
    with path.open("wb") as handle:
        handle.truncate(MAX_INPUT_BYTES + 1)  # sparse: the size alone must refuse it, unread
    return [str(path)]


def _symlink_loop(tmp_path: Path) -> list[str]:
    (tmp_path / "a.tf.json").symlink_to(tmp_path / "b.tf.json")
    (tmp_path / "b.tf.json").symlink_to(tmp_path / "a.tf.json")
    return [str(tmp_path / "a.tf.json")]


def _good_stack(tmp_path: Path) -> str:
    folder = tmp_path / "good"
    folder.mkdir()
    (folder / "cdk.tf.json").write_text(json.dumps(TRUSTED_ROLE))
    return str(folder)


def _suppressions_folder(tmp_path: Path) -> list[str]:
    (tmp_path / "suppressions").mkdir()
    return [_good_stack(tmp_path), "--suppressions", str(tmp_path / "suppressions")]


def _suppressions_fifo(tmp_path: Path) -> list[str]:
    os.mkfifo(tmp_path / "suppressions.toml")
    return [_good_stack(tmp_path), "--suppressions", str(tmp_path / "suppressions.toml")]


def _suppressions_binary(tmp_path: Path) -> list[str]:
    (tmp_path / "suppressions.toml").write_bytes(b"\xff\xfe[[suppression]]")
    return [_good_stack(tmp_path), "--suppressions", str(tmp_path / "suppressions.toml")]


def _suppressions_not_toml(tmp_path: Path) -> list[str]:
    (tmp_path / "suppressions.toml").write_text("[[suppression]\ncheck = ")
    return [_good_stack(tmp_path), "--suppressions", str(tmp_path / "suppressions.toml")]


def _empty_folder(tmp_path: Path) -> list[str]:
    (tmp_path / "empty").mkdir()
    return [str(tmp_path / "empty")]


def _budget_nan(tmp_path: Path) -> list[str]:
    return [_good_stack(tmp_path), "--budget-usd", "NaN"]


# case id -> (what to create, words the one message must contain)
CASES: dict[str, tuple[Callable[[Path], list[str]], str]] = {
    # Arrays of objects are valid Terraform JSON at every level (gates/normalize.py); arrays of anything else are not.
    "resource-array-of-strings": (_json({"resource": ["aws_s3_bucket"]}), '"resource" is str: an object, or an array of objects'),
    "resource-type-array-of-numbers": (_json({"resource": {"aws_s3_bucket": [1]}}), '"resource"."aws_s3_bucket" is int'),
    "resource-declared-twice": (_json({"resource": {"aws_s3_bucket": {"b": [BUCKET, BUCKET]}}}), "is an array of 2 blocks"),
    "resource-body-a-string": (_json({"resource": {"aws_s3_bucket": {"b": "filehub"}}}), '"resource"."aws_s3_bucket"."b" is str'),
    "data-a-string": (_json({"resource": {"aws_s3_bucket": {"b": BUCKET}}, "data": "none"}), '"data" is str'),
    "output-a-list-of-strings": (_json({"resource": {"aws_s3_bucket": {"b": BUCKET}}, "output": ["x"]}), '"output" is str'),
    "nested-past-the-limit": (_nested(MAX_DEPTH + 10), f"nested deeper than {MAX_DEPTH} levels"),
    "nested-past-the-parser": (_nested(100_000), "nested deeper than"),
    "nan": (_text('{"resource": {"aws_s3_bucket": {"b": {"bucket": NaN}}}}'), "NaN is not a JSON number"),
    "infinity": (
        _text('{"resource": {"aws_db_instance": {"d": {"allocated_storage": Infinity}}}}'),
        "Infinity is not a JSON number",
    ),
    "not-utf8": (_text(b'{"resource": {"aws_s3_bucket": {"b": {"bucket": "\xff\xfe"}}}}'), "not UTF-8"),
    "not-json": (_text('{"resource": {'), "not valid JSON (line 1"),
    "json-array": (_json([{"resource": {}}]), "not Terraform JSON"),
    "fifo-as-stack": (_fifo_stack, "not a regular file"),
    "huge-file": (_huge, "MiB limit"),
    "symlink-loop": (_symlink_loop, "symlink loop"),
    "folder-without-stack": (_empty_folder, "no such file"),
    "profile-not-known": (
        _json({"//": {"foundation": {"profile": "staging"}}, "resource": {"aws_s3_bucket": {"b": BUCKET}}}),
        "profile = 'staging'",
    ),
    "suppressions-a-folder": (_suppressions_folder, "a folder (expected a suppressions file in TOML)"),
    "suppressions-a-fifo": (_suppressions_fifo, "not a regular file"),
    "suppressions-not-utf8": (_suppressions_binary, "not UTF-8"),
    "suppressions-not-toml": (_suppressions_not_toml, "not valid TOML"),
    "budget-nan": (_budget_nan, "--budget-usd 'NaN'"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_hostile_input_gives_exit_2_and_one_clear_line(tmp_path: Path, case: str) -> None:
    make, words = CASES[case]
    args = make(tmp_path)
    reports = tmp_path / "reports"
    result = gates(*args, "--reports-dir", str(reports))
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("gates: "), result.stderr
    assert words in lines[0], lines[0]
    assert result.stdout == ""
    assert not reports.exists(), "nothing is written for unusable input"


def test_there_are_at_least_fifteen_cases() -> None:
    assert len(CASES) >= 15
