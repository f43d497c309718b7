"""Describe answers become complete update requests, shaped by botocore's service model."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import botocore.session
import pytest

from workforce_bootstrap.roundtrip import client_update_request, pool_update_request


@pytest.fixture(scope="module")
def cognito_model() -> Any:
    return botocore.session.get_session().get_service_model("cognito-idp")


def input_shape(model: Any, operation: str) -> Any:
    return model.operation_model(operation).input_shape


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

    request = client_update_request(described, shape)

    read_only = {"ClientSecret", "CreationDate", "LastModifiedDate"}
    assert request == {key: value for key, value in described.items() if key not in read_only}


def test_fields_the_model_lists_are_carried_without_a_list_of_our_own(cognito_model: Any) -> None:
    """Any member of the update input shape present in the describe answer reaches the request."""
    shape = input_shape(cognito_model, "UpdateUserPoolClient")
    described = {
        name: f"value-of-{name}" for name in shape.members if shape.members[name].type_name == "string"
    }

    assert client_update_request(described, shape) == described


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

    request = pool_update_request(described, shape)

    assert request == {
        "UserPoolId": "us-east-1_abc",
        "PoolName": "labeling",
        "MfaConfiguration": "ON",
        "UserPoolTier": "PLUS",
        "UserPoolAddOns": {"AdvancedSecurityMode": "ENFORCED"},
        "LambdaConfig": {"PreTokenGeneration": "arn:aws:lambda:us-east-1:123456789012:function:f"},
    }


def test_nested_read_only_members_are_dropped_inside_lists(cognito_model: Any) -> None:
    shape = input_shape(cognito_model, "UpdateUserPool")
    described = {
        "Id": "p",
        "AccountRecoverySetting": {
            "RecoveryMechanisms": [{"Priority": 1, "Name": "verified_email", "Unknown": "x"}],
        },
    }

    request = pool_update_request(described, shape)

    assert request["AccountRecoverySetting"] == {
        "RecoveryMechanisms": [{"Priority": 1, "Name": "verified_email"}]
    }


def test_deprecated_validity_twin_is_not_sent_with_the_password_policy_setting(cognito_model: Any) -> None:
    shape = input_shape(cognito_model, "UpdateUserPool")
    described = {
        "Id": "p",
        "Policies": {"PasswordPolicy": {"MinimumLength": 14, "TemporaryPasswordValidityDays": 3}},
        "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": True, "UnusedAccountValidityDays": 3},
    }

    request = pool_update_request(described, shape)

    assert request["AdminCreateUserConfig"] == {"AllowAdminCreateUserOnly": True}
    assert request["Policies"]["PasswordPolicy"]["TemporaryPasswordValidityDays"] == 3


def test_legacy_validity_is_kept_when_it_is_the_only_one(cognito_model: Any) -> None:
    shape = input_shape(cognito_model, "UpdateUserPool")
    described = {"Id": "p", "AdminCreateUserConfig": {"UnusedAccountValidityDays": 7}}

    assert pool_update_request(described, shape)["AdminCreateUserConfig"] == {"UnusedAccountValidityDays": 7}
