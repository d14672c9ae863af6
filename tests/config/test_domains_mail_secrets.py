"""Configuration problems of the dns and email components, custom domains, runtimes,
grants by intent and application secrets: each named with its file, key and what is allowed."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from tests.config.test_loader import F, problems_of
from tests.conftest import ROOT, merge, to_toml


def _prod(patch: dict) -> str:
    raw = tomllib.loads((ROOT / "environments" / "prod.toml").read_text())
    return to_toml(merge(raw, patch))


DNS_ON = {"components": {"dns": "route53"}, "dns": {"zone_name": "example.com"}}


@pytest.mark.parametrize(
    ("patch", "expected"),
    [
        ({"api": {"domain_name": "api.example.com"}}, f"{F}: api.domain_name = 'api.example.com': needs components.dns"),
        (
            {**DNS_ON, "api": {"domain_name": "api.example.org"}},
            f"{F}: api.domain_name = 'api.example.org': a name in the dns component's zone example.com",
        ),
        (
            {**DNS_ON, "cdn": {"domain_name": "cdn.example.com", "hosted_zone_id": "Z0123456789ABCDEFGHIJ"}},
            f"{F}: cdn.hosted_zone_id = 'Z0123456789ABCDEFGHIJ': leave it out: the dns component's zone example.com is used",
        ),
        (
            {**DNS_ON, "dns": {"zone_name": "example.com", "dnssec": False}},
            f"{F}: dns.dnssec = False: applies to a zone created here (create_zone = true)",
        ),
        ({"components": {"dns": "route53"}, "dns": {"zone_name": "Example.COM"}}, f"{F}: dns.zone_name = 'Example.COM': "),
        (
            {**DNS_ON, "components": {"dns": "route53", "email": "ses"}, "email": {"domain": "mail.example.net"}},
            f"{F}: email.domain = 'mail.example.net': a name in the dns component's zone example.com",
        ),
        (
            {"components": {"email": "ses"}, "email": {"domain": "example.com", "dmarc_policy": "reject"}},
            f"{F}: email.dmarc_policy = 'reject': the DMARC record is published only in the dns component's zone",
        ),
        (
            {"components": {"email": "ses"}, "email": {"domain": "example.com", "mail_from_subdomain": "a.b"}},
            f"{F}: email.mail_from_subdomain = 'a.b': one DNS label",
        ),
        (
            {"functions": {"upload-url": {"sends_email": True}}},
            f'{F}: functions.upload-url.sends_email = True: needs components.email, which is "none"',
        ),
        (
            {"functions": {"upload-url": {"runtime": "nodejs22.x"}}},
            f"{F}: functions.upload-url.source = 'upload_url': lambda_src/upload_url/index.mjs does not exist",
        ),
        (
            {"functions": {"upload-url": {"runtime": "python3.9"}}},
            f"{F}: functions.upload-url.runtime = 'python3.9': ",
        ),
        (
            {"functions": {"upload-url": {"invokes_models": ["anthropic.*"]}}},
            f"{F}: functions.upload-url.invokes_models = ['anthropic.*']: Bedrock model ids such as amazon.titan-text-express-v1 (no wildcards)",
        ),
        (
            {"functions": {"upload-url": {"reads_secrets": ["missing"]}}},
            f"{F}: functions.upload-url.reads_secrets[0] = 'missing': not a declared secret; declared: none",
        ),
        (
            {
                "components": {"database": "rds-postgresql"},
                "database": None,
                "functions": {"upload-url": {"uses_data_api": True}},
            },
            f"{F}: functions.upload-url.uses_data_api = True: the RDS Data API serves Aurora",
        ),
        (
            {"secrets": {"key": {"description": "x", "rotation_function": "nobody"}}},
            f"{F}: secrets.key.rotation_function = 'nobody': not a declared function; declared: upload-url, download-url, object-processor",
        ),
        (
            {"secrets": {"key": {"description": "x", "rotation_days": 30}}},
            f"{F}: secrets.key.rotation_days = 30: only a secret with a rotation_function rotates",
        ),
        (
            {"secrets": {"Key": {"description": "x"}}},
            f"{F}: secrets.Key = 'Key': a secret key is 1 to 31 lowercase letters",
        ),
        (
            {"cdn": {"spa_fallback": True}},
            f"{F}: cdn.spa_fallback = True: needs default_root_object",
        ),
        (
            {"cdn": {"default_behavior": {"origin": "profile", "response_headers": "app"}}},
            f"{F}: cdn.default_behavior.response_headers = 'app': not a policy of [cdn.response_headers]; declared: security",
        ),
        (
            {"database": {"master_secret_rotation_days": 0}},
            f"{F}: database.master_secret_rotation_days = 0: ",
        ),
    ],
)
def test_problem_is_named(tmp_path: Path, patch: dict, expected: str) -> None:
    found = problems_of(tmp_path, _prod(patch))
    assert any(p.startswith(expected) for p in found), found


def test_suffixes_that_cannot_match_the_same_key_do_not_overlap(tmp_path: Path) -> None:
    events = {
        "functions": {
            "object-processor": {"bucket_events": [{"bucket": "uploads", "prefix": "uploads/", "suffix": ".pdf"}]},
            "pdf-too": {
                "source": "object_processor",
                "bucket_events": [{"bucket": "uploads", "prefix": "uploads/", "suffix": "report.pdf"}],
            },
        }
    }
    found = problems_of(tmp_path, _prod(events))
    assert any("overlaps the bucket event" in p for p in found), found
    events["functions"]["pdf-too"]["bucket_events"][0]["suffix"] = ".csv"
    folder = tmp_path / "ok"
    folder.mkdir()
    (folder / "prod.toml").write_text(_prod(events))
    from modules.config import load_environments

    (config,) = load_environments(folder)
    assert config.name == "prod"
