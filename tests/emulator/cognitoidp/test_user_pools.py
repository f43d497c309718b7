"""Cognito user pools as AWS behaves: updates reset omitted fields; tags, log delivery, protection."""

from __future__ import annotations

import urllib.error
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.emulator.helpers import unique
from tests.fixtures.emulator import Emulator


@pytest.fixture
def cognito(emulator: Emulator) -> Any:
    return emulator.client("cognito-idp")


@pytest.fixture
def pool(cognito: Any) -> dict[str, Any]:
    created: dict[str, Any] = cognito.create_user_pool(
        PoolName=unique("pool"),
        UsernameAttributes=["email"],
        AutoVerifiedAttributes=["email"],
        DeletionProtection="ACTIVE",
        MfaConfiguration="OFF",
        LambdaConfig={"PreSignUp": "arn:aws:lambda:us-east-1:123456789012:function:pre-sign-up"},
        AdminCreateUserConfig={"AllowAdminCreateUserOnly": True},
        UserPoolTags={"team": "labeling"},
    )["UserPool"]
    return created


def error_code(raised: pytest.ExceptionInfo[ClientError]) -> str:
    return str(raised.value.response["Error"]["Code"])


class TestUpdateUserPoolClient:
    def test_omitted_fields_are_reset_to_defaults(self, cognito: Any, pool: dict[str, Any]) -> None:
        # given a client with OAuth settings, custom auth flows and token validity
        client = cognito.create_user_pool_client(
            UserPoolId=pool["Id"],
            ClientName="portal",
            CallbackURLs=["https://portal.example.com/oauth2/idpresponse"],
            AllowedOAuthFlows=["code"],
            AllowedOAuthScopes=["openid", "email"],
            AllowedOAuthFlowsUserPoolClient=True,
            SupportedIdentityProviders=["COGNITO"],
            ExplicitAuthFlows=["ALLOW_REFRESH_TOKEN_AUTH"],
            AccessTokenValidity=5,
            TokenValidityUnits={"AccessToken": "minutes"},
            GenerateSecret=True,
        )["UserPoolClient"]

        # when an update sets only the refresh token validity
        cognito.update_user_pool_client(
            UserPoolId=pool["Id"], ClientId=client["ClientId"], ClientName="portal", RefreshTokenValidity=10
        )

        # then every other setting is back to its default, as AWS documents
        described = cognito.describe_user_pool_client(UserPoolId=pool["Id"], ClientId=client["ClientId"])[
            "UserPoolClient"
        ]
        assert described["RefreshTokenValidity"] == 10
        for reset in (
            "CallbackURLs",
            "AllowedOAuthFlows",
            "AllowedOAuthScopes",
            "SupportedIdentityProviders",
            "AccessTokenValidity",
            "TokenValidityUnits",
        ):
            assert reset not in described, reset
        assert described["AllowedOAuthFlowsUserPoolClient"] is False
        assert described["ExplicitAuthFlows"] == [
            "ALLOW_REFRESH_TOKEN_AUTH",
            "ALLOW_CUSTOM_AUTH",
            "ALLOW_USER_SRP_AUTH",
        ]
        assert described["ClientName"] == "portal"
        assert described["ClientSecret"] == client["ClientSecret"]

    def test_full_update_keeps_what_it_sends(self, cognito: Any, pool: dict[str, Any]) -> None:
        client = cognito.create_user_pool_client(UserPoolId=pool["Id"], ClientName="portal")["UserPoolClient"]
        settings = {
            "CallbackURLs": ["https://a.example.com/cb"],
            "AllowedOAuthFlows": ["code"],
            "AllowedOAuthScopes": ["openid"],
            "AllowedOAuthFlowsUserPoolClient": True,
            "SupportedIdentityProviders": ["COGNITO"],
        }

        cognito.update_user_pool_client(
            UserPoolId=pool["Id"], ClientId=client["ClientId"], ClientName="renamed", **settings
        )

        described = cognito.describe_user_pool_client(UserPoolId=pool["Id"], ClientId=client["ClientId"])[
            "UserPoolClient"
        ]
        assert {key: described[key] for key in settings} == settings
        assert described["ClientName"] == "renamed"

    def test_unknown_client(self, cognito: Any, pool: dict[str, Any]) -> None:
        with pytest.raises(ClientError) as raised:
            cognito.update_user_pool_client(UserPoolId=pool["Id"], ClientId="nope", ClientName="x")

        assert error_code(raised) == "ResourceNotFoundException"


