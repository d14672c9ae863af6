"""Checkov's server imports, before it forks, every library module a scan of the stacks would import."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from gates.security import CHECKOV_VENV_BIN
from tests.conftest import ROOT

PYTHON = CHECKOV_VENV_BIN.parent / "python"

# In Checkov's venv, as the server does: import Checkov, preload, then scan and list the modules
# of the preloaded libraries the scan still had to import.
PRELOAD_THEN_SCAN = r"""
import contextlib, io, json, logging, sys, warnings
warnings.simplefilter("ignore", category=SyntaxWarning)
sys.path.insert(0, sys.argv[1])
import checkov.main
import checkov_server
logging.disable(logging.INFO)
roots = {name.split(".")[0] for name in checkov_server.PRELOADED}
before_preload = {m for m in sys.modules if m.split(".")[0] in roots}
checkov_server._preload()
preloaded = set(sys.modules)
with contextlib.redirect_stdout(io.StringIO()):
    try:
        checkov.main.Checkov(sys.argv[2:]).run()
    except SystemExit:
        pass
late = sorted(m for m in set(sys.modules) - preloaded if m.split(".")[0] in roots)
print(json.dumps({"late": late, "preloaded": sorted(m for m in preloaded if m.split(".")[0] in roots and m not in before_preload)}))
"""


def test_a_scan_after_the_preload_imports_none_of_the_preloaded_libraries(synth_dir: Path) -> None:
    if not PYTHON.exists():
        pytest.fail("Checkov's venv is missing: run `make install`")
    argv = ["--framework", "terraform_json", "--skip-download", "-o", "json", "--compact"]
    argv += ["-f", str(synth_dir / "stacks" / "prod" / "cdk.tf.json")]
    argv += ["--external-checks-dir", str(ROOT / "policies" / "checks"), "--external-checks-dir", str(ROOT / "policies" / "scan")]
    completed = subprocess.run(
        [str(PYTHON), "-c", PRELOAD_THEN_SCAN, str(ROOT / "gates" / "checkov_worker"), *argv],
        capture_output=True,
        text=True,
        env={"LOG_LEVEL": "ERROR", "BC_SKIP_MAPPING": "TRUE", "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    assert result["late"] == []
    # The preload did the importing (Checkov's own import had not already): the plugins among them.
    assert any(name.startswith("detect_secrets.plugins.") for name in result["preloaded"]), result["preloaded"]
    assert "policyuniverse.statement" in result["preloaded"]
