"""FND_POL_2: policies that allow every action of a service (or, in resource policies, every action)."""

from __future__ import annotations

import re
from typing import Any

from _policy_documents import POLICY_TYPES, as_list, is_identity, statements
from _support import FoundationCheck, StackContext, Unknown

# "kms:*" to this account's root is the key policy AWS itself writes by default ("Allows access to
# the AWS account and enables IAM policies", AWS KMS Developer Guide, "Default key policy"): it
# delegates to IAM, where the identity policies are checked.
_THIS_ACCOUNT_ROOT = re.compile(r"^arn:[^:]+:iam::\$\{data\.aws_caller_identity\.[A-Za-z0-9_-]+\.account_id\}:root$")


def _service_wide(action: str) -> bool:
    service, _, verb = action.partition(":")
    return bool(service) and verb == "*"


_PARTITIONS = ("aws", "aws-cn", "aws-us-gov")


def _own_accounts(stack: StackContext) -> set[str]:
    """Account ids a plan read for the caller (data.aws_caller_identity, known in a saved plan's JSON)."""
    found = ((stack.document.get("data") or {}).get("aws_caller_identity")) or {}
    return {
        str(body["account_id"])
        for body in (found.values() if isinstance(found, dict) else [])
        if isinstance(body, dict) and re.fullmatch(r"\d{12}", str(body.get("account_id", "")))
    }


def _is_account_key_administration(rtype: str, statement: dict[str, Any], stack: StackContext) -> bool:
    principal = statement.get("Principal")
    principals = as_list(principal.get("AWS")) if isinstance(principal, dict) and set(principal) == {"AWS"} else []
    actions = [str(a) for a in as_list(statement.get("Action"))]
    # The key's own account: written as the caller-identity expression, or (in a plan) as the literal
    # account id that data source resolved to.
    own = {f"arn:{partition}:iam::{account}:root" for account in _own_accounts(stack) for partition in _PARTITIONS}
    return (
        rtype == "aws_kms_key"
        and bool(principals)
        and all(isinstance(p, str) and (_THIS_ACCOUNT_ROOT.match(p) or p in own) for p in principals)
        and actions == ["kms:*"]
        and "Condition" not in statement
    )


class PolicyWildcardAction(FoundationCheck):
    check_id = "FND_POL_2"
    summary = 'Policies must not allow every action of a service ("s3:*", "kms:*") or Action "*" in resource policies'
    why = (
        "a service-wide wildcard grants today's and every future action of the service, including deleting data "
        'and changing its policies; FND_IAM_1 covers Action "*" in identity policies'
    )
    fix = "list the actions needed (the constructs' grant_* methods do); a key policy may give kms:* to its own account root only"
    resource_types = POLICY_TYPES

    def problems(self, rtype: str, body: dict[str, Any], stack: StackContext) -> list[str]:
        found, unreadable = statements(rtype, body, stack)
        problems = [p for p in unreadable if isinstance(p, Unknown)]
        for labelled in found:
            statement = labelled.statement
            if statement.get("Effect") != "Allow" or _is_account_key_administration(rtype, statement, stack):
                continue
            actions = [str(a) for a in as_list(statement.get("Action"))]
            identity = is_identity(rtype, labelled.attribute)
            if not identity and ("*" in actions or "NotAction" in statement):
                problems.append(f'{labelled.label} allows every action (Action "*" or NotAction)')
            wide = sorted(a for a in actions if _service_wide(a))
            if wide:
                problems.append(f"{labelled.label} allows every action of a service: {', '.join(wide)}")
        return problems


check = PolicyWildcardAction()
