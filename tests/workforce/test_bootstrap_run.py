"""A bootstrap run against Cognito (moto) and a scripted DescribeWorkforce (moto has no workforces)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from botocore.stub import Stubber

from tests.workforce.builders import (
    EXTRA_CALLBACK,
    EXTRA_LOGOUT,
    PLACEHOLDER,
    PLACEHOLDER_LOGOUT,
    SUBDOMAIN,
    WORKFORCE,
    CallSpy,
    WorkforcePool,
    bootstrap_request,
    workforce_answer,
)
from workforce_bootstrap.bootstrap import run
from workforce_bootstrap.errors import (
    ClientNotFoundError,
    InvalidRequestError,
    WorkforceNotFoundError,
    WorkforceNotReadyError,
)
from workforce_bootstrap.request import Action, InvitationTemplate

PORTAL = f"https://{SUBDOMAIN}"
CLIENT_OWNED = ("CallbackURLs", "LogoutURLs", "DefaultRedirectURI", "LastModifiedDate")
# Plain moto (5.2) rebuilds a pool from the UpdateUserPool request alone, so it also loses these,
# which that API cannot change on AWS (create-time settings, and tags kept by the tagging API). The
# emulator keeps them; test_bootstrap_emulator.py compares the complete pool there.
MOTO_LOSES_ON_POOL_UPDATE = ("AliasAttributes", "UsernameAttributes", "UsernameConfiguration", "UserPoolTags")


class Sleeps(list[float]):
    """Records requested sleeps instead of sleeping."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def describe_client(cognito: Any, pool: WorkforcePool) -> dict[str, Any]:
    client: dict[str, Any] = cognito.describe_user_pool_client(
        UserPoolId=pool.user_pool_id, ClientId=pool.client_id
    )["UserPoolClient"]
    return client


def describe_pool(cognito: Any, pool: WorkforcePool) -> dict[str, Any]:
    described: dict[str, Any] = cognito.describe_user_pool(UserPoolId=pool.user_pool_id)["UserPool"]
    return described


