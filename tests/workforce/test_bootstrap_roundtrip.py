"""Describe answers become complete update requests, shaped by botocore's service model, and settings
that model cannot carry stop the update."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import botocore.session
import pytest

from workforce_bootstrap.errors import UnsendableSettingsError
from workforce_bootstrap.roundtrip import (
    CLIENT_READ_ONLY,
    POOL_NOT_SENT,
    POOL_READ_ONLY,
    POOL_RENAMED,
    Described,
    client_update_request,
    pool_update_request,
)


@pytest.fixture(scope="module")
def cognito_model() -> Any:
    return botocore.session.get_session().get_service_model("cognito-idp")


def input_shape(model: Any, operation: str) -> Any:
    return model.operation_model(operation).input_shape


def known(answer: dict[str, Any]) -> Described:
    """An answer whose every field the model knows: parsed and sent alike."""
    return Described(parsed=answer, sent=answer)


def test_every_writable_client_field_is_carried_and_read_only_ones_dropped(cognito_model: Any) -> None:
    shape = input_shape(cognito_model, "UpdateUserPoolClient")
    described = {
        "UserPoolId": "us-east-1_abc",
        "ClientId": "c1",
        "ClientName": "workforce",
        "ClientSecret": "s3cr3t",
        "CreationDate": datetime(2026, 1, 1, tzinfo=UTC),
        "LastModifiedDate": datetime(2026, 1, 2, tzinfo=UTC),
        "RefreshTokenValidity": 5,
        "TokenValidityUnits": {"RefreshToken": "days"},
        "AllowedOAuthScopes": ["openid"],
        "AnalyticsConfiguration": {"ApplicationId": "app", "UserDataShared": True},
        "RefreshTokenRotation": {"Feature": "ENABLED", "RetryGracePeriodSeconds": 10},
    }

    request = client_update_request(known(described), shape)

    read_only = {"ClientSecret", "CreationDate", "LastModifiedDate"}
    assert request == {key: value for key, value in described.items() if key not in read_only}


def test_fields_the_model_lists_are_carried_without_a_list_of_our_own(cognito_model: Any) -> None:
    """Any member of the update input shape present in the describe answer reaches the request."""
    shape = input_shape(cognito_model, "UpdateUserPoolClient")
    described = {
        name: f"value-of-{name}" for name in shape.members if shape.members[name].type_name == "string"
    }

    assert client_update_request(known(described), shape) == described


def test_pool_identity_fields_are_renamed_and_read_only_fields_dropped(cognito_model: Any) -> None:
    shape = input_shape(cognito_model, "UpdateUserPool")
    described = {
        "Id": "us-east-1_abc",
        "Name": "labeling",
        "Arn": "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc",
        "Status": "Enabled",
        "Domain": "labeling-prefix",
        "EstimatedNumberOfUsers": 3,
        "SchemaAttributes": [{"Name": "email"}],
        "AliasAttributes": ["email"],
        "UsernameConfiguration": {"CaseSensitive": False},
        "UserPoolTags": {"team": "ml"},
        "MfaConfiguration": "ON",
        "UserPoolTier": "PLUS",
        "UserPoolAddOns": {"AdvancedSecurityMode": "ENFORCED"},
        "LambdaConfig": {"PreTokenGeneration": "arn:aws:lambda:us-east-1:123456789012:function:f"},
    }

    request = pool_update_request(known(described), shape)

    assert request == {
        "UserPoolId": "us-east-1_abc",
        "PoolName": "labeling",
        "MfaConfiguration": "ON",
        "UserPoolTier": "PLUS",
        "UserPoolAddOns": {"AdvancedSecurityMode": "ENFORCED"},
        "LambdaConfig": {"PreTokenGeneration": "arn:aws:lambda:us-east-1:123456789012:function:f"},
    }


def test_a_setting_the_update_cannot_carry_stops_it_and_is_named(cognito_model: Any) -> None:
    """Given settings AWS sent that the update shape has no member for (top level, nested, in lists)."""
    shape = input_shape(cognito_model, "UpdateUserPool")
    parsed = {
        "Id": "p",
        "AccountRecoverySetting": {"RecoveryMechanisms": [{"Priority": 1, "Name": "verified_email"}]},
    }
    sent = {
        **parsed,
        "FeatureFromTheFuture": {"Enabled": True},
        "AccountRecoverySetting": {
            "RecoveryMechanisms": [
                {"Priority": 1, "Name": "verified_email", "Weight": 1},
                {"Priority": 2, "Name": "verified_phone_number", "Weight": 2},
            ]
        },
    }

    with pytest.raises(UnsendableSettingsError) as raised:
        pool_update_request(Described(parsed=parsed, sent=sent), shape)

    message = str(raised.value)
    assert "UpdateUserPool cannot send back" in message
    assert ": AccountRecoverySetting.RecoveryMechanisms[].Weight, FeatureFromTheFuture. " in message
    assert "POOL_READ_ONLY" in message


def test_a_client_setting_the_update_cannot_carry_stops_it(cognito_model: Any) -> None:
    shape = input_shape(cognito_model, "UpdateUserPoolClient")
    parsed = {"UserPoolId": "p", "ClientId": "c", "ClientSecret": "s"}

    with pytest.raises(
        UnsendableSettingsError, match=r"UpdateUserPoolClient .*: TokenBinding\. .*CLIENT_READ_ONLY"
    ):
        client_update_request(Described(parsed=parsed, sent={**parsed, "TokenBinding": "ON"}), shape)


def test_read_only_fields_tags_and_nulls_do_not_stop_the_update(cognito_model: Any) -> None:
    shape = input_shape(cognito_model, "UpdateUserPool")
    sent = {
        "Id": "p",
        "Name": "labeling",
        "Status": None,
        "FeatureFromTheFuture": None,
        "UserPoolTags": {"team": "ml"},
        **{field: "read-only" for field in POOL_READ_ONLY},
    }

    assert pool_update_request(known(sent), shape) == {"UserPoolId": "p", "PoolName": "labeling"}


def not_carried(model: Any, describe: str, answer: str, update: str, renamed: dict[str, str]) -> set[str]:
    """The fields of a Describe answer that the update's input shape has no member for."""
    described = model.operation_model(describe).output_shape.members[answer].members
    writable = input_shape(model, update).members
    return {name for name in described if renamed.get(name, name) not in writable}


