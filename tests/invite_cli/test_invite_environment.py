"""Finding the workforce (SSM or flags) and refusing, in one line, what cannot work."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

import invite

REVIEWERS = "gt-dev-reviewers"


def _no_traceback(run: Any) -> None:
    assert "Traceback" not in run.err
    assert len(run.err.strip().splitlines()) == 1, run.err


# --- SSM and overrides ----------------------------------------------------------------------------
def test_an_env_without_parameters_is_refused_with_what_is_missing(pool: Any, cli: Any) -> None:
    run = cli("--env", "staging", "--list")

    assert run.code == 3
    assert (
        "SSM parameters missing under /private-labeling/staging/workforce: user-pool-id, workteams" in run.err
    )
    assert "Is the workforce module applied" in run.err
    _no_traceback(run)


def test_the_missing_parameter_is_named(environments: Any, cli: Any) -> None:
    environments.publish(environments.create_pool(), omit=("workteams",))

    run = cli("--env", "dev", "--list")

    assert run.code == 3
    assert "/private-labeling/dev/workforce: workteams." in run.err


def test_malformed_workteams_are_refused(environments: Any, cli: Any) -> None:
    pool_id = environments.create_pool()
    environments.publish(pool_id, workteams="reviewers")
    broken = cli("--env", "dev", "--list")
    environments.publish(pool_id, prefix="/x/workforce", workteams=json.dumps({"reviewers": {"arn": "a"}}))
    no_group = cli("--ssm-prefix", "/x/workforce", "--list")

    assert broken.code == no_group.code == 3
    assert "/private-labeling/dev/workforce/workteams is not JSON" in broken.err
    assert "team 'reviewers' has no user_group" in no_group.err


def test_a_custom_ssm_prefix(environments: Any, cli: Any) -> None:
    environments.publish(environments.create_pool(), prefix="/acme/prod/workforce")

    run = cli("--ssm-prefix", "/acme/prod/workforce", "--email", "ana@example.com", "--team", "reviewers")

    assert run.code == 0, run.err
    assert "SSM /acme/prod/workforce" in run.out


def test_pool_and_team_flags_skip_ssm_entirely(environments: Any, cli: Any) -> None:
    pool_id = environments.create_pool()  # and no parameters at all
    services: list[str] = []

    def recording(session: Any, service: str) -> Any:
        services.append(service)
        return invite.default_client(session, service)

    cli.make_client = recording

    run = cli(
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

    run = cli("--env", "dev", "--user-pool-id", real_pool, "--email", "a@example.com", "--team", "labelers")

    assert run.code == 0, run.err
    assert real_pool in run.out


def test_no_environment_at_all_says_what_to_pass(aws: None, cli: Any) -> None:
    run = cli("--list")

    assert run.code == 3
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
    run = cli("--env", "dev", *flags, "--list")

    assert run.code == 2
    assert message in run.err
    _no_traceback(run)


# --- the pool and its groups ----------------------------------------------------------------------
def test_a_pool_that_does_not_exist(environments: Any, cli: Any) -> None:
    environments.publish("us-east-1_doesnotexist")

    run = cli("--env", "dev", "--list")

    assert run.code == 3
    assert "user pool us-east-1_doesnotexist (SSM /private-labeling/dev/workforce) does not exist" in run.err


def test_a_team_whose_group_is_gone(pool: Any, cli: Any) -> None:
    pool.cognito.delete_group(GroupName=REVIEWERS, UserPoolId=pool.id)

    run = cli("--env", "dev", "--email", "a@example.com", "--team", "reviewers")

    assert run.code == 3
    assert f"Cognito group(s) missing in user pool {pool.id}: {REVIEWERS} (team reviewers)" in run.err
    assert pool.usernames() == set()


def test_a_pool_in_another_region_than_the_session(
    pool: Any, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = cli(
        "--env",
        "dev",
        "--region",
        "eu-west-1",
        "--user-pool-id",
        pool.id,
        "--team-group",
        f"r={REVIEWERS}",
        "--list",
    )

    assert run.code == 3
    assert "is in us-east-1 but the AWS region is eu-west-1; pass --region us-east-1" in run.err


def test_a_pool_that_uses_email_as_user_name_is_refused(environments: Any, cli: Any) -> None:
    pool_id = environments.create_pool(AliasAttributes=[], UsernameAttributes=["email"])
    environments.publish(pool_id)

    run = cli("--env", "dev", "--list")

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

    run = cli("--env", "dev", "--list")
    as_json = cli("--env", "dev", "--list", "--json")

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

    run = cli("--user-pool-id", "us-east-1_abc", "--team-group", "r=g", "--list")

    assert run.code == 3
    assert "no AWS region: pass --region or set AWS_REGION" in run.err
    _no_traceback(run)


def test_access_denied_on_ssm_is_one_line(pool: Any, cli: Any) -> None:
    class DeniedSsm:
        def get_parameters(self, **_: Any) -> Any:
            raise ClientError(
                {"Error": {"Code": "AccessDeniedException", "Message": "not allowed"}}, "GetParameters"
            )

    def make(session: Any, service: str) -> Any:
        return DeniedSsm() if service == "ssm" else invite.default_client(session, service)

    cli.make_client = make

    run = cli("--env", "dev", "--list")

    assert run.code == 3
    assert "AWS refused or failed: AccessDeniedException: not allowed" in run.err
    _no_traceback(run)


# --- arguments ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--env", "dev"], "invite: name the workers with exactly one of --email or --csv"),
        (["--env", "dev", "--email", "a@example.com"], "invite: give at least one --team"),
        (["--env", "dev", "--csv", "x.csv", "--email", "a@example.com"], "exactly one of --email or --csv"),
        (["--env", "dev", "--csv", "x.csv", "--team", "reviewers"], "teams and names come from the file"),
        (
            ["--env", "dev", "--remove", "--email", "a@example.com", "--team", "reviewers"],
            "--remove takes no --team",
        ),
        (["--env", "dev", "--all-pending"], "--all-pending only goes with --resend"),
        (["--env", "dev", "--disable", "--all-pending"], "--all-pending only goes with --resend"),
        (["--env", "dev", "--resend", "--all-pending", "--email", "a@example.com"], "exactly one of"),
        (["--env", "dev", "--resend"], "exactly one of --email or --csv or --all-pending"),
        (["--env", "dev", "--list", "--email", "a@example.com"], "--list takes no --email"),
        (["--env", "d/ev", "--list"], "--env 'd/ev'"),
        (["--ssm-prefix", "no-slash", "--list"], "--ssm-prefix 'no-slash'"),
        (
            [
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
    ],
)
def test_argument_combinations_that_make_no_sense(cli: Any, argv: list[str], message: str) -> None:
    run = cli(*argv)

    assert run.code == 2
    assert run.err.startswith("usage:")
    assert "\nerror: " in run.err
    assert message in run.err


def test_two_actions_at_once_are_refused_by_argparse(cli: Any, capsys: pytest.CaptureFixture[str]) -> None:
    run = cli("--env", "dev", "--remove", "--disable", "--email", "a@example.com")

    assert run.code == 2
    assert "not allowed with argument" in capsys.readouterr().err


def test_an_invalid_email_or_unknown_team_on_the_command_line_writes_nothing(pool: Any, cli: Any) -> None:
    bad_email = cli("--env", "dev", "--email", "ana(at)example.com", "--team", "reviewers")
    bad_team = cli("--env", "dev", "--email", "ana@example.com", "--team", "painters")

    assert (bad_email.code, bad_team.code) == (2, 2)
    assert "'ana(at)example.com' is not a valid email address" in bad_email.out
    assert "unknown team painters" in bad_team.out
    assert pool.usernames() == set()
