"""FND_SEC_2: credentials outside resources (outputs, variables, locals, providers, backend, data).

Checkov's custom checks see resources only; FND_SEC_1 scans those. This scans the
rest of the document with the same literal rules (policies/checks/_secrets.py),
and requires every output that carries a secret value to be `sensitive`, so that
Terraform does not print it in plans, CI logs and `terraform output`.
"""

from __future__ import annotations

import re
from typing import Any

from gates.inputs import Stack
from policies.checks._secrets import PASSWORD_KEY, literal_problem, walk

CHECK_ID = "FND_SEC_2"
CHECK_NAME = (
    "Outputs, variables, locals and provider blocks must not carry credentials; outputs of secret values must be sensitive"
)
GUIDELINE = (
    "mark the output sensitive = true (or output the secret's ARN instead of its value); pass credentials to "
    "providers through the environment or a role, never in the JSON (why: the JSON, plans and state are read "
    "by CI and reviewers; an output that is not sensitive is printed in every plan)"
)
# Attributes whose value is a secret: a password, a generated password's result, a secret version's string, a key.
SECRET_ATTRIBUTE = re.compile(
    r"\$\{[^}]*\b("
    r"random_password\.[A-Za-z0-9_-]+\.(result|bcrypt_hash)"
    r"|[a-z0-9_]+\.[A-Za-z0-9_-]+\.(master_password|password|secret_string|secret_binary|private_key_pem|private_key"
    r"|secret|secret_access_key|ses_smtp_password_v4|token|auth_token|client_secret)"
    r")\b[^}]*\}"
)
# Provider and backend keys that are credentials even though their names are generic.
_CREDENTIAL_KEYS = re.compile(r"^(access_key|secret_key|token|password|client_secret)$")


def _literal_credentials(prefix: str, node: Any) -> list[str]:
    found = []
    for path, value in walk(node, prefix):
        problem = literal_problem(path, value)
        key = re.sub(r"\[\d+\]$", "", path).rsplit(".", 1)[-1]
        if problem is None and _CREDENTIAL_KEYS.match(key) and isinstance(value, str) and value and "${" not in value:
            problem = f"{path} holds a literal credential"
        if problem:
            found.append(problem)
    return found


def findings(stack: Stack) -> list[tuple[str, str]]:
    """(address, detail) for every credential outside the resource blocks."""
    document = stack.document
    found: list[tuple[str, str]] = []
    outputs = document.get("output") or {}
    for name, output in sorted(outputs.items()) if isinstance(outputs, dict) else []:
        if not isinstance(output, dict):
            continue
        address = f"output.{name}"
        value = output.get("value")
        texts = [v for _, v in walk(value) if isinstance(v, str)]
        carries = sorted({m.group(1) for text in texts for m in SECRET_ATTRIBUTE.finditer(text)})
        if carries and output.get("sensitive") is not True:
            found.append((address, f"the output carries {', '.join(carries)} but is not sensitive = true"))
        found += [(address, p) for p in _literal_credentials("value", value)]
    variables = document.get("variable") or {}
    for name, variable in sorted(variables.items()) if isinstance(variables, dict) else []:
        if not isinstance(variable, dict):
            continue
        default = variable.get("default")
        address = f"variable.{name}"
        if PASSWORD_KEY.search(name) and isinstance(default, str) and default:
            found.append((address, f"the default of {name} is a literal credential"))
        found += [(address, p) for p in _literal_credentials("default", default)]
    locals_block = document.get("locals") or {}
    for name, value in sorted(locals_block.items()) if isinstance(locals_block, dict) else []:
        found += [(f"local.{name}", p) for p in _literal_credentials(name, value)]
    providers = document.get("provider") or {}
    for name, configs in sorted(providers.items()) if isinstance(providers, dict) else []:
        for index, config in enumerate(configs if isinstance(configs, list) else [configs]):
            found += [(f"provider.{name}", p) for p in _literal_credentials(f"[{index}]", config)]
    terraform = document.get("terraform")
    if isinstance(terraform, dict):
        found += [("terraform.backend", p) for p in _literal_credentials("backend", terraform.get("backend"))]
    data = document.get("data") or {}
    for dtype, named in sorted(data.items()) if isinstance(data, dict) else []:
        for name, body in sorted(named.items()) if isinstance(named, dict) else []:
            found += [(f"data.{dtype}.{name}", p) for p in _literal_credentials("", body)]
    return found
