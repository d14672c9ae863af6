"""What the gates read from the stack's "//".foundation metadata: budget, usage profile, and its validation."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from gates.cost import estimate
from gates.cost_report import BUDGET_FROM_ARGUMENT, BUDGET_FROM_STACK, budget_for
from gates.inputs import InputError, Stack, resolve
from tests.conftest import ROOT

PRICING = ROOT / "policies" / "pricing"
USAGE = ROOT / "policies" / "usage"
NAT = {"aws_nat_gateway": {"nat": {"subnet_id": "subnet-1"}}}


def stack(tmp_path: Path, foundation: dict[str, Any] | None, name: str = "team") -> Stack:
    doc: dict[str, Any] = {"provider": {"aws": [{"region": "eu-central-1"}]}, "resource": NAT}
    if foundation is not None:
        doc["//"] = {"metadata": {}, "foundation": foundation}
    folder = tmp_path / name
    folder.mkdir()
    (folder / "cdk.tf.json").write_text(json.dumps(doc))
    return resolve(str(folder))


def test_budget_comes_from_the_stack_metadata(tmp_path: Path) -> None:
    assert budget_for(stack(tmp_path, {"budget_usd": 60}), None) == (Decimal(60), BUDGET_FROM_STACK)


def test_budget_usd_argument_overrides_the_stack_metadata(tmp_path: Path) -> None:
    assert budget_for(stack(tmp_path, {"budget_usd": 60}), Decimal("12.5")) == (Decimal("12.5"), BUDGET_FROM_ARGUMENT)


@pytest.mark.parametrize("foundation", [None, {"budget_usd": None}, {"profile": "development"}])
def test_no_budget_without_one_in_the_metadata_or_the_arguments(tmp_path: Path, foundation: dict[str, Any] | None) -> None:
    assert budget_for(stack(tmp_path, foundation), None) == (None, None)


def test_usage_profile_named_in_the_metadata_prices_the_stack(tmp_path: Path) -> None:
    usage = tmp_path / "usage"
    usage.mkdir()
    (usage / "default.toml").write_text("[nat_gateway]\ngb_processed = 1\n")
    (usage / "busy.toml").write_text("[nat_gateway]\ngb_processed = 1000\n")
    named = estimate(stack(tmp_path, {"usage_profile": "busy"}), PRICING, usage)
    assert (named.usage_profile, named.usage_source) == ("busy.toml", "named by the stack's metadata")
    default = estimate(stack(tmp_path, None, name="foreign"), PRICING, usage)
    assert (default.usage_profile, default.usage_source) == ("default.toml", "default: the stack names no usage profile")
    assert named.monthly_usd > default.monthly_usd


def test_shipped_usage_profiles_are_named_after_the_profiles(tmp_path: Path) -> None:
    for profile in ("development", "production"):
        priced = estimate(stack(tmp_path, {"usage_profile": profile}, name=profile), PRICING, USAGE)
        assert priced.usage_profile == f"{profile}.toml" and not priced.unpriced


def test_missing_usage_profile_is_unusable_input_naming_the_file(tmp_path: Path) -> None:
    team = stack(tmp_path, {"usage_profile": "staging"})
    with pytest.raises(InputError) as raised:
        estimate(team, PRICING, USAGE)
    assert str(raised.value) == (
        f"{team.path}: \"//\".foundation.usage_profile names usage profile 'staging', but {USAGE / 'staging.toml'} does "
        "not exist (available: default, development, production); add that file or correct the profile name"
    )


def test_missing_usage_profile_exits_2_before_checkov_runs(tmp_path: Path) -> None:
    team = stack(tmp_path, {"usage_profile": "staging"})
    result = subprocess.run(
        [sys.executable, "-m", "gates", str(team.path), "--reports-dir", str(tmp_path / "r")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 2
    assert "names usage profile 'staging', but" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("foundation", "message"),
    [
        ({"profile": "prod"}, "\"//\".foundation.profile = 'prod': one of development, production"),
        ({"budget_usd": "60"}, "\"//\".foundation.budget_usd = '60': a number of US dollars, 0 or more, or null"),
        ({"usage_profile": "../prod"}, "\"//\".foundation.usage_profile = '../prod': a file name in policies/usage/"),
        ({"risks": [{"component": "audit"}]}, "\"//\".foundation.risks[1] = {'component': 'audit'}: an object with"),
        ("development", "\"//\".foundation = 'development': an object"),
    ],
)
def test_malformed_metadata_is_unusable_input_naming_file_and_key(tmp_path: Path, foundation: Any, message: str) -> None:
    with pytest.raises(InputError, match=None) as raised:
        stack(tmp_path, foundation)
    assert message in str(raised.value) and str(tmp_path / "team" / "cdk.tf.json") in str(raised.value)


def test_unknown_metadata_keys_are_ignored(tmp_path: Path) -> None:
    team = stack(tmp_path, {"profile": "production", "owner_team": "platform", "components": {"network": "vpc"}})
    assert team.foundation.profile == "production" and team.foundation.components == (("network", "vpc"),)