def test_the_pool_read_only_list_matches_the_installed_model(cognito_model: Any) -> None:
    """Every field DescribeUserPool has is carried or listed with a reason; nothing listed is writable."""
    uncarried = not_carried(cognito_model, "DescribeUserPool", "UserPool", "UpdateUserPool", POOL_RENAMED)

    assert uncarried == set(POOL_READ_ONLY)
    assert POOL_NOT_SENT.isdisjoint(POOL_READ_ONLY)


def test_the_client_read_only_list_matches_the_installed_model(cognito_model: Any) -> None:
    uncarried = not_carried(
        cognito_model, "DescribeUserPoolClient", "UserPoolClient", "UpdateUserPoolClient", renamed={}
    )

    assert uncarried == set(CLIENT_READ_ONLY)


def test_deprecated_validity_twin_is_not_sent_with_the_password_policy_setting(cognito_model: Any) -> None:
    shape = input_shape(cognito_model, "UpdateUserPool")
    described = {
        "Id": "p",
        "Policies": {"PasswordPolicy": {"MinimumLength": 14, "TemporaryPasswordValidityDays": 3}},
        "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": True, "UnusedAccountValidityDays": 3},
    }

    request = pool_update_request(known(described), shape)

    assert request["AdminCreateUserConfig"] == {"AllowAdminCreateUserOnly": True}
    assert request["Policies"]["PasswordPolicy"]["TemporaryPasswordValidityDays"] == 3


def test_legacy_validity_is_kept_when_it_is_the_only_one(cognito_model: Any) -> None:
    shape = input_shape(cognito_model, "UpdateUserPool")
    described = {"Id": "p", "AdminCreateUserConfig": {"UnusedAccountValidityDays": 7}}

    assert pool_update_request(known(described), shape)["AdminCreateUserConfig"] == {
        "UnusedAccountValidityDays": 7
    }
