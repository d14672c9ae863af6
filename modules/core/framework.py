"""The one place the CDK framework is chosen: CDK for Terraform or CDK Terrain.

CDK for Terraform (`cdktf`) was archived by HashiCorp on 2025-12-10; its last AWS
bindings describe provider 6.25.0. CDK Terrain (`cdktn`), the maintained community
fork, has the same API under new module names and bindings for newer providers.
`FOUNDATION_CDK` chooses (`make check CDK=cdktn` sets it and uses the environment
of `tools/cdktn/Pipfile`); the rest of the project imports framework classes from
here and provider classes from `modules.core.aws`, so neither name appears anywhere
else. Both write the same Terraform JSON for the same constructs; only the pinned
provider version and the framework version in the metadata differ.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from modules.core import type_hints
from modules.core.frameworks import Framework, FrameworkError, chosen, node_heap_options

FRAMEWORK = chosen()

# The bindings' type checks resolve each signature's annotations once (modules/core/type_hints.py).
type_hints.install()

# Before the first jsii import starts the Node.js runtime (main.py does it earlier still).
node_heap_options()

if TYPE_CHECKING:
    from cdktf import (
        App,
        AssetType,
        Fn,
        LocalBackend,
        S3Backend,
        TerraformAsset,
        TerraformElement,
        TerraformOutput,
        TerraformProvider,
        TerraformResource,
        TerraformResourceLifecycle,
        TerraformStack,
    )
else:
    try:
        _cdk = importlib.import_module(FRAMEWORK.module)
    except ImportError as exc:
        hint = "make install CDK=cdktn" if FRAMEWORK.name == "cdktn" else "make install"
        raise FrameworkError(f"{FRAMEWORK.module} is not installed in this environment; run `{hint}`") from exc
    App = _cdk.App
    AssetType = _cdk.AssetType
    Fn = _cdk.Fn
    LocalBackend = _cdk.LocalBackend
    S3Backend = _cdk.S3Backend
    TerraformAsset = _cdk.TerraformAsset
    TerraformElement = _cdk.TerraformElement
    TerraformOutput = _cdk.TerraformOutput
    TerraformProvider = _cdk.TerraformProvider
    TerraformResource = _cdk.TerraformResource
    TerraformResourceLifecycle = _cdk.TerraformResourceLifecycle
    TerraformStack = _cdk.TerraformStack

__all__ = [
    "FRAMEWORK",
    "App",
    "AssetType",
    "Fn",
    "Framework",
    "FrameworkError",
    "LocalBackend",
    "S3Backend",
    "TerraformAsset",
    "TerraformElement",
    "TerraformOutput",
    "TerraformProvider",
    "TerraformResource",
    "TerraformResourceLifecycle",
    "TerraformStack",
]
