"""Ground Truth workforces and work teams in the emulator: shapes, rules and errors as AWS has them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.emulator.helpers import unique
from tests.fixtures.emulator import Emulator

SUBDOMAIN = re.compile(r"[a-z0-9]{10}\.labeling\.us-east-1\.sagemaker\.aws")
OIDC = {
    "ClientId": "labeling-portal",
    "ClientSecret": "s3cret",
    "Issuer": "https://idp.example.com",
    "AuthorizationEndpoint": "https://idp.example.com/authorize",
    "TokenEndpoint": "https://idp.example.com/token",
    "UserInfoEndpoint": "https://idp.example.com/userinfo",
    "LogoutEndpoint": "https://idp.example.com/logout",
    "JwksUri": "https://idp.example.com/jwks",
}


@dataclass(frozen=True)
class Pool:
    id: str
    client_id: str
    groups: tuple[str, ...]

    def member(self, group: str) -> dict[str, Any]:
        return {
            "CognitoMemberDefinition": {"UserPool": self.id, "ClientId": self.client_id, "UserGroup": group}
        }


def error_of(raised: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    error = raised.value.response["Error"]
    return error["Code"], error["Message"]


@pytest.fixture
def sagemaker(emulator_clean: Emulator) -> Any:
    return emulator_clean.client("sagemaker")


@pytest.fixture
def pool(emulator_clean: Emulator) -> Pool:
    cognito = emulator_clean.client("cognito-idp")
    pool_id = cognito.create_user_pool(PoolName=unique("workers"))["UserPool"]["Id"]
    client_id = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="portal")["UserPoolClient"][
        "ClientId"
    ]
    groups = ("labelers", "reviewers")
    for group in groups:
        cognito.create_group(UserPoolId=pool_id, GroupName=group)
    cognito.create_user_pool_domain(UserPoolId=pool_id, Domain=unique("workers"))
    return Pool(pool_id, client_id, groups)


@pytest.fixture
def workforce(sagemaker: Any, pool: Pool) -> str:
    name = unique("wf")
    sagemaker.create_workforce(
        WorkforceName=name, CognitoConfig={"UserPool": pool.id, "ClientId": pool.client_id}
    )
    return name


# ---------------------------------------------------------------------------------------------
# Workforces
# ---------------------------------------------------------------------------------------------


def test_a_cognito_workforce_is_created_active_with_a_labeling_subdomain(sagemaker: Any, pool: Pool) -> None:
    # When
    arn = sagemaker.create_workforce(
        WorkforceName="private-labelers",
        CognitoConfig={"UserPool": pool.id, "ClientId": pool.client_id},
        SourceIpConfig={"Cidrs": ["10.0.0.0/16", "192.168.1.0/24"]},
    )["WorkforceArn"]
    workforce = sagemaker.describe_workforce(WorkforceName="private-labelers")["Workforce"]

    # Then
    assert arn == "arn:aws:sagemaker:us-east-1:123456789012:workforce/private-labelers"
    assert workforce["WorkforceArn"] == arn
    assert workforce["Status"] == "Active"
    assert SUBDOMAIN.fullmatch(workforce["SubDomain"])
    assert workforce["CognitoConfig"] == {"UserPool": pool.id, "ClientId": pool.client_id}
    assert workforce["SourceIpConfig"] == {"Cidrs": ["10.0.0.0/16", "192.168.1.0/24"]}
    assert workforce["IpAddressType"] == "ipv4"
    assert "OidcConfig" not in workforce
    assert "WorkforceVpcConfig" not in workforce
    listed = sagemaker.list_workforces()["Workforces"]
    assert [w["WorkforceName"] for w in listed] == ["private-labelers"]


def test_a_second_workforce_in_the_region_is_refused(sagemaker: Any, pool: Pool, workforce: str) -> None:
    with pytest.raises(ClientError) as raised:
        sagemaker.create_workforce(
            WorkforceName="another", CognitoConfig={"UserPool": pool.id, "ClientId": pool.client_id}
        )

    code, message = error_of(raised)
    assert code == "ValidationException"
    assert f"A workforce already exists in this account and region ({workforce})" in message
    assert [w["WorkforceName"] for w in sagemaker.list_workforces()["Workforces"]] == [workforce]


def test_an_unknown_workforce_is_reported_the_way_the_aws_provider_recognises(sagemaker: Any) -> None:
    for call in (sagemaker.describe_workforce, sagemaker.delete_workforce):
        with pytest.raises(ClientError) as raised:
            call(WorkforceName="missing")
        code, message = error_of(raised)
        assert code == "ValidationException"
        assert "No workforce" in message


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        (
            {"UserPool": "us-east-1_doesnotexist", "ClientId": "abc"},
            "user pool us-east-1_doesnotexist does not exist",
        ),
        ("wrong-client", "The app client wrong-client does not exist in Cognito user pool"),
    ],
)
def test_a_cognito_config_must_name_an_existing_pool_and_app_client(
    sagemaker: Any, pool: Pool, config: Any, expected: str
) -> None:
    cognito = config if isinstance(config, dict) else {"UserPool": pool.id, "ClientId": config}

    with pytest.raises(ClientError) as raised:
        sagemaker.create_workforce(WorkforceName="wf", CognitoConfig=cognito)

    code, message = error_of(raised)
    assert code == "ValidationException"
    assert expected in message
    assert sagemaker.list_workforces()["Workforces"] == []


def test_a_cognito_pool_without_a_domain_is_refused(emulator_clean: Emulator, sagemaker: Any) -> None:
    # Given a pool and app client, but no domain for the pool
    cognito = emulator_clean.client("cognito-idp")
    pool_id = cognito.create_user_pool(PoolName=unique("workers"))["UserPool"]["Id"]
    client_id = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="portal")["UserPoolClient"][
        "ClientId"
    ]

    # When
    with pytest.raises(ClientError) as raised:
        sagemaker.create_workforce(
            WorkforceName="wf", CognitoConfig={"UserPool": pool_id, "ClientId": client_id}
        )

    # Then
    code, message = error_of(raised)
    assert code == "ValidationException"
    assert f"The Cognito user pool {pool_id} has no domain" in message
    assert sagemaker.list_workforces()["Workforces"] == []


def test_a_workforce_needs_exactly_one_identity_provider(sagemaker: Any, pool: Pool) -> None:
    for identity in (
        {},
        {"CognitoConfig": {"UserPool": pool.id, "ClientId": pool.client_id}, "OidcConfig": OIDC},
    ):
        with pytest.raises(ClientError) as raised:
            sagemaker.create_workforce(WorkforceName="wf", **identity)
        assert error_of(raised) == (
            "ValidationException",
            "Specify exactly one of CognitoConfig and OidcConfig.",
        )


def test_an_oidc_workforce_never_returns_its_client_secret(sagemaker: Any) -> None:
    sagemaker.create_workforce(WorkforceName="oidc-workers", OidcConfig=OIDC)

    workforce = sagemaker.describe_workforce(WorkforceName="oidc-workers")["Workforce"]

    assert workforce["OidcConfig"] == {key: value for key, value in OIDC.items() if key != "ClientSecret"}
    assert "CognitoConfig" not in workforce


def test_source_ip_config_allows_at_most_ten_valid_cidrs(sagemaker: Any, pool: Pool, workforce: str) -> None:
    eleven = [f"10.0.{n}.0/24" for n in range(11)]
    with pytest.raises(ClientError) as raised:
        sagemaker.update_workforce(WorkforceName=workforce, SourceIpConfig={"Cidrs": eleven})
    code, message = error_of(raised)
    assert code == "ValidationException"
    assert message.endswith(
        "at 'sourceIpConfig.cidrs' failed to satisfy constraint: "
        "Member must have length less than or equal to 10"
    )

    with pytest.raises(ClientError) as raised:
        sagemaker.update_workforce(WorkforceName=workforce, SourceIpConfig={"Cidrs": ["10.0.0.0/33"]})
    assert (
        "Value '10.0.0.0/33' at 'sourceIpConfig.cidrs.1.member' failed to satisfy constraint"
        in error_of(raised)[1]
    )

    ten = eleven[:10]
    updated = sagemaker.update_workforce(WorkforceName=workforce, SourceIpConfig={"Cidrs": ten})["Workforce"]
    assert updated["SourceIpConfig"] == {"Cidrs": ten}
    assert sagemaker.describe_workforce(WorkforceName=workforce)["Workforce"]["SourceIpConfig"] == {
        "Cidrs": ten
    }


def test_a_vpc_config_gets_an_endpoint_and_an_empty_one_detaches_it(sagemaker: Any, workforce: str) -> None:
    vpc = {"VpcId": "vpc-0abc", "SecurityGroupIds": ["sg-0abc"], "Subnets": ["subnet-0abc", "subnet-0def"]}

    attached = sagemaker.update_workforce(WorkforceName=workforce, WorkforceVpcConfig=vpc)["Workforce"]
    more_subnets = {**vpc, "Subnets": [*vpc["Subnets"], "subnet-0ghi"]}
    widened = sagemaker.update_workforce(WorkforceName=workforce, WorkforceVpcConfig=more_subnets)[
        "Workforce"
    ]
    # The AWS provider sends an empty block when the configuration is removed.
    detached = sagemaker.update_workforce(WorkforceName=workforce, WorkforceVpcConfig={})["Workforce"]

    endpoint = attached["WorkforceVpcConfig"].pop("VpcEndpointId")
    assert re.fullmatch(r"vpce-[0-9a-f]{17}", endpoint)
    assert attached["WorkforceVpcConfig"] == vpc
    assert widened["WorkforceVpcConfig"] == {**more_subnets, "VpcEndpointId": endpoint}
    assert "WorkforceVpcConfig" not in detached


def test_a_workforce_with_work_teams_cannot_be_deleted(sagemaker: Any, pool: Pool, workforce: str) -> None:
    sagemaker.create_workteam(
        WorkteamName="team-a",
        WorkforceName=workforce,
        Description="d",
        MemberDefinitions=[pool.member("labelers")],
    )

    with pytest.raises(ClientError) as raised:
        sagemaker.delete_workforce(WorkforceName=workforce)
    assert error_of(raised) == (
        "ResourceInUse",
        f"Workforce {workforce} cannot be deleted while it has work teams (team-a). "
        "Delete the work teams first.",
    )

    sagemaker.delete_workteam(WorkteamName="team-a")
    sagemaker.delete_workforce(WorkforceName=workforce)
    assert sagemaker.list_workforces()["Workforces"] == []


def test_an_initializing_fault_keeps_a_new_workforce_initializing_for_its_first_describes(
    emulator_clean: Emulator, sagemaker: Any, pool: Pool
) -> None:
    emulator_clean.arm_fault("workforce", mode="initializing", describes=2)
    sagemaker.create_workforce(
        WorkforceName="slow", CognitoConfig={"UserPool": pool.id, "ClientId": pool.client_id}
    )

    statuses = [sagemaker.describe_workforce(WorkforceName="slow")["Workforce"]["Status"] for _ in range(3)]

    assert statuses == ["Initializing", "Initializing", "Active"]


def test_workforces_cannot_be_tagged_through_list_tags(sagemaker: Any, pool: Pool) -> None:
    arn = sagemaker.create_workforce(
        WorkforceName="wf", CognitoConfig={"UserPool": pool.id, "ClientId": pool.client_id}
    )["WorkforceArn"]

    with pytest.raises(ClientError) as raised:
        sagemaker.list_tags(ResourceArn=arn)

    assert error_of(raised) == ("ValidationException", "Invalid resource type: workforce")


def test_a_workforce_name_is_checked_against_the_api_pattern(sagemaker: Any, pool: Pool) -> None:
    with pytest.raises(ClientError) as raised:
        sagemaker.create_workforce(
            WorkforceName="bad_name", CognitoConfig={"UserPool": pool.id, "ClientId": pool.client_id}
        )

    assert error_of(raised) == (
        "ValidationException",
        "1 validation error detected: Value 'bad_name' at 'workforceName' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [a-zA-Z0-9]([a-zA-Z0-9\\-]){0,62}",
    )


# ---------------------------------------------------------------------------------------------
# Work teams
# ---------------------------------------------------------------------------------------------


def test_a_work_team_is_built_from_cognito_groups_of_the_workforce_pool(
    sagemaker: Any, pool: Pool, workforce: str
) -> None:
    topic = "arn:aws:sns:us-east-1:123456789012:labeling-tasks"

    arn = sagemaker.create_workteam(
        WorkteamName="labelers",
        WorkforceName=workforce,
        Description="People who label images",
        MemberDefinitions=[pool.member("labelers"), pool.member("reviewers")],
        NotificationConfiguration={"NotificationTopicArn": topic},
        Tags=[{"Key": "team", "Value": "vision"}],
    )["WorkteamArn"]
    team = sagemaker.describe_workteam(WorkteamName="labelers")["Workteam"]
    workforce_view = sagemaker.describe_workforce(WorkforceName=workforce)["Workforce"]

    assert arn == "arn:aws:sagemaker:us-east-1:123456789012:workteam/private-crowd/labelers"
    assert team["WorkteamArn"] == arn
    assert team["WorkforceArn"] == workforce_view["WorkforceArn"]
    assert team["SubDomain"] == workforce_view["SubDomain"]
    assert team["MemberDefinitions"] == [pool.member("labelers"), pool.member("reviewers")]
    assert team["Description"] == "People who label images"
    assert team["NotificationConfiguration"] == {"NotificationTopicArn": topic}
    assert sagemaker.list_tags(ResourceArn=arn)["Tags"] == [{"Key": "team", "Value": "vision"}]
    assert [t["WorkteamName"] for t in sagemaker.list_workteams()["Workteams"]] == ["labelers"]


def test_work_team_tags_are_replaced_by_key_and_deleted(sagemaker: Any, pool: Pool, workforce: str) -> None:
    arn = sagemaker.create_workteam(
        WorkteamName="t",
        Description="d",
        MemberDefinitions=[pool.member("labelers")],
        Tags=[{"Key": "a", "Value": "1"}],
    )["WorkteamArn"]

    sagemaker.add_tags(ResourceArn=arn, Tags=[{"Key": "a", "Value": "2"}, {"Key": "b", "Value": "3"}])
    after_add = sagemaker.list_tags(ResourceArn=arn)["Tags"]
    sagemaker.delete_tags(ResourceArn=arn, TagKeys=["a"])

    assert after_add == [{"Key": "a", "Value": "2"}, {"Key": "b", "Value": "3"}]
    assert sagemaker.list_tags(ResourceArn=arn)["Tags"] == [{"Key": "b", "Value": "3"}]


def test_an_unknown_work_team_is_reported_the_way_the_aws_provider_recognises(sagemaker: Any) -> None:
    for call in (sagemaker.describe_workteam, sagemaker.delete_workteam):
        with pytest.raises(ClientError) as raised:
            call(WorkteamName="ghost")
        assert error_of(raised) == (
            "ValidationException",
            "The work team arn:aws:sagemaker:us-east-1:123456789012:workteam/private-crowd/ghost "
            "does not exist.",
        )


def test_work_team_members_must_exist_in_the_workforce_pool(
    emulator_clean: Emulator, sagemaker: Any, pool: Pool, workforce: str
) -> None:
    other_pool = emulator_clean.client("cognito-idp").create_user_pool(PoolName="other")["UserPool"]["Id"]
    cases = [
        (
            pool.member("no-such-group"),
            f"The user group no-such-group does not exist in user pool {pool.id}.",
        ),
        (
            {
                "CognitoMemberDefinition": {
                    "UserPool": other_pool,
                    "ClientId": pool.client_id,
                    "UserGroup": "labelers",
                }
            },
            f"Cognito members must use the workforce's user pool {pool.id}",
        ),
        ({"OidcMemberDefinition": {"Groups": ["g"]}}, f"Workforce {workforce} uses Amazon Cognito"),
        ({}, "Each member definition needs exactly one of CognitoMemberDefinition and OidcMemberDefinition"),
    ]
    for member, expected in cases:
        with pytest.raises(ClientError) as raised:
            sagemaker.create_workteam(WorkteamName="t", Description="d", MemberDefinitions=[member])
        code, message = error_of(raised)
        assert code == "ValidationException"
        assert message.startswith(expected)
    assert sagemaker.list_workteams()["Workteams"] == []


def test_an_oidc_workforce_takes_teams_of_oidc_groups(sagemaker: Any) -> None:
    sagemaker.create_workforce(WorkforceName="oidc", OidcConfig=OIDC)

    sagemaker.create_workteam(
        WorkteamName="t",
        Description="d",
        MemberDefinitions=[{"OidcMemberDefinition": {"Groups": ["vision"]}}],
    )

    team = sagemaker.describe_workteam(WorkteamName="t")["Workteam"]
    assert team["MemberDefinitions"] == [{"OidcMemberDefinition": {"Groups": ["vision"]}}]
    with pytest.raises(ClientError) as raised:
        sagemaker.update_workforce(WorkforceName="oidc", OidcConfig={**OIDC, "ClientId": "new-client"})
    assert error_of(raised) == (
        "ValidationException",
        "The OIDC configuration of a workforce cannot change while it has work teams.",
    )


def test_a_work_team_needs_a_workforce_and_a_unique_name(sagemaker: Any, pool: Pool) -> None:
    with pytest.raises(ClientError) as raised:
        sagemaker.create_workteam(
            WorkteamName="t", Description="d", MemberDefinitions=[pool.member("labelers")]
        )
    assert error_of(raised)[0] == "ValidationException"
    assert "No workforce found" in error_of(raised)[1]

    sagemaker.create_workforce(
        WorkforceName="wf", CognitoConfig={"UserPool": pool.id, "ClientId": pool.client_id}
    )
    sagemaker.create_workteam(WorkteamName="t", Description="d", MemberDefinitions=[pool.member("labelers")])
    with pytest.raises(ClientError) as raised:
        sagemaker.create_workteam(
            WorkteamName="t", Description="d", MemberDefinitions=[pool.member("labelers")]
        )
    assert error_of(raised)[0] == "ResourceInUse"


def test_an_account_has_at_most_25_work_teams(sagemaker: Any, pool: Pool, workforce: str) -> None:
    for number in range(25):
        sagemaker.create_workteam(
            WorkteamName=f"t{number}", Description="d", MemberDefinitions=[pool.member("labelers")]
        )

    with pytest.raises(ClientError) as raised:
        sagemaker.create_workteam(
            WorkteamName="t25", Description="d", MemberDefinitions=[pool.member("labelers")]
        )

    assert error_of(raised) == (
        "ResourceLimitExceeded",
        "You cannot create more than 25 work teams in an account and region.",
    )
    first_page = sagemaker.list_workteams(SortBy="Name", MaxResults=10)
    assert len(first_page["Workteams"]) == 10
    assert "NextToken" in first_page


def test_a_work_team_update_changes_members_description_and_topic(
    sagemaker: Any, pool: Pool, workforce: str
) -> None:
    sagemaker.create_workteam(
        WorkteamName="t",
        Description="before",
        MemberDefinitions=[pool.member("labelers")],
        NotificationConfiguration={"NotificationTopicArn": "arn:aws:sns:us-east-1:123456789012:old"},
    )

    updated = sagemaker.update_workteam(
        WorkteamName="t",
        Description="after",
        MemberDefinitions=[pool.member("reviewers")],
        NotificationConfiguration={},
    )["Workteam"]

    assert updated["Description"] == "after"
    assert updated["MemberDefinitions"] == [pool.member("reviewers")]
    assert "NotificationConfiguration" not in updated
    assert sagemaker.describe_workteam(WorkteamName="t")["Workteam"] == updated


def test_the_aws_provider_call_sequence_works_end_to_end(
    emulator_clean: Emulator, sagemaker: Any, pool: Pool
) -> None:
    """The calls aws_sagemaker_workforce and aws_sagemaker_workteam make, in their order."""
    # workforce create: CreateWorkforce, then the Active waiter (DescribeWorkforce until Active), then read
    emulator_clean.arm_fault("workforce", mode="initializing", describes=1)
    sagemaker.create_workforce(
        WorkforceName="wf", CognitoConfig={"UserPool": pool.id, "ClientId": pool.client_id}
    )
    while sagemaker.describe_workforce(WorkforceName="wf")["Workforce"]["Status"] != "Active":
        pass
    # workteam create (with tags), read, tag read (transparent tagging lists the tags)
    arn = sagemaker.create_workteam(
        WorkteamName="team",
        WorkforceName="wf",
        Description="d",
        MemberDefinitions=[pool.member("labelers")],
        Tags=[{"Key": "env", "Value": "dev"}],
    )["WorkteamArn"]
    assert sagemaker.describe_workteam(WorkteamName="team")["Workteam"]["WorkteamArn"] == arn
    assert sagemaker.list_tags(ResourceArn=arn)["Tags"] == [{"Key": "env", "Value": "dev"}]
    # workforce update of source_ip_config + waiter
    sagemaker.update_workforce(WorkforceName="wf", SourceIpConfig={"Cidrs": ["10.0.0.0/8"]})
    assert sagemaker.describe_workforce(WorkforceName="wf")["Workforce"]["Status"] == "Active"
    # destroy: team first, then workforce; the delete waiter ends on "No workforce"
    assert sagemaker.delete_workteam(WorkteamName="team")["Success"] is True
    sagemaker.delete_workforce(WorkforceName="wf")
    with pytest.raises(ClientError) as raised:
        sagemaker.describe_workforce(WorkforceName="wf")
    assert "No workforce" in error_of(raised)[1]