class TestUpdateUserPool:
    def test_omitted_fields_are_reset_creation_settings_kept(
        self, cognito: Any, pool: dict[str, Any]
    ) -> None:
        cognito.update_user_pool(UserPoolId=pool["Id"], AutoVerifiedAttributes=["email"])

        described = cognito.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]
        assert described.get("LambdaConfig", {}) == {}
        assert described["DeletionProtection"] == "INACTIVE"
        assert described["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is False
        assert described["MfaConfiguration"] == "OFF"
        assert described["AutoVerifiedAttributes"] == ["email"]
        # settings that only CreateUserPool takes, and the tags, survive
        assert described["UsernameAttributes"] == ["email"]
        assert described["UserPoolTags"] == {"team": "labeling"}
        assert described["Name"] == pool["Name"]

    def test_update_sets_mfa(self, cognito: Any, pool: dict[str, Any]) -> None:
        cognito.update_user_pool(
            UserPoolId=pool["Id"], MfaConfiguration="OPTIONAL", DeletionProtection="ACTIVE"
        )

        described = cognito.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]
        assert described["MfaConfiguration"] == "OPTIONAL"
        assert described["DeletionProtection"] == "ACTIVE"

    def test_unknown_pool(self, cognito: Any) -> None:
        with pytest.raises(ClientError) as raised:
            cognito.update_user_pool(UserPoolId="us-east-1_doesnotexist")

        assert error_code(raised) == "ResourceNotFoundException"


class TestDeletionProtection:
    def test_protected_pool_cannot_be_deleted(self, cognito: Any, pool: dict[str, Any]) -> None:
        with pytest.raises(ClientError) as raised:
            cognito.delete_user_pool(UserPoolId=pool["Id"])

        assert error_code(raised) == "InvalidParameterException"
        assert cognito.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]["Id"] == pool["Id"]

    def test_unprotected_pool_can_be_deleted(self, cognito: Any, pool: dict[str, Any]) -> None:
        cognito.update_user_pool(UserPoolId=pool["Id"], DeletionProtection="INACTIVE")

        cognito.delete_user_pool(UserPoolId=pool["Id"])

        with pytest.raises(ClientError) as raised:
            cognito.describe_user_pool(UserPoolId=pool["Id"])
        assert error_code(raised) == "ResourceNotFoundException"


class TestTags:
    def test_tag_list_untag(self, cognito: Any, pool: dict[str, Any]) -> None:
        cognito.tag_resource(ResourceArn=pool["Arn"], Tags={"env": "dev"})
        assert cognito.list_tags_for_resource(ResourceArn=pool["Arn"])["Tags"] == {
            "team": "labeling",
            "env": "dev",
        }

        cognito.untag_resource(ResourceArn=pool["Arn"], TagKeys=["team"])

        assert cognito.list_tags_for_resource(ResourceArn=pool["Arn"])["Tags"] == {"env": "dev"}

    def test_unknown_arn(self, cognito: Any) -> None:
        with pytest.raises(ClientError) as raised:
            cognito.list_tags_for_resource(
                ResourceArn="arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_nope"
            )

        assert error_code(raised) == "ResourceNotFoundException"


