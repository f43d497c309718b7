"""Who an action applies to: workers from `--email` arguments or a CSV file, validated row by row.

Every row is checked before anything is written, so a file's problems are all reported at once.
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from labeling_cli.common.errors import InputError

# Pragmatic address syntax: ASCII local part without quotes or backslashes (they would need
# escaping in Cognito's ListUsers filter) and a dotted DNS domain with a top-level label.
_LOCAL = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_EMAIL = re.compile(rf"^{_LOCAL}@(?:{_LABEL}\.)+(?:[A-Za-z]{{2,63}}|xn--[A-Za-z0-9-]{{1,59}})$")
_TEAM_SEPARATORS = re.compile(r"[;|]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

MAX_EMAIL_LENGTH = 254
MAX_LOCAL_LENGTH = 64
MAX_NAME_LENGTH = 2048  # Cognito's attribute value limit

COLUMN_EMAIL = "email"
COLUMN_TEAMS = "teams"
COLUMN_NAME = "name"
KNOWN_COLUMNS = (COLUMN_EMAIL, COLUMN_TEAMS, COLUMN_NAME)


@dataclass(frozen=True)
class Target:
    """One valid row: a normalised email and what the action needs for it."""

    line: int | None
    email: str
    teams: tuple[str, ...] = ()
    name: str | None = None


@dataclass(frozen=True)
class InvalidRow:
    line: int | None
    email: str
    reason: str


@dataclass(frozen=True)
class Roster:
    targets: tuple[Target, ...]
    invalid: tuple[InvalidRow, ...]


def normalize_email(raw: str) -> str:
    """The address in lower case (the pool compares aliases case-insensitively), or ValueError why not."""
    email = raw.strip()
    if not email:
        raise ValueError("email is empty")
    if not email.isascii():
        raise ValueError(f"{email!r} is not a valid email address (only ASCII addresses are supported)")
    local, _, _ = email.partition("@")
    if len(email) > MAX_EMAIL_LENGTH or len(local) > MAX_LOCAL_LENGTH:
        raise ValueError(f"{email!r} is too long for an email address")
    if not _EMAIL.match(email):
        raise ValueError(f"{email!r} is not a valid email address")
    return email.lower()


def email_address(value: str) -> str:
    """argparse type of --email: the normalised address, so a typo is a usage error before anything runs."""
    try:
        return normalize_email(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def name_problem(name: str) -> str | None:
    """Why Cognito would refuse this `name` attribute, or None."""
    if len(name) > MAX_NAME_LENGTH or _CONTROL.search(name):
        return "name is longer than 2048 characters or contains control characters"
    return None


def worker_name(value: str) -> str:
    """argparse type of --name."""
    problem = name_problem(value)
    if problem:
        raise argparse.ArgumentTypeError(problem)
    return value


def split_teams(field: str) -> tuple[str, ...]:
    """`reviewers; labelers` or `reviewers|labelers` into team names, in order, without repeats."""
    names = (name.strip() for name in _TEAM_SEPARATORS.split(field))
    return tuple(dict.fromkeys(name for name in names if name))


class _Checker:
    """Validates rows one at a time and remembers what it has seen, for duplicates."""

    def __init__(self, known_teams: Collection[str], teams_required: bool) -> None:
        self._known_teams = known_teams
        self._teams_required = teams_required
        self._seen: dict[str, int | None] = {}
        self.targets: list[Target] = []
        self.invalid: list[InvalidRow] = []

    def check(self, line: int | None, raw_email: str, teams: tuple[str, ...], name: str | None) -> None:
        problems: list[str] = []
        email = raw_email.strip()
        try:
            email = normalize_email(raw_email)
        except ValueError as error:
            problems.append(str(error))
        else:
            if email in self._seen:
                first = self._seen[email]
                where = f"line {first}" if first is not None else "an earlier --email"
                problems.append(
                    f"duplicate of {where} ({email}); put all of a worker's teams on one line, "
                    "e.g. reviewers;labelers"
                )
            else:
                self._seen[email] = line
        if self._teams_required:
            problems.extend(self._team_problems(teams))
        problem = name_problem(name) if name is not None else None
        if problem:
            problems.append(problem)
        if problems:
            self.invalid.append(InvalidRow(line=line, email=email, reason="; ".join(problems)))
        else:
            self.targets.append(Target(line=line, email=email, teams=teams, name=name))

    def _team_problems(self, teams: tuple[str, ...]) -> list[str]:
        if not teams:
            return ["no team given"]
        unknown = [team for team in teams if team not in self._known_teams]
        if not unknown:
            return []
        known = ", ".join(sorted(self._known_teams))
        return [f"unknown team{'s' if len(unknown) > 1 else ''} {', '.join(unknown)} (known: {known})"]

    def roster(self) -> Roster:
        return Roster(targets=tuple(self.targets), invalid=tuple(self.invalid))


def from_arguments(
    emails: Sequence[str],
    teams: Sequence[str],
    name: str | None,
    *,
    known_teams: Collection[str],
    teams_required: bool,
) -> Roster:
    checker = _Checker(known_teams, teams_required)
    team_names = tuple(dict.fromkeys(team.strip() for team in teams if team.strip()))
    for email in emails:
        checker.check(None, email, team_names, name.strip() if name and name.strip() else None)
    return checker.roster()


def _read_text(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text; save the CSV as UTF-8") from None
    except OSError as error:
        raise InputError(f"{path}: cannot read ({error.strerror})") from None


def _columns(header: list[str], path: str, teams_required: bool) -> dict[str, int]:
    names = [cell.strip().lower() for cell in header]
    if names and names[0] and "@" in names[0]:
        raise InputError(
            f"{path}: the first line must be a header (email,teams[,name]), found {','.join(header)!r}"
        )
    unknown = [name for name in names if name not in KNOWN_COLUMNS]
    if unknown:
        raise InputError(
            f"{path}: unknown column(s) {', '.join(map(repr, unknown))}; expected email,teams[,name]"
        )
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise InputError(f"{path}: column(s) {', '.join(repeated)} appear more than once in the header")
    required = (COLUMN_EMAIL, COLUMN_TEAMS) if teams_required else (COLUMN_EMAIL,)
    missing = [name for name in required if name not in names]
    if missing:
        raise InputError(
            f"{path}: missing column(s) {', '.join(missing)}; the header must be email,teams[,name]"
        )
    return {name: index for index, name in enumerate(names)}


def _data_rows(reader: Iterable[list[str]]) -> Iterable[list[str]]:
    return (row for row in reader if any(cell.strip() for cell in row))


def from_csv(path: str, *, known_teams: Collection[str], teams_required: bool) -> Roster:
    """Rows of `email,teams[,name]` (header required; teams separated by `;` or `|`)."""
    reader = csv.reader(io.StringIO(_read_text(path), newline=""), strict=True)
    try:
        header = next(iter(_data_rows(reader)), None)
        if header is None:
            raise InputError(f"{path}: the file is empty; expected a header line email,teams[,name] and rows")
        columns = _columns(header, path, teams_required)
        checker = _Checker(known_teams, teams_required)
        for row in _data_rows(reader):
            line = reader.line_num
            if len(row) != len(header):
                checker.invalid.append(
                    InvalidRow(
                        line,
                        row[0].strip(),
                        f"expected {len(header)} fields like the header, found {len(row)}",
                    )
                )
                continue
            teams = split_teams(row[columns[COLUMN_TEAMS]]) if COLUMN_TEAMS in columns else ()
            name = row[columns[COLUMN_NAME]].strip() if COLUMN_NAME in columns else ""
            checker.check(line, row[columns[COLUMN_EMAIL]], teams, name or None)
    except csv.Error as error:
        raise InputError(f"{path}, line {reader.line_num}: not valid CSV ({error})") from None
    if not checker.targets and not checker.invalid:
        raise InputError(f"{path}: no rows after the header")
    return checker.roster()
