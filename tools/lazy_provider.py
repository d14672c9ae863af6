"""Generate the AWS provider's jsii package with a lazily-defining `lib/index.js` (run by `make install`).

The Python loader (modules/core/aws.py) imports only the provider modules the
app uses, but the JavaScript package it drives is a single `lib/index.js` that
`require`s all ~2,200 resource modules when the jsii kernel loads it (seconds,
and most of the peak memory of a synth). This script copies the installed
package tarball, replacing each `exports.x = require("./x");` of that index by
a getter that requires the module on first use. Nothing else in the tarball
changes (the `.jsii` assembly and every resource module are the same bytes), so
the kernel builds the same objects and the synthesized JSON is identical.

The result goes next to the shipped tarball, in `_jsii/lazy/`, with a manifest
naming the tarball it was made from; the loader uses it only while that
tarball is unchanged. Repeatable: the output is a pure function of the input.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import importlib.util
import io
import json
import os
import re
import sys
import tarfile
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

PACKAGE = "cdktf_cdktf_provider_aws"
INDEX_MEMBER = "package/lib/index.js"
LAZY_DIR = "lazy"
MANIFEST = "manifest.json"

# tsc compiles `export * as vpc from './vpc'` to exactly this line.
_REQUIRE_LINE = re.compile(r'^exports\.([A-Za-z_$][\w$]*) = require\("(\./[\w.-]+)"\);$')

# Defined once at the top of the index; each export becomes an accessor that
# replaces itself with the loaded module, so later reads cost a plain lookup.
_HELPER = """function __lazyExport(name, path) {
    Object.defineProperty(exports, name, {
        enumerable: true,
        configurable: true,
        get: function () {
            const value = require(path);
            Object.defineProperty(exports, name, { value: value, enumerable: true, writable: true, configurable: true });
            return value;
        },
    });
}"""


class LazyIndexError(Exception):
    """The provider's index is not in the shape this generator understands."""


def jsii_dir() -> Path:
    """The installed provider's `_jsii` folder, found without importing the package (its __init__ is the slow part)."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise LazyIndexError(f"{PACKAGE} is not installed in this interpreter ({sys.executable}); run `make install`.")
    return Path(next(iter(spec.submodule_search_locations))) / "_jsii"


def shipped_tarball(directory: Path) -> Path:
    found = sorted(directory.glob("*.jsii.tgz"))
    if len(found) != 1:
        raise LazyIndexError(f"expected one *.jsii.tgz in {directory}, found {len(found)}")
    return found[0]


def lazy_index(source: str) -> tuple[str, int]:
    """The index with every require deferred, and how many exports were made lazy."""
    lines = source.split("\n")
    out: list[str] = []
    lazy = 0
    helper_placed = False
    for line in lines:
        match = _REQUIRE_LINE.match(line)
        if match:
            name, path = match.groups()
            out.append(f'__lazyExport("{name}", "{path}");')
            lazy += 1
            continue
        if "require(" in line:
            # Anything else that loads code at import would change behaviour if left eager
            # or reordered: refuse rather than guess.
            raise LazyIndexError(f"unexpected require in the provider's lib/index.js: {line[:120]!r}")
        out.append(line)
        if not helper_placed and line.startswith('Object.defineProperty(exports, "__esModule"'):
            out.append(_HELPER)
            helper_placed = True
    if not helper_placed or lazy == 0:
        raise LazyIndexError("the provider's lib/index.js does not have the shape of a tsc-compiled index of submodules")
    return "\n".join(out), lazy


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _atomic_write(path: Path, write: Callable[[BinaryIO], object]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; the venv's files are world-readable
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def generate(directory: Path) -> tuple[Path, int]:
    source = shipped_tarball(directory)
    target = directory / LAZY_DIR / source.name
    lazy = 0

    def write_tarball(handle: BinaryIO) -> None:
        nonlocal lazy
        # mtime=0 and a fixed member order keep the output byte-identical between installs,
        # so the jsii package cache (keyed by the tarball's content) is reused.
        with (
            tarfile.open(source, "r:gz") as original,
            gzip.GzipFile(fileobj=handle, mode="wb", mtime=0, compresslevel=1) as zipped,
            tarfile.open(fileobj=zipped, mode="w", format=original.format) as rewritten,
        ):
            seen_index = False
            for member in original:
                data = original.extractfile(member) if member.isfile() else None
                if member.name == INDEX_MEMBER and data is not None:
                    text, lazy = lazy_index(data.read().decode("utf-8"))
                    body = text.encode("utf-8")
                    member.size = len(body)
                    rewritten.addfile(member, io.BytesIO(body))
                    seen_index = True
                else:
                    rewritten.addfile(member, data)
            if not seen_index:
                raise LazyIndexError(f"{source.name} has no {INDEX_MEMBER}")

    _atomic_write(target, write_tarball)
    stat = source.stat()
    manifest = {
        "source": source.name,
        "source_size": stat.st_size,
        "source_sha256": sha256(source),
        "lazy_exports": lazy,
    }
    _atomic_write(directory / LAZY_DIR / MANIFEST, lambda h: h.write((json.dumps(manifest, indent=2) + "\n").encode()))
    return target, lazy


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.parse_args(argv)
    try:
        target, lazy = generate(jsii_dir())
    except (LazyIndexError, OSError, tarfile.TarError) as exc:
        print(f"Could not generate the lazy provider index: {exc}", file=sys.stderr)
        return 2
    print(f"Lazy provider index: {lazy} exports deferred, {target.name} in {target.parent}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
