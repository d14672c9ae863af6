"""Handlers against a moto server on loopback: real boto3 calls, real presigned URLs, real HTTP."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import boto3
import pytest

ROOT = Path(__file__).resolve().parents[2]
LAMBDA_SRC = ROOT / "lambda_src"
sys.path.insert(0, str(LAMBDA_SRC / "shared"))

BUCKET = "filehub-test-uploads-0a1b2c3d"
TABLE = "filehub-test-files"
REGION = "eu-central-1"
OWNER = "alice-123"
SETTINGS = {
    "BUCKET_NAME": BUCKET,
    "TABLE_NAME": TABLE,
    "ALLOWED_CONTENT_TYPES": "image/png,image/jpeg,application/pdf",
    "MAX_UPLOAD_BYTES": "1048576",
    "UPLOAD_URL_TTL_SECONDS": "900",
    "PENDING_TTL_SECONDS": "86400",
    "DOWNLOAD_URL_TTL_SECONDS": "120",
}


def load_handler(function: str) -> ModuleType:
    """Each function's handler.py under its own module name (they are all called handler)."""
    spec = importlib.util.spec_from_file_location(f"{function}_handler", LAMBDA_SRC / function / "handler.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture()
def aws(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """Fresh bucket and table shaped like the infrastructure's, and the handlers' settings."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ENDPOINT_URL": moto_endpoint,
        **SETTINGS,
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    dynamodb.create_table(
        TableName=TABLE,
        BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "file_id", "KeyType": "HASH"}],
        AttributeDefinitions=[
            {"AttributeName": "file_id", "AttributeType": "S"},
            {"AttributeName": "owner_id", "AttributeType": "S"},
            {"AttributeName": "created_at", "AttributeType": "S"},
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by-owner",
                "KeySchema": [
                    {"AttributeName": "owner_id", "KeyType": "HASH"},
                    {"AttributeName": "created_at", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )
    handlers = {name: load_handler(name) for name in ("upload_url", "object_processor", "download_url")}
    yield {"s3": s3, "table": boto3.resource("dynamodb", region_name=REGION).Table(TABLE), "handlers": handlers}
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=BUCKET):
        for version in page.get("Versions", []) + page.get("DeleteMarkers", []):
            s3.delete_object(Bucket=BUCKET, Key=version["Key"], VersionId=version["VersionId"])
    s3.delete_bucket(Bucket=BUCKET)
    dynamodb.delete_table(TableName=TABLE)
