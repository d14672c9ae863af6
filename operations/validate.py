"""Post-deploy validation: do the real resources match what the stack meant to build?

    python -m operations.validate prod                    # reads .env.prod (make outputs)
    python -m operations.validate prod --env-file FILE

Reads the stack's outputs and asks AWS with boto3: VPC and every subnet available,
NAT gateways available, the Aurora cluster available and encrypted with its
instances in distinct zones, each bucket encrypted (SSE-KMS where the stack uses a
key), with all public access blocked and a lifecycle, the file table with
point-in-time recovery, the distribution deployed and enabled, and the API
reachable and refusing unauthenticated calls.

Exit codes: 0 every check passed, 1 a check failed, 2 unusable input (no env file,
a missing output), 3 AWS cannot be asked (no credentials, no endpoint).
"""

from __future__ import annotations

import argparse
import sys
import tomllib
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError, NoCredentialsError, NoRegionError

ROOT = Path(__file__).resolve().parent.parent
LIST_OUTPUTS = ("PUBLIC_SUBNET_IDS", "PRIVATE_SUBNET_IDS", "DATABASE_SUBNET_IDS", "NAT_GATEWAY_IDS")
# Bucket outputs and whether the stack encrypts them with its KMS key. S3 server
# access logs can only be delivered to SSE-S3 buckets, so the log bucket is AES256.
BUCKETS = {"UPLOADS_BUCKET": True, "PROFILE_BUCKET": True, "REPORTS_BUCKET": True, "AUDIT_BUCKET": True, "LOGS_BUCKET": False}
# A path the API serves only to signed-in callers; the id does not need to exist.
PROBE_PATH = "/files/00000000-0000-0000-0000-000000000000/download"
HTTP_TIMEOUT_SECONDS = 10


class ValidationInputError(Exception):
    exit_code = 2


class AwsUnavailable(ValidationInputError):
    exit_code = 3


@dataclass(frozen=True)
class Result:
    check: str
    resource: str
    passed: bool
    detail: str


# --- outputs -------------------------------------------------------------------------
def read_env_file(path: Path) -> dict[str, str]:
    """KEY=value lines as operations.outputs writes them (double-quoted values unescaped)."""
    if not path.is_file():
        raise ValidationInputError(f"{path.name}: no such file; run `make outputs ENV=<env>` after deploying")
    values: dict[str, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not sep or not key.strip():
            raise ValidationInputError(f"{path.name}, line {number}: expected KEY=value, got {line!r}")
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1].replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")
        values[key.strip()] = value
    return values


def _ids(outputs: Mapping[str, str], key: str) -> list[str]:
    return [v for v in outputs.get(key, "").split(",") if v]


