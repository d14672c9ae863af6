"""`make outputs`: env files that keep ids, names, endpoints and ARNs and leave out secret values."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

from operations.outputs import render
from operations.validate import read_env_file
from tests.conftest import ROOT, Stack

FAKE_SECRET = "s3cr3t-Pa55word-value"


def _terraform_output(values: dict[str, Any], sensitive: tuple[str, ...] = ()) -> dict[str, Any]:
    return {k: {"sensitive": k in sensitive, "type": "string", "value": v} for k, v in values.items()}


def test_env_file_keeps_ids_and_arns_and_leaves_out_secret_values() -> None:
    outputs = _terraform_output(
        {
            "vpc_id": "vpc-0abc",
            "public_subnet_ids": ["subnet-a", "subnet-b"],
            "db_secret_arn": "arn:aws:secretsmanager:eu-central-1:123456789012:secret:rds!cluster-1-AbCdEf",
            "db_password": FAKE_SECRET,
            "api_token": FAKE_SECRET,
            "cdn_tls": 'CloudFront default certificate; "TLS" minimum not set',
        },
        sensitive=("db_password",),
    )
    env_file = render("prod", outputs, "test")
    text = "\n".join(env_file.lines)
    assert FAKE_SECRET not in text
    assert env_file.omitted == {
        "api_token": "its name says it holds a secret and its value is not an ARN",
        "db_password": "Terraform marks it sensitive",
    }
    assert "VPC_ID=vpc-0abc" in env_file.lines
    assert "PUBLIC_SUBNET_IDS=subnet-a,subnet-b" in env_file.lines
    # Quoted: "!" means something to interactive shells.
    assert 'DB_SECRET_ARN="arn:aws:secretsmanager:eu-central-1:123456789012:secret:rds!cluster-1-AbCdEf"' in env_file.lines
    assert 'CDN_TLS="CloudFront default certificate; \\"TLS\\" minimum not set"' in env_file.lines


def test_env_file_round_trips_through_the_validator_reader(tmp_path: Path) -> None:
    outputs = _terraform_output({"cdn_tls": 'a "quoted" note', "nat_gateway_ids": [], "db_port": 5432})
    path = tmp_path / ".env.dev"
    path.write_text("\n".join(render("dev", outputs, "test").lines) + "\n")
    assert read_env_file(path) == {"CDN_TLS": 'a "quoted" note', "NAT_GATEWAY_IDS": "", "DB_PORT": "5432"}


def test_no_output_of_the_synthesized_stacks_carries_a_secret_value(prod: Stack, dev: Stack) -> None:
    """Every output is a reference to an id, name, endpoint or ARN, never a secret's value."""
    for stack in (prod, dev):
        for name, output in stack.doc["output"].items():
            value = json.dumps(output["value"])
            assert "secret_string" not in value and "password" not in value.lower(), name
            assert output.get("sensitive") is not True, name


def _run_outputs(tmp_path: Path, *args: str, path: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": path if path is not None else os.environ["PATH"]}
    return subprocess.run(
        [sys.executable, "-m", "operations.outputs", *args], capture_output=True, text=True, cwd=ROOT, env=env, check=False
    )


def test_outputs_asks_terraform_and_writes_the_whole_file(tmp_path: Path, prod: Stack) -> None:
    # A stand-in terraform on PATH printing outputs for every output the prod stack declares.
    stack_dir = tmp_path / "cdktf.out" / "stacks" / "prod"
    stack_dir.mkdir(parents=True)
    (stack_dir / "cdk.tf.json").write_text(json.dumps(prod.doc))
    values = {name: f"value-of-{name}" for name in prod.doc["output"]}
    values["db_secret_arn"] = "arn:aws:secretsmanager:eu-central-1:123456789012:secret:rds!cluster-x"
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "terraform"
    fake.write_text(f"#!/bin/sh\ncat <<'EOF'\n{json.dumps(_terraform_output(values))}\nEOF\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    target = tmp_path / ".env.prod"
    result = _run_outputs(
        tmp_path, "prod", "--outdir", str(tmp_path / "cdktf.out"), "--to", str(target), path=f"{bin_dir}:/usr/bin:/bin"
    )
    assert result.returncode == 0, result.stderr
    written = read_env_file(target)
    assert set(written) == {name.upper() for name in prod.doc["output"]}
    assert written["DB_SECRET_ARN"].startswith("arn:aws:secretsmanager:")


def test_outputs_without_terraform_stops_with_exit_3_and_writes_nothing(tmp_path: Path, synth_dir: Path) -> None:
    target = tmp_path / ".env.dev"
    result = _run_outputs(tmp_path, "dev", "--outdir", str(synth_dir), "--to", str(target), path=str(tmp_path))
    assert result.returncode == 3
    assert "Terraform is not installed or not on PATH" in result.stderr
    assert not target.exists()


def test_outputs_from_a_file_that_is_not_json_is_exit_2_and_writes_nothing(tmp_path: Path) -> None:
    saved = tmp_path / "outputs.json"
    saved.write_text("vpc_id = vpc-1")
    target = tmp_path / ".env.dev"
    result = _run_outputs(tmp_path, "dev", "--from", str(saved), "--to", str(target))
    assert result.returncode == 2
    assert "outputs.json: not JSON" in result.stderr
    assert not target.exists() and list(tmp_path.iterdir()) == [saved]
