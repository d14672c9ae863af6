"""Checkov's server keeps what its import left out of the garbage collector's walks, and its forked
runs collect less often: the same report, with the collector set as the server means it."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import ROOT
from tests.gates import checkov_venv

# A check that, while a run evaluates it, notes the collector's settings of the process it runs in.
PROBE_CHECK = r"""
import gc, json, os
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

class CollectorProbe(BaseResourceCheck):
    def __init__(self):
        super().__init__(name="notes the collector", id="TEST_GC_1",
                         categories=[CheckCategories.CONVENTION], supported_resources=["aws_s3_bucket"])

    def scan_resource_conf(self, conf):
        with open(os.environ["PROBE_FILE"], "w") as f:
            json.dump({"thresholds": gc.get_threshold(), "frozen": gc.get_freeze_count()}, f)
        return CheckResult.PASSED

check = CollectorProbe()
"""

# In Checkov's venv, as the server does: import, preload, settle; then one run in a forked child
# (with the probe) and the same scan in this process, without the server's collector settings.
FORKED_AND_PLAIN = r"""
import gc, os
import checkov.main
import checkov_server
checkov_server._preload()
checkov_server._settle()
frozen = gc.get_freeze_count()
argv, probe_dir, probe_file = sys.argv[2:-2], sys.argv[-2], sys.argv[-1]
env = {**os.environ, "PROBE_FILE": probe_file}
forked = checkov_server._forked([argv + ["--external-checks-dir", probe_dir]], env)[0]
gc.unfreeze()
gc.set_threshold(700, 10, 10)
plain = scan(argv)
thresholds = checkov_server.CHILD_COLLECTION_THRESHOLDS
print(json.dumps({"frozen": frozen, "forked": forked, "plain": plain, "thresholds": thresholds}))
"""


def test_forked_runs_collect_less_and_report_the_same(synth_dir: Path, tmp_path: Path) -> None:
    stacks = [synth_dir / "stacks" / name / "cdk.tf.json" for name in ("dev", "bootstrap")]
    probe_dir = tmp_path / "probe"
    probe_dir.mkdir()
    (probe_dir / "__init__.py").write_text("")
    (probe_dir / "collector_probe.py").write_text(PROBE_CHECK)
    probe_file = tmp_path / "probe.json"
    argv = checkov_venv.scan_argv(stacks, ROOT / "policies" / "checks", ROOT / "policies" / "scan")
    result = checkov_venv.run(FORKED_AND_PLAIN, *argv, str(probe_dir), str(probe_file))

    # Checkov's import is hundreds of thousands of objects: frozen before any fork.
    assert result["frozen"] > 100_000, result["frozen"]
    seen = json.loads(probe_file.read_text())
    # The run collected as the server means it, not with Python's defaults.
    assert seen["thresholds"] == result["thresholds"] != [700, 10, 10]
    assert seen["frozen"] > 100_000  # still frozen in the child (a few die as the run frees them)

    forked, plain = json.loads(result["forked"]["stdout"]), json.loads(result["plain"])
    probe = [e for e in forked["results"]["passed_checks"] if e["check_id"] == "TEST_GC_1"]
    assert probe, "the probe check ran in the forked run"
    forked["results"]["passed_checks"] = [e for e in forked["results"]["passed_checks"] if e["check_id"] != "TEST_GC_1"]
    forked["summary"]["passed"] -= len(probe)
    assert checkov_venv.outcomes(forked) == checkov_venv.outcomes(plain)
    assert forked["summary"] == plain["summary"]
