"""The run cache: an edit to any input re-runs the stacks it feeds; nothing a killed run wrote is trusted."""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from modules import cache
from modules.cache import Cache, stack_keys

ROOT = Path(__file__).resolve().parent.parent
OPTIONS = {"gate": True, "independent": False, "names": ["dev", "prod"], "compare_to": None, "today": "2026-12-02"}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of every input the cache hashes (code, lock files, policies, handlers, environments)."""
    copy = tmp_path / "project"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".venv")
    for name in (*cache.CODE, *cache.LOCK_FILES, *cache.POLICIES, *cache.HANDLERS, "environments"):
        source = ROOT / name
        target = copy / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, ignore=ignore)
        elif source.is_file():
            shutil.copy2(source, target)
    return copy


def _keys(project: Path, options: dict[str, object] = OPTIONS) -> dict[str, str]:
    return stack_keys(project, project / "environments", ["dev", "prod"], "bootstrap", dict(options))


def _append(path: Path, text: str = "\n# edited\n") -> None:
    path.write_text(path.read_text() + text)


EDITS: dict[str, Callable[[Path], None]] = {
    "code: main.py": lambda p: _append(p / "main.py"),
    "code: a component": lambda p: _append(next((p / "modules" / "components").rglob("*.py"))),
    "code: a gate": lambda p: _append(p / "gates" / "security.py"),
    "lock file: app": lambda p: _append(p / "Pipfile.lock", "\n"),
    "lock file: checkov": lambda p: _append(p / "tools" / "checkov" / "Pipfile.lock", "\n"),
    "policy: a check": lambda p: _append(next((p / "policies" / "checks").glob("*.py"))),
    "policy: suppressions": lambda p: _append(p / "policies" / "suppressions.toml"),
    "price catalogue": lambda p: _append(next((p / "policies" / "pricing").glob("*.toml"))),
    "usage profile": lambda p: _append(next((p / "policies" / "usage").glob("*.toml"))),
    "lambda_src": lambda p: _append(next((p / "lambda_src").rglob("*.py"))),
    "a new policy file": lambda p: (p / "policies" / "checks" / "new_rule.py").write_text("# a new rule\n"),
}


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_an_edit_to_a_shared_input_reruns_every_stack(project: Path, edit: str) -> None:
    before = _keys(project)
    EDITS[edit](project)
    after = _keys(project)
    assert {name for name in before if before[name] != after[name]} == {"dev", "prod", "bootstrap"}


def test_an_edit_to_an_environment_file_reruns_that_stack_and_the_bootstrap_stack(project: Path) -> None:
    before = _keys(project)
    _append(project / "environments" / "dev.toml")
    after = _keys(project)
    assert {name for name in before if before[name] != after[name]} == {"dev", "bootstrap"}


def test_another_tool_version_reruns_every_stack(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = _keys(project)
    monkeypatch.setattr(cache, "tool_versions", lambda: {"python": "3.11.0", "implementation": "cpython", "node": "v99.0.0"})
    after = _keys(project)
    assert all(before[name] != after[name] for name in before)


def test_other_options_or_another_day_rerun_every_stack(project: Path) -> None:
    before = _keys(project)
    for change in ({"today": "2026-12-03"}, {"gate": False}, {"compare_to": {"base/cost.json": "00"}}):
        after = _keys(project, {**OPTIONS, **change})
        assert all(before[name] != after[name] for name in before), change


def test_unchanged_inputs_give_the_same_keys(project: Path) -> None:
    assert _keys(project) == _keys(project)


def _outputs(outdir: Path) -> None:
    for name in ("dev", "prod", "bootstrap"):
        (outdir / "stacks" / name).mkdir(parents=True)
        (outdir / "stacks" / name / "cdk.tf.json").write_text(f'{{"stack": "{name}"}}')
        (outdir / "reports" / name).mkdir(parents=True)
        (outdir / "reports" / name / "summary.json").write_text("{}")


def test_an_entry_is_trusted_only_while_inputs_and_outputs_are_unchanged(project: Path, tmp_path: Path) -> None:
    outdir = tmp_path / "out"
    _outputs(outdir)
    keys = _keys(project)
    store = Cache(outdir)
    assert store.fresh(keys) == (False, ["bootstrap", "dev", "prod"])  # nothing recorded yet
    store.record(keys, 0)
    assert store.fresh(keys) == (True, [])
    changed = {**keys, "dev": "0" * 64}
    assert store.fresh(changed) == (False, ["dev"])
    (outdir / "reports" / "prod" / "summary.json").write_text('{"edited": true}')
    assert store.fresh(keys)[0] is False  # an output changed since the run that wrote it
    store.record(keys, 0)
    (outdir / "stacks" / "bootstrap" / "cdk.tf.json").unlink()
    assert store.fresh(keys)[0] is False  # an output is gone
    store.record(keys, 0)
    store.invalidate()  # what a run does before it writes anything
    assert store.fresh(keys)[0] is False


def test_a_second_run_waits_for_the_lock_of_the_first(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from modules.cache import Cache\n"
            "with Cache(Path(sys.argv[1])).locked():\n"
            "    print('locked', flush=True); time.sleep(1.5); (Path(sys.argv[1]) / 'first-done').touch()\n",
            str(tmp_path),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    notice = io.StringIO()
    with Cache(tmp_path).locked(notice):
        assert (tmp_path / "first-done").exists()  # the first run had finished before the second got the lock
    assert "Another run is writing" in notice.getvalue()
    holder.wait()


def _main(environments: Path, outdir: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "NO_CACHE"}
    return subprocess.run(
        [sys.executable, "main.py", "--environments-dir", str(environments), "--outdir", str(outdir), *extra],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def _shipped_environments(tmp_path: Path) -> Path:
    """A copy of the shipped dev and prod environment files, to edit."""
    environments = tmp_path / "environments"
    environments.mkdir()
    for name in ("dev", "prod"):
        shutil.copy2(ROOT / "environments" / f"{name}.toml", environments / f"{name}.toml")
    return environments


def test_main_reuses_an_unchanged_run_and_trusts_nothing_after_a_killed_one(tmp_path: Path) -> None:
    environments = _shipped_environments(tmp_path)
    outdir = tmp_path / "cdktf.out"
    first = _main(environments, outdir)
    assert first.returncode == 0, first.stderr[-2000:]
    assert "Synthesized dev, prod and bootstrap" in first.stdout
    second = _main(environments, outdir)
    assert second.returncode == 0
    assert second.stdout.startswith("Unchanged since the last run: reused 3 stacks")
    assert len(second.stdout.strip().splitlines()) == 1
    forced = _main(environments, outdir, "--no-cache")
    assert "Synthesized dev, prod and bootstrap" in forced.stdout

    # An edit, and the run it starts is killed once it has begun: no entry is left to trust,
    # even after the edit is undone.
    original = (environments / "dev.toml").read_text()
    _append(environments / "dev.toml")
    entry = outdir / cache.CACHE_DIR / cache.ENTRY
    killed = subprocess.Popen(
        [sys.executable, "main.py", "--environments-dir", str(environments), "--outdir", str(outdir)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while entry.exists() and killed.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    killed.send_signal(signal.SIGKILL)
    killed.wait()
    assert not entry.exists()
    (environments / "dev.toml").write_text(original)
    rerun = _main(environments, outdir)
    assert rerun.returncode == 0
    assert "Synthesized dev, prod and bootstrap" in rerun.stdout


def test_a_gate_run_after_one_environment_changed_scans_only_that_stack_again(tmp_path: Path) -> None:
    environments = _shipped_environments(tmp_path)
    outdir = tmp_path / "cdktf.out"
    first = _main(environments, outdir, "--gate", "--quiet")
    assert first.returncode == 0, first.stdout[-2000:] + first.stderr[-2000:]
    scans = outdir / cache.CACHE_DIR / "scans"
    before = {p.name: p.stat().st_ino for p in scans.glob("*.json")}
    assert len(before) == 3  # dev, prod, bootstrap
    # Another budget changes the dev stack's metadata only: prod and bootstrap come out as before.
    text = (environments / "dev.toml").read_text()
    (environments / "dev.toml").write_text(text.replace("monthly_usd = 60", "monthly_usd = 61", 1))
    second = _main(environments, outdir, "--gate", "--quiet")
    assert second.returncode == 0, second.stdout[-2000:] + second.stderr[-2000:]
    after = {p.name: p.stat().st_ino for p in scans.glob("*.json")}
    kept = set(before) & set(after)
    assert len(after) == 3 and len(kept) == 2  # one new entry (dev), the old one pruned
    assert all(before[name] == after[name] for name in kept)  # written once: not scanned again
    summary = json.loads((outdir / "reports" / "dev" / "summary.json").read_text())
    assert summary["passed"] is True and summary["checks"]["passed"] > 100 and summary["resources_scanned"] > 100
