"""`[usage]`: an environment's own usage figures over its profile, checked against the profile's keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from modules.config import load_environment
from tests.config.test_loader import VALID, F, problems_of


def _loaded(tmp_path: Path, text: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "prod.toml"
    path.write_text(text)
    return load_environment(path)


def test_figures_and_per_name_figures_are_kept(tmp_path: Path) -> None:
    config = _loaded(
        tmp_path,
        VALID + '[usage.nat_gateway]\ngb_processed = 200\n[usage.s3.match."*-uploads-*"]\nstandard_gb = 500\n'
        '[usage.cloudfront]\nviewer_region = "north-america"\n',
    )
    assert config.usage_overrides == {
        "nat_gateway": {"gb_processed": 200},
        "s3": {"match": {"*-uploads-*": {"standard_gb": 500}}},
        "cloudfront": {"viewer_region": "north-america"},
    }


def test_no_usage_table_means_no_overrides(tmp_path: Path) -> None:
    assert _loaded(tmp_path, VALID).usage_overrides == {}


@pytest.mark.parametrize(
    ("usage", "expected"),
    [
        ("[usage.natgw]\ngb_processed = 200\n", "usage.natgw = {'gb_processed': 200}: not a section of usage profile 'production'; sections: "),
        ("[usage.nat_gateway]\ngb = 200\n", "usage.nat_gateway.gb = 200: not a figure of [nat_gateway] in usage profile 'production'; "
         "figures: gb_processed"),
        ("[usage.nat_gateway]\ngb_processed = -2\n", "usage.nat_gateway.gb_processed = -2: a finite number of at least 0, without quotes"),
        ("[usage.nat_gateway]\ngb_processed = nan\n", "usage.nat_gateway.gb_processed = nan: a finite number"),
        ('[usage.nat_gateway]\ngb_processed = "2"\n', "usage.nat_gateway.gb_processed = '2': a finite number of at least 0, without quotes"),
        ('[usage.s3.match."a b"]\nstandard_gb = 5\n', "usage.s3.match.a b = 'a b': a glob of resource names"),
        ("[usage.cloudfront]\nviewer_region = 3\n", "usage.cloudfront.viewer_region = 3: a word such as"),
        ('[budget]\nusage_profile = "heavy"\n[usage.nat_gateway]\ngb_processed = 1\n',
         "budget.usage_profile = 'heavy': a usage profile of policies/usage/: default, development, production"),
    ],
)  # fmt: skip
def test_figures_the_profile_does_not_have_are_refused(tmp_path: Path, usage: str, expected: str) -> None:
    (problem,) = problems_of(tmp_path, VALID + usage)
    assert problem.startswith(f"{F}: {expected}")
