"""One bootstrap run: read the portal address, then point the client and the invitation at it."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from .cognito import client_update, invitation_update
from .portal import portal_urls, render_invitation, with_extras
from .request import Action, BootstrapRequest
from .workforce import wait_for_subdomain

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient
    from mypy_boto3_sagemaker import SageMakerClient


@dataclass(frozen=True)
class Outcome:
    """What the run found and changed; returned to Terraform as the invocation result."""

    action: str
    portal_url: str | None = None
    callback_urls: list[str] = field(default_factory=list)
    logout_urls: list[str] = field(default_factory=list)
    client_updated: bool = False
    invitation_updated: bool = False

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def run(
    request: BootstrapRequest,
    *,
    cognito: CognitoIdentityProviderClient,
    sagemaker: SageMakerClient,
    wait_budget_seconds: float,
    sleep: Callable[[float], None] = time.sleep,
) -> Outcome:
    """Apply the request; on delete do nothing, since the resources go away with their owners."""
    if request.action is Action.DELETE:
        return Outcome(action=request.action.value)
    subdomain = wait_for_subdomain(
        sagemaker, request.workforce_name, budget_seconds=wait_budget_seconds, sleep=sleep
    )
    urls = portal_urls(subdomain)
    # Rendered before any write, so a bad template fails the run with nothing changed.
    invitation = render_invitation(request.invitation, urls.portal)
    callback_urls = with_extras(urls.callback, request.extra_callback_urls)
    logout_urls = with_extras(urls.logout, request.extra_logout_urls)
    client_request = client_update(
        cognito,
        user_pool_id=request.user_pool_id,
        client_id=request.client_id,
        callback_urls=callback_urls,
        logout_urls=logout_urls,
    )
    pool_request = invitation_update(cognito, user_pool_id=request.user_pool_id, message=invitation)
    # Both are planned (and checked for settings they could not carry) before either is written, so
    # a refusal leaves the client and the pool as they were.
    if client_request is not None:
        cognito.update_user_pool_client(**client_request)
    if pool_request is not None:
        cognito.update_user_pool(**pool_request)
    return Outcome(
        action=request.action.value,
        portal_url=urls.portal,
        callback_urls=callback_urls,
        logout_urls=logout_urls,
        client_updated=client_request is not None,
        invitation_updated=pool_request is not None,
    )
