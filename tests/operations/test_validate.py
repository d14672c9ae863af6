"""`make validate`: post-deploy checks against a moto server holding a matching deployment
and a deliberately broken one."""

from __future__ import annotations

import http.server
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from operations.outputs import render
from operations.validate import Validator, read_env_file
from tests.conftest import ROOT
from tests.operations.test_outputs import _terraform_output

REGION = "eu-central-1"


class _Api(http.server.BaseHTTPRequestHandler):
    """/protected/v1/... answers 401 like a Cognito authorizer; /open/v1/... answers 200."""

    def do_GET(self) -> None:
        self.send_response(401 if self.path.startswith("/protected/") else 200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"message":"Unauthorized"}')

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def api_base() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Api)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="module")
def aws_env(moto_endpoint: str) -> Iterator[dict[str, str]]:
    env = {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ENDPOINT_URL": moto_endpoint,
    }
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    yield env
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def _deploy(name: str, api_url: str, *, broken: bool) -> dict[str, Any]:
    """Resources shaped like a deployed stack, in moto; `broken` spoils one thing per check."""
    session = boto3.Session(region_name=REGION)
    ec2 = session.client("ec2")
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets: dict[str, list[str]] = {"public": [], "private": [], "database": []}
    for tier, base in (("public", 1), ("private", 11), ("database", 21)):
        for index, zone in enumerate("abc"):
            created = ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"10.0.{base + index}.0/24", AvailabilityZone=f"{REGION}{zone}")
            subnets[tier].append(created["Subnet"]["SubnetId"])
    nats = []
    for index in range(2):
        allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
        nats.append(
            ec2.create_nat_gateway(SubnetId=subnets["public"][index], AllocationId=allocation)["NatGateway"]["NatGatewayId"]
        )
    if broken:
        ec2.delete_nat_gateway(NatGatewayId=nats[1])

    rds = session.client("rds")
    cluster = f"{name}-db"
    rds.create_db_cluster(
        DBClusterIdentifier=cluster,
        Engine="aurora-postgresql",
        EngineVersion="16.6",
        MasterUsername="filehub_admin",
        ManageMasterUserPassword=True,
        StorageEncrypted=not broken,
    )
    for index, zone in enumerate(("a", "a") if broken else ("a", "b")):
        rds.create_db_instance(
            DBInstanceIdentifier=f"{cluster}-{index + 1}",
            DBClusterIdentifier=cluster,
            Engine="aurora-postgresql",
            DBInstanceClass="db.r6g.large",
            AvailabilityZone=f"{REGION}{zone}",
        )

    s3 = session.client("s3")
    kms = session.client("kms")
    key_arn = kms.create_key(Description="storage")["KeyMetadata"]["Arn"]
    buckets = {}
    for purpose in ("uploads", "profile", "reports", "audit", "logs"):
        bucket = f"{name}-{purpose}-0a1b2c3d"
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
        buckets[purpose] = bucket
        kms_wanted = purpose != "logs" and not (broken and purpose == "uploads")
        default = {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key_arn} if kms_wanted else {"SSEAlgorithm": "AES256"}
        s3.put_bucket_encryption(
            Bucket=bucket,
            ServerSideEncryptionConfiguration={"Rules": [{"ApplyServerSideEncryptionByDefault": default}]},
        )
        if not (broken and purpose == "profile"):
            s3.put_public_access_block(
                Bucket=bucket,
                PublicAccessBlockConfiguration={
                    "BlockPublicAcls": True,
                    "IgnorePublicAcls": True,
                    "BlockPublicPolicy": True,
                    "RestrictPublicBuckets": True,
                },
            )
        if not (broken and purpose == "reports"):
            s3.put_bucket_lifecycle_configuration(
                Bucket=bucket,
                LifecycleConfiguration={
                    "Rules": [{"ID": "expire", "Status": "Enabled", "Filter": {"Prefix": "tmp/"}, "Expiration": {"Days": 7}}]
                },
            )

    dynamodb = session.client("dynamodb")
    table = f"{name}-files"
    dynamodb.create_table(
        TableName=table,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "file_id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "file_id", "KeyType": "HASH"}],
    )
    if not broken:
        dynamodb.update_continuous_backups(TableName=table, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})

    cloudfront = session.client("cloudfront", region_name="us-east-1")
    distribution = cloudfront.create_distribution(
        DistributionConfig={
            "CallerReference": name,
            "Comment": name,
            "Enabled": not broken,
            "Origins": {
                "Quantity": 1,
                "Items": [
                    {
                        "Id": "profile",
                        "DomainName": f"{buckets['profile']}.s3.{REGION}.amazonaws.com",
                        "S3OriginConfig": {"OriginAccessIdentity": ""},
                    }
                ],
            },
            "DefaultCacheBehavior": {"TargetOriginId": "profile", "ViewerProtocolPolicy": "redirect-to-https"},
        }
    )["Distribution"]["Id"]

    values: dict[str, Any] = {
        "vpc_id": vpc_id,
        "public_subnet_ids": subnets["public"],
        "private_subnet_ids": subnets["private"],
        "database_subnet_ids": subnets["database"],
        "nat_gateway_ids": nats,
        "db_cluster_id": cluster,
        "file_table_name": table,
        "cdn_distribution_id": distribution,
        "api_url": api_url,
        **{f"{purpose}_bucket": bucket for purpose, bucket in buckets.items()},
    }
    return _terraform_output(values)


