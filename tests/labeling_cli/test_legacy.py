"""`labeling-invite` and `python scripts/invite.py`, the older form: the command as a flag, every
other option as in `labelers`. Each invocation the README and docs have shown keeps working."""

from __future__ import annotations

from typing import Any

import pytest

from labeling_cli.labelers.directory import username_for

ANA, BO = "ana@example.com", "bo@example.com"


def test_the_readme_invocations_invite_and_list(pool: Any, legacy_cli: Any, csv_file: Any) -> None:
    one = legacy_cli("--env", "dev", "--email", ANA, "--team", "reviewers")
    many = legacy_cli("--env", "dev", "--csv", csv_file(f"email,teams,name\n{BO},labelers,Bo\n"))
    listed = legacy_cli("--env", "dev", "--list", "--json")

    assert (one.code, many.code, listed.code) == (0, 0, 0), one.err + many.err + listed.err
    assert "Invite: 1 succeeded, 0 skipped, 0 failed." in one.out
    assert pool.members("reviewers") == {ANA}
    assert pool.members("labelers") == {BO}
    assert [(w["email"], w["teams"]) for w in listed.json()["workers"]] == [
        (ANA, ["reviewers"]),
        (BO, ["labelers"]),
    ]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (["--resend", "--email", ANA], ["resend", "--email", ANA]),
        (["--all-pending", "--resend"], ["resend", "--all-pending"]),
        (["--email", ANA, "--disable"], ["disable", "--email", ANA]),
        (["--remove", "--email", ANA], ["remove", "--email", ANA]),
        (["--email", BO, "--team", "labelers"], ["invite", "--email", BO, "--team", "labelers"]),
        (["--team", "reviewers", "--list"], ["list", "--team", "reviewers"]),
    ],
    ids=["resend", "resend-all-pending", "disable", "remove", "invite", "list"],
)
def test_each_old_flag_plans_what_its_command_plans(
    pool: Any, cli: Any, legacy_cli: Any, old: list[str], new: list[str]
) -> None:
    cli("invite", "--env", "dev", "--email", ANA, "--team", "reviewers")
    before = pool.snapshot()
    dry_run = [] if "--list" in old else ["--dry-run"]

    # The flag may come anywhere among the options, as argparse allowed.
    old_run = legacy_cli("--env", "dev", *old, *dry_run, "--json")
    new_run = cli(*new, "--env", "dev", *dry_run, "--json")

    assert old_run.code == new_run.code == 0, old_run.err + new_run.err
    assert old_run.json() == new_run.json()
    assert pool.snapshot() == before


def test_two_command_flags_are_one_usage_error(aws: None, legacy_cli: Any) -> None:
    run = legacy_cli("--env", "dev", "--remove", "--disable", "--email", ANA)

    assert run.code == 2
    assert run.err == (
        "error: labeling-invite: argument --disable: not allowed with argument --remove "
        "(see 'labeling-invite --help')\n"
    )


def test_an_old_style_typo_is_refused_like_the_new_one(aws: None, legacy_cli: Any) -> None:
    run = legacy_cli("--env", "dev", "--disable", "--email", "ana(at)example.com")

    assert run.code == 2
    assert "argument --email: 'ana(at)example.com' is not a valid email address" in run.err
    assert len(run.err.splitlines()) == 1


def test_a_flag_after_double_dash_is_a_value_not_a_command(pool: Any, legacy_cli: Any) -> None:
    run = legacy_cli("--env", "dev", "--team", "reviewers", "--email", "--", "--list")

    assert run.code == 2
    assert pool.usernames() == set()


def test_help_of_an_old_flag_is_the_help_of_its_command(legacy_cli: Any) -> None:
    listing = legacy_cli("--list", "--help")
    inviting = legacy_cli("--help")

    assert listing.code == inviting.code == 0
    assert listing.out.startswith("usage: labelers list")
    assert inviting.out.startswith(
        "usage: labeling-invite [--resend | --remove | --disable | --list] OPTIONS"
    )
    assert "usage: labelers invite" in inviting.out


def test_the_user_name_is_the_same_whichever_form_invited(pool: Any, cli: Any, legacy_cli: Any) -> None:
    legacy_cli("--env", "dev", "--email", ANA, "--team", "reviewers")
    cli("invite", "--env", "dev", "--email", BO, "--team", "reviewers")

    assert pool.usernames() == {username_for(ANA), username_for(BO)}