def without(mapping: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {key: value for key, value in mapping.items() if key not in keys}


def pool_without_invitation(described: dict[str, Any], *ignored: str) -> dict[str, Any]:
    kept = copy.deepcopy(without(described, "LastModifiedDate", *ignored))
    template = kept["AdminCreateUserConfig"]["InviteMessageTemplate"]
    del template["EmailSubject"], template["EmailMessage"]
    return kept


def run_once(cognito: Any, sagemaker: tuple[Any, Stubber], pool: WorkforcePool, **changes: Any) -> Any:
    client, stubber = sagemaker
    stubber.add_response("describe_workforce", workforce_answer(), {"WorkforceName": WORKFORCE})
    return run(bootstrap_request(pool, **changes), cognito=cognito, sagemaker=client, wait_budget_seconds=0)


def test_client_gets_the_portal_urls_and_keeps_the_users_extras(
    cognito: Any, sagemaker: tuple[Any, Stubber], pool: WorkforcePool
) -> None:
    outcome = run_once(cognito, sagemaker, pool)

    client = describe_client(cognito, pool)
    assert client["CallbackURLs"] == [f"{PORTAL}/oauth2/idpresponse", EXTRA_CALLBACK]
    assert client["LogoutURLs"] == [f"{PORTAL}/logout", EXTRA_LOGOUT]
    assert client["DefaultRedirectURI"] == f"{PORTAL}/oauth2/idpresponse"
    assert PLACEHOLDER not in client["CallbackURLs"]
    assert PLACEHOLDER_LOGOUT not in client["LogoutURLs"]
    assert outcome.portal_url == PORTAL
    assert outcome.client_updated
    assert outcome.invitation_updated


def test_invitation_email_carries_portal_url_user_name_and_password_placeholders(
    cognito: Any, sagemaker: tuple[Any, Stubber], pool: WorkforcePool
) -> None:
    run_once(cognito, sagemaker, pool)

    template = describe_pool(cognito, pool)["AdminCreateUserConfig"]["InviteMessageTemplate"]
    assert template["EmailSubject"] == "Your labeling account"
    assert (
        template["EmailMessage"]
        == f"Hello {{username}}, sign in at {PORTAL} with the temporary password {{####}}."
    )
    assert template["SMSMessage"] == "User {username} password {####}"


def test_every_other_client_and_pool_setting_is_unchanged(
    cognito: Any, sagemaker: tuple[Any, Stubber], pool: WorkforcePool
) -> None:
    client_before = describe_client(cognito, pool)
    pool_before = describe_pool(cognito, pool)
    mfa_before = without(cognito.get_user_pool_mfa_config(UserPoolId=pool.user_pool_id), "ResponseMetadata")

    run_once(cognito, sagemaker, pool)

    assert without(describe_client(cognito, pool), *CLIENT_OWNED) == without(client_before, *CLIENT_OWNED)
    assert pool_without_invitation(describe_pool(cognito, pool), *MOTO_LOSES_ON_POOL_UPDATE) == (
        pool_without_invitation(pool_before, *MOTO_LOSES_ON_POOL_UPDATE)
    )
    mfa_after = without(cognito.get_user_pool_mfa_config(UserPoolId=pool.user_pool_id), "ResponseMetadata")
    assert mfa_after == mfa_before


def test_update_requests_send_back_every_writable_setting(
    cognito: Any, sagemaker: tuple[Any, Stubber], pool: WorkforcePool, spy: CallSpy
) -> None:
    """moto merges partial updates, so the request itself is checked: AWS resets what is not sent."""
    client_before = describe_client(cognito, pool)
    pool_before = describe_pool(cognito, pool)
    client_shape = cognito.meta.service_model.operation_model("UpdateUserPoolClient").input_shape
    pool_shape = cognito.meta.service_model.operation_model("UpdateUserPool").input_shape

    run_once(cognito, sagemaker, pool)

    (client_request,) = spy.params["UpdateUserPoolClient"]
    (pool_request,) = spy.params["UpdateUserPool"]
    assert set(client_request) == {key for key in client_before if key in client_shape.members} | {
        "DefaultRedirectURI"
    }
    for key in set(client_request) - set(CLIENT_OWNED):
        assert client_request[key] == client_before[key], key
    expected_pool_keys = {key for key in pool_before if key in pool_shape.members} - {"UserPoolTags"}
    assert set(pool_request) == expected_pool_keys | {"UserPoolId", "PoolName"}
    for key in set(pool_request) - {"UserPoolId", "PoolName", "AdminCreateUserConfig"}:
        assert pool_request[key] == pool_before[key], key
    assert pool_request["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True


def test_second_run_changes_nothing_and_writes_nothing(
    cognito: Any, sagemaker: tuple[Any, Stubber], pool: WorkforcePool, spy: CallSpy
) -> None:
    run_once(cognito, sagemaker, pool)
    client_after_first = describe_client(cognito, pool)
    writes_after_first = spy.writes

    outcome = run_once(cognito, sagemaker, pool, action=Action.UPDATE)

    assert writes_after_first == 2
    assert spy.writes == 2
    assert not outcome.client_updated
    assert not outcome.invitation_updated
    assert describe_client(cognito, pool) == client_after_first


def test_changed_extra_urls_are_applied_and_dropped_ones_removed(
    cognito: Any, sagemaker: tuple[Any, Stubber], pool: WorkforcePool
) -> None:
    run_once(cognito, sagemaker, pool)

    run_once(
        cognito, sagemaker, pool, action=Action.UPDATE, extra_callback_urls=("https://new.example.com/cb",)
    )

    client = describe_client(cognito, pool)
    assert client["CallbackURLs"] == [f"{PORTAL}/oauth2/idpresponse", "https://new.example.com/cb"]
    assert EXTRA_CALLBACK not in client["CallbackURLs"]


def test_workforce_not_yet_active_is_waited_for_with_growing_delays(
    cognito: Any, sagemaker: tuple[Any, Stubber], pool: WorkforcePool
) -> None:
    client, stubber = sagemaker
    for _ in range(3):
        stubber.add_response(
            "describe_workforce",
            workforce_answer(status="Initializing", subdomain=None),
            {"WorkforceName": WORKFORCE},
        )
    stubber.add_response("describe_workforce", workforce_answer(), {"WorkforceName": WORKFORCE})
    sleeps = Sleeps()

    outcome = run(
        bootstrap_request(pool), cognito=cognito, sagemaker=client, wait_budget_seconds=600, sleep=sleeps
    )

    assert sleeps == [2.0, 4.0, 8.0]
    assert outcome.portal_url == PORTAL
    stubber.assert_no_pending_responses()


def test_workforce_that_stays_inactive_fails_clearly_and_changes_nothing(
    cognito: Any, sagemaker: tuple[Any, Stubber], pool: WorkforcePool, spy: CallSpy
) -> None:
    client, stubber = sagemaker
    stubber.add_response(
        "describe_workforce", workforce_answer(status="Updating"), {"WorkforceName": WORKFORCE}
    )

    with pytest.raises(WorkforceNotReadyError, match=f"workforce {WORKFORCE} is still Updating after 0 s"):
        run(bootstrap_request(pool), cognito=cognito, sagemaker=client, wait_budget_seconds=0)
    assert spy.writes == 0


def test_failed_workforce_reports_its_failure_reason(
    cognito: Any, sagemaker: tuple[Any, Stubber], pool: WorkforcePool
) -> None:
    client, stubber = sagemaker
    stubber.add_response(
        "describe_workforce",
        workforce_answer(status="Failed", FailureReason="subnet not found"),
        {"WorkforceName": WORKFORCE},
    )

    with pytest.raises(WorkforceNotReadyError, match="failed: subnet not found"):
        run(
            bootstrap_request(pool),
            cognito=cognito,
            sagemaker=client,
            wait_budget_seconds=600,
            sleep=Sleeps(),
        )


def test_missing_workforce_is_a_clear_error(
    cognito: Any, sagemaker: tuple[Any, Stubber], pool: WorkforcePool
) -> None:
    client, stubber = sagemaker
    stubber.add_client_error(
        "describe_workforce", service_error_code="ValidationException", service_message="Workforce not found"
    )

    with pytest.raises(WorkforceNotFoundError, match=f"workforce {WORKFORCE} was not found"):
        run(bootstrap_request(pool), cognito=cognito, sagemaker=client, wait_budget_seconds=0)


def test_missing_client_is_a_clear_error_and_the_pool_is_left_alone(
    cognito: Any, sagemaker: tuple[Any, Stubber], pool: WorkforcePool, spy: CallSpy
) -> None:
    cognito.delete_user_pool_client(UserPoolId=pool.user_pool_id, ClientId=pool.client_id)

    with pytest.raises(ClientNotFoundError, match=f"app client {pool.client_id} was not found in user pool"):
        run_once(cognito, sagemaker, pool)
    assert spy.writes == 0


def test_bad_invitation_template_fails_before_any_write(
    cognito: Any, sagemaker: tuple[Any, Stubber], pool: WorkforcePool, spy: CallSpy
) -> None:
    client_before = describe_client(cognito, pool)

    with pytest.raises(InvalidRequestError, match=r"must contain \{####\}"):
        run_once(cognito, sagemaker, pool, invitation=InvitationTemplate(subject="s", body="Hi {username}"))
    assert spy.writes == 0
    assert describe_client(cognito, pool) == client_before


def test_delete_does_nothing(
    cognito: Any, sagemaker: tuple[Any, Stubber], pool: WorkforcePool, spy: CallSpy
) -> None:
    client_before = describe_client(cognito, pool)
    calls_before = sum(spy.calls.values())

    outcome = run(
        bootstrap_request(pool, action=Action.DELETE),
        cognito=cognito,
        sagemaker=sagemaker[0],
        wait_budget_seconds=0,
    )

    assert outcome.action == "delete"
    assert not outcome.client_updated
    assert sum(spy.calls.values()) == calls_before
    assert describe_client(cognito, pool) == client_before