class TestLogDelivery:
    @pytest.fixture
    def log_group_arn(self, emulator: Emulator) -> str:
        name = f"/aws/cognito/{unique('pool')}"
        logs = emulator.client("logs")
        logs.create_log_group(logGroupName=name)
        arn: str = logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"][0]["arn"]
        return arn

    def test_set_get_and_clear(self, cognito: Any, pool: dict[str, Any], log_group_arn: str) -> None:
        configuration = {
            "LogLevel": "ERROR",
            "EventSource": "userNotification",
            "CloudWatchLogsConfiguration": {"LogGroupArn": log_group_arn},
        }

        cognito.set_log_delivery_configuration(UserPoolId=pool["Id"], LogConfigurations=[configuration])
        got = cognito.get_log_delivery_configuration(UserPoolId=pool["Id"])["LogDeliveryConfiguration"]
        assert got == {"UserPoolId": pool["Id"], "LogConfigurations": [configuration]}

        cognito.set_log_delivery_configuration(UserPoolId=pool["Id"], LogConfigurations=[])
        got = cognito.get_log_delivery_configuration(UserPoolId=pool["Id"])["LogDeliveryConfiguration"]
        assert got["LogConfigurations"] == []

    @pytest.mark.parametrize(
        "configuration",
        [
            {"LogLevel": "INFO", "EventSource": "userNotification"},
            {"LogLevel": "ERROR", "EventSource": "userAuthEvents"},
        ],
    )
    def test_level_must_fit_the_source(
        self, cognito: Any, pool: dict[str, Any], log_group_arn: str, configuration: dict[str, Any]
    ) -> None:
        configuration = {**configuration, "CloudWatchLogsConfiguration": {"LogGroupArn": log_group_arn}}

        with pytest.raises(ClientError) as raised:
            cognito.set_log_delivery_configuration(UserPoolId=pool["Id"], LogConfigurations=[configuration])

        assert error_code(raised) == "InvalidParameterException"

    def test_missing_log_group(self, cognito: Any, pool: dict[str, Any]) -> None:
        arn = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/cognito/absent"
        configuration = {
            "LogLevel": "ERROR",
            "EventSource": "userNotification",
            "CloudWatchLogsConfiguration": {"LogGroupArn": arn},
        }

        with pytest.raises(ClientError) as raised:
            cognito.set_log_delivery_configuration(UserPoolId=pool["Id"], LogConfigurations=[configuration])

        assert error_code(raised) == "InvalidParameterException"

    def test_unknown_pool(self, cognito: Any) -> None:
        with pytest.raises(ClientError) as raised:
            cognito.get_log_delivery_configuration(UserPoolId="us-east-1_doesnotexist")

        assert error_code(raised) == "ResourceNotFoundException"

    def test_a_kms_encrypted_log_group_is_refused(
        self, cognito: Any, pool: dict[str, Any], emulator: Emulator
    ) -> None:
        # Given a log group encrypted with a customer managed key
        key = emulator.client("kms").create_key()["KeyMetadata"]["Arn"]
        name = f"/aws/vendedlogs/cognito/{unique('pool')}"
        logs = emulator.client("logs")
        logs.create_log_group(logGroupName=name, kmsKeyId=key)
        arn = logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"][0]["arn"]
        configuration = {
            "LogLevel": "ERROR",
            "EventSource": "userNotification",
            "CloudWatchLogsConfiguration": {"LogGroupArn": arn},
        }

        # When / Then
        with pytest.raises(ClientError) as raised:
            cognito.set_log_delivery_configuration(UserPoolId=pool["Id"], LogConfigurations=[configuration])

        assert error_code(raised) == "InvalidParameterException"
        assert "Key Management Service" in raised.value.response["Error"]["Message"]
        got = cognito.get_log_delivery_configuration(UserPoolId=pool["Id"])["LogDeliveryConfiguration"]
        assert got["LogConfigurations"] == []

    def test_user_activity_needs_the_plus_plan(
        self, cognito: Any, pool: dict[str, Any], log_group_arn: str
    ) -> None:
        configuration = {
            "LogLevel": "INFO",
            "EventSource": "userAuthEvents",
            "CloudWatchLogsConfiguration": {"LogGroupArn": log_group_arn},
        }

        with pytest.raises(ClientError) as raised:
            cognito.set_log_delivery_configuration(UserPoolId=pool["Id"], LogConfigurations=[configuration])

        assert error_code(raised) == "FeatureUnavailableInTierException"

    def test_user_activity_on_plus(self, cognito: Any, log_group_arn: str) -> None:
        plus = cognito.create_user_pool(
            PoolName=unique("pool"), UserPoolTier="PLUS", UserPoolAddOns={"AdvancedSecurityMode": "AUDIT"}
        )["UserPool"]
        configuration = {
            "LogLevel": "INFO",
            "EventSource": "userAuthEvents",
            "CloudWatchLogsConfiguration": {"LogGroupArn": log_group_arn},
        }

        cognito.set_log_delivery_configuration(UserPoolId=plus["Id"], LogConfigurations=[configuration])

        got = cognito.get_log_delivery_configuration(UserPoolId=plus["Id"])["LogDeliveryConfiguration"]
        assert got["LogConfigurations"] == [configuration]


