"""Checkov's results per stack, kept for the next run: a stack whose scan inputs are unchanged is not scanned again.

When one environment file of several changes, the run cache (modules/cache.py) misses
and every stack is synthesized and gated again; the stacks that did not change come out
byte for byte as before, and their Checkov scan (most of a stack's gate time) would
repeat what the last run found. With a scan cache folder (`main.py` uses
`<outdir>/.cache/scans/`, `python -m gates --scan-cache DIR`), each stack's share of
Checkov's report is kept under a hash of everything that can change it:

- the scanned file's bytes;
- the scan: the command's arguments but the files (framework, output, `--check`);
- the checks: every file below each external checks folder and the `policies/` package
  they import (rules, acceptance markers, country table);
- the scanner: the Checkov executable's path and, for the project's environment, its lock
  file and Checkov's version; the server's changes to Checkov (gates/checkov_worker/);
- the environment variables Checkov reads (CKV_*, CHECKOV_*, BC_*, RENDER_*, LOG_LEVEL).

An entry names no path of its own: the results are handed back with the path of the stack
now scanned, as Checkov would have written it. Entries are written whole (temp file, then
rename), one per stack; an entry that cannot be read, or does not hold what an entry
holds, is scanned again. A run that could not scan (Checkov crashed or printed no report)
writes nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FORMAT = 1
SECTIONS = ("passed_checks", "failed_checks", "skipped_checks")
# Checkov's settings from the environment (checkov/common/util/env_vars_config.py and its runners).
_ENV_PREFIXES = ("CKV_", "CHECKOV_", "BC_", "RENDER_", "LOG_LEVEL")
_SCANNER_FILES = (
    ROOT / "tools" / "checkov" / "Pipfile.lock",
    *sorted((ROOT / "gates" / "checkov_worker").glob("*.py")),
)


def _tree(digest: Any, folder: Path) -> None:
    """Every file below `folder` (caches aside), by relative name and content, into `digest`."""
    if not folder.is_dir():
        digest.update(f"absent:{folder}\n".encode())
        return
    for path in sorted(folder.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(f"{path.relative_to(folder)}\n".encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())


def _checkov_version(executable: Path) -> str:
    """Checkov's own version file beside the executable's venv, when it is one."""
    for version in sorted(executable.parent.parent.glob("lib/python*/site-packages/checkov/version.py")):
        return version.read_text(encoding="utf-8", errors="replace")
    return ""


def scan_key(command: list[str], checks_dirs: Iterable[Path], env: dict[str, str]) -> str:
    """The hash of everything but the stack that decides what a scan with `command` reports."""
    digest = hashlib.sha256(f"scan-cache {FORMAT}\n".encode())
    files = {i + 1 for i, arg in enumerate(command) if arg == "-f"}
    executable = Path(command[0])
    digest.update(json.dumps([str(executable.resolve()), _checkov_version(executable)]).encode())
    digest.update(json.dumps([a for i, a in enumerate(command[1:], 1) if a != "-f" and i not in files]).encode())
    # policies/ holds the project's checks and what they import; other folders are hashed apart.
    policies = ROOT / "policies"
    for folder in [*(f for f in checks_dirs if not f.resolve().is_relative_to(policies)), policies]:
        _tree(digest, folder)
    for path in _SCANNER_FILES:
        digest.update(f"{path.name}\n".encode())
        digest.update(path.read_bytes() if path.is_file() else b"absent")
    digest.update(json.dumps(sorted((k, v) for k, v in env.items() if k.startswith(_ENV_PREFIXES))).encode())
    return digest.hexdigest()


def stack_key(base: str, scanned_file: Path) -> str:
    return hashlib.sha256(f"{base}\n".encode() + scanned_file.read_bytes()).hexdigest()


def _is_entry(entry: Any) -> bool:
    """Holds what the gate reads of a report entry (gates/security.py, `evaluate`)."""
    lines = entry.get("file_line_range") if isinstance(entry, dict) else None
    return (
        isinstance(entry, dict)
        and isinstance(entry.get("check_id"), str)
        and isinstance(entry.get("resource"), str)
        and (lines is None or (isinstance(lines, list) and all(isinstance(n, int) for n in lines)))
        and isinstance(entry.get("check_result") or {}, dict)
        and isinstance(entry.get("details") or [], list)
    )


def load(folder: Path, key: str, scanned_file: Path) -> dict[str, Any] | None:
    """The stack's report share from an earlier scan, with this stack's path, or None to scan it."""
    try:
        entry = json.loads((folder / f"{key}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not (
        isinstance(entry, dict)
        and entry.get("format") == FORMAT
        and isinstance(entry.get("results"), dict)
        and all(isinstance(entry["results"].get(kind), list) for kind in SECTIONS)
        and all(_is_entry(e) for kind in SECTIONS for e in entry["results"][kind])
        and isinstance(entry.get("parsing_error"), bool)
        and isinstance(entry.get("crashes"), list)
        and all(isinstance(c, dict) and set(c) == {"check", "resource"} for c in entry["crashes"])
    ):
        return None
    path = str(scanned_file.resolve())
    results: dict[str, Any] = {kind: [{**e, "file_abs_path": path} for e in entry["results"][kind]] for kind in SECTIONS}
    results["parsing_errors"] = [path] if entry["parsing_error"] else []
    return {
        "results": results,
        "summary": {"checkov_version": entry.get("checkov_version")},
        # As Checkov's log names the file: below the working directory, with a leading slash.
        "crashes": [
            {"check": c["check"], "file": "/" + os.path.relpath(path), "resource": c["resource"]} for c in entry["crashes"]
        ],
    }


def prune(folder: Path, keep: set[str]) -> None:
    """Remove the entries of stacks this run did not gate: the folder holds the last run's stacks."""
    if not folder.is_dir():
        return
    for path in folder.glob("*.json"):
        if path.stem not in keep:
            path.unlink(missing_ok=True)


