"""The provider's lazily-indexed JavaScript package: same JSON as the shipped one, modules loaded on first use."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tools import lazy_provider

ROOT = Path(__file__).resolve().parent.parent

EAGER_INDEX = """"use strict";
/**
 * Copyright (c) HashiCorp, Inc.
 */
Object.defineProperty(exports, "__esModule", { value: true });
exports.vpc = exports.s3Bucket = void 0;
exports.s3Bucket = require("./s3-bucket");
exports.vpc = require("./vpc");
//# sourceMappingURL=data:application/json;base64,e30=
"""


def test_lazy_index_defers_every_require_and_keeps_the_rest() -> None:
    text, lazy = lazy_provider.lazy_index(EAGER_INDEX)
    assert lazy == 2
    assert 'require("./vpc")' not in text and '__lazyExport("vpc", "./vpc");' in text
    assert "exports.vpc = exports.s3Bucket = void 0;" in text  # export order kept
    assert text.endswith("//# sourceMappingURL=data:application/json;base64,e30=\n")


def test_lazy_index_refuses_an_index_it_does_not_understand() -> None:
    with pytest.raises(lazy_provider.LazyIndexError, match="unexpected require"):
        lazy_provider.lazy_index(EAGER_INDEX + 'const helper = require("./helper");\n')
    with pytest.raises(lazy_provider.LazyIndexError, match="shape"):
        lazy_provider.lazy_index('"use strict";\nmodule.exports = {};\n')


def _load_in_node(index_text: str, directory: Path) -> dict[str, object]:
    lib = directory / "lib"
    lib.mkdir(parents=True)
    (lib / "index.js").write_text(index_text)
    for name, module in (("vpc", "vpc"), ("s3Bucket", "s3-bucket")):
        (lib / f"{module}.js").write_text(
            f'globalThis.loaded = [...(globalThis.loaded || []), "{name}"];\nexports.name = "{name}";\n'
        )
    script = (
        "const index = require(process.argv[1]);"
        "const before = globalThis.loaded || [];"
        "const keys = Object.keys(index);"
        "const name = index.vpc.name;"
        "console.log(JSON.stringify({before, name, after: globalThis.loaded, keys}));"
    )
    out = subprocess.run(["node", "-e", script, str(lib / "index.js")], capture_output=True, text=True, check=True)
    return dict(json.loads(out.stdout))


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is needed to run the generated index")
def test_generated_index_loads_a_module_only_when_its_export_is_read(tmp_path: Path) -> None:
    lazy = _load_in_node(lazy_provider.lazy_index(EAGER_INDEX)[0], tmp_path / "lazy")
    eager = _load_in_node(EAGER_INDEX, tmp_path / "eager")
    assert eager["before"] == ["s3Bucket", "vpc"]  # the shipped index loads everything up front
    assert lazy["before"] == [] and lazy["after"] == ["vpc"] and lazy["name"] == "vpc"
    assert lazy["keys"] == eager["keys"]  # same exports, same order


def test_install_wrote_a_lazy_package_from_the_installed_tarball() -> None:
    """Without it the loader falls back to the eager index, and the comparison below would prove nothing."""
    import modules.core.aws as aws

    tarball = aws.lazy_tarball()
    assert tarball is not None, "no lazy provider package: run `make install` (tools/lazy_provider.py)"
    manifest = json.loads((tarball.parent / "manifest.json").read_text())
    assert manifest["lazy_exports"] > 2000
    assert manifest["source_sha256"] == lazy_provider.sha256(tarball.parent.parent / manifest["source"])


def _synth(outdir: Path, eager: bool) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20", "CDKTF_OUTDIR": str(outdir)}
    env.pop(lazy_provider_variable(), None)
    if eager:
        env[lazy_provider_variable()] = "1"
    return subprocess.run(
        [sys.executable, "main.py", "--no-cache", "--outdir", str(outdir)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def lazy_provider_variable() -> str:
    import modules.core.aws as aws

    return aws.EAGER_INDEX_VARIABLE


def test_shipped_environments_synthesize_byte_identical_json_with_the_lazy_and_the_eager_index(tmp_path: Path) -> None:
    lazy, eager = _synth(tmp_path / "lazy", eager=False), _synth(tmp_path / "eager", eager=True)
    assert lazy.returncode == 0, lazy.stderr[-2000:]
    assert eager.returncode == 0, eager.stderr[-2000:]
    assert "lazy JavaScript index is missing" not in lazy.stderr
    lazy_files = sorted(p.relative_to(tmp_path / "lazy") for p in (tmp_path / "lazy" / "stacks").rglob("*") if p.is_file())
    eager_files = sorted(p.relative_to(tmp_path / "eager") for p in (tmp_path / "eager" / "stacks").rglob("*") if p.is_file())
    assert lazy_files == eager_files
    assert any(p.name == "cdk.tf.json" for p in lazy_files)
    for relative in lazy_files:
        assert (tmp_path / "lazy" / relative).read_bytes() == (tmp_path / "eager" / relative).read_bytes(), relative
