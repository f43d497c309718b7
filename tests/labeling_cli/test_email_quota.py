"""Cognito's daily email quota: the run stops cleanly, says what is left, and a rerun finishes the job."""

from __future__ import annotations

from typing import Any

from labeling_cli.labelers.directory import username_for

QUOTA_MESSAGE = (
    "daily email quota reached: {sent} {verb}, {left} left; run the same command again later or configure SES"
)
CSV = """\
email,teams
ana@example.com,reviewers
bo@example.com,reviewers
li@example.com,labelers
mo@example.com,labelers;reviewers
nu@example.com,reviewers
"""


def _quota_on(cli: Any, email: str) -> list[Any]:
    """Cognito refuses the invitation of `email` as it does once the default sender's quota is used up."""
    wrappers: list[Any] = cli.flaky({("admin_create_user", username_for(email)): ["LimitExceededException"]})
    return wrappers


def test_a_run_stops_at_the_quota_and_says_how_many_were_invited_and_are_left(
    pool: Any, cli: Any, csv_file: Any
) -> None:
    # Given bo is a member already and Cognito refuses li's invitation
    pool.add_user("bo@example.com", teams=("reviewers",))
    _quota_on(cli, "li@example.com")

    # When
    run = cli("invite", "--env", "dev", "--csv", csv_file(CSV))

    # Then only ana was invited; li, mo and nu are left, untouched
    assert run.code == 4, run.out + run.err
    assert QUOTA_MESSAGE.format(sent=1, verb="invited", left=3) in run.out
    assert pool.members("reviewers") == {"ana@example.com", "bo@example.com"}
    assert pool.usernames() == {username_for("ana@example.com"), username_for("bo@example.com")}


def test_the_json_document_reports_the_stop_and_every_row(pool: Any, cli: Any, csv_file: Any) -> None:
    _quota_on(cli, "mo@example.com")

    run = cli("invite", "--env", "dev", "--csv", csv_file(CSV), "--json")

    document = run.json()
    assert run.code == 4
    assert document["completed"] is False
    assert document["message"] == QUOTA_MESSAGE.format(sent=3, verb="invited", left=2)
    assert document["summary"] == {"succeeded": 3, "skipped": 2, "failed": 0, "planned": 0}
    left = [r for r in document["results"] if r["email"] in {"mo@example.com", "nu@example.com"}]
    assert [r["message"] for r in left] == ["left for the next run: daily email quota reached"] * 2


def test_a_rerun_continues_where_it_stopped_without_inviting_anyone_twice(
    pool: Any, cli: Any, csv_file: Any
) -> None:
    # Given a run stopped at li's invitation
    path = csv_file(CSV)
    wrappers = _quota_on(cli, "li@example.com")
    cli("invite", "--env", "dev", "--csv", path)

    # When the same command runs again (the quota has reset)
    rerun = cli("invite", "--env", "dev", "--csv", path, "--json")

    # Then ana is not created or emailed again, and the three left are invited
    assert rerun.code == 0, rerun.err
    assert rerun.json()["summary"] == {"succeeded": 3, "skipped": 2, "failed": 0, "planned": 0}
    created = [call["Username"] for name, call in wrappers[1].calls if name == "admin_create_user"]
    assert created == [
        username_for(email) for email in ("li@example.com", "mo@example.com", "nu@example.com")
    ]
    assert pool.members("labelers") == {"li@example.com", "mo@example.com"}
    assert pool.members("reviewers") == {
        "ana@example.com",
        "bo@example.com",
        "mo@example.com",
        "nu@example.com",
    }


def test_resending_stops_at_the_quota_too(pool: Any, cli: Any) -> None:
    for email in ("ana@example.com", "bo@example.com", "li@example.com"):
        pool.add_user(email, teams=("reviewers",))
    _quota_on(cli, "bo@example.com")

    run = cli("resend", "--env", "dev", "--all-pending")

    assert run.code == 4
    assert QUOTA_MESSAGE.format(sent=1, verb="resent", left=2) in run.out
