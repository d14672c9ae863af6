"""Skip a run whose inputs have not changed: reuse the stacks and reports the previous run wrote.

Every stack gets a content hash of everything that can change what is written for it:
its environment file (the bootstrap stack: every environment file), the project's
Python code, the lock files, the policies (checks, suppressions, price catalogues,
usage profiles), the handlers in lambda_src/, the tool versions, and the options of
the run (including the date when gating: suppressions and acceptances expire).

An entry is trusted only when it was written by a run that finished, and when every
file that run wrote is still there with the same content. So:
- the entry is removed before a run writes anything and written (temp file +
  rename) only after it finished: a run killed at any point leaves no entry;
- two runs on one output folder take turns (an exclusive lock on a file in it);
- an output edited or deleted since makes the entry stale.

This module imports nothing heavy: a warm run never loads the CDK or the provider.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from modules.core.frameworks import VARIABLE as FRAMEWORK_VARIABLE

ROOT = Path(__file__).resolve().parent.parent
CACHE_DIR = ".cache"
ENTRY = "run.json"
LOCK = "lock"
FORMAT = 1

# What the project's own files contribute, by input class (names used in messages and tests).
CODE = ("main.py", "cdktf.json", "modules", "gates")
LOCK_FILES = ("Pipfile.lock", "tools/checkov/Pipfile.lock", "tools/cdktn/Pipfile.lock", "package-lock.json")
POLICIES = ("policies",)
HANDLERS = ("lambda_src",)
# Written by the run or by tools, never read by it.
_IGNORED_PARTS = {"__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache"}


def _files(root: Path, names: Iterable[str]) -> list[Path]:
    found: list[Path] = []
    for name in names:
        path = root / name
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            found += [
                p
                for p in path.rglob("*")
                if p.is_file() and not _IGNORED_PARTS.intersection(p.relative_to(root).parts) and p.suffix != ".pyc"
            ]
    return sorted(found)


def _digest_files(root: Path, files: Iterable[Path]) -> str:
    digest = hashlib.sha256()
    for path in files:
        label = path.relative_to(root) if path.is_relative_to(root) else path
        digest.update(f"{label}\0".encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def tool_versions() -> dict[str, str]:
    """Versions not pinned by a lock file in this tree: the interpreter and Node.js (jsii runs on it)."""
    node = shutil.which(os.environ.get("JSII_NODE", "node"))
    node_version = "absent"
    if node:
        completed = subprocess.run([node, "--version"], capture_output=True, text=True, check=False)
        node_version = completed.stdout.strip() or f"exit {completed.returncode}"
    # The framework (CDK for Terraform or CDK Terrain) writes different metadata and provider pins.
    framework = os.environ.get(FRAMEWORK_VARIABLE, "cdktf") or "cdktf"
    return {
        "python": platform.python_version(),
        "implementation": sys.implementation.name,
        "node": node_version,
        "framework": framework,
    }


def input_classes(root: Path) -> dict[str, str]:
    """One hash per input class shared by every stack."""
    return {
        "code": _digest_files(root, _files(root, CODE)),
        "lock files": _digest_files(root, _files(root, LOCK_FILES)),
        "policies": _digest_files(root, _files(root, POLICIES)),
        "lambda_src": _digest_files(root, _files(root, HANDLERS)),
        "tool versions": hashlib.sha256(json.dumps(tool_versions(), sort_keys=True).encode()).hexdigest(),
    }


def stack_keys(
    root: Path, environments_dir: Path, stacks: list[str], bootstrap: str | None, options: dict[str, Any]
) -> dict[str, str]:
    """The content hash of every input of each stack (`bootstrap` reads every environment file)."""
    shared = input_classes(root)
    shared["options"] = hashlib.sha256(json.dumps(options, sort_keys=True, default=str).encode()).hexdigest()
    environment_files = {name: environments_dir / f"{name}.toml" for name in stacks}
    keys: dict[str, str] = {}
    for name in stacks:
        own = _digest_files(environments_dir, [environment_files[name]])
        keys[name] = hashlib.sha256(json.dumps({**shared, "environment": own}, sort_keys=True).encode()).hexdigest()
    if bootstrap is not None:
        every = _digest_files(environments_dir, sorted(environment_files.values()))
        keys[bootstrap] = hashlib.sha256(json.dumps({**shared, "environments": every}, sort_keys=True).encode()).hexdigest()
    return keys


def _outputs(outdir: Path, stacks: Iterable[str]) -> dict[str, str]:
    """Every file the run wrote for these stacks, with its content hash."""
    files: list[Path] = []
    for name in stacks:
        for folder in (outdir / "stacks" / name, outdir / "reports" / name):
            if folder.is_dir():
                files += [p for p in folder.rglob("*") if p.is_file()]
    return {str(p.relative_to(outdir)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(files)}


@dataclass
class Cache:
    outdir: Path

    @property
    def entry(self) -> Path:
        return self.outdir / CACHE_DIR / ENTRY

    def fresh(self, keys: dict[str, str]) -> tuple[bool, list[str]]:
        """Whether the last finished run had these inputs and its outputs are intact; else the stacks to re-run."""
        try:
            stored = json.loads(self.entry.read_text())
            if stored.get("format") != FORMAT:
                return False, sorted(keys)
            changed = sorted(name for name in keys if stored["stacks"].get(name) != keys[name])
            if changed or set(stored["stacks"]) != set(keys):
                return False, changed or sorted(keys)
            intact = _outputs(self.outdir, keys) == stored["outputs"] and bool(stored["outputs"])
            return intact, [] if intact else sorted(keys)
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return False, sorted(keys)

    def invalidate(self) -> None:
        """Before anything is written: from here until `record`, no entry exists to be trusted."""
        self.entry.unlink(missing_ok=True)

    def record(self, keys: dict[str, str], exit_code: int) -> None:
        document = {"format": FORMAT, "stacks": keys, "outputs": _outputs(self.outdir, keys), "exit_code": exit_code}
        self.entry.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.entry.parent, prefix=f".{ENTRY}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w") as handle:
                json.dump(document, handle, indent=2, sort_keys=True)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.entry)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @contextlib.contextmanager
    def locked(self, notice: TextIO = sys.stderr) -> Iterator[None]:
        """One run at a time per output folder; a second run waits for the first (the OS frees the lock if it dies)."""
        lock_path = self.outdir / CACHE_DIR / LOCK
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        with lock_path.open("a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                print(f"Another run is writing {self.outdir}; waiting for it to finish.", file=notice)
                fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
