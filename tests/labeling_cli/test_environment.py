"""Finding the workforce (SSM or flags) and refusing, in one line, what cannot work."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from labeling_cli.labelers import cli as labelers

REVIEWERS = "gt-dev-reviewers"


def _no_traceback(run: Any) -> None:
    assert "Traceback" not in run.err
    assert len(run.err.strip().splitlines()) == 1, run.err


# --- SSM and overrides ----------------------------------------------------------------------------
def test_an_env_without_parameters_is_refused_with_what_is_missing(pool: Any, cli: Any) -> None:
    run = cli("list", "--env", "staging")

    assert run.code == 3
    assert (
        "SSM parameters missing under /private-labeling/staging/workforce: user-pool-id, workteams" in run.err
    )
    assert "Is the workforce module applied" in run.err
    _no_traceback(run)


def test_the_missing_parameter_is_named(environments: Any, cli: Any) -> None:
    environments.publish(environments.create_pool(), omit=("workteams",))

    run = cli("list", "--env", "dev")

    assert run.code == 3
    assert "/private-labeling/dev/workforce: workteams." in run.err


def test_malformed_workteams_are_refused(environments: Any, cli: Any) -> None:
    pool_id = environments.create_pool()
    environments.publish(pool_id, workteams="reviewers")
    broken = cli("list", "--env", "dev")
    environments.publish(pool_id, prefix="/x/workforce", workteams=json.dumps({"reviewers": {"arn": "a"}}))
    no_group = cli("list", "--ssm-prefix", "/x/workforce")

    assert broken.code == no_group.code == 3
    assert "/private-labeling/dev/workforce/workteams is not JSON" in broken.err
    assert "team 'reviewers' has no user_group" in no_group.err


def test_a_custom_ssm_prefix(environments: Any, cli: Any) -> None:
    environments.publish(environments.create_pool(), prefix="/acme/prod/workforce")

    run = cli(
        "invite", "--ssm-prefix", "/acme/prod/workforce", "--email", "ana@example.com", "--team", "reviewers"
    )

    assert run.code == 0, run.err
    assert "SSM /acme/prod/workforce" in run.out


def test_pool_and_team_flags_skip_ssm_entirely(environments: Any, cli: Any) -> None:
    pool_id = environments.create_pool()  # and no parameters at all
    services: list[str] = []

    def recording(session: Any, service: str) -> Any:
        services.append(service)
        return labelers.default_client(session, service)

    cli.make_client = recording

    run = cli(
        "invite",
        "--user-pool-id",
        pool_id,
        "--team-group",
        f"reviewers={REVIEWERS}",
        "--email",
        "a@example.com",
        "--team",
        "reviewers",
    )

    assert run.code == 0, run.err
    assert services == ["cognito-idp"]
    assert "command line" in run.out


def test_a_pool_flag_with_an_env_still_reads_the_teams_from_ssm(environments: Any, cli: Any) -> None:
    environments.publish("us-east-1_doesnotexist")
    real_pool = environments.create_pool()

    run = cli(
        "invite",
        "--env",
        "dev",
        "--user-pool-id",
        real_pool,
        "--email",
        "a@example.com",
        "--team",
        "labelers",
    )

    assert run.code == 0, run.err
    assert real_pool in run.out


def test_no_environment_at_all_says_what_to_pass(aws: None, cli: Any) -> None:
    run = cli("list")

    assert run.code == 2  # decided from the arguments alone, so a usage error
    assert "pass --env NAME (or --ssm-prefix), or both --user-pool-id and --team-group" in run.err


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--team-group", "reviewers"], "expected TEAM=GROUP"),
        (["--team-group", "reviewers=bad/group"], "not a valid Cognito group name"),
        (["--team-group", "a=g1", "--team-group", "a=g2"], "team 'a' is given twice"),
        (["--user-pool-id", "not-a-pool"], "not a user pool id"),
    ],
)
def test_malformed_overrides_are_usage_errors(aws: None, cli: Any, flags: list[str], message: str) -> None:
    run = cli("list", "--env", "dev", *flags)

    assert run.code == 2
    assert message in run.err
    _no_traceback(run)


# --- the pool and its groups ----------------------------------------------------------------------
def test_a_pool_that_does_not_exist(environments: Any, cli: Any) -> None:
    environments.publish("us-east-1_doesnotexist")

    run = cli("list", "--env", "dev")

    assert run.code == 3
    assert "user pool us-east-1_doesnotexist (SSM /private-labeling/dev/workforce) does not exist" in run.err


def test_a_team_whose_group_is_gone(pool: Any, cli: Any) -> None:
    pool.cognito.delete_group(GroupName=REVIEWERS, UserPoolId=pool.id)

    run = cli("invite", "--env", "dev", "--email", "a@example.com", "--team", "reviewers")

    assert run.code == 3
    assert f"Cognito group(s) missing in user pool {pool.id}: {REVIEWERS} (team reviewers)" in run.err
    assert pool.usernames() == set()


def test_a_pool_in_another_region_than_the_session(
    pool: Any, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = cli(
        "list",
        "--env",
        "dev",
        "--region",
        "eu-west-1",
        "--user-pool-id",
        pool.id,
        "--team-group",
        f"r={REVIEWERS}",
    )

    assert run.code == 3
    assert "is in us-east-1 but the AWS region is eu-west-1; pass --region us-east-1" in run.err


def test_a_pool_that_uses_email_as_user_name_is_refused(environments: Any, cli: Any) -> None:
    pool_id = environments.create_pool(AliasAttributes=[], UsernameAttributes=["email"])
    environments.publish(pool_id)

    run = cli("list", "--env", "dev")

    assert run.code == 3
    assert "uses email addresses as user names" in run.err


# --- credentials and AWS errors -------------------------------------------------------------------
def test_missing_credentials_are_one_line_without_traceback(
    cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.delenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", raising=False)
    monkeypatch.delenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", raising=False)

    run = cli("list", "--env", "dev")
    as_json = cli("list", "--env", "dev", "--json")

    assert run.code == 3
    assert run.err.startswith("error: no AWS credentials found")
    _no_traceback(run)
    assert as_json.json() == {
        "action": "list",
        "error": as_json.err.removeprefix("error: ").strip(),
        "exit_code": 3,
    }


def test_missing_region_is_one_line(aws: None, cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_REGION")
    monkeypatch.delenv("AWS_DEFAULT_REGION")

    run = cli("list", "--user-pool-id", "us-east-1_abc", "--team-group", "r=g")

    assert run.code == 3
    assert "no AWS region: pass --region, or set AWS_REGION (or AWS_DEFAULT_REGION)" in run.err
    _no_traceback(run)


@pytest.mark.parametrize(
    ("variables", "region"),
    [
        ({"AWS_REGION": "us-east-1"}, "us-east-1"),
        ({"AWS_DEFAULT_REGION": "us-east-1"}, "us-east-1"),
        ({"AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "us-east-1"}, "eu-west-1"),
    ],
    ids=["AWS_REGION", "AWS_DEFAULT_REGION", "AWS_REGION-first"],
)
def test_the_region_comes_from_aws_region_then_aws_default_region(
    pool: Any, cli: Any, monkeypatch: pytest.MonkeyPatch, variables: dict[str, str], region: str
) -> None:
    monkeypatch.delenv("AWS_REGION")
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    for name, value in variables.items():
        monkeypatch.setenv(name, value)

    run = cli("list", "--env", "dev", "--json")

    if region == "us-east-1":  # the pool's region: the workers are listed
        assert run.code == 0, run.err
        assert run.json()["user_pool_id"] == pool.id
    else:  # AWS_REGION won over AWS_DEFAULT_REGION: no parameters in eu-west-1
        assert run.code == 3
        assert "SSM parameters missing under /private-labeling/dev/workforce" in run.err


def test_the_region_flag_wins_over_both_variables(
    pool: Any, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")

    run = cli("list", "--env", "dev", "--region", "us-east-1", "--json")

    assert run.code == 0, run.err
    assert run.json()["user_pool_id"] == pool.id


def test_access_denied_on_ssm_is_one_line(pool: Any, cli: Any) -> None:
    class DeniedSsm:
        def get_parameters(self, **_: Any) -> Any:
            raise ClientError(
                {"Error": {"Code": "AccessDeniedException", "Message": "not allowed"}}, "GetParameters"
            )

    def make(session: Any, service: str) -> Any:
        return DeniedSsm() if service == "ssm" else labelers.default_client(session, service)

    cli.make_client = make

    run = cli("list", "--env", "dev")

    assert run.code == 3
    assert "AWS refused or failed: AccessDeniedException: not allowed" in run.err
    _no_traceback(run)


# --- arguments ------------------------------------------------------------------------------------
def _usage_error(run: Any, message: str) -> None:
    """Exit 2, nothing on standard output, and one line on standard error that names the problem."""
    assert run.code == 2
    assert run.out == ""
    assert run.err.startswith("error: labelers")
    assert message in run.err
    _no_traceback(run)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "the following arguments are required: COMMAND"),
        (["enlist", "--env", "dev"], "invalid choice: 'enlist'"),
        (["invite", "--env", "dev"], "one of the arguments --email --csv is required"),
        (["invite", "--env", "dev", "--email", "a@example.com"], "give at least one --team with --email"),
        (
            ["invite", "--env", "dev", "--csv", "x.csv", "--email", "a@example.com"],
            "argument --email: not allowed with argument --csv",
        ),
        (
            ["invite", "--env", "dev", "--csv", "x.csv", "--team", "reviewers"],
            "teams and names come from the file",
        ),
        (
            ["remove", "--env", "dev", "--email", "a@example.com", "--team", "reviewers"],
            "unrecognized arguments: --team reviewers",
        ),
        (
            ["invite", "--env", "dev", "--email", "a@example.com", "--team", "r", "--all-pending"],
            "unrecognized arguments: --all-pending",
        ),
        (["disable", "--env", "dev", "--email", "a@example.com", "--all-pending"], "unrecognized arguments"),
        (
            ["resend", "--env", "dev", "--all-pending", "--email", "a@example.com"],
            "argument --email: not allowed with argument --all-pending",
        ),
        (["resend", "--env", "dev"], "one of the arguments --email --csv --all-pending is required"),
        (["list", "--env", "dev", "--email", "a@example.com"], "unrecognized arguments: --email"),
        (["list", "--env", "d/ev"], "argument --env: 'd/ev'"),
        (["list", "--ssm-prefix", "no-slash"], "argument --ssm-prefix: 'no-slash'"),
        (
            [
                "invite",
                "--env",
                "dev",
                "--email",
                "a@example.com",
                "--email",
                "b@example.com",
                "--team",
                "r",
                "--name",
                "A",
            ],
            "--name applies to a single --email",
        ),
        (
            ["invite", "--env", "dev", "--email", "a@example.com", "--team", "r", "--name", "A\x00"],
            "control characters",
        ),
    ],
)
def test_argument_combinations_that_make_no_sense(cli: Any, argv: list[str], message: str) -> None:
    run = cli(*argv)

    _usage_error(run, message)


def test_an_address_that_is_not_an_email_is_refused_before_any_aws_lookup(
    cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given no credentials and no region at all, and a client factory that records any use
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    services: list[str] = []

    def recording(session: Any, service: str) -> Any:
        services.append(service)
        return labelers.default_client(session, service)

    cli.make_client = recording

    # When the address has a typo
    run = cli("invite", "--env", "dev", "--email", "ana(at)example.com", "--team", "reviewers")

    # Then the typo is the one-line answer, and AWS was never asked
    _usage_error(run, "argument --email: 'ana(at)example.com' is not a valid email address")
    assert "credentials" not in run.err
    assert services == []


def test_an_unknown_team_on_the_command_line_writes_nothing(pool: Any, cli: Any) -> None:
    bad_team = cli("invite", "--env", "dev", "--email", "ana@example.com", "--team", "painters")

    assert bad_team.code == 2
    assert "unknown team painters" in bad_team.out
    assert pool.usernames() == set()
