"""Policy documents inside synthesized JSON, decoded; shared by the FND_POL_* checks (defines no check).

CDKTF writes every policy as a JSON *string* (`"policy": "{\"Version\": ...}"`),
which Checkov's policy checks do not read. Here each policy-bearing attribute of
a resource is decoded, including a `${data.aws_iam_policy_document.<name>.json}`
reference, which is resolved from the same stack and turned into the statement
shape AWS uses. Principal analysis (is a statement open to anyone, and does a
condition limit it) is policyuniverse's, which knows the limiting condition keys.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from _support import StackContext, Unknown
from policyuniverse.statement import Statement

# resource type -> attributes that hold a policy document (a JSON string)
POLICY_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "aws_iam_role": ("assume_role_policy", "inline_policy.policy"),
    "aws_iam_policy": ("policy",),
    "aws_iam_role_policy": ("policy",),
    "aws_iam_user_policy": ("policy",),
    "aws_iam_group_policy": ("policy",),
    "aws_s3_bucket_policy": ("policy",),
    "aws_s3_bucket": ("policy",),
    "aws_kms_key": ("policy",),
    "aws_sns_topic_policy": ("policy",),
    "aws_sns_topic": ("policy",),
    "aws_sqs_queue_policy": ("policy",),
    "aws_sqs_queue": ("policy",),
    "aws_secretsmanager_secret_policy": ("policy",),
    "aws_secretsmanager_secret": ("policy",),
    "aws_ecr_repository_policy": ("policy",),
    "aws_lambda_permission": (),  # a principal, not a document: see documents()
}
POLICY_TYPES = tuple(POLICY_ATTRIBUTES)
# Identity policies grant to whoever holds them; a "*" resource there means every resource.
# In a resource policy "*" means the resource the policy is attached to.
IDENTITY_ATTRIBUTES = {
    ("aws_iam_role", "inline_policy.policy"),
    ("aws_iam_policy", "policy"),
    ("aws_iam_role_policy", "policy"),
    ("aws_iam_user_policy", "policy"),
    ("aws_iam_group_policy", "policy"),
}
_DATA_DOCUMENT = re.compile(r"^\$\{data\.aws_iam_policy_document\.([A-Za-z0-9_-]+)\.json\}$")


@dataclass(frozen=True)
class Document:
    attribute: str
    statements: list[dict[str, Any]] | None  # None: the attribute is not a readable document
    problem: str | None = None


@dataclass(frozen=True)
class Labelled:
    """One statement with the words a finding uses for it."""

    attribute: str
    label: str
    statement: dict[str, Any]


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _blocks(value: Any) -> list[dict[str, Any]]:
    return [b for b in as_list(value) if isinstance(b, dict)]


def from_policy_document_data(data: dict[str, Any]) -> list[dict[str, Any]]:
    """`data.aws_iam_policy_document` statement blocks in the shape of IAM JSON statements."""
    statements = []
    for block in _blocks(data.get("statement")):
        statement: dict[str, Any] = {"Effect": block.get("effect") or "Allow"}
        if block.get("sid"):
            statement["Sid"] = block["sid"]
        for source, target in (
            ("actions", "Action"),
            ("not_actions", "NotAction"),
            ("resources", "Resource"),
            ("not_resources", "NotResource"),
        ):
            if block.get(source) is not None:
                statement[target] = as_list(block[source])
        for source, target in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
            principals = _blocks(block.get(source))
            if principals:
                mapping: dict[str, list[str]] = {}
                for principal in principals:
                    mapping.setdefault(str(principal.get("type")), []).extend(as_list(principal.get("identifiers")))
                # type "*" with identifiers ["*"] is how the data source spells Principal "*".
                statement[target] = "*" if set(mapping) == {"*"} else mapping
        conditions: dict[str, dict[str, list[Any]]] = {}
        for condition in _blocks(block.get("condition")):
            conditions.setdefault(str(condition.get("test")), {})[str(condition.get("variable"))] = as_list(
                condition.get("values")
            )
        if conditions:
            statement["Condition"] = conditions
        statements.append(statement)
    return statements


def _short(value: str) -> str:
    return repr(value if len(value) <= 80 else value[:77] + "...")


def _decode(attribute: str, value: Any, stack: StackContext) -> Document:
    if isinstance(value, dict):
        document: Any = value
    elif isinstance(value, str):
        referenced = _DATA_DOCUMENT.match(value.strip())
        if referenced:
            data = (stack.document.get("data") or {}).get("aws_iam_policy_document") or {}
            body = data.get(referenced.group(1)) if isinstance(data, dict) else None
            if not isinstance(body, dict):
                return Document(
                    attribute,
                    None,
                    f"{attribute} refers to data.aws_iam_policy_document.{referenced.group(1)}, which the stack does not define",
                )
            return Document(attribute, from_policy_document_data(body))
        if value.strip().startswith("${") and value.strip().endswith("}"):
            # Computed when Terraform evaluates it (jsonencode(...), another resource's output):
            # its statements are known in a plan, not here.
            return Document(attribute, None, Unknown(f"{attribute} = {_short(value)} is an expression"))
        try:
            document = json.loads(value)
        except json.JSONDecodeError as exc:
            return Document(attribute, None, f"{attribute} is not a JSON policy document ({exc.msg} at character {exc.pos})")
    else:
        return Document(attribute, None)
    if not isinstance(document, dict):
        return Document(attribute, None, f"{attribute} is not a policy document (a JSON object with a Statement list)")
    return Document(attribute, [s for s in as_list(document.get("Statement")) if isinstance(s, dict)])


def documents(rtype: str, body: dict[str, Any], stack: StackContext) -> Iterator[Document]:
    for attribute in POLICY_ATTRIBUTES.get(rtype, ()):
        if "." in attribute:
            block_name, _, key = attribute.partition(".")
            for index, block in enumerate(_blocks(body.get(block_name))):
                if key in block:
                    yield _decode(f"{block_name}[{index}].{key}", block[key], stack)
        elif attribute in body:
            yield _decode(attribute, body[attribute], stack)
    if rtype == "aws_lambda_permission":
        # The permission is one statement: this principal may call lambda:InvokeFunction, limited
        # by source_arn / source_account (the same limits a resource policy's condition gives).
        principal = body.get("principal")
        kind = "Service" if isinstance(principal, str) and principal.endswith(".amazonaws.com") else "AWS"
        statement: dict[str, Any] = {
            "Effect": "Allow",
            "Principal": {kind: principal},
            "Action": body.get("action"),
        }
        condition = {}
        if body.get("source_arn"):
            condition["aws:SourceArn"] = body["source_arn"]
        if body.get("source_account"):
            condition["aws:SourceAccount"] = body["source_account"]
        if body.get("principal_org_id"):
            condition["aws:PrincipalOrgID"] = body["principal_org_id"]
        if condition:
            statement["Condition"] = {"StringLike": condition}
        yield Document("principal", [statement])


def statements(rtype: str, body: dict[str, Any], stack: StackContext) -> tuple[list[Labelled], list[str]]:
    """Every statement with its label ("statement 'Sid' in policy", "statement #2 in assume_role_policy"),
    and the attributes that could not be read."""
    found: list[Labelled] = []
    problems: list[str] = []
    for document in documents(rtype, body, stack):
        if document.problem:
            problems.append(document.problem)
        for index, statement in enumerate(document.statements or []):
            sid = statement.get("Sid")
            name = f"statement {sid!r}" if isinstance(sid, str) and sid else f"statement #{index}"
            found.append(Labelled(document.attribute, f"{name} in {document.attribute}", statement))
    return found, problems


def is_identity(rtype: str, attribute: str) -> bool:
    return (rtype, re.sub(r"\[\d+\]", "", attribute)) in IDENTITY_ATTRIBUTES


def open_to_anyone(statement: dict[str, Any]) -> bool:
    """Allow to "*" (or to any account, or through NotPrincipal) with no condition that limits who."""
    if statement.get("Effect") != "Allow":
        return False
    if "Principal" not in statement and "NotPrincipal" not in statement:
        return False  # identity policies have no principal
    try:
        return bool(Statement(statement).is_internet_accessible())
    except Exception:  # (a statement policyuniverse cannot read is judged open: fail safe)
        return True


# Condition keys that tie a service's access to our own resource or account (the confused-deputy
# guard, IAM User Guide "The confused deputy problem"); KMS encryption context and kms:ViaService
# bind a key grant to one resource or service call the same way, and kms:GrantIsForAWSResource limits
# kms:CreateGrant to grants for AWS resources (the Route 53 DNSSEC key policy AWS documents uses it).
_SOURCE_KEYS = ("aws:sourcearn", "aws:sourceaccount", "aws:sourceowner", "aws:sourceorgid", "aws:sourceorgpaths")


def service_without_source(statement: dict[str, Any]) -> list[str]:
    """Services an Allow statement grants to with no condition naming the source resource or account."""
    principal = statement.get("Principal")
    if statement.get("Effect") != "Allow" or not isinstance(principal, dict) or "Service" not in principal:
        return []
    condition = statement.get("Condition")
    keys = [
        str(key).lower()
        for block in (condition.values() if isinstance(condition, dict) else [])
        if isinstance(block, dict)
        for key in block
    ]
    if any(
        k in _SOURCE_KEYS or k.startswith("kms:encryptioncontext:") or k in ("kms:viaservice", "kms:grantisforawsresource")
        for k in keys
    ):
        return []
    return sorted(str(s) for s in as_list(principal["Service"]))
