"""Run Terraform on a synthesized, already gated stack: `plan` or `apply`.

    python tools/terraform.py plan prod
    python tools/terraform.py apply prod [--auto-approve]

Stops before Terraform does anything when it cannot succeed, with one paragraph
saying why and what to do: no Terraform (or one older than 1.11), no AWS
credentials, or a provider that cannot be downloaded (air-gapped users point
TF_CLI_CONFIG_FILE at a filesystem mirror).

Exit codes: 0 success, 1 Terraform failed, 3 the machine is not ready to run Terraform.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MIN_TERRAFORM = (1, 11)  # native S3 state locking (use_lockfile) arrived in 1.11
NOT_READY = 3

_PROVIDER_DOWNLOAD_MARKERS = (
    "Failed to query available provider packages",
    "Failed to install provider",
    "could not connect to registry",
    "Failed to resolve provider packages",
)


class NotReady(Exception):
    """The machine cannot run this Terraform command; the message says what to do."""


def _paragraph(text: str) -> str:
    return textwrap.fill(" ".join(text.split()), width=100, break_long_words=False, break_on_hyphens=False)


def terraform_env() -> dict[str, str]:
    env = dict(os.environ)
    cli_config = env.get("TF_CLI_CONFIG_FILE")
    if cli_config and not Path(cli_config).is_file():
        print(
            _paragraph(
                f"Note: TF_CLI_CONFIG_FILE points to {cli_config}, which does not exist; running Terraform "
                "without a CLI configuration file."
            ),
            file=sys.stderr,
        )
        del env["TF_CLI_CONFIG_FILE"]
    env.setdefault("TF_IN_AUTOMATION", "1")
    return env


def check_terraform(env: dict[str, str]) -> str:
    binary = shutil.which("terraform", path=env.get("PATH"))
    if binary is None:
        raise NotReady(
            "Terraform is not installed. Install Terraform 1.11 or newer (it adds native S3 state locking) "
            "and run the command again; `make check` needs no Terraform and still gates every stack."
        )
    out = subprocess.run([binary, "version", "-json"], capture_output=True, text=True, env=env, check=False)
    try:
        version = json.loads(out.stdout)["terraform_version"]
        parts = tuple(int(p) for p in version.split(".")[:2])
    except (ValueError, KeyError):
        raise NotReady(f"Could not read the version of {binary}; is it Terraform? It printed: {out.stdout[:200]!r}")
    if parts < MIN_TERRAFORM:
        raise NotReady(
            f"Terraform {version} is too old: 1.11 or newer is needed for native S3 state locking "
            "(use_lockfile). Upgrade Terraform and run the command again."
        )
    return binary


def check_credentials() -> None:
    import boto3  # here, not at the top: `--help` and the Terraform checks need no AWS SDK

    if boto3.Session().get_credentials() is None:
        raise NotReady(
            "No AWS credentials found, so Terraform cannot plan against your account. Set AWS_PROFILE "
            "(after `aws sso login`), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run where an "
            "instance or CI role provides them, then run the command again. Everything that needs no "
            "account, synthesis and every gate, already ran with `make check`."
        )


def init(binary: str, stack_dir: Path, env: dict[str, str]) -> None:
    result = subprocess.run(
        [binary, f"-chdir={stack_dir}", "init", "-input=false", "-no-color"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if result.returncode == 0:
        return
    output = result.stdout + result.stderr
    if any(marker in output for marker in _PROVIDER_DOWNLOAD_MARKERS):
        mirror_config = env.get("TF_CLI_CONFIG_FILE")
        if mirror_config:
            raise NotReady(
                "Terraform could not find the hashicorp/aws provider (6.25.0) in the installation sources "
                f"configured by TF_CLI_CONFIG_FILE ({mirror_config}). Copy the provider into that mirror "
                "(`terraform providers mirror DIR` on a machine that can reach the Terraform registry, run in "
                "this stack's folder) and run the command again."
            )
        raise NotReady(
            "Terraform could not download the hashicorp/aws provider (6.25.0): the Terraform registry is "
            "not reachable from this machine. On an air-gapped machine, put the provider in a filesystem "
            "mirror (`terraform providers mirror DIR` on a connected machine, then copy DIR) and point "
            "TF_CLI_CONFIG_FILE at a file containing `provider_installation { filesystem_mirror { path = "
            '"DIR" } }`, then run the command again.'
        )
    sys.stderr.write(output)
    raise subprocess.CalledProcessError(result.returncode, "terraform init")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tools/terraform.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=["plan", "apply"])
    parser.add_argument("env")
    parser.add_argument("--outdir", type=Path, default=ROOT / "cdktf.out")
    parser.add_argument("--auto-approve", action="store_true", help="apply without asking (CI with an approval gate)")
    args = parser.parse_args(argv)

    stack_dir = args.outdir / "stacks" / args.env
    if not (stack_dir / "cdk.tf.json").is_file():
        print(f"No synthesized stack at {stack_dir}; run `make synth` (or `make check`) first.", file=sys.stderr)
        return 2
    env = terraform_env()
    try:
        binary = check_terraform(env)
        check_credentials()
        init(binary, stack_dir, env)
    except NotReady as exc:
        print(_paragraph(str(exc)), file=sys.stderr)
        return NOT_READY
    except subprocess.CalledProcessError:
        return 1

    plan = subprocess.run([binary, f"-chdir={stack_dir}", "plan", "-input=false", "-out=tfplan"], env=env, check=False)
    if plan.returncode != 0 or args.action == "plan":
        return 0 if plan.returncode == 0 else 1
    if not args.auto_approve:
        if not sys.stdin.isatty():
            print("Refusing to apply without a terminal to confirm on; pass --auto-approve (AUTO_APPROVE=1).", file=sys.stderr)
            return 1
        answer = input(f"Apply this plan to {args.env}? Type the environment name to confirm: ")
        if answer.strip() != args.env:
            print("Not applied.", file=sys.stderr)
            return 1
    applied = subprocess.run([binary, f"-chdir={stack_dir}", "apply", "-input=false", "tfplan"], env=env, check=False)
    return 0 if applied.returncode == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
