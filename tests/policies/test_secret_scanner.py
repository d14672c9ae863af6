"""FND_SEC_1's scanner, configured once per Checkov process, finds what detect-secrets finds when it
is configured afresh for every resource (as it was), including the shortest credentials the format
plugins know; values it skips (short ones, bare references) can hold no such credential.

Runs in Checkov's own environment, where detect-secrets is installed."""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.conftest import ROOT

CHECKOV_PYTHON = ROOT / "tools" / "checkov" / ".venv" / "bin" / "python"

SCRIPT = r"""
import json, sys
sys.path.insert(0, "policies/checks")
import _secrets
from detect_secrets.core.scan import scan_line
from detect_secrets.settings import transient_settings

values = json.loads(sys.argv[1])

def afresh(value):
    with transient_settings({"plugins_used": _secrets.FORMAT_PLUGINS}):
        return sorted({s.type for s in scan_line(value)})

# Every value twice: the second is answered from the per-process memo, and must say the same.
values = values + values
body = {f"v{i}": v for i, v in enumerate(values)}
expected = []
for i, v in enumerate(values):
    literal = _secrets.literal_problem(f"v{i}", v)
    kinds = afresh(v)
    if literal:
        expected.append(literal)
    elif kinds:
        expected.append(f"v{i} contains a secret ({', '.join(kinds)})")
skipped_with_findings = [v for v in values if (len(v) < _secrets._SHORTEST_CREDENTIAL or _secrets._REFERENCE_ONLY.match(v)) and afresh(v)]
found = _secrets.problems(body)
hits = _secrets.credential_kinds.cache_info().hits
print(json.dumps({"expected": expected, "found": found, "skipped_with_findings": skipped_with_findings, "hits": hits}))
"""

VALUES = [
    "AKIAIOSFODNN7EXAMPLE",
    "AKCp8jQ8Jz3Pqw",
    "xoxb-123456789012-123456789012-abcdefabcdefabcdefabcdef",
    "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
    "sk_live_abcdefghijklmnopqrstuvwx",
    "-----BEGIN RSA PRIVATE KEY-----",
    "https://user:hunter2@db.example.com",
    "${aws_kms_key.data.arn}",
    "${data.aws_iam_policy_document.read.json}",
    "AKC123",
    "AP6",
    "short",
    "arn:aws:s3:::bucket-name/*",
    "eu-central-1",
]


@pytest.mark.skipif(not CHECKOV_PYTHON.exists(), reason="Checkov's environment is made by make install")
def test_configured_once_finds_what_configured_per_resource_finds() -> None:
    completed = subprocess.run(
        [str(CHECKOV_PYTHON), "-c", SCRIPT, json.dumps(VALUES)], capture_output=True, text=True, cwd=ROOT, check=True
    )
    result = json.loads(completed.stdout)
    assert result["found"] == result["expected"]
    assert len(result["found"]) >= 6  # the credentials above are all found
    assert result["skipped_with_findings"] == []
    # The second copy of each value the plugins scan came from the memo (and said the same, above).
    assert result["hits"] >= 8, result["hits"]
