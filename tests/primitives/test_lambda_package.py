"""Packages are deterministic and carry the handler and the shared module."""

from __future__ import annotations

import os
import shutil
import zipfile
from pathlib import Path

from modules.primitives.lambda_package import build
from tests.conftest import ROOT

SRC = ROOT / "lambda_src"


def test_same_sources_same_bytes_whatever_the_mtimes(tmp_path: Path) -> None:
    first = build(SRC / "upload_url", SRC / "shared", tmp_path / "a.zip")
    copy = tmp_path / "copy"
    shutil.copytree(SRC, copy)
    for path in copy.rglob("*.py"):
        os.utime(path, (1_000_000_000, 1_000_000_000))
    second = build(copy / "upload_url", copy / "shared", tmp_path / "b.zip")
    assert first == second
    assert (tmp_path / "a.zip").read_bytes() == (tmp_path / "b.zip").read_bytes()


def test_package_holds_handler_and_shared_module_at_the_root(tmp_path: Path) -> None:
    build(SRC / "download_url", SRC / "shared", tmp_path / "d.zip")
    assert zipfile.ZipFile(tmp_path / "d.zip").namelist() == ["fileshare.py", "handler.py", "s3_events.py"]


def test_a_changed_source_changes_the_hash(tmp_path: Path) -> None:
    copy = tmp_path / "src"
    shutil.copytree(SRC, copy)
    before = build(copy / "upload_url", copy / "shared", tmp_path / "1.zip")
    (copy / "upload_url" / "handler.py").write_text((copy / "upload_url" / "handler.py").read_text() + "\n# changed\n")
    assert build(copy / "upload_url", copy / "shared", tmp_path / "2.zip") != before
