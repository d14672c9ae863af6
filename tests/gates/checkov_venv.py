"""A script run in Checkov's own venv, with the server's modules importable: how the tests hold
each change the server makes to Checkov to what Checkov does without it."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from gates.security import CHECKOV_VENV_BIN
from tests.conftest import ROOT

PYTHON = CHECKOV_VENV_BIN.parent / "python"
WORKER = ROOT / "gates" / "checkov_worker"


# Run before every script: as the server sets up (warnings, its modules importable, no debug
# records), and `scan(argv)`: Checkov's printed report for `argv`, run in this process.
PRELUDE = r"""
import contextlib, io, json, logging, sys, warnings
warnings.simplefilter("ignore", category=SyntaxWarning)
sys.path.insert(0, sys.argv[1])
logging.disable(logging.INFO)

def scan(argv):
    from checkov.main import Checkov
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        try:
            Checkov(argv).run()
        except SystemExit:
            pass
    return out.getvalue()
"""


def scan_argv(stacks: list[Path], *checks_dirs: Path) -> list[str]:
    """Checkov's arguments for a scan of `stacks`, as the gate gives them."""
    argv = ["--framework", "terraform_json", "--skip-download", "-o", "json", "--compact"]
    for stack in stacks:
        argv += ["-f", str(stack)]
    for folder in checks_dirs:
        argv += ["--external-checks-dir", str(folder)]
    return argv


def run(script: str, *args: str) -> dict[str, Any]:
    """What `script` (after PRELUDE) prints last, one JSON line; it gets WORKER as sys.argv[1], then `args`."""
    if not PYTHON.exists():
        pytest.fail("Checkov's venv is missing: run `make install`")
    completed = subprocess.run(
        [str(PYTHON), "-c", PRELUDE + script, str(WORKER), *args],
        capture_output=True,
        text=True,
        env={"LOG_LEVEL": "ERROR", "BC_SKIP_MAPPING": "TRUE", "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    result: dict[str, Any] = json.loads(completed.stdout.strip().splitlines()[-1])
    return result


def outcomes(report: dict[str, Any]) -> dict[str, list[tuple[str, str, str]]]:
    """Every entry of a report, in an order that does not depend on Checkov's."""
    return {
        kind: sorted((e["check_id"], e["resource"], json.dumps(e, sort_keys=True)) for e in report["results"][kind])
        for kind in report["results"]
    }
