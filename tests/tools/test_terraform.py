"""`tools/terraform.py`: stops with one clear paragraph wherever Terraform cannot succeed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

RUNNER = ROOT / "tools" / "terraform.py"
needs_terraform = pytest.mark.skipif(shutil.which("terraform") is None, reason="Terraform is not installed on this machine")


def _clean_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "TF_"))}
    # No credential source at all: no keys, no profile files, no instance metadata.
    env.update(
        AWS_CONFIG_FILE=str(tmp_path / "no-aws-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "no-aws-credentials"),
        AWS_EC2_METADATA_DISABLED="true",
    )
    env.update(extra)
    return env


def _outdir(tmp_path: Path, synth_dir: Path) -> Path:
    outdir = tmp_path / "cdktf.out"
    shutil.copytree(synth_dir / "stacks" / "dev", outdir / "stacks" / "dev")
    return outdir


def run(tmp_path: Path, outdir: Path, env: dict[str, str], action: str = "plan") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(RUNNER), action, "dev", "--outdir", str(outdir)],
        capture_output=True, text=True, env=env, check=False, cwd=tmp_path,
    )  # fmt: skip


@needs_terraform
def test_stops_without_credentials(tmp_path: Path, synth_dir: Path) -> None:
    result = run(tmp_path, _outdir(tmp_path, synth_dir), _clean_env(tmp_path))
    assert result.returncode == 3
    assert "No AWS credentials found, so Terraform cannot plan against your account." in " ".join(result.stderr.split())
    assert "Traceback" not in result.stderr


@needs_terraform
def test_stops_when_the_provider_is_not_in_the_configured_mirror(tmp_path: Path, synth_dir: Path) -> None:
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    config = tmp_path / "terraformrc"
    config.write_text(f'provider_installation {{\n  filesystem_mirror {{\n    path = "{mirror}"\n  }}\n}}\n')
    env = _clean_env(
        tmp_path,
        AWS_ACCESS_KEY_ID="AKIAIOSFODNN7EXAMPLE",
        AWS_SECRET_ACCESS_KEY="not-a-real-secret",
        TF_CLI_CONFIG_FILE=str(config),
    )
    result = run(tmp_path, _outdir(tmp_path, synth_dir), env)
    assert result.returncode == 3
    message = " ".join(result.stderr.split())
    assert (
        f"could not find the hashicorp/aws provider (6.25.0) in the installation sources configured by TF_CLI_CONFIG_FILE ({config})"
        in message
    )


@needs_terraform
def test_a_missing_cli_config_file_is_named_and_ignored(tmp_path: Path, synth_dir: Path) -> None:
    env = _clean_env(tmp_path, TF_CLI_CONFIG_FILE=str(tmp_path / "absent.tfrc"))
    result = run(tmp_path, _outdir(tmp_path, synth_dir), env)
    assert f"TF_CLI_CONFIG_FILE points to {tmp_path / 'absent.tfrc'}, which does not exist" in " ".join(result.stderr.split())


def test_stops_without_terraform(tmp_path: Path, synth_dir: Path) -> None:
    empty_bin = tmp_path / "bin"
    empty_bin.mkdir()
    result = run(tmp_path, _outdir(tmp_path, synth_dir), _clean_env(tmp_path, PATH=str(empty_bin)))
    assert result.returncode == 3
    assert result.stderr.startswith("Terraform is not installed.")


def test_stops_with_a_terraform_older_than_1_11(tmp_path: Path, synth_dir: Path) -> None:
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    fake = fake_bin / "terraform"
    fake.write_text('#!/bin/sh\necho \'{"terraform_version": "1.5.7"}\'\n')
    fake.chmod(0o755)
    result = run(tmp_path, _outdir(tmp_path, synth_dir), _clean_env(tmp_path, PATH=str(fake_bin)))
    assert result.returncode == 3
    assert result.stderr.startswith("Terraform 1.5.7 is too old: 1.11 or newer is needed")


def test_refuses_a_stack_that_was_not_synthesized(tmp_path: Path) -> None:
    result = run(tmp_path, tmp_path / "cdktf.out", _clean_env(tmp_path))
    assert result.returncode == 2
    assert "No synthesized stack at" in result.stderr