def _env_file(tmp_path: Path, env: str, outputs: dict[str, Any]) -> Path:
    path = tmp_path / f".env.{env}"
    path.write_text("\n".join(render(env, outputs, "test").lines) + "\n")
    return path


def test_make_validate_passes_on_a_matching_deployment(tmp_path: Path, aws_env: dict[str, str], api_base: str) -> None:
    env_file = _env_file(tmp_path, "prod", _deploy("good", f"{api_base}/protected/v1", broken=False))
    result = subprocess.run(
        ["make", "--no-print-directory", "validate", "ENV=prod", f"VALIDATE_ARGS=--env-file {env_file}"],
        capture_output=True, text=True, cwd=ROOT, env={**os.environ, **aws_env}, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "FAIL" not in result.stdout
    lines = [line for line in result.stdout.splitlines() if line.startswith("PASS")]
    # VPC, 9 subnets, 2 NAT, cluster, zones, 5 buckets x 3, table, distribution, API.
    assert len(lines) == 1 + 9 + 2 + 2 + 15 + 1 + 1 + 1
    assert "prod: all 32 checks passed." in result.stdout


def test_validate_fails_naming_each_broken_resource(tmp_path: Path, aws_env: dict[str, str], api_base: str) -> None:
    outputs = _deploy("bad", f"{api_base}/open/v1", broken=True)
    values = {name: entry["value"] for name, entry in outputs.items()}
    results = Validator(read_env_file(_env_file(tmp_path, "prod", outputs)), boto3.Session(region_name=REGION)).run()
    failed = {(r.check, r.resource): r.detail for r in results if not r.passed}
    assert failed == {
        ("NAT gateway available", values["nat_gateway_ids"][1]): "state deleted",
        ("database cluster available and encrypted", "bad-db"): "status available, NOT encrypted",
        ("instances in distinct zones", "bad-db"): f"bad-db-1 in {REGION}a, bad-db-2 in {REGION}a",
        ("bucket encrypted", values["uploads_bucket"]): "default encryption AES256; the stack sets aws:kms",
        ("bucket public access blocked", values["profile_bucket"]): (
            "NoSuchPublicAccessBlockConfiguration: The public access block configuration was not found"
        ),
        ("bucket lifecycle", values["reports_bucket"]): (
            "NoSuchLifecycleConfiguration: The lifecycle configuration does not exist"
        ),
        ("table point-in-time recovery", "bad-files"): "PITR DISABLED",
        ("distribution deployed", values["cdn_distribution_id"]): "status Deployed, DISABLED",
        ("API reachable and protected", values["api_url"]): "answers 200 without a token: the authorizer is missing",
    }


def test_validate_cli_exits_1_and_lists_the_failed_resources(tmp_path: Path, aws_env: dict[str, str], api_base: str) -> None:
    env_file = _env_file(tmp_path, "prod", _deploy("cli", f"{api_base}/open/v1", broken=True))
    result = subprocess.run(
        [sys.executable, "-m", "operations.validate", "prod", "--env-file", str(env_file)],
        capture_output=True, text=True, cwd=ROOT, env={**os.environ, **aws_env}, check=False,
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    assert "prod: 9 of 32 checks FAILED: " in result.stdout
    assert "cli-db" in result.stdout and "cli-files" in result.stdout


def test_validate_without_an_env_file_is_exit_2(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "operations.validate", "prod", "--env-file", str(tmp_path / ".env.prod")],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.strip() == "validate: .env.prod: no such file; run `make outputs ENV=<env>` after deploying"


def test_validate_with_an_output_missing_is_exit_2(tmp_path: Path) -> None:
    env_file = tmp_path / ".env.prod"
    env_file.write_text("VPC_ID=vpc-1\n")
    result = subprocess.run(
        [sys.executable, "-m", "operations.validate", "prod", "--env-file", str(env_file)],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.startswith("validate: outputs missing: DB_CLUSTER_ID, FILE_TABLE_NAME, CDN_DISTRIBUTION_ID, API_URL,")


def test_validate_without_credentials_is_exit_3(tmp_path: Path, api_base: str) -> None:
    outputs = _terraform_output(
        {
            "vpc_id": "vpc-1", "db_cluster_id": "c", "file_table_name": "t", "cdn_distribution_id": "d",
            "api_url": f"{api_base}/protected/v1", "uploads_bucket": "u", "profile_bucket": "p", "reports_bucket": "r",
            "audit_bucket": "a", "logs_bucket": "l", "public_subnet_ids": ["s"], "private_subnet_ids": ["s"],
            "database_subnet_ids": ["s"], "nat_gateway_ids": [],
        }
    )  # fmt: skip
    env_file = _env_file(tmp_path, "prod", outputs)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_CONFIG_FILE=str(tmp_path / "none"),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "none"),
        AWS_EC2_METADATA_DISABLED="true",
    )
    result = subprocess.run(
        [sys.executable, "-m", "operations.validate", "prod", "--env-file", str(env_file)],
        capture_output=True, text=True, cwd=ROOT, env=env, check=False, timeout=120,
    )  # fmt: skip
    assert result.returncode == 3, result.stdout + result.stderr
    assert result.stderr.startswith("validate: cannot ask AWS: Unable to locate credentials.")