class TestDomains:
    def test_domain_of_another_pool_is_refused(self, cognito: Any, pool: dict[str, Any]) -> None:
        domain = unique("portal")
        cognito.create_user_pool_domain(UserPoolId=pool["Id"], Domain=domain)
        other = cognito.create_user_pool(PoolName=unique("other"))["UserPool"]

        with pytest.raises(ClientError) as raised:
            cognito.create_user_pool_domain(UserPoolId=other["Id"], Domain=domain)

        assert error_code(raised) == "InvalidParameterException"
        assert (
            cognito.describe_user_pool_domain(Domain=domain)["DomainDescription"]["UserPoolId"] == pool["Id"]
        )

    def test_second_domain_for_a_pool_is_refused(self, cognito: Any, pool: dict[str, Any]) -> None:
        cognito.create_user_pool_domain(UserPoolId=pool["Id"], Domain=unique("first"))

        with pytest.raises(ClientError) as raised:
            cognito.create_user_pool_domain(UserPoolId=pool["Id"], Domain=unique("second"))

        assert error_code(raised) == "InvalidParameterException"


class TestValidation:
    @pytest.mark.parametrize("message", ["Hello {username}", "Your code is {####}"])
    def test_invitation_needs_both_placeholders(self, cognito: Any, message: str) -> None:
        with pytest.raises(ClientError) as raised:
            cognito.create_user_pool(
                PoolName=unique("pool"),
                AdminCreateUserConfig={"InviteMessageTemplate": {"EmailMessage": message}},
            )

        assert error_code(raised) == "InvalidParameterException"

    def test_threat_protection_needs_the_plus_tier(self, cognito: Any, pool: dict[str, Any]) -> None:
        with pytest.raises(ClientError) as raised:
            cognito.update_user_pool(
                UserPoolId=pool["Id"], UserPoolAddOns={"AdvancedSecurityMode": "ENFORCED"}
            )

        assert error_code(raised) == "FeatureUnavailableInTierException"

    def test_threat_protection_on_plus(self, cognito: Any) -> None:
        created = cognito.create_user_pool(
            PoolName=unique("pool"), UserPoolTier="PLUS", UserPoolAddOns={"AdvancedSecurityMode": "AUDIT"}
        )["UserPool"]

        assert created["UserPoolAddOns"] == {"AdvancedSecurityMode": "AUDIT"}


class TestResendInvitation:
    def test_resend_keeps_the_user(self, cognito: Any) -> None:
        pool_id = cognito.create_user_pool(PoolName=unique("pool"))["UserPool"]["Id"]
        cognito.create_group(UserPoolId=pool_id, GroupName="labelers")
        cognito.admin_create_user(
            UserPoolId=pool_id, Username="w-1", UserAttributes=[{"Name": "email", "Value": "a@example.com"}]
        )
        cognito.admin_add_user_to_group(UserPoolId=pool_id, Username="w-1", GroupName="labelers")

        cognito.admin_create_user(UserPoolId=pool_id, Username="w-1", MessageAction="RESEND")

        user = cognito.admin_get_user(UserPoolId=pool_id, Username="w-1")
        assert {"Name": "email", "Value": "a@example.com"} in user["UserAttributes"]
        assert user["UserStatus"] == "FORCE_CHANGE_PASSWORD"
        groups = cognito.admin_list_groups_for_user(UserPoolId=pool_id, Username="w-1")["Groups"]
        assert [group["GroupName"] for group in groups] == ["labelers"]

    def test_resend_to_a_confirmed_user_is_refused(self, cognito: Any) -> None:
        pool_id = cognito.create_user_pool(PoolName=unique("pool"))["UserPool"]["Id"]
        cognito.admin_create_user(UserPoolId=pool_id, Username="w-2")
        cognito.admin_set_user_password(
            UserPoolId=pool_id, Username="w-2", Password="Xx1!long-pass", Permanent=True
        )

        with pytest.raises(ClientError) as raised:
            cognito.admin_create_user(UserPoolId=pool_id, Username="w-2", MessageAction="RESEND")

        assert error_code(raised) == "UnsupportedUserStateException"

    def test_resend_to_an_unknown_user(self, cognito: Any) -> None:
        pool_id = cognito.create_user_pool(PoolName=unique("pool"))["UserPool"]["Id"]

        with pytest.raises(ClientError) as raised:
            cognito.admin_create_user(UserPoolId=pool_id, Username="nobody", MessageAction="RESEND")

        assert error_code(raised) == "UserNotFoundException"


