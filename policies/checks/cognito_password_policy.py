"""FND_COG_1: Cognito user pools keep the password policy the API construct sets."""

from __future__ import annotations

from typing import Any

from _support import FoundationCheck, StackContext

MINIMUM_LENGTH = 12  # NIST SP 800-63B allows 8; the construct sets 12 with every character class
_CLASSES = ("require_lowercase", "require_uppercase", "require_numbers", "require_symbols")


class CognitoPasswordPolicy(FoundationCheck):
    check_id = "FND_COG_1"
    summary = f"Cognito user pools must require passwords of at least {MINIMUM_LENGTH} characters with every character class"
    why = "a weak password policy makes credential stuffing and guessing practical against the API's users"
    fix = f"set password_policy.minimum_length >= {MINIMUM_LENGTH} and require lowercase, uppercase, numbers and symbols"
    resource_types = ("aws_cognito_user_pool",)
    reads = ("password_policy",)

    def problems(self, rtype: str, body: dict[str, Any], stack: StackContext) -> list[str]:
        policy = body.get("password_policy")
        policy = policy[0] if isinstance(policy, list) and policy else policy
        if not isinstance(policy, dict):
            return ["password_policy is not set: Cognito's default accepts 8 characters"]
        problems = []
        length = policy.get("minimum_length")
        if not (isinstance(length, int) and length >= MINIMUM_LENGTH):
            problems.append(f"password_policy.minimum_length is {length}, below {MINIMUM_LENGTH}")
        off = [c for c in _CLASSES if policy.get(c) is not True]
        if off:
            problems.append(f"password_policy does not set {', '.join(off)}")
        return problems


check = CognitoPasswordPolicy()
