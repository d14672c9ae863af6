"""Stacks synthesized in parallel processes are the bytes one App writes, manifest included."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import main
from tests.conftest import ROOT


def _files(outdir: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(outdir)): p.read_bytes()
        for p in sorted(outdir.rglob("*"))
        if p.is_file() and ".cache" not in p.relative_to(outdir).parts
    }


def _synth(outdir: Path, processes: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, main.PROCESSES_VARIABLE: processes, "QUIET": "1"}
    return subprocess.run(
        [sys.executable, "main.py", "--no-cache", "--outdir", str(outdir)], cwd=ROOT, env=env, capture_output=True, text=True
    )


def test_parallel_synthesis_writes_the_bytes_of_one_app(tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    serial = _synth(one, "1")
    assert serial.returncode == 0, serial.stderr
    parallel = _synth(two, "2")  # dev and bootstrap in one process, prod in the other
    assert parallel.returncode == 0, parallel.stderr
    assert parallel.stdout == serial.stdout.replace(str(one), str(two))
    written = _files(one)
    assert {"stacks/dev/cdk.tf.json", "stacks/prod/cdk.tf.json", "stacks/bootstrap/cdk.tf.json", "manifest.json"} <= set(written)
    assert _files(two) == written
    assert not (two / ".parts").exists()


def test_a_failed_part_fails_the_run_and_leaves_nothing_half_built(tmp_path: Path) -> None:
    environments = tmp_path / "environments"
    environments.mkdir()
    for name in ("a", "b"):
        (environments / f"{name}.toml").write_text((ROOT / "environments" / "dev.toml").read_text())
    env = {**os.environ, main.PROCESSES_VARIABLE: "2", "QUIET": "1", "JSII_RUNTIME": str(tmp_path / "missing.js")}
    done = subprocess.run(
        [sys.executable, "main.py", "--no-cache", "--environments-dir", str(environments), "--outdir", str(tmp_path / "out")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode != 0
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("names", "processes", "parts"),
    [
        (["a", "b", "bootstrap"], 2, [["a", "bootstrap"], ["b"]]),
        (["a", "b", "c", "d", "bootstrap"], 2, [["a", "c", "bootstrap"], ["b", "d"]]),
        (["a"], 4, [["a"]]),
    ],
)
def test_parts_deal_the_stacks_in_turn(names: list[str], processes: int, parts: list[list[str]]) -> None:
    assert main.synth_parts(names, processes) == parts


def test_processes_follow_the_stack_count(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(main.PROCESSES_VARIABLE, raising=False)
    assert main.synth_processes(3) == 1  # the shipped dev, prod and bootstrap: one App, as before
    monkeypatch.setenv(main.PROCESSES_VARIABLE, "3")
    assert main.synth_processes(2) == 2
    assert main.synth_processes(31) == 3


def test_the_manifest_is_written_as_the_framework_writes_it() -> None:
    manifest = {
        "stacks": {
            "b": {"annotations": [], "dependencies": [], "name": "b"},
            "a": {"annotations": [{"level": "warn", "message": "x"}], "dependencies": ["b"], "name": "a"},
        },
        "version": "0.21.0",
    }
    text = main.manifest_text(manifest)
    assert json.loads(text) == manifest
    assert text.startswith('{\n  "stacks": {\n    "a": {\n      "annotations": [\n        {\n          "level": "warn",')
    assert '"annotations": [\n      ],' in text
    assert not text.endswith("\n")
    compact = main.manifest_text(manifest, split_empty=False)  # CDK Terrain's style
    assert json.loads(compact) == manifest
    assert '"annotations": [],' in compact
    assert compact == json.dumps(manifest, indent=2, sort_keys=True)