class TestDefaultEmailQuota:
    """Cognito's default sender emails at most 50 messages a day per account and region."""

    @staticmethod
    def invite(cognito: Any, pool_id: str, username: str, **settings: Any) -> Any:
        return cognito.admin_create_user(
            UserPoolId=pool_id,
            Username=username,
            UserAttributes=[{"Name": "email", "Value": f"{username}@example.com"}],
            DesiredDeliveryMediums=["EMAIL"],
            **settings,
        )

    def test_the_fifty_first_invitation_of_the_day_is_refused(self, emulator_clean: Emulator) -> None:
        # Given 50 invitations emailed today by the default sender
        cognito = emulator_clean.client("cognito-idp")
        pool_id = cognito.create_user_pool(PoolName=unique("pool"))["UserPool"]["Id"]
        for number in range(50):
            self.invite(cognito, pool_id, f"w-{number}")

        # When
        with pytest.raises(ClientError) as raised:
            self.invite(cognito, pool_id, "w-50")

        # Then nothing was created
        assert error_code(raised) == "LimitExceededException"
        assert "daily email limit" in raised.value.response["Error"]["Message"]
        with pytest.raises(ClientError) as missing:
            cognito.admin_get_user(UserPoolId=pool_id, Username="w-50")
        assert error_code(missing) == "UserNotFoundException"

    def test_resending_counts_and_the_quota_is_shared_by_the_accounts_pools(
        self, emulator: Emulator, cognito_email_quota: Callable[[int], None]
    ) -> None:
        cognito_email_quota(2)
        cognito = emulator.client("cognito-idp")
        first = cognito.create_user_pool(PoolName=unique("pool"))["UserPool"]["Id"]
        second = cognito.create_user_pool(PoolName=unique("pool"))["UserPool"]["Id"]
        self.invite(cognito, first, "w-1")
        self.invite(cognito, first, "w-1", MessageAction="RESEND")

        with pytest.raises(ClientError) as raised:
            self.invite(cognito, second, "w-2")

        assert error_code(raised) == "LimitExceededException"

    def test_suppressed_sms_and_ses_invitations_do_not_count(
        self, emulator: Emulator, cognito_email_quota: Callable[[int], None]
    ) -> None:
        cognito_email_quota(0)
        cognito = emulator.client("cognito-idp")
        default = cognito.create_user_pool(PoolName=unique("pool"))["UserPool"]["Id"]
        ses = cognito.create_user_pool(
            PoolName=unique("pool"),
            EmailConfiguration={
                "EmailSendingAccount": "DEVELOPER",
                "SourceArn": "arn:aws:ses:us-east-1:123456789012:identity/labeling@example.com",
            },
        )["UserPool"]["Id"]

        self.invite(cognito, default, "w-suppressed", MessageAction="SUPPRESS")
        cognito.admin_create_user(UserPoolId=default, Username="w-sms")
        self.invite(cognito, ses, "w-ses")

        users = {user["Username"] for user in cognito.list_users(UserPoolId=default)["Users"]}
        assert users == {"w-suppressed", "w-sms"}
        assert cognito.admin_get_user(UserPoolId=ses, Username="w-ses")["Username"] == "w-ses"

    def test_a_quota_that_is_not_a_count_is_refused(self, emulator_clean: Emulator) -> None:
        with pytest.raises(urllib.error.HTTPError) as raised:
            emulator_clean.set_cognito_email_quota(-1)

        assert raised.value.code == 400
