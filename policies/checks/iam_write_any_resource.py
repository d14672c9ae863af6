"""FND_IAM_2: identity policies that allow write actions on Resource "*"."""

from __future__ import annotations

from typing import Any

from _support import IDENTITY_POLICY_TYPES, FoundationCheck, StackContext, aws_rules


class IamNoWriteOnAnyResource(FoundationCheck):
    check_id = "FND_IAM_2"
    summary = 'IAM policies we create must not allow write actions on Resource "*"'
    why = "a write on every resource lets one compromised function change data it was never meant to touch"
    fix = 'scope Resource to the ARNs the role writes; only actions without resource-level permissions (X-Ray, PutMetricData) may use "*"'
    resource_types = IDENTITY_POLICY_TYPES

    def problems(self, rtype: str, body: dict[str, Any], stack: StackContext) -> list[str]:
        policy = body.get("policy")
        return aws_rules.identity_policy_problems(policy)[1] if isinstance(policy, str) else []


check = IamNoWriteOnAnyResource()
