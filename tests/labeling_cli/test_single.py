"""Inviting workers named on the command line: what the pool holds afterwards, and re-runs."""

from __future__ import annotations

from typing import Any

from labeling_cli.labelers.directory import username_for


def test_invite_creates_a_verified_user_with_an_opaque_name_in_the_team(pool: Any, cli: Any) -> None:
    # when
    run = cli(
        "invite", "--env", "dev", "--email", "Ana@Example.com", "--team", "reviewers", "--name", "Ana Lima"
    )

    # then
    assert run.code == 0, run.err
    user = pool.by_email("ana@example.com")
    assert "@" not in user["Username"]
    assert user["Username"] == username_for("ana@example.com")
    assert user["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    attributes = pool.attributes(user["Username"])
    assert attributes["email"] == "ana@example.com"
    assert attributes["email_verified"] == "true"
    assert attributes["name"] == "Ana Lima"
    assert pool.members("reviewers") == {"ana@example.com"}
    assert pool.members("labelers") == set()
    assert "succeeded" in run.out
    assert f"created user {user['Username']}, invitation emailed" in run.out
    assert pool.portal_url in run.out


def test_the_user_name_is_stable_and_differs_per_email() -> None:
    assert username_for("ana@example.com") == username_for("ana@example.com")
    assert username_for("ana@example.com") != username_for("bo@example.com")
    assert len(username_for("ana@example.com")) <= 128


def test_cognito_sends_the_invitation_and_we_never_choose_a_password(pool: Any, cli: Any) -> None:
    wrappers = cli.flaky()

    run = cli("invite", "--env", "dev", "--email", "ana@example.com", "--team", "reviewers")

    assert run.code == 0, run.err
    creates = [params for name, params in wrappers[0].calls if name == "admin_create_user"]
    assert len(creates) == 1
    assert creates[0]["DesiredDeliveryMediums"] == ["EMAIL"]
    assert "MessageAction" not in creates[0]  # not SUPPRESS: Cognito emails the invitation
    assert "TemporaryPassword" not in creates[0]


def test_running_the_same_invite_again_changes_nothing_and_says_so(pool: Any, cli: Any) -> None:
    cli("invite", "--env", "dev", "--email", "ana@example.com", "--team", "reviewers", "--team", "labelers")
    before = pool.snapshot()

    run = cli(
        "invite", "--env", "dev", "--email", "ana@example.com", "--team", "reviewers", "--team", "labelers"
    )

    assert run.code == 0
    assert pool.snapshot() == before
    assert "skipped" in run.out
    assert "already member of labelers, reviewers" in run.out
    assert "0 succeeded, 1 skipped, 0 failed" in run.out


def test_an_existing_worker_only_joins_the_teams_it_is_missing(pool: Any, cli: Any) -> None:
    cli("invite", "--env", "dev", "--email", "ana@example.com", "--team", "reviewers")
    users_before = pool.usernames()

    run = cli(
        "invite",
        "--env",
        "dev",
        "--email",
        "ana@example.com",
        "--team",
        "reviewers",
        "--team",
        "labelers",
        "--json",
    )

    assert run.code == 0
    assert pool.usernames() == users_before
    assert pool.members("labelers") == {"ana@example.com"}
    result = run.result("ana@example.com")
    assert result["outcome"] == "succeeded"
    assert result["changes"] == ["added to labelers"]
    assert result["message"] == "already member of reviewers"


def test_a_worker_created_elsewhere_is_found_by_email_and_not_duplicated(pool: Any, cli: Any) -> None:
    pool.add_user("li@example.com", username="li-from-console")

    run = cli("invite", "--env", "dev", "--email", "li@example.com", "--team", "labelers", "--json")

    assert run.code == 0, run.err
    assert pool.usernames() == {"li-from-console"}
    assert pool.members("labelers") == {"li@example.com"}
    assert run.result("li@example.com")["username"] == "li-from-console"


def test_several_emails_share_the_teams(pool: Any, cli: Any) -> None:
    run = cli(
        "invite", "--env", "dev", "--email", "a@example.com", "--email", "b@example.com", "--team", "labelers"
    )

    assert run.code == 0
    assert pool.members("labelers") == {"a@example.com", "b@example.com"}
    assert "2 succeeded, 0 skipped, 0 failed" in run.out


def test_a_disabled_worker_is_not_silently_reenabled(pool: Any, cli: Any) -> None:
    cli("invite", "--env", "dev", "--email", "ana@example.com", "--team", "reviewers")
    cli("disable", "--env", "dev", "--email", "ana@example.com")
    before = pool.snapshot()

    run = cli("invite", "--env", "dev", "--email", "ana@example.com", "--team", "reviewers")

    assert run.code == 1
    assert pool.snapshot() == before
    assert "the user is disabled; --remove it and invite it again" in run.out


def test_two_users_with_the_same_email_fail_the_row_with_both_names(pool: Any, cli: Any) -> None:
    pool.add_user("dup@example.com", username="dup-one")
    pool.cognito.admin_create_user(
        UserPoolId=pool.id,
        Username="dup-two",
        UserAttributes=[{"Name": "email", "Value": "dup@example.com"}],
        MessageAction="SUPPRESS",
    )

    run = cli("invite", "--env", "dev", "--email", "dup@example.com", "--team", "reviewers")

    assert run.code == 1
    assert "2 users have the email dup@example.com (dup-one, dup-two)" in run.out
    assert pool.members("reviewers") == set()


def test_json_output_has_a_stable_shape(pool: Any, cli: Any) -> None:
    run = cli("invite", "--env", "dev", "--email", "ana@example.com", "--team", "reviewers", "--json")

    document = run.json()
    assert set(document) == {
        "action",
        "dry_run",
        "user_pool_id",
        "source",
        "portal_url",
        "completed",
        "message",
        "summary",
        "results",
    }
    assert document["action"] == "invite"
    assert document["dry_run"] is False
    assert document["completed"] is True
    assert document["user_pool_id"] == pool.id
    assert document["source"] == f"SSM {pool.prefix}"
    assert document["portal_url"] == pool.portal_url
    assert pool.portal_url in document["message"]
    assert document["summary"] == {"succeeded": 1, "skipped": 0, "failed": 0, "planned": 0}
    assert document["results"] == [
        {
            "line": None,
            "email": "ana@example.com",
            "username": username_for("ana@example.com"),
            "outcome": "succeeded",
            "changes": [
                f"created user {username_for('ana@example.com')}, invitation emailed",
                "added to reviewers",
            ],
            "message": "",
        }
    ]
