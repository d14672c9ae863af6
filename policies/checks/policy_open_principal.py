"""FND_POL_1: resource policies and trust policies that let anyone in."""

from __future__ import annotations

from typing import Any

from _policy_documents import POLICY_TYPES, open_to_anyone, service_without_source, statements
from _support import FoundationCheck, StackContext


class PolicyOpenPrincipal(FoundationCheck):
    check_id = "FND_POL_1"
    summary = 'Policies must not allow Principal "*" or any account without a condition that limits who'
    why = (
        "a key, topic, queue, secret, bucket, role trust or Lambda permission open to every AWS account (or to a "
        "service acting for any account) is usable by strangers; CDKTF writes policies as JSON strings, which "
        "Checkov's own policy checks do not read"
    )
    fix = (
        'name the principal (an account root, a role ARN or a service), or keep "*" only with a condition such as '
        "aws:SourceArn, aws:SourceAccount or aws:PrincipalOrgID; for a Lambda permission set source_arn or source_account"
    )
    resource_types = POLICY_TYPES

    def problems(self, rtype: str, body: dict[str, Any], stack: StackContext) -> list[str]:
        found, unreadable = statements(rtype, body, stack)
        problems = list(unreadable)
        for labelled in found:
            if open_to_anyone(labelled.statement):
                problems.append(f"{labelled.label} allows any principal (any AWS account) with no condition limiting who")
            elif labelled.attribute != "assume_role_policy" and (services := service_without_source(labelled.statement)):
                # A service acting for ANY customer could use the grant (the confused deputy).
                problems.append(
                    f"{labelled.label} allows {', '.join(services)} with no aws:SourceArn or aws:SourceAccount "
                    "condition, so the service acting for any AWS account can use it"
                )
        return problems


check = PolicyOpenPrincipal()
