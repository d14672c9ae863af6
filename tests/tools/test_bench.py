"""`make bench --baseline REV` times the tests both commits have: same file, same function name."""

from __future__ import annotations

from pathlib import Path

from tools.bench import common_tests


def _write(root: Path, relative: str, text: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_only_functions_in_both_commits_by_file_and_name(tmp_path: Path) -> None:
    then, now = tmp_path / "then", tmp_path / "now"
    _write(then, "tests/test_a.py", "def test_kept():\n    pass\n\n\ndef test_removed():\n    pass\n")
    _write(now, "tests/test_a.py", "def test_added():\n    pass\n\n\ndef test_kept(x):\n    pass\n")
    _write(then, "tests/gates/test_b.py", "def test_moved():\n    pass\n")
    _write(now, "tests/test_b.py", "def test_moved():\n    pass\n")  # another file: not the same test
    _write(then, "tests/test_c.py", "class TestX:\n    def test_in_class(self):\n        pass\n")
    _write(now, "tests/test_c.py", "class TestX:\n    def test_in_class(self):\n        pass\n")
    _write(then, "tests/helpers.py", "def test_not_a_test_module():\n    pass\n")
    _write(now, "tests/helpers.py", "def test_not_a_test_module():\n    pass\n")
    assert common_tests(then, now) == ["tests/test_a.py::test_kept"]
