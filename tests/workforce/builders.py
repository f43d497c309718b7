"""Builders shared by the workforce bootstrap tests: a pool and client configured like the module's."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from workforce_bootstrap.request import Action, BootstrapRequest, InvitationTemplate

REGION = "us-east-1"
WORKFORCE = "labeling-test"
SUBDOMAIN = "abcd1234efgh.labeling.us-east-1.sagemaker.aws"
PLACEHOLDER = "https://placeholder.invalid/oauth2/idpresponse"
PLACEHOLDER_LOGOUT = "https://placeholder.invalid/logout"
EXTRA_CALLBACK = "https://tools.example.com/callback"
EXTRA_LOGOUT = "https://tools.example.com/signed-out"
SUBJECT = "Your labeling account"
BODY = "Hello {username}, sign in at {portal_url} with the temporary password {####}."
TRIGGER_ARN = "arn:aws:lambda:us-east-1:123456789012:function:pre-token"


@dataclass
class CallSpy:
    """Counts the API calls a boto3 client makes and keeps each call's parameters."""

    calls: Counter[str] = field(default_factory=Counter)
    params: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def attach(self, client: Any) -> CallSpy:
        client.meta.events.register("before-parameter-build", self._record)
        return self

    def _record(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        self.calls[model.name] += 1
        self.params.setdefault(model.name, []).append(dict(params))

    @property
    def writes(self) -> int:
        return sum(count for name, count in self.calls.items() if name.startswith("Update"))


@dataclass(frozen=True)
class WorkforcePool:
    user_pool_id: str
    client_id: str


def create_workforce_pool(cognito: Any) -> WorkforcePool:
    """A pool and app client set up the way modules/workforce creates them, plus settings the
    bootstrap must not lose (triggers, tier, threat protection, device tracking, token validity...)."""
    pool = cognito.create_user_pool(
        PoolName="labeling-test",
        Policies={
            "PasswordPolicy": {
                "MinimumLength": 14,
                "RequireUppercase": True,
                "RequireLowercase": True,
                "RequireNumbers": True,
                "RequireSymbols": True,
                "PasswordHistorySize": 5,
                "TemporaryPasswordValidityDays": 3,
            },
            "SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD"]},
        },
        DeletionProtection="ACTIVE",
        LambdaConfig={"PreTokenGeneration": TRIGGER_ARN},
        AutoVerifiedAttributes=["email"],
        AliasAttributes=["email"],
        MfaConfiguration="ON",
        DeviceConfiguration={"ChallengeRequiredOnNewDevice": True, "DeviceOnlyRememberedOnUserPrompt": True},
        EmailConfiguration={"EmailSendingAccount": "COGNITO_DEFAULT"},
        UserAttributeUpdateSettings={"AttributesRequireVerificationBeforeUpdate": ["email"]},
        UserPoolTags={"project": "labeling"},
        AdminCreateUserConfig={
            "AllowAdminCreateUserOnly": True,
            "InviteMessageTemplate": {
                "EmailSubject": "Invitation",
                "EmailMessage": "Your user name is {username} and temporary password {####}.",
                "SMSMessage": "User {username} password {####}",
            },
        },
        UserPoolAddOns={"AdvancedSecurityMode": "AUDIT"},
        UsernameConfiguration={"CaseSensitive": False},
        AccountRecoverySetting={"RecoveryMechanisms": [{"Priority": 1, "Name": "verified_email"}]},
        UserPoolTier="PLUS",
    )["UserPool"]
    cognito.set_user_pool_mfa_config(
        UserPoolId=pool["Id"], SoftwareTokenMfaConfiguration={"Enabled": True}, MfaConfiguration="ON"
    )
    client = cognito.create_user_pool_client(
        UserPoolId=pool["Id"],
        ClientName="labeling-test-workforce",
        GenerateSecret=True,
        RefreshTokenValidity=5,
        AccessTokenValidity=60,
        IdTokenValidity=60,
        TokenValidityUnits={"AccessToken": "minutes", "IdToken": "minutes", "RefreshToken": "days"},
        ReadAttributes=["email", "email_verified", "name"],
        WriteAttributes=["name"],
        ExplicitAuthFlows=["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"],
        SupportedIdentityProviders=["COGNITO"],
        CallbackURLs=[PLACEHOLDER, EXTRA_CALLBACK],
        LogoutURLs=[PLACEHOLDER_LOGOUT, EXTRA_LOGOUT],
        DefaultRedirectURI=PLACEHOLDER,
        AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["email", "openid", "profile"],
        AllowedOAuthFlowsUserPoolClient=True,
        PreventUserExistenceErrors="ENABLED",
        EnableTokenRevocation=True,
        EnablePropagateAdditionalUserContextData=False,
        AuthSessionValidity=7,
    )["UserPoolClient"]
    return WorkforcePool(user_pool_id=pool["Id"], client_id=client["ClientId"])


def bootstrap_request(
    pool: WorkforcePool, action: Action = Action.CREATE, **changes: Any
) -> BootstrapRequest:
    values: dict[str, Any] = {
        "action": action,
        "workforce_name": WORKFORCE,
        "user_pool_id": pool.user_pool_id,
        "client_id": pool.client_id,
        "extra_callback_urls": (EXTRA_CALLBACK,),
        "extra_logout_urls": (EXTRA_LOGOUT,),
        "invitation": InvitationTemplate(subject=SUBJECT, body=BODY),
    }
    values.update(changes)
    return BootstrapRequest(**values)


def workforce_answer(
    status: str = "Active", subdomain: str | None = SUBDOMAIN, **extra: Any
) -> dict[str, Any]:
    workforce: dict[str, Any] = {
        "WorkforceName": WORKFORCE,
        "WorkforceArn": f"arn:aws:sagemaker:{REGION}:123456789012:workforce/{WORKFORCE}",
        "Status": status,
        **extra,
    }
    if subdomain:
        workforce["SubDomain"] = subdomain
    return {"Workforce": workforce}
