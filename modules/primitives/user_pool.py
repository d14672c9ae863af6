"""The Cognito user pool and app client that the API's authorizer trusts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from constructs import Construct

from modules.core.aws import cognito_user_pool, cognito_user_pool_client
from modules.core.framework import TerraformResourceLifecycle

up = cognito_user_pool
upc = cognito_user_pool_client


@dataclass(frozen=True, kw_only=True)
class UserPoolProps:
    """name: pool name (`<project>-<environment>`).
    allow_self_sign_up: anyone may register; default off (administrators invite users),
        so a fresh deployment is not an open file host.
    minimum_password_length: default 12 (Cognito accepts 6 to 99).
    tier: Cognito feature plan; default LITE, which has everything this API uses
        (passwords, TOTP MFA, SRP) at the lowest price per monthly active user.
    deletion_protection: Cognito refuses to delete the pool; default on (prod). Users and
        their identities cannot be restored once a pool is gone.
    access_token_minutes / refresh_token_days: token lifetimes; default 60 minutes / 30 days.
    """

    name: str
    allow_self_sign_up: bool = False
    minimum_password_length: int = 12
    tier: Literal["LITE", "ESSENTIALS", "PLUS"] = "LITE"
    deletion_protection: bool = True
    access_token_minutes: int = 60
    refresh_token_days: int = 30


class UserPool(Construct):
    """Email sign-in, strong passwords, optional TOTP MFA, one public SRP client without a secret."""

    def __init__(self, scope: Construct, id: str, *, props: UserPoolProps) -> None:
        super().__init__(scope, id)
        if not 6 <= props.minimum_password_length <= 99:
            raise ValueError(f"minimum_password_length = {props.minimum_password_length}: Cognito accepts 6 to 99")
        self.props = props
        self.pool = up.CognitoUserPool(
            self,
            "pool",
            name=props.name,
            user_pool_tier=props.tier,
            username_attributes=["email"],
            username_configuration=up.CognitoUserPoolUsernameConfiguration(case_sensitive=False),
            auto_verified_attributes=["email"],
            # Users may add an authenticator app; SMS is left out (cost and SIM-swap risk).
            mfa_configuration="OPTIONAL",
            software_token_mfa_configuration=up.CognitoUserPoolSoftwareTokenMfaConfiguration(enabled=True),
            password_policy=up.CognitoUserPoolPasswordPolicy(
                minimum_length=props.minimum_password_length,
                require_lowercase=True,
                require_uppercase=True,
                require_numbers=True,
                require_symbols=True,
                temporary_password_validity_days=3,
            ),
            account_recovery_setting=up.CognitoUserPoolAccountRecoverySetting(
                recovery_mechanism=[up.CognitoUserPoolAccountRecoverySettingRecoveryMechanism(name="verified_email", priority=1)]
            ),
            admin_create_user_config=up.CognitoUserPoolAdminCreateUserConfig(
                allow_admin_create_user_only=not props.allow_self_sign_up
            ),
            deletion_protection="ACTIVE" if props.deletion_protection else "INACTIVE",
            lifecycle=TerraformResourceLifecycle(prevent_destroy=True) if props.deletion_protection else None,
        )
        self.client = upc.CognitoUserPoolClient(
            self,
            "client",
            name=f"{props.name}-web",
            user_pool_id=self.pool.id,
            # A browser or mobile app cannot keep a secret; SRP never sends the password.
            generate_secret=False,
            explicit_auth_flows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            supported_identity_providers=["COGNITO"],
            # "User does not exist" would let anyone enumerate accounts.
            prevent_user_existence_errors="ENABLED",
            enable_token_revocation=True,
            access_token_validity=props.access_token_minutes,
            id_token_validity=props.access_token_minutes,
            refresh_token_validity=props.refresh_token_days,
            token_validity_units=[
                upc.CognitoUserPoolClientTokenValidityUnits(access_token="minutes", id_token="minutes", refresh_token="days")
            ],
        )

    @property
    def arn(self) -> str:
        return self.pool.arn
