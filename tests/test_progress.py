"""main.py says what its long steps do on stderr, and --quiet (or QUIET=1) leaves only results and problems."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT


def _run(tmp_path: Path, *extra: str, quiet_env: bool = False) -> subprocess.CompletedProcess[str]:
    folder = tmp_path / "environments"
    folder.mkdir(exist_ok=True)
    (folder / "prod.toml").write_text('profile = "staging"\n')
    env = {**os.environ, "QUIET": "1" if quiet_env else ""}
    return subprocess.run(
        [sys.executable, "main.py", "--environments-dir", str(folder), "--outdir", str(tmp_path / "out"), *extra],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=600,
    )  # fmt: skip


def test_progress_goes_to_stderr_before_the_problem(tmp_path: Path) -> None:
    result = _run(tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert lines[0] == "Loading the configuration and the AWS provider, then synthesizing..."
    assert any("profile = 'staging'" in line for line in lines[1:])


def test_quiet_leaves_only_the_problems(tmp_path: Path) -> None:
    for result in (_run(tmp_path, "--quiet"), _run(tmp_path, quiet_env=True)):
        assert result.returncode == 2
        assert "Loading" not in result.stderr
        assert "profile = 'staging'" in result.stderr
