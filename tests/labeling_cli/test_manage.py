"""Resending invitations, removing and disabling workers, and listing them."""

from __future__ import annotations

from typing import Any

from labeling_cli.labelers.directory import username_for

ANA = "ana@example.com"
BO = "bo@example.com"


def _confirm(pool: Any, email: str) -> None:
    """The worker signed in and chose a password."""
    pool.cognito.admin_set_user_password(
        UserPoolId=pool.id, Username=username_for(email), Password="Labeling-Passw0rd!", Permanent=True
    )


# --- resend ---------------------------------------------------------------------------------------
def test_resend_asks_cognito_to_email_the_invitation_again(pool: Any, cli: Any) -> None:
    cli("invite", "--env", "dev", "--email", ANA, "--team", "reviewers")
    wrappers = cli.flaky()

    run = cli("resend", "--env", "dev", "--email", ANA, "--json")

    assert run.code == 0, run.err
    assert run.result(ANA)["outcome"] == "succeeded"
    assert run.result(ANA)["changes"] == ["invitation resent"]
    resends = [p for name, p in wrappers[0].calls if name == "admin_create_user"]
    assert resends == [
        {
            "UserPoolId": pool.id,
            "Username": username_for(ANA),
            "MessageAction": "RESEND",
            "DesiredDeliveryMediums": ["EMAIL"],
        }
    ]
    # moto replaces the user on RESEND (attributes and groups are lost there, not in Cognito), so
    # only the status is checked on the pool itself.
    assert pool.user(username_for(ANA))["UserStatus"] == "FORCE_CHANGE_PASSWORD"


def test_resend_skips_workers_who_signed_in_or_are_disabled_and_fails_unknown_ones(
    pool: Any, cli: Any
) -> None:
    cli("invite", "--env", "dev", "--email", ANA, "--email", BO, "--team", "reviewers")
    _confirm(pool, ANA)
    cli("disable", "--env", "dev", "--email", BO)
    wrappers = cli.flaky()

    run = cli("resend", "--env", "dev", "--email", ANA, "--email", BO, "--email", "cy@example.com", "--json")

    assert run.code == 1  # the unknown worker failed
    assert run.result(ANA)["outcome"] == "skipped"
    assert run.result(ANA)["message"] == "status is confirmed: it has signed in already"
    assert run.result(BO)["outcome"] == "skipped"
    assert run.result(BO)["message"] == "the user is disabled; no invitation sent"
    assert run.result("cy@example.com")["outcome"] == "failed"
    assert run.result("cy@example.com")["message"] == "no such worker; invite it first"
    assert wrappers[0].count("admin_create_user") == 0


def test_resend_all_pending_reaches_every_worker_who_never_signed_in(pool: Any, cli: Any) -> None:
    cli(
        "invite",
        "--env",
        "dev",
        "--email",
        ANA,
        "--email",
        BO,
        "--email",
        "cy@example.com",
        "--team",
        "labelers",
    )
    _confirm(pool, BO)
    wrappers = cli.flaky()

    run = cli("resend", "--env", "dev", "--all-pending", "--json")

    assert run.code == 0
    assert {r["email"] for r in run.json()["results"]} == {ANA, "cy@example.com"}
    resent_to = {p["Username"] for name, p in wrappers[0].calls if name == "admin_create_user"}
    assert resent_to == {username_for(ANA), username_for("cy@example.com")}


# --- remove ---------------------------------------------------------------------------------------
def test_remove_deletes_the_user_and_with_it_its_team_memberships(pool: Any, cli: Any) -> None:
    cli("invite", "--env", "dev", "--email", ANA, "--email", BO, "--team", "reviewers", "--team", "labelers")

    run = cli("remove", "--env", "dev", "--email", ANA)

    assert run.code == 0, run.err
    assert pool.usernames() == {username_for(BO)}
    assert pool.members("reviewers") == {BO}
    assert pool.members("labelers") == {BO}
    assert f"deleted user {username_for(ANA)}, removed from labelers, reviewers" in run.out


def test_removing_someone_who_is_not_there_is_a_skip(pool: Any, cli: Any) -> None:
    run = cli("remove", "--env", "dev", "--email", ANA)

    assert run.code == 0
    assert "no such worker; nothing to remove" in run.out
    assert "0 succeeded, 1 skipped, 0 failed" in run.out


def test_remove_takes_a_csv_and_ignores_its_team_column(pool: Any, cli: Any, csv_file: Any) -> None:
    path = csv_file(f"email,teams\n{ANA},reviewers\n{BO},labelers\n")
    cli("invite", "--env", "dev", "--csv", path)

    run = cli("remove", "--env", "dev", "--csv", path)

    assert run.code == 0
    assert pool.usernames() == set()


