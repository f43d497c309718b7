"""WAF web ACLs on Cognito user pools: one ACL per pool, no ATP rule group, aws-waf-logs-* destinations."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.emulator.helpers import unique
from tests.fixtures.emulator import Emulator

VISIBILITY = {"SampledRequestsEnabled": False, "CloudWatchMetricsEnabled": False, "MetricName": "m"}


def web_acl(emulator: Emulator, *managed_groups: str) -> str:
    rules = [
        {
            "Name": group,
            "Priority": priority,
            "Statement": {"ManagedRuleGroupStatement": {"VendorName": "AWS", "Name": group}},
            "OverrideAction": {"None": {}},
            "VisibilityConfig": VISIBILITY,
        }
        for priority, group in enumerate(managed_groups)
    ]
    created = emulator.client("wafv2").create_web_acl(
        Name=unique("acl"),
        Scope="REGIONAL",
        DefaultAction={"Allow": {}},
        Rules=rules,
        VisibilityConfig=VISIBILITY,
    )
    arn: str = created["Summary"]["ARN"]
    return arn


@pytest.fixture
def pool_arn(emulator: Emulator) -> str:
    arn: str = emulator.client("cognito-idp").create_user_pool(PoolName=unique("pool"))["UserPool"]["Arn"]
    return arn


def error_code(raised: pytest.ExceptionInfo[ClientError]) -> str:
    return str(raised.value.response["Error"]["Code"])


def test_a_pool_has_one_web_acl(emulator: Emulator, pool_arn: str) -> None:
    waf = emulator.client("wafv2")
    first, second = web_acl(emulator, "AWSManagedRulesCommonRuleSet"), web_acl(emulator)

    waf.associate_web_acl(WebACLArn=first, ResourceArn=pool_arn)
    waf.associate_web_acl(WebACLArn=second, ResourceArn=pool_arn)

    assert waf.get_web_acl_for_resource(ResourceArn=pool_arn)["WebACL"]["ARN"] == second
    waf.disassociate_web_acl(ResourceArn=pool_arn)
    assert "WebACL" not in waf.get_web_acl_for_resource(ResourceArn=pool_arn)


def test_atp_rule_group_cannot_protect_a_pool(emulator: Emulator, pool_arn: str) -> None:
    acl = web_acl(emulator, "AWSManagedRulesATPRuleSet")

    with pytest.raises(ClientError) as raised:
        emulator.client("wafv2").associate_web_acl(WebACLArn=acl, ResourceArn=pool_arn)

    assert error_code(raised) == "WAFInvalidParameterException"


def test_unknown_pool(emulator: Emulator) -> None:
    missing = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_missing"

    with pytest.raises(ClientError) as raised:
        emulator.client("wafv2").associate_web_acl(WebACLArn=web_acl(emulator), ResourceArn=missing)

    assert error_code(raised) == "WAFNonexistentItemException"


@pytest.mark.parametrize(("group", "accepted"), [("aws-waf-logs-portal", True), ("/aws/waf/portal", False)])
def test_log_destination_name(emulator: Emulator, group: str, accepted: bool) -> None:
    acl = web_acl(emulator)
    logs = emulator.client("logs")
    name = f"{group}-{unique('g')}"
    logs.create_log_group(logGroupName=name)
    destination = logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"][0]["arn"].removesuffix(":*")
    configuration: dict[str, Any] = {"ResourceArn": acl, "LogDestinationConfigs": [destination]}
    waf = emulator.client("wafv2")

    if accepted:
        waf.put_logging_configuration(LoggingConfiguration=configuration)
        got = waf.get_logging_configuration(ResourceArn=acl)["LoggingConfiguration"]
        assert got["LogDestinationConfigs"] == [destination]
    else:
        with pytest.raises(ClientError) as raised:
            waf.put_logging_configuration(LoggingConfiguration=configuration)
        assert error_code(raised) == "WAFInvalidParameterException"
