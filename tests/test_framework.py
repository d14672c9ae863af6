"""The framework seam: CDK for Terraform by default, CDK Terrain with FOUNDATION_CDK=cdktn; both write the
same resources, and a wrong choice is a clear error."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from modules.core.frameworks import FRAMEWORKS
from tests.conftest import ROOT

CDKTN_PYTHON = ROOT / "tools" / "cdktn" / ".venv" / "bin" / "python"


def _run(python: Path | str, outdir: Path, framework: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "FOUNDATION_CDK": framework, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"}
    return subprocess.run(
        [str(python), "main.py", "--quiet", "--env", "dev", "--outdir", str(outdir)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=900,
    )


def test_an_unknown_framework_is_one_clear_error(tmp_path: Path) -> None:
    result = _run(sys.executable, tmp_path / "out", "pulumi")
    assert result.returncode == 2
    assert result.stderr.strip() == "FOUNDATION_CDK='pulumi': one of cdktf, cdktn (make check CDK=cdktn)"
    assert not (tmp_path / "out").exists()


def test_cdk_terrain_without_its_environment_says_how_to_install_it(tmp_path: Path) -> None:
    # The project's own environment has CDK for Terraform only.
    result = _run(sys.executable, tmp_path / "out", "cdktn")
    assert result.returncode == 2
    assert result.stderr.strip() == "cdktn is not installed in this environment; run `make install CDK=cdktn`"


def test_each_framework_pins_the_provider_release_its_bindings_describe() -> None:
    assert {f.name: f.aws_provider_version for f in FRAMEWORKS.values()} == {"cdktf": "6.25.0", "cdktn": "6.69.1"}


@pytest.mark.skipif(not CDKTN_PYTHON.exists(), reason="CDK Terrain's environment is made by `make install CDK=cdktn` (CI does)")
def test_cdk_terrain_writes_the_same_resources_as_cdk_for_terraform(tmp_path: Path) -> None:
    result = _run(CDKTN_PYTHON, tmp_path / "out", "cdktn")
    assert result.returncode == 0, result.stderr[-2000:]
    terrain = json.loads((tmp_path / "out" / "stacks" / "dev" / "cdk.tf.json").read_text())
    golden = json.loads((ROOT / "tests" / "golden" / "dev.json").read_text())
    assert terrain["resource"] == golden["resource"]
    assert terrain.get("data") == golden.get("data") and terrain.get("output") == golden.get("output")
    assert terrain["terraform"]["required_providers"]["aws"] == {"source": "hashicorp/aws", "version": "6.69.1"}
    assert golden["terraform"]["required_providers"]["aws"]["version"] == "6.25.0"
    assert terrain["//"]["metadata"]["version"] == "0.24.0" and golden["//"]["metadata"]["version"] == "0.21.0"
    terrain["//"]["metadata"].pop("version"), golden["//"]["metadata"].pop("version")
    assert terrain["//"] == golden["//"]
