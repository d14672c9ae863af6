"""FND_POL_3: identity policies that allow sensitive actions on every resource or an ARN wildcard."""

from __future__ import annotations

import re
from typing import Any

from _policy_documents import POLICY_TYPES, as_list, is_identity, statements
from _support import FoundationCheck, StackContext, Unknown
from policyuniverse.statement import Statement

# Reading secrets and data, decrypting, and handing roles on: each is harmless on one named
# resource and an escalation on all of them. Lower case, as policyuniverse expands actions.
SENSITIVE_ACTIONS = frozenset(
    {
        "secretsmanager:getsecretvalue",
        "ssm:getparameter",
        "ssm:getparameters",
        "ssm:getparametersbypath",
        "kms:decrypt",
        "iam:passrole",
        "sts:assumerole",
        "s3:getobject",
        "s3:putobject",
        "s3:deleteobject",
        "dynamodb:scan",
        "dynamodb:getitem",
        "lambda:invokefunction",
    }
)
# An ARN's resource part after its type ("secret:", "key/", "role/"), when it is nothing but wildcards.
_RESOURCE_TYPE = re.compile(r"^[A-Za-z][A-Za-z0-9-]*[:/]")


def wildcard_resource(resource: object) -> bool:
    """ "*", or an ARN that names every resource of its kind or any account (arn:aws:secretsmanager:*:*:secret:*)."""
    if not isinstance(resource, str):
        return False
    if resource == "*":
        return True
    parts = resource.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        return False
    account, rest = parts[4], parts[5]
    if account == "*":
        return True
    rest = _RESOURCE_TYPE.sub("", rest, count=1)
    return rest.strip("*/:") == "" and "*" in rest


class PolicySensitiveAnyResource(FoundationCheck):
    check_id = "FND_POL_3"
    summary = (
        "Identity policies must not allow sensitive actions (secrets, decrypt, PassRole, object access) on wildcard resources"
    )
    why = (
        'reading every secret, decrypting with every key or passing every role is privilege escalation; "*" and ARN '
        "wildcards such as arn:aws:secretsmanager:*:*:secret:* both mean every resource"
    )
    fix = "name the secret, key, role or bucket prefix; the constructs' grant_* methods scope to one resource"
    resource_types = POLICY_TYPES

    def problems(self, rtype: str, body: dict[str, Any], stack: StackContext) -> list[str]:
        found, unreadable = statements(rtype, body, stack)
        problems = [p for p in unreadable if isinstance(p, Unknown)]
        for labelled in found:
            statement = labelled.statement
            if statement.get("Effect") != "Allow" or not is_identity(rtype, labelled.attribute):
                continue
            resources = ["*"] if "NotResource" in statement else as_list(statement.get("Resource"))
            wide = sorted(str(r) for r in resources if wildcard_resource(r))
            if not wide:
                continue
            try:
                expanded = Statement(
                    {"Effect": "Allow", "Action": as_list(statement.get("Action")), "Resource": "*"}
                ).actions_expanded
            except Exception:  # (an unreadable action list is judged by its text)
                expanded = {str(a).lower() for a in as_list(statement.get("Action"))}
            sensitive = sorted(expanded & SENSITIVE_ACTIONS)
            if sensitive:
                problems.append(f"{labelled.label} allows {', '.join(sensitive)} on {', '.join(wide)}")
        return problems


check = PolicySensitiveAnyResource()
