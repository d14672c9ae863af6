"""Shared fixtures: every stack the tests read is synthesized once, in one App, per session."""

from __future__ import annotations

import dataclasses
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

# Extra stacks synthesized beside dev and prod: NAT counts 0..3 on the prod layout,
# and the S3 backend.
NAT_VARIANTS = {f"nat{n}": n for n in range(4)}
S3_BACKEND_VARIANT = "s3backend"
GRANTS_VARIANT = "grants"
DOMAIN_VARIANT = "domain"
# Functions in the VPC, an existing user pool, and the account logging role left to another stack.
API_VARIANT = "apivpc"
EXISTING_USER_POOL_ARN = "arn:aws:cognito-idp:eu-central-1:123456789012:userpool/eu-central-1_Existing1"


class Stack:
    """A synthesized stack with helpers to follow `${type.name.attr}` references."""

    _REF = re.compile(r"^\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.[a-z_]+\}$")

    def __init__(self, document: dict[str, Any]):
        self.doc = document

    def of_type(self, rtype: str) -> dict[str, dict[str, Any]]:
        return dict(self.doc.get("resource", {}).get(rtype, {}))

    def one(self, rtype: str, under: str | None = None) -> dict[str, Any]:
        """The single resource of a type, optionally among those of one construct (`under="api"`)."""
        found = self.of_type(rtype) if under is None else self.under(rtype, under)
        assert len(found) == 1, f"expected one {rtype}, found {sorted(found)}"
        return next(iter(found.values()))

    def under(self, rtype: str, construct: str) -> dict[str, dict[str, Any]]:
        """Resources of a type created inside a construct, by its path below the stack."""
        return {
            name: body
            for name, body in self.of_type(rtype).items()
            if body["//"]["metadata"]["path"].split("/", 1)[1].startswith(f"{construct}/")
        }

    def by_name_tag(self, rtype: str) -> dict[str, dict[str, Any]]:
        return {body["tags"]["Name"]: body for body in self.of_type(rtype).values()}

    def deref(self, reference: str) -> dict[str, Any]:
        match = self._REF.match(reference)
        assert match, f"not a resource reference: {reference!r}"
        return self.of_type(match.group(1))[match.group(2)]

    @staticmethod
    def ref_name(reference: str) -> str:
        match = Stack._REF.match(reference)
        assert match, reference
        return match.group(2)


@pytest.fixture(scope="session")
def synth_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The cdktf.out folder holding every synthesized test stack."""
    from cdktf import App

    from modules.assembly import BootstrapStack, FoundationStack
    from modules.config import StateSettings, load_environments
    from modules.core.aws import iam_role

    outdir = tmp_path_factory.mktemp("cdktf.out")
    configs = load_environments(ROOT / "environments")
    prod = next(c for c in configs if c.name == "prod")
    app = App(outdir=str(outdir))
    for config in configs:
        FoundationStack(app, config)
    BootstrapStack(app, configs)
    for name, nats in NAT_VARIANTS.items():
        network = prod.network.model_copy(update={"nat_gateways": nats})
        FoundationStack(app, dataclasses.replace(prod, name=name, network=network))
    # A stack whose database grants the Data API and IAM auth to a role, on I/O-Optimized storage.
    database = prod.database.model_copy(update={"storage_type": "io-optimized"})
    grants = FoundationStack(app, dataclasses.replace(prod, name=GRANTS_VARIANT, database=database))
    role = iam_role.IamRole(
        grants, "app-role", name="app", assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": []})
    )
    grants.database.grant_data_api(role)
    grants.database.grant_connect(role, "app_user")
    grants.storage.uploads.grant_put(role, "uploads/")
    grants.storage.uploads.grant_read(role, "uploads/")
    grants.storage.reports.grant_read_write(role)
    grants.storage.file_table.grant_read_write(role)
    grants.storage.file_table.grant_read_data(role)
    cdn = prod.cdn.model_copy(update={"domain_name": "files.example.com", "hosted_zone_id": "Z0123456789ABCDEFGHIJ"})
    FoundationStack(app, dataclasses.replace(prod, name=DOMAIN_VARIANT, cdn=cdn))
    api = prod.api.model_copy(
        update={"lambdas_in_vpc": True, "user_pool_arn": EXISTING_USER_POOL_ARN, "manage_api_gateway_account": False}
    )
    # ... with alarm subscribers and a cost anomaly monitor.
    monitoring = prod.monitoring.model_copy(
        update={"alarm_emails": ("ops@example.com", "oncall@example.com"), "cost_anomaly_threshold_usd": 25.0}
    )
    FoundationStack(app, dataclasses.replace(prod, name=API_VARIANT, api=api, monitoring=monitoring))
    s3_state = StateSettings(backend="s3", bucket="filehub-tfstate-test", region="eu-central-1", key="prod/terraform.tfstate")
    FoundationStack(app, dataclasses.replace(prod, name=S3_BACKEND_VARIANT, state=s3_state))
    app.synth()
    return outdir


@pytest.fixture(scope="session")
def synthesized(synth_dir: Path) -> dict[str, Stack]:
    return {
        path.parent.name: Stack(json.loads(path.read_text())) for path in sorted((synth_dir / "stacks").glob("*/cdk.tf.json"))
    }


@pytest.fixture(scope="session")
def prod(synthesized: dict[str, Stack]) -> Stack:
    return synthesized["prod"]


@pytest.fixture(scope="session")
def dev(synthesized: dict[str, Stack]) -> Stack:
    return synthesized["dev"]


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """One moto server on loopback for every test that talks to "AWS" over HTTP."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()
