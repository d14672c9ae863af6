"""The Node.js health handler, run by the machine's node: what API Gateway's proxy integration expects."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from tests.lambda_src.conftest import LAMBDA_SRC

NODE = shutil.which("node")


@pytest.mark.skipif(NODE is None, reason="node is not installed (it is on every machine that runs make test)")
def test_health_answers_ok_with_the_environment() -> None:
    script = (
        f"import({json.dumps((LAMBDA_SRC / 'health' / 'index.mjs').as_uri())})"
        ".then(m => m.handler({requestContext: {requestId: 'r-1'}}))"
        ".then(r => process.stdout.write(JSON.stringify(r)))"
    )
    done = subprocess.run(
        [NODE, "--input-type=module", "-e", script],  # type: ignore[list-item]
        capture_output=True,
        text=True,
        env={"ENVIRONMENT_NAME": "qa", "PATH": "/usr/bin:/bin"},
        timeout=60,
        check=True,
    )
    result = json.loads(done.stdout)
    assert result["statusCode"] == 200
    assert result["headers"]["cache-control"] == "no-store"
    body = json.loads(result["body"])
    assert body["status"] == "ok" and body["environment"] == "qa" and body["requestId"] == "r-1"
    assert body["runtime"].startswith("v")
