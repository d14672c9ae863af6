"""Build the CDKTF App from the environment files: all stacks in one process."""

from __future__ import annotations

from pathlib import Path

from modules.assembly import BootstrapStack, FoundationStack
from modules.config import EnvironmentConfig, load_environments
from modules.core.framework import App


def build_app(
    environments_dir: Path, outdir: Path, names: list[str] | None = None, *, bootstrap: bool = True
) -> tuple[App, list[EnvironmentConfig]]:
    """Validate every environment first (raises ConfigError), then compose the stacks.

    Nothing is written until the caller calls `app.synth()`, so an invalid file
    leaves `cdktf.out/` as it was.
    """
    configs = load_environments(environments_dir, names, shared_state=bootstrap)
    app = App(outdir=str(outdir))
    for config in configs:
        FoundationStack(app, config)
    if bootstrap:
        BootstrapStack(app, configs)
    return app, configs