def _http_status(url: str) -> int:
    request = urllib.request.Request(url, method="GET", headers={"Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT_SECONDS) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


# --- checks --------------------------------------------------------------------------
class Validator:
    """Runs every check; each failure is a Result, never an exception, so all are reported."""

    def __init__(
        self,
        outputs: Mapping[str, str],
        session: boto3.Session,
        *,
        bucket_encryption: str = "kms",
        http_status: Callable[[str], int] = _http_status,
    ) -> None:
        self.outputs = outputs
        self.session = session
        self.bucket_encryption = bucket_encryption
        self.http_status = http_status

    def client(self, service: str, region: str | None = None) -> Any:
        return self.session.client(service, region_name=region) if region else self.session.client(service)  # type: ignore[call-overload]

    def run(self) -> list[Result]:
        missing = [
            key
            for key in ("VPC_ID", "DB_CLUSTER_ID", "FILE_TABLE_NAME", "CDN_DISTRIBUTION_ID", "API_URL", *BUCKETS, *LIST_OUTPUTS)
            if key not in self.outputs
        ]
        if missing:
            raise ValidationInputError(
                f"outputs missing: {', '.join(missing)}; regenerate the env file with `make outputs ENV=<env>`"
            )
        results: list[Result] = []
        for check in (self.network, self.nat_gateways, self.database, self.buckets, self.table, self.distribution, self.api):
            results.extend(check())
        return results

    def _guard(self, check: str, resource: str, probe: Callable[[], Result]) -> Result:
        try:
            return probe()
        except (NoCredentialsError, EndpointConnectionError, NoRegionError) as exc:
            raise AwsUnavailable(f"cannot ask AWS: {exc}. Configure credentials (AWS_PROFILE or keys) for this account.")
        except ClientError as exc:
            error = exc.response.get("Error", {})
            return Result(check, resource, False, f"{error.get('Code', 'Error')}: {error.get('Message', '')}".strip())
        except BotoCoreError as exc:
            return Result(check, resource, False, str(exc))

    def network(self) -> Iterator[Result]:
        ec2 = self.client("ec2")
        vpc_id = self.outputs["VPC_ID"]

        def vpc() -> Result:
            (found,) = ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"]
            state = found["State"]
            return Result("VPC available", vpc_id, state == "available", f"state {state}")

        yield self._guard("VPC available", vpc_id, vpc)
        for tier in ("PUBLIC", "PRIVATE", "DATABASE"):
            ids = _ids(self.outputs, f"{tier}_SUBNET_IDS")
            name = f"{tier.lower()} subnets available"
            if not ids:
                yield Result(name, "-", False, f"{tier}_SUBNET_IDS is empty; every tier has a subnet per zone")
                continue
            for subnet_id in ids:

                def subnet(subnet_id: str = subnet_id, name: str = name) -> Result:
                    (found,) = ec2.describe_subnets(SubnetIds=[subnet_id])["Subnets"]
                    ok = found["State"] == "available" and found["VpcId"] == vpc_id
                    detail = f"state {found['State']} in {found['AvailabilityZone']}"
                    if found["VpcId"] != vpc_id:
                        detail += f", but in {found['VpcId']}, not {vpc_id}"
                    return Result(name, subnet_id, ok, detail)

                yield self._guard(name, subnet_id, subnet)

    def nat_gateways(self) -> Iterator[Result]:
        ids = _ids(self.outputs, "NAT_GATEWAY_IDS")
        if not ids:
            yield Result("NAT gateways available", "-", True, "none configured (private subnets have no internet route)")
            return
        ec2 = self.client("ec2")
        for nat_id in ids:

            def nat(nat_id: str = nat_id) -> Result:
                found = ec2.describe_nat_gateways(NatGatewayIds=[nat_id])["NatGateways"]
                if not found:
                    return Result("NAT gateway available", nat_id, False, "not found")
                state = found[0]["State"]
                return Result("NAT gateway available", nat_id, state == "available", f"state {state}")

            yield self._guard("NAT gateway available", nat_id, nat)

    def database(self) -> Iterator[Result]:
        rds = self.client("rds")
        cluster_id = self.outputs["DB_CLUSTER_ID"]
        found: dict[str, Any] = {}

        def cluster() -> Result:
            (body,) = rds.describe_db_clusters(DBClusterIdentifier=cluster_id)["DBClusters"]
            found.update(body)
            ok = body["Status"] == "available" and body.get("StorageEncrypted") is True
            detail = f"status {body['Status']}, " + ("encrypted" if body.get("StorageEncrypted") else "NOT encrypted")
            return Result("database cluster available and encrypted", cluster_id, ok, detail)

        yield self._guard("database cluster available and encrypted", cluster_id, cluster)
        if not found:
            return

        def zones() -> Result:
            members = [m["DBInstanceIdentifier"] for m in found.get("DBClusterMembers", [])]
            if not members:
                return Result("instances in distinct zones", cluster_id, False, "the cluster has no instances")
            placed = {}
            for member in members:
                (instance,) = rds.describe_db_instances(DBInstanceIdentifier=member)["DBInstances"]
                placed[member] = instance.get("AvailabilityZone", "?")
            distinct = len(set(placed.values())) == len(placed)
            detail = ", ".join(f"{m} in {z}" for m, z in sorted(placed.items()))
            return Result("instances in distinct zones", cluster_id, distinct, detail)

        yield self._guard("instances in distinct zones", cluster_id, zones)

    def buckets(self) -> Iterator[Result]:
        s3 = self.client("s3")
        for key, uses_key in BUCKETS.items():
            bucket = self.outputs[key]
            wanted = "aws:kms" if uses_key and self.bucket_encryption == "kms" else None

            def encryption(bucket: str = bucket, wanted: str | None = wanted) -> Result:
                rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
                algorithms = {r["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] for r in rules}
                ok = bool(algorithms) and (wanted is None or wanted in algorithms)
                detail = "default encryption " + ", ".join(sorted(algorithms))
                if not ok and wanted:
                    detail += f"; the stack sets {wanted}"
                return Result("bucket encrypted", bucket, ok, detail)

            def public_access(bucket: str = bucket) -> Result:
                block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
                off = [
                    k
                    for k in ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
                    if not block.get(k)
                ]
                return Result(
                    "bucket public access blocked",
                    bucket,
                    not off,
                    "all four settings on" if not off else "off: " + ", ".join(off),
                )

            def lifecycle(bucket: str = bucket) -> Result:
                rules = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
                enabled = [r.get("ID", "?") for r in rules if r.get("Status") == "Enabled"]
                return Result("bucket lifecycle", bucket, bool(enabled), f"{len(enabled)} enabled rule(s)")

            yield self._guard("bucket encrypted", bucket, encryption)
            yield self._guard("bucket public access blocked", bucket, public_access)
            yield self._guard("bucket lifecycle", bucket, lifecycle)

    def table(self) -> Iterator[Result]:
        dynamodb = self.client("dynamodb")
        table = self.outputs["FILE_TABLE_NAME"]

        def pitr() -> Result:
            description = dynamodb.describe_continuous_backups(TableName=table)["ContinuousBackupsDescription"]
            status = description.get("PointInTimeRecoveryDescription", {}).get("PointInTimeRecoveryStatus", "DISABLED")
            return Result("table point-in-time recovery", table, status == "ENABLED", f"PITR {status}")

        yield self._guard("table point-in-time recovery", table, pitr)

    def distribution(self) -> Iterator[Result]:
        cloudfront = self.client("cloudfront", "us-east-1")
        distribution_id = self.outputs["CDN_DISTRIBUTION_ID"]

        def deployed() -> Result:
            body = cloudfront.get_distribution(Id=distribution_id)["Distribution"]
            enabled = body["DistributionConfig"]["Enabled"]
            ok = body["Status"] == "Deployed" and enabled is True
            return Result(
                "distribution deployed",
                distribution_id,
                ok,
                f"status {body['Status']}, " + ("enabled" if enabled else "DISABLED"),
            )

        yield self._guard("distribution deployed", distribution_id, deployed)

    def api(self) -> Iterator[Result]:
        url = self.outputs["API_URL"].rstrip("/") + PROBE_PATH
        name = "API reachable and protected"
        try:
            status = self.http_status(url)
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            yield Result(name, self.outputs["API_URL"], False, f"not reachable: {reason}")
            return
        if status in (401, 403):
            yield Result(name, self.outputs["API_URL"], True, f"answers {status} without a token")
        elif status < 400:
            yield Result(name, self.outputs["API_URL"], False, f"answers {status} without a token: the authorizer is missing")
        else:
            yield Result(name, self.outputs["API_URL"], False, f"answers {status} without a token; expected 401 or 403")


# --- report --------------------------------------------------------------------------
def table(results: list[Result]) -> str:
    widths = [max(len(r.check) for r in results), max(len(r.resource) for r in results)]
    lines = []
    for r in results:
        lines.append(f"{'PASS' if r.passed else 'FAIL'}  {r.check:<{widths[0]}}  {r.resource:<{widths[1]}}  {r.detail}")
    return "\n".join(lines)


def environment_settings(env: str, environments: Path) -> tuple[str | None, str]:
    """(Region, bucket encryption) from environments/<env>.toml, read as plain TOML."""
    path = environments / f"{env}.toml"
    if not path.is_file():
        return None, "kms"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ValidationInputError(f"{path.name}: not valid TOML ({exc})")
    region = data.get("region") if isinstance(data.get("region"), str) else None
    storage = data.get("storage")
    encryption = storage.get("encryption") if isinstance(storage, dict) else None
    return region, "s3" if encryption == "s3" else "kms"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m operations.validate", description=__doc__.split("\n\n")[0])
    parser.add_argument("env", help="environment name")
    parser.add_argument("--env-file", type=Path, help="outputs as KEY=value lines; default .env.<env> (make outputs)")
    parser.add_argument("--region", help="default: the environment file's region")
    parser.add_argument("--environments", type=Path, default=ROOT / "environments", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        outputs = read_env_file(args.env_file or ROOT / f".env.{args.env}")
        region, encryption = environment_settings(args.env, args.environments)
        session = boto3.Session(region_name=args.region or region)
        results = Validator(outputs, session, bucket_encryption=encryption).run()
    except ValidationInputError as exc:
        print(f"validate: {exc}", file=sys.stderr)
        return exc.exit_code
    print(table(results))
    failed = [r for r in results if not r.passed]
    if failed:
        print(f"\n{args.env}: {len(failed)} of {len(results)} checks FAILED: " + ", ".join(sorted({r.resource for r in failed})))
        return 1
    print(f"\n{args.env}: all {len(results)} checks passed.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
