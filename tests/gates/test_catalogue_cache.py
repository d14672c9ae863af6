"""A catalogue read once per process is read again when either of its files changes."""

from __future__ import annotations

import os
import shutil
from decimal import Decimal
from pathlib import Path

from gates.pricing import load_catalogue
from tests.conftest import ROOT

PRICING = ROOT / "policies" / "pricing"


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "pricing"
    shutil.copytree(PRICING, folder)
    return folder


def test_an_edited_row_is_read_afresh(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    first = load_catalogue(folder, "us-east-1")
    path = folder / "us-east-1.toml"
    text = path.read_text()
    before = first.prices["nat_gateway_hour"].usd
    path.write_text(text.replace(f"usd = {before}\n", "usd = 9.99\n", 1))
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000))
    again = load_catalogue(folder, "us-east-1")
    assert again.prices["nat_gateway_hour"].usd == Decimal("9.99") != before


def test_an_edited_free_list_is_read_afresh(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    assert "aws_made_up_thing" not in load_catalogue(folder, "us-east-1").free
    text = (folder / "free.toml").read_text()
    (folder / "free.toml").write_text(
        text.replace("[free]\n", '[free]\naws_made_up_thing = "a made-up type that bills nothing by itself"\n', 1)
    )
    assert load_catalogue(folder, "us-east-1").free["aws_made_up_thing"].startswith("a made-up")


def test_callers_do_not_share_the_cached_dicts(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    first = load_catalogue(folder, "eu-central-1")
    first.prices.clear()
    first.free.clear()
    second = load_catalogue(folder, "eu-central-1")
    assert second.prices and second.free
