"""`make diff` (tools/diff.py): an edited environment file, diffed with no credentials."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

DIFF = ROOT / "tools" / "diff.py"


def _no_credentials(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "TF_"))}
    env.update(
        AWS_CONFIG_FILE=str(tmp_path / "no-aws-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "no-aws-credentials"),
        AWS_EC2_METADATA_DISABLED="true",
        JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="20",
    )
    return env


def _run(*args: str, env: dict[str, str], cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env, cwd=cwd, check=False)


def test_edited_database_name_is_flagged_without_credentials(tmp_path: Path, synth_dir: Path) -> None:
    env = _no_credentials(tmp_path)
    outdir = tmp_path / "cdktf.out"
    # The last gated copy: the shipped dev stack as the session synthesized and gated it.
    (outdir / "reports" / "dev").mkdir(parents=True)
    shutil.copy(synth_dir / "stacks" / "dev" / "cdk.tf.json", outdir / "reports" / "dev" / "gated.tf.json")
    environments = tmp_path / "environments"
    environments.mkdir()
    text = (ROOT / "environments" / "dev.toml").read_text()
    edited = text.replace("[database]\n", '[database]\ndatabase_name = "files"\n', 1)
    assert edited != text
    (environments / "dev.toml").write_text(edited)
    synth = _run(str(ROOT / "main.py"), "--environments-dir", str(environments), "--outdir", str(outdir), "--env", "dev", env=env)
    assert synth.returncode == 0, synth.stderr

    result = _run(str(DIFF), "dev", "--outdir", str(outdir), env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert re.search(r"!! aws_rds_cluster\.database_cluster_\w+ replaced: database_name", out), out
    assert 'database_name: "app" -> "files"  # forces replacement' in out
    assert out.index("DANGER") < out.index("Changed:")
    # The Terraform part is skipped with a reason, never a raw Terraform error.
    assert "Skipped terraform plan" in out
    assert "Error:" not in out + result.stderr and "Traceback" not in result.stderr


def test_without_a_gated_copy_it_says_what_to_run(tmp_path: Path, synth_dir: Path) -> None:
    outdir = tmp_path / "cdktf.out"
    shutil.copytree(synth_dir / "stacks" / "dev", outdir / "stacks" / "dev")
    result = _run(str(DIFF), "dev", "--outdir", str(outdir), env=_no_credentials(tmp_path))
    assert result.returncode == 2
    assert "make check" in result.stderr and "REF=" in result.stderr and "Traceback" not in result.stderr


def test_unknown_ref_is_one_line_and_exit_2(tmp_path: Path, synth_dir: Path) -> None:
    outdir = tmp_path / "cdktf.out"
    shutil.copytree(synth_dir / "stacks" / "dev", outdir / "stacks" / "dev")
    result = _run(str(DIFF), "dev", "--outdir", str(outdir), "--ref", "no-such-ref-xyz", env=_no_credentials(tmp_path))
    assert result.returncode == 2
    assert "REF=no-such-ref-xyz is not a commit" in result.stderr and "Traceback" not in result.stderr


def test_ref_is_synthesized_from_the_commit(tmp_path: Path, synth_dir: Path) -> None:
    # HEAD synthesized from `git archive` against the session's synthesis of the same files:
    # whatever differs is uncommitted work, so only the shape of the answer is asserted.
    outdir = tmp_path / "cdktf.out"
    shutil.copytree(synth_dir / "stacks" / "dev", outdir / "stacks" / "dev")
    result = _run(str(DIFF), "dev", "--outdir", str(outdir), "--ref", "HEAD", "--no-plan", env=_no_credentials(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Synthesizing dev at HEAD" in result.stdout
    assert re.search(r"dev: (no resource changes between HEAD|\d+ to add, \d+ to change, \d+ to remove \(HEAD)", result.stdout)
