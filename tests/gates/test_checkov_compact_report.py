"""Checkov's JSON report printed without indentation holds exactly what the indented one holds."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import ROOT
from tests.gates import checkov_venv

# In Checkov's venv: the same scan printed by Checkov as it ships, then after install().
RUN_TWICE = r"""
import checkov.main
import checkov_compact_report
argv = sys.argv[2:]
shipped = scan(argv)
installed = checkov_compact_report.install()
compact = scan(argv)
print(json.dumps({"installed": installed, "shipped": shipped, "compact": compact}))
"""


def test_the_compact_report_is_the_same_report(synth_dir: Path) -> None:
    argv = checkov_venv.scan_argv([synth_dir / "stacks" / "dev" / "cdk.tf.json"], ROOT / "policies" / "checks")
    result = checkov_venv.run(RUN_TWICE, *argv)
    assert result["installed"] is True
    assert "\n    " in result["shipped"] and "\n" not in result["compact"].strip()  # really printed differently
    shipped, compact = json.loads(result["shipped"]), json.loads(result["compact"])
    assert checkov_venv.outcomes(compact) == checkov_venv.outcomes(shipped)
    assert compact["summary"] == shipped["summary"] and shipped["summary"]["passed"] > 100
