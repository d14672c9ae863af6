"""Deterministic zip packages for the Lambda handlers: same sources, same bytes, same hash."""

from __future__ import annotations

import base64
import hashlib
import zipfile
from pathlib import Path

# A fixed timestamp and mode for every entry: zip headers otherwise carry the
# checkout's mtimes, and every clone would produce a different package.
_EPOCH = (1980, 1, 1, 0, 0, 0)
_MODE = 0o644 << 16


# What each runtime family's package holds: Python modules, or Node.js modules and the
# JSON they import (package.json declares "type": "module" where a folder needs it).
PACKAGED = {"python": ("*.py",), "nodejs": ("*.mjs", "*.cjs", "*.js", "*.json")}


def _sources(function_dir: Path, shared_dir: Path | None, patterns: tuple[str, ...]) -> list[tuple[str, Path]]:
    files = []
    bases = (shared_dir, function_dir) if shared_dir is not None else (function_dir,)
    for base in bases:
        for path in sorted(p for pattern in patterns for p in base.rglob(pattern)):
            # The folders' own __init__.py only mark them for the import rules; the
            # handler runs from the zip's root and needs none.
            if "__pycache__" not in path.parts and path != base / "__init__.py":
                files.append((path.relative_to(base).as_posix(), path))
    names = [name for name, _ in files]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"{function_dir.name}: {', '.join(duplicates)} exist both in the function and in shared/")
    return sorted(files)


def build(function_dir: Path, shared_dir: Path | None, target: Path, family: str = "python") -> str:
    """Write the function's zip to `target`; returns its base64 SHA-256 (Lambda's source_code_hash).
    `shared_dir` (the Python helpers every handler imports) is left out for Node.js."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, path in _sources(function_dir, shared_dir if family == "python" else None, PACKAGED[family]):
            info = zipfile.ZipInfo(name, date_time=_EPOCH)
            info.external_attr = _MODE
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())
    tmp.replace(target)
    return base64.b64encode(hashlib.sha256(target.read_bytes()).digest()).decode()
