"""Providers, default tags, backends, outputs and the bootstrap state bucket."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.conftest import ROOT, S3_BACKEND_VARIANT, Stack

HOUSE_TAGS = {"project", "environment", "owner", "cost-centre", "managed-by"}


def test_provider_is_fully_qualified_and_pinned(prod: Stack) -> None:
    assert prod.doc["terraform"]["required_providers"]["aws"] == {"source": "hashicorp/aws", "version": "6.25.0"}


def test_two_providers_with_default_tags_and_a_us_east_1_alias(prod: Stack) -> None:
    providers = prod.doc["provider"]["aws"]
    assert len(providers) == 2
    default, alias = providers
    assert default["region"] == "eu-central-1" and "alias" not in default
    assert alias == {**alias, "alias": "us_east_1", "region": "us-east-1"}
    for p in providers:
        (tags,) = p["default_tags"]
        assert tags["tags"] == {
            "project": "filehub",
            "environment": "prod",
            "owner": "platform-team",
            "cost-centre": "cc-4711",
            "managed-by": "cdktf",
        }


def test_local_backend_is_relative_to_the_stack(prod: Stack, dev: Stack) -> None:
    assert prod.doc["terraform"]["backend"] == {"local": {"path": "terraform.prod.tfstate"}}
    assert dev.doc["terraform"]["backend"] == {"local": {"path": "terraform.dev.tfstate"}}


def test_s3_backend_has_lockfile_encryption_and_a_key_per_environment(synthesized: dict[str, Stack]) -> None:
    backend = synthesized[S3_BACKEND_VARIANT].doc["terraform"]["backend"]
    assert backend == {
        "s3": {
            "bucket": "filehub-tfstate-af2e2b9d",
            "key": "s3backend/terraform.tfstate",
            "region": "eu-central-1",
            "encrypt": True,
            "use_lockfile": True,
        }
    }


def test_no_machine_path_in_any_synthesized_file(synthesized: dict[str, Stack]) -> None:
    for name, stack in synthesized.items():
        text = json.dumps(stack.doc)
        for machine_path in (str(ROOT), str(Path.home()), tempfile.gettempdir() + "/pytest"):
            assert machine_path not in text, name


def test_outputs_expose_vpc_subnets_and_security_groups(prod: Stack) -> None:
    assert set(prod.doc["output"]) == {
        "vpc_id",
        "public_subnet_ids",
        "private_subnet_ids",
        "database_subnet_ids",
        "app_security_group_id",
        "database_security_group_id",
        "db_writer_endpoint",
        "db_reader_endpoint",
        "db_port",
        "db_cluster_arn",
        "db_secret_arn",
        "uploads_bucket",
        "profile_bucket",
        "reports_bucket",
        "logs_bucket",
        "file_table_name",
        "cdn_domain",
        "cdn_tls",
        "api_url",
        "user_pool_id",
        "user_pool_client_id",
        "object_processor_dead_letter_queue_url",
        "alarm_topic_arn",
        "alarm_topic_us_east_1_arn",
        "audit_bucket",
        "trail_arn",
        "nat_gateway_ids",
        "db_cluster_id",
        "cdn_distribution_id",
    }
    assert all(o.get("description") for o in prod.doc["output"].values())


def test_bootstrap_state_bucket_is_versioned_encrypted_private_and_retained(synthesized: dict[str, Stack]) -> None:
    boot = synthesized["bootstrap"]
    assert boot.doc["terraform"]["backend"] == {"local": {"path": "terraform.bootstrap.tfstate"}}
    buckets = {b["bucket"]: (n, b) for n, b in boot.of_type("aws_s3_bucket").items()}
    state_name, state = buckets[next(b for b in buckets if not b.endswith("-logs"))]
    assert state["lifecycle"] == {"prevent_destroy": True}

    def for_bucket(rtype: str) -> dict:
        (found,) = [r for r in boot.of_type(rtype).values() if Stack.ref_name(r["bucket"]) == state_name]
        return found

    assert for_bucket("aws_s3_bucket_versioning")["versioning_configuration"] == {"status": "Enabled"}
    sse = for_bucket("aws_s3_bucket_server_side_encryption_configuration")["rule"][0]
    assert sse["apply_server_side_encryption_by_default"]["sse_algorithm"] == "aws:kms"
    assert sse["bucket_key_enabled"] is True
    block = for_bucket("aws_s3_bucket_public_access_block")
    assert all(
        block[k] is True for k in ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")
    )
    statements = json.loads(for_bucket("aws_s3_bucket_policy")["policy"])["Statement"]
    assert {s["Sid"]: s["Condition"] for s in statements} == {
        "DenyInsecureTransport": {"Bool": {"aws:SecureTransport": "false"}},
        "DenyTlsBelow12": {"NumericLessThan": {"s3:TlsVersion": "1.2"}},
    }
    (rule,) = for_bucket("aws_s3_bucket_lifecycle_configuration")["rule"]
    assert rule["noncurrent_version_expiration"] == [{"noncurrent_days": 90, "newer_noncurrent_versions": 10}]
    logging = for_bucket("aws_s3_bucket_logging")
    assert boot.deref(logging["target_bucket"])["bucket"] == state["bucket"] + "-logs"


def test_bootstrap_is_tagged_as_its_own_environment(synthesized: dict[str, Stack]) -> None:
    tags = synthesized["bootstrap"].doc["provider"]["aws"][0]["default_tags"][0]["tags"]
    assert tags["environment"] == "bootstrap"
    assert set(tags) >= HOUSE_TAGS


def test_cdktf_cli_app_command_runs_the_gates() -> None:
    config = json.loads((ROOT / "cdktf.json").read_text())
    assert config["language"] == "python"
    assert config["app"].split()[-2:] == ["main.py", "--gate"]
    package = json.loads((ROOT / "package.json").read_text())
    assert package["devDependencies"]["cdktf-cli"] == "0.21.0"


def test_main_gates_the_synthesized_stacks_and_compares_costs(tmp_path: Path) -> None:
    """`make check COMPARE_TO=...` is `main.py --gate --compare-to`: synth, gates, and the cost change."""
    previous = tmp_path / "base-reports"
    (previous / "dev").mkdir(parents=True)
    (previous / "dev" / "cost.json").write_text(json.dumps({"env": "dev", "monthly_usd": 10.0, "resources": []}))
    outdir = tmp_path / "cdktf.out"
    result = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--env", "dev", "--outdir", str(outdir), "--gate", "--compare-to", str(previous)],
        capture_output=True, text=True, check=False, cwd=ROOT,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "dev: monthly change per resource" in result.stdout
    cost = json.loads((outdir / "reports" / "dev" / "cost.json").read_text())
    assert cost["compared_to"]["monthly_usd"] == 10.0
    assert cost["compared_to"]["delta_usd"] == round(cost["monthly_usd"] - 10.0, 2)
    assert (outdir / "stacks" / "dev" / "cdk.tf.json").is_file()
