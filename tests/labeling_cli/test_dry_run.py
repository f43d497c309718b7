"""--dry-run reads everything, writes nothing, and says what each action would do."""

from __future__ import annotations

from typing import Any

import pytest

from labeling_cli.labelers.directory import username_for

ANA = "ana@example.com"
BO = "bo@example.com"

WRITES = {
    "admin_create_user",
    "admin_add_user_to_group",
    "admin_remove_user_from_group",
    "admin_disable_user",
    "admin_delete_user",
}


@pytest.fixture
def workforce(pool: Any, cli: Any) -> Any:
    """ana in reviewers (invited), bo in both teams; then every Cognito call is recorded."""
    cli("invite", "--env", "dev", "--email", ANA, "--team", "reviewers")
    cli("invite", "--env", "dev", "--email", BO, "--team", "reviewers", "--team", "labelers")
    cli.flaky()
    return pool


@pytest.mark.parametrize(
    ("argv", "planned"),
    [
        (
            ["invite", "--email", "new@example.com", "--team", "labelers"],
            [
                f"create user {username_for('new@example.com')} (Cognito emails the invitation)",
                "add to labelers",
            ],
        ),
        (["invite", "--email", ANA, "--team", "labelers", "--team", "reviewers"], ["add to labelers"]),
        (["resend", "--email", ANA], ["resend the invitation (Cognito emails a new temporary password)"]),
        (
            ["remove", "--email", BO],
            [f"delete user {username_for(BO)} (and so remove it from labelers, reviewers)"],
        ),
        (
            ["disable", "--email", BO],
            ["disable the user", "remove from labelers", "remove from reviewers"],
        ),
    ],
    ids=["invite-new", "invite-existing", "resend", "remove", "disable"],
)
def test_every_action_in_dry_run_plans_without_writing(
    workforce: Any, cli: Any, argv: list[str], planned: list[str]
) -> None:
    before = workforce.snapshot()

    run = cli(*argv, "--env", "dev", "--dry-run", "--json")

    assert run.code == 0, run.err
    assert workforce.snapshot() == before
    calls = {name for wrapper in cli.cognito_wrappers for name, _ in wrapper.calls}
    assert not calls & WRITES
    document = run.json()
    assert document["dry_run"] is True
    (result,) = document["results"]
    assert result["outcome"] == "planned"
    assert result["changes"] == planned
    assert document["summary"]["planned"] == 1


def test_dry_run_of_a_csv_says_would_and_nothing_was_changed(workforce: Any, cli: Any, csv_file: Any) -> None:
    before = workforce.snapshot()

    run = cli(
        "invite",
        "--env",
        "dev",
        "--dry-run",
        "--csv",
        csv_file(f"email,teams\n{ANA},reviewers\nnew@example.com,labelers\n"),
    )

    assert run.code == 0
    assert workforce.snapshot() == before
    assert "would create user" in run.out
    assert "Dry run of invite, nothing was changed: 1 planned, 1 skipped, 0 failed." in run.out


def test_dry_run_still_reports_rows_that_would_be_skipped_or_fail(workforce: Any, cli: Any) -> None:
    run = cli("disable", "--env", "dev", "--dry-run", "--email", "nobody@example.com", "--json")

    assert run.code == 1
    assert run.result("nobody@example.com")["outcome"] == "failed"


def test_dry_run_of_all_pending_resends_plans_one_per_invited_worker(workforce: Any, cli: Any) -> None:
    before = workforce.snapshot()

    run = cli("resend", "--env", "dev", "--dry-run", "--all-pending", "--json")

    assert workforce.snapshot() == before
    assert sorted(r["email"] for r in run.json()["results"]) == [ANA, BO]
    assert run.json()["summary"]["planned"] == 2
