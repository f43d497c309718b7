"""Which addresses and team fields are accepted, checked without AWS."""

from __future__ import annotations

import pytest

from labeling_cli.labelers.roster import from_arguments, normalize_email, split_teams


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ana@example.com", "ana@example.com"),
        ("  Ana.Lima+labeling@Mail.Example.co.uk ", "ana.lima+labeling@mail.example.co.uk"),
        ("o'brien@example.ie", "o'brien@example.ie"),
        ("x@xn--bcher-kva.example", "x@xn--bcher-kva.example"),
        ("a@b.xn--p1ai", "a@b.xn--p1ai"),
    ],
)
def test_valid_addresses_are_normalised(raw: str, expected: str) -> None:
    assert normalize_email(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "ana",
        "ana@example",
        "ana@@example.com",
        "ana lima@example.com",
        "ana@-example.com",
        "ana@example..com",
        ".ana@example.com",
        "ana.@example.com",
        "an..a@example.com",
        '"ana"@example.com',
        "ana\\@example.com",
        "Ana <ana@example.com>",
        "josé@example.com",
        "ana@example.c",
        "a" * 65 + "@example.com",
        "a@" + "b" * 63 + "." + "c" * 63 + "." + "d" * 63 + "." + "e" * 63 + ".com",
    ],
)
def test_invalid_addresses_are_refused_with_a_reason(raw: str) -> None:
    with pytest.raises(ValueError, match=r"empty|not a valid email|too long"):
        normalize_email(raw)


@pytest.mark.parametrize(
    ("field", "teams"),
    [
        ("reviewers", ("reviewers",)),
        ("reviewers;labelers", ("reviewers", "labelers")),
        (" reviewers | labelers ", ("reviewers", "labelers")),
        ("reviewers;;labelers;", ("reviewers", "labelers")),
        ("reviewers;reviewers", ("reviewers",)),
        ("", ()),
        (" ; | ", ()),
    ],
)
def test_team_fields_split_on_semicolons_and_bars(field: str, teams: tuple[str, ...]) -> None:
    assert split_teams(field) == teams


def test_names_with_control_characters_are_refused() -> None:
    roster = from_arguments(
        ["ana@example.com"], ["reviewers"], "Ana\nLima", known_teams={"reviewers"}, teams_required=True
    )

    assert roster.targets == ()
    assert "control characters" in roster.invalid[0].reason


def test_the_same_address_twice_on_the_command_line_is_a_duplicate() -> None:
    roster = from_arguments(
        ["ana@example.com", "ANA@example.com"],
        ["reviewers"],
        None,
        known_teams={"reviewers"},
        teams_required=True,
    )

    assert [t.email for t in roster.targets] == ["ana@example.com"]
    assert "duplicate of an earlier --email" in roster.invalid[0].reason


def test_without_teams_required_a_team_list_is_not_checked() -> None:
    roster = from_arguments(["ana@example.com"], [], None, known_teams={"reviewers"}, teams_required=False)

    assert roster.invalid == ()
    assert roster.targets[0].email == "ana@example.com"
