"""Keys, secrets, parameters and identities: KMS keys, Secrets Manager secrets, Systems Manager
parameters, Cognito user pools."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from gates.cost import Context, LineItem, Rule

# Cognito Lite and Essentials include 10,000 monthly active users per account (Amazon
# Cognito pricing, feature plans of November 2024).
COGNITO_FREE_MAU = Decimal(10_000)


def _kms_key(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    items = [
        ctx.item(body, "Customer managed key", Decimal(1), "kms_key_month"),
    ]
    requests = ctx.usage.number("kms", "requests")
    requests -= ctx.free_part("kms_requests", requests)
    items.append(ctx.item(body, "Requests beyond the free tier (10 thousands)", requests / Decimal(10_000), "kms_requests_10k"))
    if body.get("enable_key_rotation") is True:
        # The first and second rotations each add a key-month; later ones are free (AWS KMS
        # pricing, since May 2024). [kms] billed_rotations: 0 in a key's first year, 2 from its third.
        rotations = min(ctx.usage.number("kms", "billed_rotations", scaled=False), Decimal(2))
        if rotations:
            items.append(ctx.item(body, f"Rotated key versions ({rotations} billed)", rotations, "kms_key_month"))
    return items


def secret_charges(ctx: Context, body: dict[str, Any], label: str, name: str) -> list[LineItem]:
    """One secret's month and its API calls (GetSecretValue and the rest), billed per 10,000 (AWS
    Secrets Manager pricing); a hand-written profile without [secretsmanager] prices no calls."""
    items = [ctx.item(body, label, Decimal(1), "secretsmanager_secret_month")]
    if "secretsmanager" in ctx.usage.data:
        calls = ctx.usage.number("secretsmanager", "api_calls", name=name)
        items.append(ctx.item(body, f"{label}: API calls (10,000s)", calls / Decimal(10_000), "secretsmanager_api_10k"))
    return items


def _secret(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    return secret_charges(ctx, body, "Secret", str(body.get("name", name)))


def _user_pool(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    tier = str(body.get("user_pool_tier", "ESSENTIALS")).lower()
    users = ctx.usage.number("cognito", "monthly_active_users")
    return [
        ctx.item(
            body,
            f"Monthly active users beyond {COGNITO_FREE_MAU} ({tier})",
            max(Decimal(0), users - COGNITO_FREE_MAU),
            f"cognito_mau:{tier}",
        )
    ]


def _ssm_parameter(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    # Standard parameters are free; an Advanced one is billed per parameter-month (AWS Systems
    # Manager pricing, Parameter Store). Intelligent-Tiering stays Standard while the value fits.
    if body.get("tier") != "Advanced":
        return []
    return [ctx.item(body, "Advanced parameter", Decimal(1), "ssm_advanced_parameter_month")]


RULES: dict[str, Rule] = {
    "aws_ssm_parameter": _ssm_parameter,
    "aws_kms_key": _kms_key,
    "aws_secretsmanager_secret": _secret,
    "aws_cognito_user_pool": _user_pool,
}
