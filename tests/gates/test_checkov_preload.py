"""Checkov's server imports, before it forks, every library module a scan of the stacks would import."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import ROOT
from tests.gates import checkov_venv

# In Checkov's venv, as the server does: import Checkov, preload, then scan and list the modules
# of the preloaded libraries the scan still had to import.
PRELOAD_THEN_SCAN = r"""
import checkov.main
import checkov_server
roots = {name.split(".")[0] for name in checkov_server.PRELOADED}
before_preload = {m for m in sys.modules if m.split(".")[0] in roots}
checkov_server._preload()
preloaded = set(sys.modules)
scan(sys.argv[2:])
late = sorted(m for m in set(sys.modules) - preloaded if m.split(".")[0] in roots)
print(json.dumps({"late": late, "preloaded": sorted(m for m in preloaded if m.split(".")[0] in roots and m not in before_preload)}))
"""


def test_a_scan_after_the_preload_imports_none_of_the_preloaded_libraries(synth_dir: Path) -> None:
    stack = synth_dir / "stacks" / "prod" / "cdk.tf.json"
    result = checkov_venv.run(
        PRELOAD_THEN_SCAN, *checkov_venv.scan_argv([stack], ROOT / "policies" / "checks", ROOT / "policies" / "scan")
    )
    assert result["late"] == []
    # The preload did the importing (Checkov's own import had not already): the plugins among them.
    assert any(name.startswith("detect_secrets.plugins.") for name in result["preloaded"]), result["preloaded"]
    assert "policyuniverse.statement" in result["preloaded"]