# --- disable --------------------------------------------------------------------------------------
def test_disable_blocks_sign_in_and_takes_the_worker_out_of_every_team(pool: Any, cli: Any) -> None:
    cli("invite", "--env", "dev", "--email", ANA, "--team", "reviewers", "--team", "labelers")

    run = cli("disable", "--env", "dev", "--email", ANA, "--json")

    assert run.code == 0, run.err
    assert pool.user(username_for(ANA))["Enabled"] is False
    assert pool.members("reviewers") == set()
    assert pool.members("labelers") == set()
    assert run.result(ANA)["changes"] == ["disabled", "removed from labelers", "removed from reviewers"]


def test_disabling_twice_is_a_skip_and_unknown_workers_fail(pool: Any, cli: Any) -> None:
    cli("invite", "--env", "dev", "--email", ANA, "--team", "reviewers")
    cli("disable", "--env", "dev", "--email", ANA)
    before = pool.snapshot()

    run = cli("disable", "--env", "dev", "--email", ANA, "--email", BO, "--json")

    assert run.code == 1
    assert pool.snapshot() == before
    assert run.result(ANA)["message"] == "already disabled and in no team"
    assert run.result(BO)["message"] == "no such worker"


def test_disable_finishes_a_worker_left_disabled_but_still_in_a_team(pool: Any, cli: Any) -> None:
    cli("invite", "--env", "dev", "--email", ANA, "--team", "reviewers")
    pool.cognito.admin_disable_user(UserPoolId=pool.id, Username=username_for(ANA))

    run = cli("disable", "--env", "dev", "--email", ANA, "--json")

    assert run.result(ANA)["changes"] == ["removed from reviewers"]
    assert pool.members("reviewers") == set()


# --- list -----------------------------------------------------------------------------------------
def _three_workers(pool: Any, cli: Any) -> None:
    cli(
        "invite",
        "--env",
        "dev",
        "--email",
        ANA,
        "--team",
        "reviewers",
        "--team",
        "labelers",
        "--name",
        "Ana Lima",
    )
    cli("invite", "--env", "dev", "--email", BO, "--team", "labelers")
    cli("invite", "--env", "dev", "--email", "cy@example.com", "--team", "reviewers")
    _confirm(pool, ANA)
    pool.cognito.admin_set_user_mfa_preference(
        UserPoolId=pool.id, Username=username_for(ANA), SMSMfaSettings={"Enabled": True, "PreferredMfa": True}
    )
    cli("disable", "--env", "dev", "--email", "cy@example.com")


def test_list_shows_status_mfa_and_teams(pool: Any, cli: Any) -> None:
    _three_workers(pool, cli)

    run = cli("list", "--env", "dev", "--json")

    assert run.code == 0, run.err
    document = run.json()
    assert set(document) == {"action", "user_pool_id", "source", "portal_url", "workers", "summary"}
    assert document["action"] == "list"
    workers = {w["email"]: w for w in document["workers"]}
    assert set(workers[ANA]) == {
        "email",
        "name",
        "username",
        "status",
        "enabled",
        "user_status",
        "mfa",
        "teams",
        "created",
    }
    assert workers[ANA]["username"] == username_for(ANA)
    assert workers[ANA]["user_status"] == "CONFIRMED"
    assert workers["cy@example.com"]["enabled"] is False
    assert workers[ANA]["status"] == "confirmed"
    assert workers[ANA]["name"] == "Ana Lima"
    assert workers[ANA]["mfa"] == {"enabled": True, "methods": ["SMS_MFA"], "preferred": "SMS_MFA"}
    assert workers[ANA]["teams"] == ["labelers", "reviewers"]
    assert workers[BO]["status"] == "invited"
    assert workers[BO]["mfa"] == {"enabled": False, "methods": [], "preferred": None}
    assert workers[BO]["teams"] == ["labelers"]
    assert workers["cy@example.com"]["status"] == "disabled"
    assert workers["cy@example.com"]["teams"] == []
    assert run.json()["summary"] == {"workers": 3}


def test_list_as_a_table(pool: Any, cli: Any) -> None:
    _three_workers(pool, cli)

    run = cli("list", "--env", "dev")

    assert run.code == 0
    ana_line = next(line for line in run.out.splitlines() if ANA in line)
    for expected in ("Ana Lima", "confirmed", "enabled (SMS_MFA, preferred SMS_MFA)", "labelers, reviewers"):
        assert expected in ana_line
    bo_line = next(line for line in run.out.splitlines() if BO in line)
    assert "invited" in bo_line
    assert "none" in bo_line
    assert "3 workers: 1 confirmed, 1 disabled, 1 invited" in run.out


def test_list_can_show_one_team(pool: Any, cli: Any) -> None:
    _three_workers(pool, cli)

    run = cli("list", "--env", "dev", "--team", "reviewers", "--json")

    assert [w["email"] for w in run.json()["workers"]] == [ANA]


def test_list_refuses_an_unknown_team(pool: Any, cli: Any) -> None:
    run = cli("list", "--env", "dev", "--team", "painters")

    assert run.code == 2
    assert "unknown team(s) painters (known: labelers, reviewers)" in run.err


def test_list_of_an_empty_workforce(pool: Any, cli: Any) -> None:
    run = cli("list", "--env", "dev")

    assert run.code == 0
    assert "0 workers" in run.out
