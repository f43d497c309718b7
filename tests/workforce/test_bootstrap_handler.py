"""The Lambda handler as Terraform's aws_lambda_invocation calls it."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.stub import Stubber

from tests.workforce.builders import (
    BODY,
    EXTRA_CALLBACK,
    SUBDOMAIN,
    SUBJECT,
    WORKFORCE,
    WorkforcePool,
    workforce_answer,
)
from workforce_bootstrap import handlers
from workforce_bootstrap.errors import ClientNotFoundError, InvalidRequestError, WorkforceNotReadyError


def terraform_event(pool: WorkforcePool, action: str = "create") -> dict[str, Any]:
    return {
        "workforce_name": WORKFORCE,
        "user_pool_id": pool.user_pool_id,
        "client_id": pool.client_id,
        "extra_callback_urls": [EXTRA_CALLBACK],
        "extra_logout_urls": [],
        "invitation": {"subject": SUBJECT, "body": BODY},
        "tf": {"action": action, "prev_input": None},
    }


def test_create_returns_the_portal_and_the_urls_it_set(
    patched_clients: tuple[Any, Stubber], pool: WorkforcePool, cognito: Any, lambda_context: Any
) -> None:
    _, stubber = patched_clients
    stubber.add_response("describe_workforce", workforce_answer(), {"WorkforceName": WORKFORCE})

    result = handlers.handler(terraform_event(pool), lambda_context)

    assert result == {
        "action": "create",
        "portal_url": f"https://{SUBDOMAIN}",
        "callback_urls": [f"https://{SUBDOMAIN}/oauth2/idpresponse", EXTRA_CALLBACK],
        "logout_urls": [f"https://{SUBDOMAIN}/logout"],
        "client_updated": True,
        "invitation_updated": True,
    }
    client = cognito.describe_user_pool_client(UserPoolId=pool.user_pool_id, ClientId=pool.client_id)
    assert client["UserPoolClient"]["CallbackURLs"] == result["callback_urls"]


def test_delete_touches_nothing(
    patched_clients: tuple[Any, Stubber], pool: WorkforcePool, lambda_context: Any
) -> None:
    _, stubber = patched_clients

    result = handlers.handler(terraform_event(pool, action="delete"), lambda_context)

    assert result["action"] == "delete"
    assert not result["client_updated"]
    stubber.assert_no_pending_responses()


def test_errors_reach_terraform_as_exceptions_with_the_reason(
    patched_clients: tuple[Any, Stubber], pool: WorkforcePool, cognito: Any, lambda_context: Any
) -> None:
    _, stubber = patched_clients
    stubber.add_response("describe_workforce", workforce_answer(), {"WorkforceName": WORKFORCE})
    cognito.delete_user_pool_client(UserPoolId=pool.user_pool_id, ClientId=pool.client_id)

    with pytest.raises(ClientNotFoundError, match="was not found"):
        handlers.handler(terraform_event(pool), lambda_context)


def test_malformed_event_is_refused(patched_clients: tuple[Any, Stubber], lambda_context: Any) -> None:
    with pytest.raises(InvalidRequestError, match="workforce_name"):
        handlers.handler({"invitation": {"subject": "s", "body": "b"}}, lambda_context)


def test_wait_budget_leaves_time_for_the_writes(
    patched_clients: tuple[Any, Stubber], pool: WorkforcePool, lambda_context: Any
) -> None:
    """With less time left than the write margin, an inactive workforce fails at once, cleanly."""
    _, stubber = patched_clients
    stubber.add_response(
        "describe_workforce",
        workforce_answer(status="Initializing", subdomain=None),
        {"WorkforceName": WORKFORCE},
    )
    lambda_context.remaining_time_ms = 10_000

    with pytest.raises(WorkforceNotReadyError, match="still Initializing after 0 s"):
        handlers.handler(terraform_event(pool), lambda_context)


def test_clients_are_created_once_and_lazily() -> None:
    handlers.cognito_client.cache_clear()
    handlers.sagemaker_client.cache_clear()

    assert handlers.cognito_client() is handlers.cognito_client()
    assert handlers.sagemaker_client().meta.service_model.service_name == "sagemaker"
    assert handlers.cognito_client().meta.config.retries["mode"] == "standard"
