"""Elements below a moved construct path keep their first address without a callback per element
(modules/core/first_addresses.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsii
import jsii._kernel
import pytest
from constructs import Construct

from modules.core.aws import provider, s3_bucket
from modules.core.first_addresses import FirstAddressError, first_addresses
from modules.core.framework import App, AssetType, TerraformAsset, TerraformOutput, TerraformStack
from tests.conftest import ROOT


def _bucket_stack(app: App, name: str, moved: dict[str, str], holder: str) -> None:
    """A bucket at <holder>/files/bucket, an unmoved one beside it, and outputs that reference both."""
    stack = TerraformStack(app, name)
    provider.AwsProvider(stack, "aws", region="eu-central-1")
    with first_addresses(stack, moved):
        files = Construct(Construct(stack, holder), "files")
        bucket = s3_bucket.S3Bucket(files, "bucket", bucket=f"{name}-files")
        TerraformOutput(stack, "files_arn", value=bucket.arn)  # the reference fixes the address
        other = s3_bucket.S3Bucket(stack, "other", bucket=f"{name}-other")
        TerraformOutput(stack, "other_arn", value=other.arn)


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    outdir = tmp_path_factory.mktemp("first-addresses")
    app = App(outdir=str(outdir))
    _bucket_stack(app, "first", {}, "storage")  # as users first applied it
    _bucket_stack(app, "renamed", {"archive": "storage"}, "archive")  # the holder renamed, its first path kept
    _bucket_stack(app, "unkept", {}, "archive")  # the same rename without it
    app.synth()
    return {name: json.loads((outdir / "stacks" / name / "cdk.tf.json").read_text()) for name in ("first", "renamed", "unkept")}


def test_an_element_below_a_moved_path_keeps_its_first_address_and_references_use_it(documents: dict[str, Any]) -> None:
    first, renamed, unkept = (set(documents[n]["resource"]["aws_s3_bucket"]) for n in ("first", "renamed", "unkept"))
    assert first == renamed
    assert first != unkept  # the test would notice an override that did nothing
    (address,) = first - {"other"}
    assert documents["renamed"]["output"]["files_arn"]["value"] == f"${{aws_s3_bucket.{address}.arn}}"
    # The path written beside the resource is the one it has now.
    metadata = documents["renamed"]["resource"]["aws_s3_bucket"][address]["//"]["metadata"]
    assert metadata["path"] == "renamed/archive/files/bucket"


def test_elements_outside_moved_paths_keep_the_frameworks_own_address(documents: dict[str, Any]) -> None:
    for name in ("first", "renamed", "unkept"):
        assert "other" in documents[name]["resource"]["aws_s3_bucket"]
        assert documents[name]["output"]["other_arn"]["value"] == "${aws_s3_bucket.other.arn}"


def test_the_runtime_is_left_as_it_was(tmp_path: Path) -> None:
    stock = jsii.create
    stack = TerraformStack(App(outdir=str(tmp_path)), "s")
    with pytest.raises(RuntimeError), first_addresses(stack, {"a": "b"}):
        assert jsii.create is not stock
        raise RuntimeError("a build that failed")
    assert jsii.create is stock
    assert not [k for k in vars(stack) if k.startswith("_foundation")]


def test_an_asset_below_a_moved_path_is_refused_by_name(tmp_path: Path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    (source / "index.py").write_text("")
    stack = TerraformStack(App(outdir=str(tmp_path / "out")), "s")
    with pytest.raises(FirstAddressError, match="archive/code"), first_addresses(stack, {"archive": "storage"}):
        TerraformAsset(Construct(stack, "archive"), "code", path=str(source), type=AssetType.ARCHIVE)


@pytest.fixture
def callbacks(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The Python methods Node.js calls back while the fixture is active."""
    called: list[str] = []
    stock = jsii._kernel._handle_callback

    def handle(kernel: Any, callback: Any) -> Any:
        called.append(str(callback.cookie))
        return stock(kernel, callback)

    monkeypatch.setattr(jsii._kernel, "_handle_callback", handle)
    yield called


def test_building_and_synthesizing_an_environment_asks_python_for_no_logical_id(tmp_path: Path, callbacks: list[str]) -> None:
    from modules.assembly import FoundationStack
    from modules.config import load_environments

    (dev,) = load_environments(ROOT / "environments", ["dev"], shared_state=False)
    app = App(outdir=str(tmp_path))
    FoundationStack(app, dev)
    app.synth()
    document = json.loads((tmp_path / "stacks" / "dev" / "cdk.tf.json").read_text())
    assert document["resource"]["aws_dynamodb_table"]  # below the moved metadata_table path
    assert not [c for c in callbacks if "logical_id" in c], callbacks
