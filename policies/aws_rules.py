"""What AWS accepts, as plain functions: one source of truth for configuration and gates.

The configuration model calls these to reject bad input before synthesis; the
custom Checkov checks in `policies/checks/` call the same functions on the
synthesized JSON, so a hand-written stack is held to the same rules. No
dependency but the standard library and pycountry, since both the application's
environment and Checkov's import this module.

Each function returns a list of problems, each a sentence; an empty list means
AWS would accept the value. Values that are Terraform references (`${...}`) are
unknown until apply and are not judged.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

import pycountry


def is_reference(value: object) -> bool:
    """A Terraform JSON string holding an interpolation ("${var.name}", "${merge(...)}"), whose value
    Terraform knows only when it evaluates the configuration or applies it."""
    return isinstance(value, str) and "${" in value


def provider_configuration(value: object) -> str:
    """The provider configuration a resource's `provider` argument names: "aws.primary" whether written
    so or as an HCL-to-JSON converter writes it ("${aws.primary}"); "aws" when absent."""
    text = str(value or "aws").strip()
    if text.startswith("${") and text.endswith("}"):
        text = text[2:-1].strip()
    return text


# --- S3 bucket names ------------------------------------------------------------
# Source: Amazon S3 User Guide, "General purpose bucket naming rules".
_BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_IP_SHAPED = re.compile(r"^\d{1,3}(\.\d{1,3}){3}$")
RESERVED_BUCKET_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
RESERVED_BUCKET_SUFFIXES = ("-s3alias", "--ol-s3", "--x-s3", "--table-s3", ".mrap")


def bucket_name_problems(name: str) -> list[str]:
    if is_reference(name):
        return []
    if not _BUCKET_NAME.match(name):
        return [
            "a bucket name is 3 to 63 characters: lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit"
        ]
    problems = []
    if ".." in name or ".-" in name or "-." in name:
        problems.append("a bucket name may not contain two adjacent periods or a period next to a hyphen")
    if _IP_SHAPED.match(name):
        problems.append("a bucket name may not be formatted as an IP address")
    if name.startswith(RESERVED_BUCKET_PREFIXES) or name.endswith(RESERVED_BUCKET_SUFFIXES):
        problems.append(
            "a bucket name may not use a prefix or suffix AWS reserves ("
            + ", ".join(RESERVED_BUCKET_PREFIXES + RESERVED_BUCKET_SUFFIXES)
            + ")"
        )
    return problems


# --- Tags --------------------------------------------------------------------------
# Source: AWS General Reference, "Tagging your AWS resources": keys 1-128 and values
# 0-256 Unicode characters; letters, numbers, spaces and _ . : / = + - @; aws: reserved.
_TAG_CHARS = re.compile(r"^[\w\s.:/=+\-@]*$")
TAG_CHARS_ALLOWED = "letters, digits, spaces and _ . : / = + - @"
HOUSE_TAGS = ("project", "environment", "owner", "cost-centre", "managed-by")


def tag_key_problems(key: str) -> list[str]:
    problems = []
    if not 1 <= len(key) <= 128:
        problems.append("a tag key must be 1 to 128 characters long")
    if not _TAG_CHARS.match(key):
        problems.append(f"a tag key may contain only {TAG_CHARS_ALLOWED}")
    if key.lower().startswith("aws:"):
        problems.append("a tag key may not start with 'aws:', which AWS reserves")
    return problems


def tag_value_problems(value: str) -> list[str]:
    if is_reference(value):
        return []
    problems = []
    if len(value) > 256:
        problems.append("a tag value may be at most 256 characters long")
    if not _TAG_CHARS.match(value):
        problems.append(f"a tag value may contain only {TAG_CHARS_ALLOWED}")
    return problems


def tags_problems(tags: Mapping[str, Any]) -> list[str]:
    problems: list[str] = []
    for key, value in tags.items():
        problems += [f"tag {key!r}: {p}" for p in tag_key_problems(key)]
        problems += [f"tag {key!r} = {value!r}: {p}" for p in tag_value_problems(str(value))]
    if len(tags) > 50:
        problems.append(f"{len(tags)} tags: AWS allows at most 50 user tags on a resource")
    return problems


# --- S3 lifecycle ----------------------------------------------------------------
# Source: Amazon S3 API Reference, "Transition" (Days: STANDARD_IA and ONEZONE_IA need
# 30 or more) and User Guide, "Constraints and considerations for transitions"
# (the waterfall order; objects stay 30 days in Standard-IA, One Zone-IA and
# Glacier Instant Retrieval before moving on; expiration after the last transition).
STORAGE_CLASS_ORDER = ("STANDARD_IA", "INTELLIGENT_TIERING", "ONEZONE_IA", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE")
_INFREQUENT_ACCESS = ("STANDARD_IA", "ONEZONE_IA")
_STAY_BEFORE_NEXT_DAYS = {"STANDARD_IA": 30, "ONEZONE_IA": 30, "GLACIER_IR": 30}
MIN_DAYS_TO_INFREQUENT_ACCESS = 30


def _as_blocks(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, dict)]
    return []


def _transition_problems(transitions: list[tuple[str, int]], expiration: int | None, what: str, days_key: str) -> list[str]:
    problems = []
    for storage_class, days in transitions:
        if storage_class not in STORAGE_CLASS_ORDER:
            problems.append(
                f"{what} transition to {storage_class!r}: not a storage class; allowed: {', '.join(STORAGE_CLASS_ORDER)}"
            )
        elif storage_class in _INFREQUENT_ACCESS and days < MIN_DAYS_TO_INFREQUENT_ACCESS:
            problems.append(
                f"{what} transition to {storage_class} after {days} days: S3 requires {days_key} of at least "
                f"{MIN_DAYS_TO_INFREQUENT_ACCESS} for {storage_class}"
            )
    ordered = sorted((d, c) for c, d in transitions if c in STORAGE_CLASS_ORDER)
    for (days_a, class_a), (days_b, class_b) in itertools.pairwise(ordered):
        if days_a == days_b:
            problems.append(f"{what} transitions to {class_a} and {class_b} both after {days_a} days: each needs its own day")
        elif STORAGE_CLASS_ORDER.index(class_b) <= STORAGE_CLASS_ORDER.index(class_a):
            problems.append(
                f"{what} transitions go from {class_a} (day {days_a}) to {class_b} (day {days_b}): S3 moves objects "
                f"only down the order {' > '.join(STORAGE_CLASS_ORDER)}"
            )
        elif class_a in _STAY_BEFORE_NEXT_DAYS and days_b - days_a < _STAY_BEFORE_NEXT_DAYS[class_a]:
            problems.append(
                f"{what} transition to {class_b} on day {days_b} is only {days_b - days_a} days after the one to "
                f"{class_a}: objects must stay {_STAY_BEFORE_NEXT_DAYS[class_a]} days in {class_a} first"
            )
    if expiration is not None and ordered and expiration <= ordered[-1][0]:
        problems.append(
            f"{what} expiration after {expiration} days is not after the last transition (day {ordered[-1][0]}): "
            "S3 requires expiration to come later"
        )
    return problems


def lifecycle_rule_problems(rule: Mapping[str, Any]) -> list[str]:
    """Problems S3 would reject in one `rule` block of aws_s3_bucket_lifecycle_configuration."""
    label = f"rule {rule.get('id', '?')!r}:"
    current = [
        (str(t.get("storage_class")), int(t["days"]))
        for t in _as_blocks(rule.get("transition"))
        if isinstance(t.get("days"), int)
    ]
    expiration = next((e["days"] for e in _as_blocks(rule.get("expiration")) if isinstance(e.get("days"), int)), None)
    noncurrent = [
        (str(t.get("storage_class")), int(t["noncurrent_days"]))
        for t in _as_blocks(rule.get("noncurrent_version_transition"))
        if isinstance(t.get("noncurrent_days"), int)
    ]
    noncurrent_expiration = next(
        (
            e["noncurrent_days"]
            for e in _as_blocks(rule.get("noncurrent_version_expiration"))
            if isinstance(e.get("noncurrent_days"), int)
        ),
        None,
    )
    return _transition_problems(current, expiration, f"{label} current-version", "days") + _transition_problems(
        noncurrent, noncurrent_expiration, f"{label} noncurrent-version", "noncurrent_days"
    )


# --- S3 CORS ---------------------------------------------------------------------
# Source: Amazon S3 User Guide, "CORS configuration": AllowedMethod is one of GET, PUT,
# POST, DELETE, HEAD; a configuration holds up to 100 rules.
CORS_METHODS = ("GET", "PUT", "HEAD", "POST", "DELETE")
MAX_CORS_RULES = 100


def cors_problems(rules: Iterable[Mapping[str, Any]]) -> list[str]:
    rules = list(rules)
    problems = []
    if len(rules) > MAX_CORS_RULES:
        problems.append(f"{len(rules)} CORS rules: S3 accepts at most {MAX_CORS_RULES}")
    for index, rule in enumerate(rules):
        label = f"CORS rule {rule.get('id', index)!r}:"
        methods = rule.get("allowed_methods") or []
        bad = [m for m in methods if m not in CORS_METHODS]
        if bad:
            problems.append(f"{label} methods {', '.join(map(str, bad))} are not allowed; allowed: {', '.join(CORS_METHODS)}")
        if not methods:
            problems.append(f"{label} allowed_methods is empty")
        # S3 rejects a wildcard anywhere in an exposed header ("x-amz-meta-*" too), at apply time.
        for header in [h for h in rule.get("expose_headers") or [] if isinstance(h, str) and "*" in h]:
            problems.append(
                f"{label} {header!r} in expose_headers: S3 does not accept a wildcard there; name each header (e.g. ETag)"
            )
        if not rule.get("allowed_origins"):
            problems.append(f"{label} allowed_origins is empty")
    return problems


# --- CloudFront geo restriction ---------------------------------------------------
_ALPHA2 = frozenset(country.alpha_2 for country in pycountry.countries)


def geo_code_problems(codes: Iterable[str]) -> list[str]:
    problems = []
    for code in codes:
        if code not in _ALPHA2:
            hint = " (the United Kingdom is GB)" if code == "UK" else ""
            problems.append(f"{code!r} is not an ISO 3166-1 alpha-2 country code{hint}")
    return problems


# --- Aurora PostgreSQL ------------------------------------------------------------
# Source: Amazon Aurora User Guide, "Supported DB engines for DB instance classes"
# (Aurora PostgreSQL column, 2026-11) and the CreateDBCluster / CreateDBInstance API
# references for the numeric limits below.
AURORA_POSTGRESQL_INSTANCE_CLASSES = frozenset(
    ["db.serverless"]
    + [f"db.t4g.{s}" for s in ("medium", "large")]
    + [f"db.t3.{s}" for s in ("medium", "large")]
    + [
        f"db.r8g.{s}"
        for s in ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge", "48xlarge")
    ]
    + [f"db.r7g.{s}" for s in ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge")]
    + [
        f"db.r7i.{s}"
        for s in ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge", "48xlarge")
    ]
    + [f"db.r6g.{s}" for s in ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge")]
    + [f"db.r6gd.{s}" for s in ("xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge")]
    + [
        f"db.r6i.{s}"
        for s in ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge", "32xlarge")
    ]
    + [f"db.r6id.{s}" for s in ("xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge", "32xlarge")]
    + [f"db.r5.{s}" for s in ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge")]
    + [f"db.x2g.{s}" for s in ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge")]
)
PI_RETENTION_DAYS = frozenset([7, 731, *(31 * month for month in range(1, 24))])
BACKUP_RETENTION_RANGE = (1, 35)
ACU_MIN, ACU_MAX, ACU_STEP = 0.0, 256.0, 0.5


def aurora_instance_class_problems(instance_class: str, engine: str = "aurora-postgresql") -> list[str]:
    if is_reference(instance_class) or engine != "aurora-postgresql":
        return []
    if instance_class not in AURORA_POSTGRESQL_INSTANCE_CLASSES:
        return [
            f"instance class {instance_class!r} is not offered for Aurora PostgreSQL; use e.g. db.t4g.medium, "
            "db.r6g.large, db.r7g.large or db.serverless"
        ]
    return []


def pi_retention_problems(days: int) -> list[str]:
    if days not in PI_RETENTION_DAYS:
        return [f"Performance Insights retention {days} days: AWS accepts 7, a multiple of 31 up to 713, or 731"]
    return []


def backup_retention_problems(days: int) -> list[str]:
    low, high = BACKUP_RETENTION_RANGE
    if not low <= days <= high:
        return [f"backup retention {days} days: Aurora accepts {low} to {high}"]
    return []


def acu_problems(min_capacity: float, max_capacity: float) -> list[str]:
    problems = []
    for name, value in (("min_capacity", min_capacity), ("max_capacity", max_capacity)):
        if not ACU_MIN <= value <= ACU_MAX or (value / ACU_STEP) != int(value / ACU_STEP):
            problems.append(f"{name} {value} ACU: Aurora Serverless v2 accepts {ACU_MIN:g} to {ACU_MAX:g} in steps of {ACU_STEP}")
    if max_capacity < 1:
        problems.append(f"max_capacity {max_capacity} ACU: the maximum must be at least 1")
    if min_capacity > max_capacity:
        problems.append(f"min_capacity {min_capacity} is above max_capacity {max_capacity}")
    return problems


# --- IAM identity policies --------------------------------------------------------
# Actions that have no resource-level permissions, so AWS requires Resource "*"
# (Service Authorization Reference: X-Ray, CloudWatch PutMetricData, and the EC2
# network-interface actions Lambda needs to attach to a VPC).
ACTIONS_REQUIRING_ANY_RESOURCE = frozenset(
    {
        "xray:PutTraceSegments",
        "xray:PutTelemetryRecords",
        "xray:GetSamplingRules",
        "xray:GetSamplingTargets",
        "cloudwatch:PutMetricData",
        "ec2:CreateNetworkInterface",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DeleteNetworkInterface",
        "ec2:AssignPrivateIpAddresses",
        "ec2:UnassignPrivateIpAddresses",
    }
)
_READ_ONLY_VERBS = ("Get", "List", "Describe", "Head", "BatchGet", "Query", "Scan", "Search", "Lookup", "View", "Check")


def _is_write(action: str) -> bool:
    _, _, verb = action.partition(":")
    if action in ACTIONS_REQUIRING_ANY_RESOURCE:
        return False
    if verb in ("", "*") or verb.startswith("*"):
        return True
    return not verb.startswith(_READ_ONLY_VERBS)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def identity_policy_problems(policy: str | Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """(wildcard-action problems, write-on-any-resource problems) of one identity policy."""
    if isinstance(policy, str):
        try:
            document = json.loads(policy)
        except json.JSONDecodeError:
            return [], []
    else:
        document = dict(policy)
    wildcard: list[str] = []
    write_any: list[str] = []
    for index, statement in enumerate(_as_list(document.get("Statement", []))):
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        label = f"statement {statement.get('Sid', index)!r}"
        actions = [str(a) for a in _as_list(statement.get("Action", []))]
        if any(a == "*" for a in actions) or "NotAction" in statement:
            wildcard.append(f'{label} allows every action (Action "*" or NotAction); name the actions the role needs')
        resources = _as_list(statement.get("Resource", []))
        if "*" in resources:
            writes = sorted(a for a in actions if a != "*" and _is_write(a))
            if writes:
                write_any.append(f'{label} allows {", ".join(writes)} on Resource "*"; scope it to the resources the role writes')
    return wildcard, write_any


# --- RDS instance classes ----------------------------------------------------------
# db.<family><generation>[<suffix>].<size> (RDS User Guide, "DB instance classes"); which
# classes a Region offers is left to the price catalogue, which fails on an unknown one.
_RDS_INSTANCE_CLASS = re.compile(r"db\.[a-z]+[0-9]+[a-z-]*\.(micro|small|medium|large|xlarge|[0-9]+xlarge)")


def rds_instance_class_shape(instance_class: str) -> bool:
    return bool(_RDS_INSTANCE_CLASS.fullmatch(instance_class))
