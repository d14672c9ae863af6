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


def _sources(function_dir: Path, shared_dir: Path) -> list[tuple[str, Path]]:
    files = []
    for base in (shared_dir, function_dir):
        for path in sorted(base.rglob("*.py")):
            # The folders' own __init__.py only mark them for the import rules; the
            # handler runs from the zip's root and needs none.
            if "__pycache__" not in path.parts and path != base / "__init__.py":
                files.append((path.relative_to(base).as_posix(), path))
    names = [name for name, _ in files]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"{function_dir.name}: {', '.join(duplicates)} exist both in the function and in shared/")
    return sorted(files)


def build(function_dir: Path, shared_dir: Path, target: Path) -> str:
    """Write the function's zip to `target`; returns its base64 SHA-256 (Lambda's source_code_hash)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, path in _sources(function_dir, shared_dir):
            info = zipfile.ZipInfo(name, date_time=_EPOCH)
            info.external_attr = _MODE
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())
    tmp.replace(target)
    return base64.b64encode(hashlib.sha256(target.read_bytes()).digest()).decode()
