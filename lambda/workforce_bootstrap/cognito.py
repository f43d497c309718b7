"""Read the app client and the user pool and plan the writes that change only what we own."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from botocore import xform_name
from botocore.exceptions import ClientError

from .errors import ClientNotFoundError
from .portal import InviteMessage
from .roundtrip import Described, client_update_request, pool_update_request

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient


def client_update(
    cognito: CognitoIdentityProviderClient,
    *,
    user_pool_id: str,
    client_id: str,
    callback_urls: list[str],
    logout_urls: list[str],
) -> dict[str, Any] | None:
    """The UpdateUserPoolClient request that makes the callback/logout URLs exactly these lists, or
    None when they already are."""
    described = _describe_client(cognito, user_pool_id, client_id)
    current = described.parsed
    default_redirect = callback_urls[0]
    up_to_date = (
        set(current.get("CallbackURLs", [])) == set(callback_urls)
        and set(current.get("LogoutURLs", [])) == set(logout_urls)
        and current.get("DefaultRedirectURI") == default_redirect
    )
    if up_to_date:
        return None
    request = client_update_request(described, _input_shape(cognito, "UpdateUserPoolClient"))
    # The default redirect must be one of the callback URLs; the placeholder's is gone.
    request.update(CallbackURLs=callback_urls, LogoutURLs=logout_urls, DefaultRedirectURI=default_redirect)
    return request


def invitation_update(
    cognito: CognitoIdentityProviderClient, *, user_pool_id: str, message: InviteMessage
) -> dict[str, Any] | None:
    """The UpdateUserPool request that makes the invitation email subject and body these, or None
    when they already are."""
    described = _describe_pool(cognito, user_pool_id)
    current = described.parsed.get("AdminCreateUserConfig", {}).get("InviteMessageTemplate", {})
    if current.get("EmailSubject") == message.subject and current.get("EmailMessage") == message.body:
        return None
    request = pool_update_request(described, _input_shape(cognito, "UpdateUserPool"))
    admin_create = request.setdefault("AdminCreateUserConfig", {})
    template = admin_create.setdefault("InviteMessageTemplate", {})
    template.update(EmailSubject=message.subject, EmailMessage=message.body)
    return request


def _input_shape(cognito: CognitoIdentityProviderClient, operation: str) -> Any:
    return cognito.meta.service_model.operation_model(operation).input_shape


def _describe(cognito: CognitoIdentityProviderClient, operation: str, key: str, **params: str) -> Described:
    """Call a Describe operation and keep its answer twice: parsed, and as AWS sent it, before
    botocore's parser drops the fields its model does not know. botocore emits
    `after-call.<service>.<operation>` with the HTTP response once a call is complete
    (botocore/client.py, `_make_api_call`)."""
    bodies: list[bytes] = []

    def keep(http_response: Any, **_: Any) -> None:
        bodies.append(http_response.content)

    event = f"after-call.{cognito.meta.service_model.service_id.hyphenize()}.{operation}"
    cognito.meta.events.register(event, keep)
    try:
        parsed = getattr(cognito, xform_name(operation))(**params)
    finally:
        cognito.meta.events.unregister(event, keep)
    return Described(parsed=parsed[key], sent=json.loads(bodies[-1])[key])


def _describe_client(cognito: CognitoIdentityProviderClient, user_pool_id: str, client_id: str) -> Described:
    try:
        return _describe(
            cognito, "DescribeUserPoolClient", "UserPoolClient", UserPoolId=user_pool_id, ClientId=client_id
        )
    except ClientError as error:
        if error.response["Error"]["Code"] != "ResourceNotFoundException":
            raise
        raise ClientNotFoundError(
            f"app client {client_id} was not found in user pool {user_pool_id} "
            f"({error.response['Error'].get('Message', 'no detail')}); it must exist before the "
            "bootstrap runs: check that Terraform created it and that nobody deleted it"
        ) from error


def _describe_pool(cognito: CognitoIdentityProviderClient, user_pool_id: str) -> Described:
    try:
        return _describe(cognito, "DescribeUserPool", "UserPool", UserPoolId=user_pool_id)
    except ClientError as error:
        if error.response["Error"]["Code"] != "ResourceNotFoundException":
            raise
        raise ClientNotFoundError(
            f"user pool {user_pool_id} was not found ({error.response['Error'].get('Message', 'no detail')})"
        ) from error
