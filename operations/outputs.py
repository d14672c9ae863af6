"""Write `.env.<env>` from `terraform output -json`: names, ids, endpoints and ARNs, never secrets.

    python -m operations.outputs prod                     # terraform output in cdktf.out/stacks/prod
    python -m operations.outputs prod --from outputs.json # a saved `terraform output -json`

Outputs Terraform marks sensitive are left out, and so is any output whose name
says it holds a secret unless its value is an ARN (a secret's ARN is how an
application finds it; the value stays in Secrets Manager). The file is written
whole or not at all.

Exit codes: 0 written, 2 unusable input, 3 Terraform cannot answer here.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
_SECRET_NAME = re.compile(r"(password|passwd|secret|token|private_key|credential|api_key)", re.IGNORECASE)
_ARN = re.compile(r"^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:\d{12}:.+$")
_BARE = re.compile(r"^[A-Za-z0-9_./:@,+=-]*$")


class OutputsError(Exception):
    """Input the command cannot use; the message says which and why."""

    exit_code = 2


class TerraformUnavailable(OutputsError):
    exit_code = 3


@dataclass(frozen=True)
class EnvFile:
    lines: list[str]
    written: list[str]
    omitted: dict[str, str]  # output name -> why it was left out


def _env_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(_env_value(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True, separators=(",", ":"))
    text = "" if value is None else str(value)
    if _BARE.match(text):
        return text
    # Double quotes with the escapes dotenv readers understand.
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _looks_like_arn(value: Any) -> bool:
    return isinstance(value, str) and bool(_ARN.match(value))


def render(env: str, outputs: dict[str, Any], source: str) -> EnvFile:
    """The env file for `terraform output -json` data; raises OutputsError on a wrong shape."""
    if not isinstance(outputs, dict):
        raise OutputsError(f"{source}: expected the JSON object `terraform output -json` prints, got {type(outputs).__name__}")
    lines = [f"# Outputs of the {env} stack (terraform output). No secret values: secrets are referenced by ARN."]
    written: list[str] = []
    omitted: dict[str, str] = {}
    for name in sorted(outputs):
        entry = outputs[name]
        if not isinstance(entry, dict) or "value" not in entry:
            raise OutputsError(f"{source}: output {name!r} has no 'value'; is this `terraform output -json`?")
        value = entry["value"]
        if entry.get("sensitive") is True:
            omitted[name] = "Terraform marks it sensitive"
        elif _SECRET_NAME.search(name) and not _looks_like_arn(value):
            omitted[name] = "its name says it holds a secret and its value is not an ARN"
        else:
            lines.append(f"{name.upper()}={_env_value(value)}")
            written.append(name)
            continue
        lines.append(f"# {name.upper()} left out: {omitted[name]}")
    return EnvFile(lines=lines, written=written, omitted=omitted)


def terraform_outputs(stack_dir: Path) -> dict[str, Any]:
    if not (stack_dir / "cdk.tf.json").is_file():
        raise OutputsError(f"{stack_dir}: no synthesized stack here; run `make synth` (and deploy) first")
    terraform = shutil.which("terraform")
    if terraform is None:
        raise TerraformUnavailable("Terraform is not installed or not on PATH; install Terraform 1.11 or newer.")
    result = subprocess.run([terraform, f"-chdir={stack_dir}", "output", "-json"], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise TerraformUnavailable(
            f"`terraform output` failed in {stack_dir}: {result.stderr.strip() or result.stdout.strip()} "
            "Run `make plan` / `make deploy` for this environment first; with the s3 backend it needs AWS credentials."
        )
    data = json.loads(result.stdout or "{}")
    if not data:
        raise TerraformUnavailable(
            f"{stack_dir}: the state has no outputs; the stack has not been deployed (run `make deploy ENV=...`)."
        )
    return data  # type: ignore[no-any-return]


def write_atomically(path: Path, text: str) -> None:
    """The whole file or nothing: a half-written env file would be worse than none."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m operations.outputs", description=__doc__.split("\n\n")[0])
    parser.add_argument("env", help="environment name (the stack name)")
    parser.add_argument("--from", dest="source", type=Path, help="a saved `terraform output -json` instead of asking Terraform")
    parser.add_argument("--outdir", type=Path, default=ROOT / "cdktf.out", help="where the stacks were synthesized")
    parser.add_argument("--to", type=Path, help="file to write; default .env.<env> in the project folder")
    args = parser.parse_args(argv)
    target: Path = args.to or ROOT / f".env.{args.env}"
    try:
        if args.source is not None:
            try:
                outputs = json.loads(args.source.read_text(encoding="utf-8"))
            except FileNotFoundError:
                raise OutputsError(f"{args.source}: no such file")
            except json.JSONDecodeError as exc:
                raise OutputsError(f"{args.source}: not JSON ({exc.msg} at line {exc.lineno})")
            source = str(args.source)
        else:
            stack_dir = args.outdir / "stacks" / args.env
            outputs = terraform_outputs(stack_dir)
            source = f"terraform output in {stack_dir}"
        env_file = render(args.env, outputs, source)
        if not target.parent.is_dir():
            raise OutputsError(f"{target.parent}: no such folder for the env file")
    except OutputsError as exc:
        print(f"outputs: {exc}", file=sys.stderr)
        return exc.exit_code
    write_atomically(target, "\n".join(env_file.lines) + "\n")
    print(f"Wrote {len(env_file.written)} outputs of {args.env} to {target.name}.")
    for name, why in env_file.omitted.items():
        print(f"  left out {name}: {why}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
