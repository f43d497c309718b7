"""The bootstrap against the local emulator, whose Cognito updates reset omitted fields as AWS does
and which has real SageMaker workforces (plain moto merges client updates and has no workforces)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests.workforce.builders import (
    EXTRA_CALLBACK,
    EXTRA_LOGOUT,
    WORKFORCE,
    CallSpy,
    WorkforcePool,
    bootstrap_request,
    create_workforce_pool,
)
from workforce_bootstrap.bootstrap import run
from workforce_bootstrap.request import Action

pytestmark = pytest.mark.emulator

CLIENT_OWNED = ("CallbackURLs", "LogoutURLs", "DefaultRedirectURI", "LastModifiedDate")


@dataclass(frozen=True)
class Emulated:
    cognito: Any
    sagemaker: Any
    pool: WorkforcePool

    def describe_client(self) -> dict[str, Any]:
        client: dict[str, Any] = self.cognito.describe_user_pool_client(
            UserPoolId=self.pool.user_pool_id, ClientId=self.pool.client_id
        )["UserPoolClient"]
        return client

    def describe_pool(self) -> dict[str, Any]:
        pool: dict[str, Any] = self.cognito.describe_user_pool(UserPoolId=self.pool.user_pool_id)["UserPool"]
        return pool

    def mfa(self) -> dict[str, Any]:
        answer = self.cognito.get_user_pool_mfa_config(UserPoolId=self.pool.user_pool_id)
        return {key: value for key, value in answer.items() if key != "ResponseMetadata"}

    def subdomain(self) -> str:
        return str(self.sagemaker.describe_workforce(WorkforceName=WORKFORCE)["Workforce"]["SubDomain"])


def create_emulated(emulator: Any) -> Emulated:
    cognito = emulator.client("cognito-idp")
    sagemaker = emulator.client("sagemaker")
    pool = create_workforce_pool(cognito)
    cognito.create_user_pool_domain(UserPoolId=pool.user_pool_id, Domain=f"{WORKFORCE}-workers")
    sagemaker.create_workforce(
        WorkforceName=WORKFORCE, CognitoConfig={"UserPool": pool.user_pool_id, "ClientId": pool.client_id}
    )
    return Emulated(cognito=cognito, sagemaker=sagemaker, pool=pool)


@pytest.fixture
def emulated(emulator_clean: Any) -> Emulated:
    return create_emulated(emulator_clean)


def without(mapping: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {key: value for key, value in mapping.items() if key not in keys}


def without_invitation(pool: dict[str, Any]) -> dict[str, Any]:
    kept = without(pool, "LastModifiedDate")
    config = dict(kept["AdminCreateUserConfig"])
    config["InviteMessageTemplate"] = without(config["InviteMessageTemplate"], "EmailSubject", "EmailMessage")
    kept["AdminCreateUserConfig"] = config
    return kept


def test_the_emulator_resets_what_an_update_omits(emulated: Emulated) -> None:
    """The premise of the next test: a one-field update loses the other settings, as on AWS."""
    emulated.cognito.update_user_pool_client(
        UserPoolId=emulated.pool.user_pool_id,
        ClientId=emulated.pool.client_id,
        CallbackURLs=["https://portal.example.com/oauth2/idpresponse"],
    )

    client = emulated.describe_client()
    assert "AllowedOAuthScopes" not in client
    assert client.get("AllowedOAuthFlowsUserPoolClient", False) is False


def test_every_other_client_and_pool_setting_is_identical_after_the_bootstrap(emulated: Emulated) -> None:
    client_before = emulated.describe_client()
    pool_before = emulated.describe_pool()
    mfa_before = emulated.mfa()

    outcome = run(
        bootstrap_request(emulated.pool),
        cognito=emulated.cognito,
        sagemaker=emulated.sagemaker,
        wait_budget_seconds=0,
    )

    portal = f"https://{emulated.subdomain()}"
    client_after = emulated.describe_client()
    assert outcome.portal_url == portal
    assert client_after["CallbackURLs"] == [f"{portal}/oauth2/idpresponse", EXTRA_CALLBACK]
    assert client_after["LogoutURLs"] == [f"{portal}/logout", EXTRA_LOGOUT]
    assert without(client_after, *CLIENT_OWNED) == without(client_before, *CLIENT_OWNED)
    pool_after = emulated.describe_pool()
    assert without_invitation(pool_after) == without_invitation(pool_before)
    assert portal in pool_after["AdminCreateUserConfig"]["InviteMessageTemplate"]["EmailMessage"]
    assert emulated.mfa() == mfa_before


def test_a_second_run_writes_nothing(emulated: Emulated) -> None:
    spy = CallSpy().attach(emulated.cognito)
    run(
        bootstrap_request(emulated.pool),
        cognito=emulated.cognito,
        sagemaker=emulated.sagemaker,
        wait_budget_seconds=0,
    )
    client_after_first = emulated.describe_client()
    pool_after_first = emulated.describe_pool()

    outcome = run(
        bootstrap_request(emulated.pool, action=Action.UPDATE),
        cognito=emulated.cognito,
        sagemaker=emulated.sagemaker,
        wait_budget_seconds=0,
    )

    assert spy.writes == 2
    assert not outcome.client_updated
    assert not outcome.invitation_updated
    assert emulated.describe_client() == client_after_first
    assert emulated.describe_pool() == pool_after_first


def test_a_workforce_still_initializing_is_waited_for(emulator_clean: Any) -> None:
    emulator_clean.arm_fault(
        "workforce", mode="initializing", describes=2, match={"workforce_name": WORKFORCE}
    )
    emulated = create_emulated(emulator_clean)
    sleeps: list[float] = []

    outcome = run(
        bootstrap_request(emulated.pool),
        cognito=emulated.cognito,
        sagemaker=emulated.sagemaker,
        wait_budget_seconds=60,
        sleep=sleeps.append,
    )

    assert len(sleeps) >= 1
    assert outcome.portal_url == f"https://{emulated.subdomain()}"
