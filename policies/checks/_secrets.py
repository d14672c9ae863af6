"""Secrets in Terraform JSON values; shared by FND_SEC_1 (defines no check).

Three signals: a known credential format (the format plugins of detect-secrets, as
bc-detect-secrets, Checkov's own dependency, ships them: AWS
keys, private keys, tokens of GitHub, Slack, Stripe, ...), a password-like key
holding a literal value, and a connection string with a password in it. The
entropy and keyword plugins stay off: hashes, ETags and fingerprints fill
synthesized JSON and would bury the real findings.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import Any

FORMAT_PLUGINS = [
    {"name": name}
    for name in (
        "AWSKeyDetector",
        "ArtifactoryDetector",
        "AzureStorageKeyDetector",
        "BasicAuthDetector",
        "CloudantDetector",
        "DiscordBotTokenDetector",
        "GitHubTokenDetector",
        "IbmCloudIamDetector",
        "IbmCosHmacDetector",
        "JwtTokenDetector",
        "MailchimpDetector",
        "NpmDetector",
        "PrivateKeyDetector",
        "SendGridDetector",
        "SlackDetector",
        "SoftlayerDetector",
        "SquareOAuthDetector",
        "StripeDetector",
        "TwilioKeyDetector",
    )
]
# Keys whose value is a credential: master_password, DB_PASSWORD, api_key, client_secret, auth_token ...
PASSWORD_KEY = re.compile(
    r"(^|[_.-])(password|passwd|pwd|passphrase|secret|secret_string|secret_key|private_key|api_key|apikey|"
    r"access_key|auth_token|api_token|session_token|client_secret|credentials?)$",
    re.IGNORECASE,
)
# scheme://user:password@host, the password not a Terraform reference
CONNECTION_STRING = re.compile(r"\b[a-z][a-z0-9+.-]*://[^\s/:@]+:([^\s/@]+)@", re.IGNORECASE)
_PLACEHOLDERS = {"", "null", "none", "changeme-never", "<redacted>"}


def walk(node: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """(dotted path, leaf) for every leaf; the "//" metadata is Terraform's comment and skipped."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "//":
                continue
            yield from walk(value, f"{path}.{key}" if path else str(key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk(value, f"{path}[{index}]")
    else:
        yield path, node


def _literal(value: Any) -> bool:
    """A value written into the JSON, not a reference resolved at apply, nor an ARN naming a secret."""
    return (
        isinstance(value, str)
        and "${" not in value
        and not value.startswith("arn:")
        and value.strip().lower() not in _PLACEHOLDERS
    )


def literal_problem(path: str, value: Any) -> str | None:
    """A password-like key with a literal value, or a connection string with a password; None otherwise.
    Standard library only: the gate uses it on outputs, variables, locals and provider blocks."""
    if not isinstance(value, str) or not value:
        return None
    key = re.sub(r"\[\d+\]$", "", path).rsplit(".", 1)[-1]
    if PASSWORD_KEY.search(key) and _literal(value):
        return f"{path} holds a literal credential; pass it from Secrets Manager (manage_master_user_password, a secret ARN)"
    connection = CONNECTION_STRING.search(value)
    if connection and "${" not in connection.group(1):
        return f"{path} is a connection string with a password in it; keep the password in Secrets Manager"
    return None


# No credential format the plugins above know is shorter than this (Artifactory's AP... tokens
# are the shortest, 11 characters); shorter values are not handed to detect-secrets.
_SHORTEST_CREDENTIAL = 10
# A value that is only a Terraform reference ("${aws_kms_key.data.arn}") holds no literal at all.
_REFERENCE_ONLY = re.compile(r"^\$\{[A-Za-z0-9_.\-\[\]\"*]+\}$")
_configured: list[bool] = []


def _format_scanner() -> Any:
    """detect-secrets' scan_line with the format plugins, configured once per process.

    transient_settings would rebuild the settings and every plugin on each resource (about half
    of the check time in a profile of a ten-environment run). This module runs inside Checkov's
    process for the terraform_json framework only, where nothing else reads detect-secrets'
    settings, so they are set once and kept."""
    from detect_secrets.core.scan import scan_line  # Checkov's environment only
    from detect_secrets.settings import cache_bust, configure_settings_from_baseline

    if not _configured:
        cache_bust()
        configure_settings_from_baseline({"plugins_used": FORMAT_PLUGINS})
        _configured.append(True)
    return scan_line


# The same values recur across the stacks of one run (every environment's copy of a policy, a
# runtime, a log format; a gate run over many variants of one stack): what the format plugins find
# in a value depends on the value alone, with the plugins configured once, so each distinct value
# is scanned once per process. Bounded: a value is at most a policy document of a few KiB.
@functools.lru_cache(maxsize=8192)
def credential_kinds(value: str) -> tuple[str, ...]:
    """The credential formats detect-secrets' format plugins find in `value`, sorted."""
    return tuple(sorted({secret.type for secret in _format_scanner()(value)}))


def problems(node: Any) -> list[str]:
    """Every credential in a resource body: the literal rules above, then detect-secrets' format plugins."""
    found = []
    for path, value in walk(node):
        literal = literal_problem(path, value)
        if literal:
            found.append(literal)
        elif isinstance(value, str) and len(value) >= _SHORTEST_CREDENTIAL and not _REFERENCE_ONLY.match(value):
            kinds = credential_kinds(value)
            if kinds:
                found.append(f"{path} contains a secret ({', '.join(kinds)})")
    return found
