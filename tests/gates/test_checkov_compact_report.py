"""Checkov's JSON report printed without indentation holds exactly what the indented one holds."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from gates.security import CHECKOV_VENV_BIN
from tests.conftest import ROOT

PYTHON = CHECKOV_VENV_BIN.parent / "python"

# In Checkov's venv: the same scan printed by Checkov as it ships, then after install().
RUN_TWICE = r"""
import contextlib, io, json, logging, os, sys, warnings
warnings.simplefilter("ignore", category=SyntaxWarning)
sys.path.insert(0, sys.argv[1])
from checkov.main import Checkov
import checkov_compact_report
logging.disable(logging.INFO)
argv = sys.argv[2:]
def scan():
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        try:
            Checkov(argv).run()
        except SystemExit:
            pass
    return out.getvalue()
shipped = scan()
installed = checkov_compact_report.install()
compact = scan()
print(json.dumps({"installed": installed, "shipped": shipped, "compact": compact}))
"""


def test_the_compact_report_is_the_same_report(synth_dir: Path) -> None:
    if not PYTHON.exists():
        pytest.fail("Checkov's venv is missing: run `make install`")
    stack = synth_dir / "stacks" / "dev" / "cdk.tf.json"
    argv = ["-f", str(stack), "--framework", "terraform_json", "--skip-download", "-o", "json", "--compact"]
    argv += ["--external-checks-dir", str(ROOT / "policies" / "checks")]
    completed = subprocess.run(
        [str(PYTHON), "-c", RUN_TWICE, str(ROOT / "gates" / "checkov_worker"), *argv],
        capture_output=True,
        text=True,
        env={"LOG_LEVEL": "ERROR", "BC_SKIP_MAPPING": "TRUE", "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    assert result["installed"] is True
    assert "\n    " in result["shipped"] and "\n" not in result["compact"].strip()  # really printed differently
    shipped, compact = json.loads(result["shipped"]), json.loads(result["compact"])

    def outcomes(report: dict) -> dict:
        return {
            kind: sorted((e["check_id"], e["resource"], json.dumps(e, sort_keys=True)) for e in report["results"][kind])
            for kind in report["results"]
        }

    assert outcomes(compact) == outcomes(shipped)
    assert compact["summary"] == shipped["summary"] and shipped["summary"]["passed"] > 100
