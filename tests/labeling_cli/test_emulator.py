"""An admin's day against the project's local emulator (``emulator``), found through AWS_ENDPOINT_URL."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
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

    invited = cli("invite", "--env", local_env, "--csv", path, "--json")
    again = cli("invite", "--env", local_env, "--csv", path, "--json")
    disabled = cli("disable", "--env", local_env, "--email", "li@example.com", "--json")
    removed = cli("remove", "--env", local_env, "--email", "ana@example.com", "--json")
    listed = cli("list", "--env", local_env, "--json")

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


def test_the_emulators_daily_email_quota_stops_a_run_and_the_next_day_finishes_it(
    cognito_email_quota: Callable[[int], None], local_env: str, cli: Any, csv_file: Any
) -> None:
    # Given Cognito's default sender has two emails left today
    cognito_email_quota(2)
    path = csv_file(CSV + "kim@example.com,labelers,Kim\n")

    # When three workers are invited, then again on the next day (a new quota)
    stopped = cli("invite", "--env", local_env, "--csv", path, "--json")
    cognito_email_quota(50)
    finished = cli("invite", "--env", local_env, "--csv", path, "--json")

    # Then
    assert stopped.code == 4, stopped.out + stopped.err
    assert stopped.json()["message"] == (
        "daily email quota reached: 2 invited, 1 left; run the same command again later or configure SES"
    )
    assert finished.code == 0, finished.out
    assert finished.json()["summary"] == {"succeeded": 1, "skipped": 2, "failed": 0, "planned": 0}
    assert finished.result("kim@example.com")["changes"][0].endswith("invitation emailed")
