"""FND_SEC_1: credentials written into any resource of the synthesized JSON."""

from __future__ import annotations

from typing import Any

from _secrets import problems
from _support import FoundationCheck, StackContext


class SecretsInJson(FoundationCheck):
    check_id = "FND_SEC_1"
    summary = "Resources must not carry credentials: known key formats, literal passwords, connection strings with passwords"
    why = (
        "Terraform JSON and state are read by CI, reviewers and anyone with the state bucket; a password there is "
        "as good as published (Lambda environments, user data and tags included)"
    )
    fix = "let AWS manage the password (manage_master_user_password) or store it in Secrets Manager and pass the secret's ARN"
    resource_types = ("*",)

    def problems(self, rtype: str, body: dict[str, Any], stack: StackContext) -> list[str]:
        return problems(body)


check = SecretsInJson()
