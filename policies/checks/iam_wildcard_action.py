"""FND_IAM_1: identity policies that allow every action."""

from __future__ import annotations

from typing import Any

from _support import IDENTITY_POLICY_TYPES, FoundationCheck, StackContext, aws_rules


class IamNoWildcardAction(FoundationCheck):
    check_id = "FND_IAM_1"
    summary = 'IAM policies we create must not allow Action "*" (or use NotAction with Allow)'
    why = "a wildcard action grants every present and future API of every service, far beyond what the role does"
    fix = "list the actions the role needs; the constructs' grant_* methods do this for you"
    resource_types = IDENTITY_POLICY_TYPES

    def problems(self, rtype: str, body: dict[str, Any], stack: StackContext) -> list[str]:
        policy = body.get("policy")
        return aws_rules.identity_policy_problems(policy)[0] if isinstance(policy, str) else []


check = IamNoWildcardAction()
