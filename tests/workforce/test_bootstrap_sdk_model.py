"""The bootstrap run by a botocore whose cognito-idp model is older than what AWS (here moto) reports.

botocore parses only the fields its model knows, and UpdateUserPool/UpdateUserPoolClient reset what
they are not sent, so an old model would silently reset every setting AWS added after it. The older
model is made from the installed one by removing what botocore 1.35.67 lacks.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import botocore.session
import pytest
from botocore.stub import Stubber

from tests.workforce.builders import (
    PLACEHOLDER,
    REGION,
    WORKFORCE,
    CallSpy,
    WorkforcePool,
    bootstrap_request,
    workforce_answer,
)
from workforce_bootstrap.bootstrap import run
from workforce_bootstrap.errors import UnsendableSettingsError

# Members of the shapes the bootstrap reads and writes that botocore 1.35.67 (the release before
# 1.35.68 added feature plans: UserPoolTier, PoolName in UpdateUserPool, SignInPolicy) does not have,
# found by comparing that release's cognito-idp service-2.json with the installed one.
LACKING_IN_BOTOCORE_1_35_67: Mapping[str, tuple[str, ...]] = {
    "UserPoolType": (
        "UserPoolTier",
        "DcrConfiguration",
        "KeyConfiguration",
        "IssuerConfiguration",
        "AcrConfiguration",
    ),
    "UpdateUserPoolRequest": (
        "PoolName",
        "UserPoolTier",
        "DcrConfiguration",
        "KeyConfiguration",
        "IssuerConfiguration",
        "AcrConfiguration",
    ),
    "UserPoolPolicyType": ("SignInPolicy",),
    "LambdaConfigType": ("InboundFederation",),
    "SmsConfigurationType": ("EumsSms",),
    "UserPoolClientType": ("RefreshTokenRotation", "ClientType"),
    "UpdateUserPoolClientRequest": ("RefreshTokenRotation",),
}


def older_cognito(data_dir: Path) -> Any:
    """A cognito-idp client whose service model lacks what botocore 1.35.67 lacks."""
    current = botocore.session.get_session().get_component("data_loader")
    model = current.load_service_model("cognito-idp", "service-2")
    for shape, members in LACKING_IN_BOTOCORE_1_35_67.items():
        for member in members:
            del model["shapes"][shape]["members"][member]
    directory = data_dir / "cognito-idp" / model["metadata"]["apiVersion"]
    directory.mkdir(parents=True)
    (directory / "service-2.json").write_text(json.dumps(model))
    session = botocore.session.get_session()
    # Searched before botocore's own data, as AWS_DATA_PATH would be.
    session.set_config_variable("data_path", str(data_dir))
    return session.create_client("cognito-idp", region_name=REGION)


@pytest.fixture
def old_cognito(cognito: Any, tmp_path: Path) -> Any:
    """Created while the `cognito` fixture's moto is active, so it talks to the same pools."""
    client = older_cognito(tmp_path)
    assert "UserPoolTier" not in client.meta.service_model.shape_for("UserPoolType").members
    return client


def run_with(cognito: Any, sagemaker: tuple[Any, Stubber], pool: WorkforcePool) -> Any:
    client, stubber = sagemaker
    stubber.add_response("describe_workforce", workforce_answer(), {"WorkforceName": WORKFORCE})
    return run(bootstrap_request(pool), cognito=cognito, sagemaker=client, wait_budget_seconds=0)


def test_settings_unknown_to_the_functions_model_stop_the_run_before_any_write(
    cognito: Any, old_cognito: Any, sagemaker: tuple[Any, Stubber], pool: WorkforcePool
) -> None:
    """Given a pool on the PLUS plan with a sign-in policy, both unknown to the function's botocore."""
    spy = CallSpy().attach(old_cognito)

    # When the function runs with the older model
    with pytest.raises(UnsendableSettingsError) as raised:
        run_with(old_cognito, sagemaker, pool)

    # Then it names the settings the update would reset and says what to do, and writes nothing
    message = str(raised.value)
    # Name too: UpdateUserPool of 1.35.67 has no PoolName, and AWS no longer documents the name as fixed.
    assert ": Name, Policies.SignInPolicy, UserPoolTier. " in message
    assert f"botocore {botocore.__version__} this function runs with" in message
    assert "boto3 packaged with the function" in message
    assert spy.writes == 0
    described = cognito.describe_user_pool(UserPoolId=pool.user_pool_id)["UserPool"]
    assert described["UserPoolTier"] == "PLUS"
    assert described["Policies"]["SignInPolicy"] == {"AllowedFirstAuthFactors": ["PASSWORD"]}
    client = cognito.describe_user_pool_client(UserPoolId=pool.user_pool_id, ClientId=pool.client_id)
    assert PLACEHOLDER in client["UserPoolClient"]["CallbackURLs"]


def test_a_client_setting_unknown_to_the_functions_model_stops_the_run(
    cognito: Any, old_cognito: Any, sagemaker: tuple[Any, Stubber], pool: WorkforcePool
) -> None:
    """Given refresh token rotation, which botocore 1.35.67 does not know, turned on for the client."""
    current = cognito.describe_user_pool_client(UserPoolId=pool.user_pool_id, ClientId=pool.client_id)
    writable = cognito.meta.service_model.operation_model("UpdateUserPoolClient").input_shape.members
    cognito.update_user_pool_client(
        **{key: value for key, value in current["UserPoolClient"].items() if key in writable},
        RefreshTokenRotation={"Feature": "ENABLED", "RetryGracePeriodSeconds": 10},
    )
    spy = CallSpy().attach(old_cognito)

    with pytest.raises(
        UnsendableSettingsError, match=r"UpdateUserPoolClient cannot send back .*: RefreshTokenRotation\."
    ):
        run_with(old_cognito, sagemaker, pool)

    assert spy.writes == 0
    client = cognito.describe_user_pool_client(UserPoolId=pool.user_pool_id, ClientId=pool.client_id)
    assert client["UserPoolClient"]["RefreshTokenRotation"]["Feature"] == "ENABLED"
