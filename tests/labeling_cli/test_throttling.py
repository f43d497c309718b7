"""Cognito throttling is retried with capped exponential backoff and jitter, a bounded number of times."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from labeling_cli.common.retry import Backoff
from labeling_cli.labelers.directory import username_for


def _throttled(code: str = "TooManyRequestsException") -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "Rate exceeded"}}, "AdminCreateUser")


class Flaky:
    """An operation that fails with the given errors first, then returns "ok"."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    def __call__(self, **_: Any) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "ok"


# --- the backoff itself ---------------------------------------------------------------------------
@pytest.mark.parametrize("code", ["TooManyRequestsException", "ThrottlingException"])
def test_throttling_is_retried_until_it_passes(code: str) -> None:
    sleeps: list[float] = []
    operation = Flaky(_throttled(code), _throttled(code))

    result = Backoff(sleep=sleeps.append, jitter=lambda: 1.0).call(operation)

    assert result == "ok"
    assert operation.calls == 3
    assert sleeps == [0.25, 0.5]


def test_waits_grow_exponentially_up_to_the_cap_and_are_jittered() -> None:
    sleeps: list[float] = []
    backoff = Backoff(
        max_attempts=10, base_seconds=1.0, cap_seconds=8.0, sleep=sleeps.append, jitter=lambda: 1.0
    )

    backoff.call(Flaky(*[_throttled()] * 9))

    assert sleeps == [1.0, 2.0, 4.0, 8.0, 8.0, 8.0, 8.0, 8.0, 8.0]
    half = Backoff(base_seconds=1.0, jitter=lambda: 0.5)
    assert [half.delay(n) for n in range(3)] == [0.5, 1.0, 2.0]


def test_gives_up_after_the_last_attempt_with_the_throttling_error() -> None:
    sleeps: list[float] = []
    operation = Flaky(*[_throttled()] * 20)

    with pytest.raises(ClientError) as raised:
        Backoff(max_attempts=4, sleep=sleeps.append).call(operation)

    assert raised.value.response["Error"]["Code"] == "TooManyRequestsException"
    assert operation.calls == 4
    assert len(sleeps) == 3


def test_other_errors_are_not_retried() -> None:
    sleeps: list[float] = []
    operation = Flaky(
        ClientError({"Error": {"Code": "UserNotFoundException", "Message": "x"}}, "AdminGetUser")
    )

    with pytest.raises(ClientError):
        Backoff(sleep=sleeps.append).call(operation)

    assert operation.calls == 1
    assert sleeps == []


# --- through the CLI ------------------------------------------------------------------------------
def test_a_throttled_invite_is_retried_and_succeeds(pool: Any, cli: Any) -> None:
    cli.flaky({("admin_create_user", "*"): ["TooManyRequestsException", "TooManyRequestsException"]})

    run = cli("invite", "--env", "dev", "--email", "ana@example.com", "--team", "reviewers", "--json")

    assert run.code == 0, run.err
    assert run.result("ana@example.com")["outcome"] == "succeeded"
    assert pool.members("reviewers") == {"ana@example.com"}
    assert len(cli.sleeps) == 2
    assert all(0 <= s <= 0.5 for s in cli.sleeps)


def test_throttled_look_ups_group_changes_and_lists_are_retried_too(pool: Any, cli: Any) -> None:
    cli.flaky(
        {
            ("admin_get_user", "*"): ["ThrottlingException"],
            ("admin_add_user_to_group", "*"): ["TooManyRequestsException"],
            ("list_users", "*"): ["TooManyRequestsException"],
        }
    )

    invited = cli("invite", "--env", "dev", "--email", "ana@example.com", "--team", "reviewers")
    listed = cli("list", "--env", "dev", "--json")

    assert invited.code == 0, invited.out
    assert listed.code == 0, listed.err
    assert [w["email"] for w in listed.json()["workers"]] == ["ana@example.com"]
    assert len(cli.sleeps) == 3


def test_throttling_that_outlasts_the_retries_fails_only_that_row(pool: Any, cli: Any, csv_file: Any) -> None:
    stuck = username_for("li@example.com")
    cli.flaky({("admin_create_user", stuck): ["TooManyRequestsException"] * 8})

    run = cli(
        "invite",
        "--env",
        "dev",
        "--csv",
        csv_file("email,teams\nana@example.com,reviewers\nli@example.com,reviewers\n"),
        "--json",
    )

    assert run.code == 1
    assert run.result("ana@example.com")["outcome"] == "succeeded"
    failed = run.result("li@example.com")
    assert failed["outcome"] == "failed"
    assert "TooManyRequestsException" in failed["message"]
    assert "still throttled after retrying" in failed["message"]
    assert len(cli.sleeps) == 7  # 8 attempts, 7 waits
    assert pool.members("reviewers") == {"ana@example.com"}