def store(folder: Path, key: str, share: dict[str, Any]) -> None:
    """Keep one stack's share of a report (as `split` gives it), written whole or not at all."""
    entry = {
        "format": FORMAT,
        "checkov_version": share["checkov_version"],
        "results": {kind: [{k: v for k, v in e.items() if k != "file_abs_path"} for e in share[kind]] for kind in SECTIONS},
        "parsing_error": share["parsing_error"],
        "crashes": [{"check": c["check"], "resource": c["resource"]} for c in share["crashes"]],
    }
    folder.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump(entry, handle, separators=(",", ":"))
        os.replace(temporary, folder / f"{key}.json")
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def split(report: dict[str, Any], crashes: list[dict[str, str]], scanned: list[str]) -> dict[str, dict[str, Any]] | None:
    """Each scanned stack's share of one report (by resolved path, as the gate attributes them);
    None when some entry belongs to none of them, so that nothing half-attributed is kept."""
    shares: dict[str, dict[str, Any]] = {
        path: {"checkov_version": (report.get("summary") or {}).get("checkov_version"), "parsing_error": False, "crashes": []}
        | {kind: [] for kind in SECTIONS}
        for path in scanned
    }
    by_resolved = {str(Path(path).resolve()): path for path in scanned}
    sections = report.get("results") or {}
    for kind in SECTIONS:
        for entry in sections.get(kind) or []:
            owner = by_resolved.get(str(Path(str(entry.get("file_abs_path", ""))).resolve()))
            if owner is None:
                return None
            shares[owner][kind].append(entry)
    for text in sections.get("parsing_errors") or []:
        owner = by_resolved.get(str(Path(str(text)).resolve()))
        if owner is None:
            return None
        shares[owner]["parsing_error"] = True
    for crash in crashes:  # each with the resolved "path" of the file Checkov named
        owner = by_resolved.get(crash["path"])
        if owner is None:
            return None
        shares[owner]["crashes"].append(crash)
    return shares
