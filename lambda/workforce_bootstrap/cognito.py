"""Read, modify and write back the app client and the user pool, changing only what we own."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from workforce_bootstrap.errors import ClientNotFoundError
from workforce_bootstrap.portal import InviteMessage
from workforce_bootstrap.roundtrip import client_update_request, pool_update_request


def point_client_at_portal(
    cognito: Any,
    *,
    user_pool_id: str,
    client_id: str,
    callback_urls: list[str],
    logout_urls: list[str],
) -> bool:
    """Make the client's callback/logout URLs exactly these lists; True when it had to write."""
    current = _describe_client(cognito, user_pool_id, client_id)
    default_redirect = callback_urls[0]
    up_to_date = (
        set(current.get("CallbackURLs", [])) == set(callback_urls)
        and set(current.get("LogoutURLs", [])) == set(logout_urls)
        and current.get("DefaultRedirectURI") == default_redirect
    )
    if up_to_date:
        return False
    request = client_update_request(current, _input_shape(cognito, "UpdateUserPoolClient"))
    # The default redirect must be one of the callback URLs; the placeholder's is gone.
    request.update(CallbackURLs=callback_urls, LogoutURLs=logout_urls, DefaultRedirectURI=default_redirect)
    cognito.update_user_pool_client(**request)
    return True


def set_invitation(cognito: Any, *, user_pool_id: str, message: InviteMessage) -> bool:
    """Make the pool's invitation email subject and body these; True when it had to write."""
    pool = _describe_pool(cognito, user_pool_id)
    current = pool.get("AdminCreateUserConfig", {}).get("InviteMessageTemplate", {})
    if current.get("EmailSubject") == message.subject and current.get("EmailMessage") == message.body:
        return False
    request = pool_update_request(pool, _input_shape(cognito, "UpdateUserPool"))
    admin_create = request.setdefault("AdminCreateUserConfig", {})
    template = admin_create.setdefault("InviteMessageTemplate", {})
    template.update(EmailSubject=message.subject, EmailMessage=message.body)
    cognito.update_user_pool(**request)
    return True


def _input_shape(cognito: Any, operation: str) -> Any:
    return cognito.meta.service_model.operation_model(operation).input_shape


def _describe_client(cognito: Any, user_pool_id: str, client_id: str) -> dict[str, Any]:
    try:
        client: dict[str, Any] = cognito.describe_user_pool_client(
            UserPoolId=user_pool_id, ClientId=client_id
        )["UserPoolClient"]
    except ClientError as error:
        if error.response["Error"]["Code"] != "ResourceNotFoundException":
            raise
        raise ClientNotFoundError(
            f"app client {client_id} was not found in user pool {user_pool_id} "
            f"({error.response['Error'].get('Message', 'no detail')}); it must exist before the "
            "bootstrap runs: check that Terraform created it and that nobody deleted it"
        ) from error
    return client


def _describe_pool(cognito: Any, user_pool_id: str) -> dict[str, Any]:
    try:
        pool: dict[str, Any] = cognito.describe_user_pool(UserPoolId=user_pool_id)["UserPool"]
    except ClientError as error:
        if error.response["Error"]["Code"] != "ResourceNotFoundException":
            raise
        raise ClientNotFoundError(
            f"user pool {user_pool_id} was not found ({error.response['Error'].get('Message', 'no detail')})"
        ) from error
    return pool
