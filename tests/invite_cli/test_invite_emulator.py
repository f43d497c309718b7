"""An admin's day against the project's local emulator (moto_ext), found through AWS_ENDPOINT_URL."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

CSV = "email,teams,name\nana@example.com,reviewers,Ana\nli@example.com,reviewers;labelers,\n"


@pytest.fixture
def local_env(emulator: Any) -> str:
    """A workforce of its own in the shared emulator: pool, team groups and SSM parameters."""
    env = f"invite-{uuid.uuid4().hex[:8]}"
    cognito, ssm = emulator.client("cognito-idp"), emulator.client("ssm")
    pool_id = cognito.create_user_pool(PoolName=env, AliasAttributes=["email"])["UserPool"]["Id"]
    workteams = {}
    for team in ("reviewers", "labelers"):
        group = f"{env}-{team}"
        cognito.create_group(UserPoolId=pool_id, GroupName=group)
        workteams[team] = {
            "arn": f"arn:aws:sagemaker:us-east-1:123456789012:workteam/private-crowd/{group}",
            "user_group": group,
        }
    prefix = f"/private-labeling/{env}/workforce"
    ssm.put_parameter(Name=f"{prefix}/user-pool-id", Value=pool_id, Type="String")
    ssm.put_parameter(Name=f"{prefix}/workteams", Value=json.dumps(workteams), Type="String")
    return env


def test_invite_list_disable_and_remove_against_the_emulator(local_env: str, cli: Any, csv_file: Any) -> None:
    path = csv_file(CSV)

    invited = cli("--env", local_env, "--csv", path, "--json")
    again = cli("--env", local_env, "--csv", path, "--json")
    disabled = cli("--env", local_env, "--disable", "--email", "li@example.com", "--json")
    removed = cli("--env", local_env, "--remove", "--email", "ana@example.com", "--json")
    listed = cli("--env", local_env, "--list", "--json")

    assert invited.json()["summary"]["succeeded"] == 2, invited.out + invited.err
    assert again.json()["summary"]["skipped"] == 2
    assert disabled.result("li@example.com")["changes"] == [
        "disabled",
        "removed from labelers",
        "removed from reviewers",
    ]
    assert removed.result("ana@example.com")["outcome"] == "succeeded"
    workers = listed.json()["workers"]
    assert [(w["email"], w["status"], w["teams"]) for w in workers] == [("li@example.com", "disabled", [])]
