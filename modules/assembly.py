"""Stacks: one FoundationStack per environment, and the bootstrap stack for the state bucket.

A stack owns the providers, the backend and the default tags, then builds the enabled
components in registry order; constructs never create providers.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from constructs import Construct

from modules.components.registry import OFF, REGISTRY
from modules.config import EnvironmentConfig
from modules.config.risks import off_risks, weakened_risks
from modules.core.aws import provider
from modules.core.context import BuildContext
from modules.core.contributions import Contributions
from modules.core.first_addresses import first_addresses
from modules.core.framework import FRAMEWORK, App, LocalBackend, S3Backend, TerraformOutput, TerraformStack
from modules.core.identity import AccountContext
from modules.core.ports import Ports
from modules.core.profile import PROTECTION
from modules.primitives.state_bucket import StateBucket, StateBucketProps

# The provider release the framework's bindings describe (modules/core/framework.py).
AWS_PROVIDER_SOURCE = "hashicorp/aws"
AWS_PROVIDER_VERSION = FRAMEWORK.aws_provider_version
# Where the stack's own description goes in the synthesized JSON: Terraform and
# Checkov ignore "//", the gates read it (profile, budget, usage profile, risks).
METADATA_KEY = "foundation"


def _configure_terraform(stack: TerraformStack) -> None:
    # cdktf writes "source": "aws"; the fully qualified name avoids ambiguity with
    # OpenTofu's registry and with provider mirrors.
    stack.add_override("terraform.required_providers.aws.source", AWS_PROVIDER_SOURCE)
    stack.add_override("terraform.required_providers.aws.version", AWS_PROVIDER_VERSION)


def _providers(stack: TerraformStack, region: str, tags: dict[str, str]) -> tuple[provider.AwsProvider, provider.AwsProvider]:
    default = provider.AwsProvider(stack, "aws", region=region, default_tags=[provider.AwsProviderDefaultTags(tags=tags)])
    # CloudFront-scoped resources (WAF web ACLs, ACM certificates) must live in us-east-1.
    us_east_1 = provider.AwsProvider(
        stack, "aws-us-east-1", alias="us_east_1", region="us-east-1", default_tags=[provider.AwsProviderDefaultTags(tags=tags)]
    )
    return default, us_east_1


def render_backend(stack: TerraformStack, config: EnvironmentConfig) -> None:
    """Local state beside the stack by default; S3 with native locking when configured."""
    state = config.state
    if state.backend == "s3":
        S3Backend(stack, bucket=state.bucket, key=state.key, region=state.region, encrypt=True)
        # cdktf 0.21 has no use_lockfile argument; Terraform >= 1.11 locks with a
        # lock object next to the state (DynamoDB locking is deprecated).
        stack.add_override("terraform.backend.s3.use_lockfile", True)
    else:
        # A relative path keeps the synthesized JSON free of machine-specific paths;
        # Terraform resolves it in cdktf.out/stacks/<env>/.
        LocalBackend(stack, path=f"terraform.{config.name}.tfstate")


def _describe(stack: TerraformStack, metadata: dict[str, Any]) -> None:
    stack.add_override(f"//.{METADATA_KEY}", metadata)


def _builders(config: EnvironmentConfig) -> tuple[list[tuple[Any, Any, Mapping[str, Any]]], dict[str, str]]:
    """The build function, settings and options of each enabled component in registry order, and
    the moved path prefixes of their modules: known before anything is built, since an element's
    address is fixed once it is referenced."""
    builders = []
    first_paths: dict[str, str] = {}
    for component in REGISTRY:
        variant = config.components[component.name]
        if variant == OFF:
            continue
        spec = component.variants[variant]
        module_name, function = spec.builder.split(":")
        module = importlib.import_module(module_name)
        first_paths.update(getattr(module, "FIRST_PATHS", {}))
        builders.append((getattr(module, function), config.settings[component.name], spec.options))
    return builders, first_paths


class FoundationStack(TerraformStack):
    """One environment: the components its file enables, built in registry order."""

    def __init__(self, scope: Construct, config: EnvironmentConfig) -> None:
        builders, first_paths = _builders(config)
        super().__init__(scope, config.name)
        self.config = config
        # Elements below a construct path that changed since users first applied them keep
        # the address of their first path; cdktf allocates every other one.
        with first_addresses(self, first_paths):
            self._build(config, builders)

    def _build(self, config: EnvironmentConfig, builders: list[tuple[Any, Any, Mapping[str, Any]]]) -> None:
        _configure_terraform(self)
        _, us_east_1 = _providers(self, config.region, config.default_tags())
        render_backend(self, config)
        self.ctx = BuildContext(
            environment=config.name,
            profile=config.profile,
            protection=PROTECTION[config.profile],
            region=config.region,
            project=config.tags.project,
            name=f"{config.tags.project}-{config.name}",
            bucket_suffix=config.bucket_suffix,
            account=AccountContext(self, "account", region=config.region),
            us_east_1=us_east_1,
            # Packages are built beside the synthesized stacks; synthesis copies them in.
            build_dir=Path(App.of(self).outdir) / "build" / config.name,
            budget_usd=config.budget_usd,
        )
        self.ports = Ports()
        made: Contributions = self.ports.contributions
        for build, settings, options in builders:
            made.extend(build(self, self.ctx, settings, self.ports, config.parts, **options))
        # Protective components turned off, then settings weaker than production's, each
        # with the reason the file gives for accepting it.
        risks = off_risks(config.components) + made.risks + weakened_risks(config.profile, config.components, config.settings)
        made.risks = [replace(risk, reason=config.accepted_risks.get(risk.setting, risk.reason)) for risk in risks]
        for finalize in self.ports.finalizers:
            finalize()
        for output in made.outputs:
            TerraformOutput(self, output.name, value=output.value, description=output.description)
        _describe(
            self,
            {
                "environment": config.name,
                "profile": config.profile,
                "components": dict(config.components),
                "budget_usd": config.budget_usd,
                "usage_profile": config.usage_profile,
                # Only when the file gives figures of its own, so that other stacks' JSON stays as it was.
                **({"usage_overrides": dict(config.usage_overrides)} if config.usage_overrides else {}),
                "risks": [
                    {"component": r.component, "setting": r.setting, "risk": r.risk} | ({"reason": r.reason} if r.reason else {})
                    for r in made.risks
                ],
            },
        )


class BootstrapStack(TerraformStack):
    """Creates the state bucket, with local state (it cannot keep its state in itself)."""

    def __init__(self, scope: Construct, configs: list[EnvironmentConfig]) -> None:
        super().__init__(scope, "bootstrap")
        # All environments share the bucket (the config loader checks they agree); the
        # first environment that retains its resources (a production profile) is billed for it.
        owner = next((c for c in configs if PROTECTION[c.profile].retain_on_destroy), configs[0])
        _configure_terraform(self)
        tags = {**owner.default_tags(), "environment": "bootstrap"}
        _providers(self, owner.state.region, tags)
        LocalBackend(self, path="terraform.bootstrap.tfstate")
        account = AccountContext(self, "account", region=owner.state.region)
        self.state_bucket = StateBucket(self, "state", account=account, props=StateBucketProps(bucket=owner.state.bucket))
        TerraformOutput(self, "state_bucket", value=self.state_bucket.bucket.bucket, description="Terraform state bucket")
        TerraformOutput(self, "state_key_arn", value=self.state_bucket.key.arn, description="KMS key of the state bucket")
        _describe(
            self,
            {
                "environment": "bootstrap",
                "profile": "production",
                "components": {"state": "s3"},
                "budget_usd": owner.state.monthly_budget_usd,
                "risks": [],
            },
        )
