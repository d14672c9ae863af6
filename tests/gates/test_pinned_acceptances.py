"""An acceptance covers only the values it accepted: a CloudFront TLS downgrade behind an existing
acceptance (from the construct, or pinned in the suppressions file) fails the gate naming the attribute."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import ROOT
from tests.gates.test_cli import HOUSE_TAGS, gates, stack, suppressions

DISTRIBUTION = "aws_cloudfront_distribution.cdn_distribution_0B80AA6B"
DOWNGRADED = {
    "acm_certificate_arn": "arn:aws:acm:us-east-1:111122223333:certificate/0d1e2f3a-1111-2222-3333-444455556666",
    "ssl_support_method": "sni-only",
    "minimum_protocol_version": "TLSv1",
}


def _violation(reports: Path, env: str, rule: str) -> dict:  # type: ignore[type-arg]
    summary = json.loads((reports / env / "summary.json").read_text())
    return next(v for v in summary["violations"] if v["rule"] == rule)


def test_construct_acceptance_stops_covering_a_tls_downgrade(tmp_path: Path) -> None:
    document = json.loads((ROOT / "tests" / "golden" / "prod.json").read_text())
    distribution = document["resource"]["aws_cloudfront_distribution"]["cdn_distribution_0B80AA6B"]
    assert any(a["check"] == "CKV_AWS_174" for a in distribution["//"]["accepted_findings"])
    clean = stack(tmp_path, "prod", document)
    distribution["viewer_certificate"] = DOWNGRADED
    downgraded = stack(tmp_path, "downgraded", document)
    args = ("--check", "CKV_AWS_174", "--reports-dir", str(tmp_path / "r"), "--suppressions", "/dev/null")
    result = gates(str(clean), str(downgraded), *args)
    assert result.returncode == 1
    clean_summary = json.loads((tmp_path / "r" / "prod" / "summary.json").read_text())
    assert clean_summary["passed"] is True
    violation = _violation(tmp_path / "r", "downgraded", "CKV_AWS_174")
    assert violation["resource"] == DISTRIBUTION
    assert "no longer applies" in violation["acceptance"]
    assert (
        'viewer_certificate: pinned {"cloudfront_default_certificate": true}, now {"acm_certificate_arn"'
        in violation["acceptance"]
    )
    assert '"minimum_protocol_version": "TLSv1"' in violation["acceptance"]
    assert "no longer applies" in result.stdout


def _hand_written(tmp_path: Path, name: str, viewer_certificate: dict) -> Path:  # type: ignore[type-arg]
    return stack(
        tmp_path,
        name,
        {
            "provider": {"aws": [{"region": "us-east-1", "default_tags": [{"tags": HOUSE_TAGS}]}]},
            "resource": {
                "aws_cloudfront_distribution": {
                    "cdn": {
                        "enabled": True,
                        "origin": [{"domain_name": "example.com", "origin_id": "site"}],
                        "default_cache_behavior": {
                            "allowed_methods": ["GET", "HEAD"],
                            "cached_methods": ["GET", "HEAD"],
                            "target_origin_id": "site",
                            "viewer_protocol_policy": "redirect-to-https",
                        },
                        "restrictions": {"geo_restriction": {"restriction_type": "none"}},
                        "viewer_certificate": viewer_certificate,
                    }
                }
            },
        },
    )


PINNED = """[[suppression]]
check = "CKV_AWS_174"
resource = "aws_cloudfront_distribution.cdn"
environments = ["site"]
reason = "The distribution serves on the cloudfront.net name, where CloudFront picks the TLS policy."
pin = { viewer_certificate = { cloudfront_default_certificate = true } }
"""


def test_pinned_suppression_covers_the_accepted_value_only(tmp_path: Path) -> None:
    entries = suppressions(tmp_path, PINNED)
    args = ("--check", "CKV_AWS_174", "--suppressions", str(entries))
    accepted = _hand_written(tmp_path, "site", {"cloudfront_default_certificate": True})
    assert gates(str(accepted), *args, "--reports-dir", str(tmp_path / "a")).returncode == 0
    summary = json.loads((tmp_path / "a" / "site" / "summary.json").read_text())
    assert [(s["rule"], s["source"]) for s in summary["suppressed"]] == [("CKV_AWS_174", "suppressions file")]

    (tmp_path / "later").mkdir()
    downgraded = _hand_written(tmp_path / "later", "site", DOWNGRADED)
    result = gates(str(downgraded), *args, "--reports-dir", str(tmp_path / "b"))
    assert result.returncode == 1, result.stdout
    violation = _violation(tmp_path / "b", "site", "CKV_AWS_174")
    assert violation["acceptance"].startswith(
        "suppression #1 (CKV_AWS_174 on aws_cloudfront_distribution.cdn, site) no longer applies"
    )
    assert 'viewer_certificate: pinned {"cloudfront_default_certificate": true}, now {' in violation["acceptance"]
    assert '"minimum_protocol_version": "TLSv1"' in violation["acceptance"]
    # The entry met its finding, so it is not also reported as stale.
    assert "matches no failed check" not in result.stdout


def test_a_pin_must_be_a_table_of_attribute_paths(tmp_path: Path) -> None:
    entries = suppressions(
        tmp_path, PINNED.replace("pin = { viewer_certificate = { cloudfront_default_certificate = true } }", "pin = 3")
    )
    accepted = _hand_written(tmp_path, "site", {"cloudfront_default_certificate": True})
    result = gates(str(accepted), "--suppressions", str(entries), "--reports-dir", str(tmp_path / "r"))
    assert result.returncode == 2
    assert "pin = 3: a table of attribute paths to the values you accepted" in result.stderr
