"""Inviting from a CSV file: the happy path, re-runs, every kind of bad row, and partial failures."""

from __future__ import annotations

import io
import time
from pathlib import Path
from typing import Any

import pytest

from labeling_cli.labelers import cli as labelers
from labeling_cli.labelers.directory import username_for

GOOD = """\
email,teams,name
ana@example.com,reviewers,Ana Lima
li@example.com,labelers;reviewers,
kim@example.com,labelers|reviewers,Kim
"""


def test_a_csv_invites_every_row_into_its_teams(pool: Any, cli: Any, csv_file: Any) -> None:
    run = cli("invite", "--env", "dev", "--csv", csv_file(GOOD))

    assert run.code == 0, run.err
    assert pool.members("reviewers") == {"ana@example.com", "li@example.com", "kim@example.com"}
    assert pool.members("labelers") == {"li@example.com", "kim@example.com"}
    assert pool.attributes(username_for("kim@example.com"))["name"] == "Kim"
    assert "name" not in pool.attributes(username_for("li@example.com"))
    assert "3 succeeded, 0 skipped, 0 failed" in run.out
    for email in ("ana@example.com", "li@example.com", "kim@example.com"):
        assert email in run.out  # one table row each


def test_the_same_csv_twice_changes_nothing_the_second_time(pool: Any, cli: Any, csv_file: Any) -> None:
    path = csv_file(GOOD)
    cli("invite", "--env", "dev", "--csv", path)
    before = pool.snapshot()

    run = cli("invite", "--env", "dev", "--csv", path, "--json")

    assert run.code == 0
    assert pool.snapshot() == before
    document = run.json()
    assert document["summary"] == {"succeeded": 0, "skipped": 3, "failed": 0, "planned": 0}
    assert run.result("li@example.com")["message"] == "already member of labelers, reviewers"


def test_the_csv_may_come_from_standard_input(pool: Any, cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(GOOD))

    run = cli("invite", "--env", "dev", "--csv", "-")

    assert run.code == 0, run.err
    assert len(pool.members("reviewers")) == 3


def test_a_byte_order_mark_and_blank_lines_are_fine(pool: Any, cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes(b"\xef\xbb\xbfEmail, Teams\r\n\r\nana@example.com,reviewers\r\n\r\n")

    run = cli("invite", "--env", "dev", "--csv", str(path))

    assert run.code == 0, run.err
    assert pool.members("reviewers") == {"ana@example.com"}


BAD_ROWS = """\
email,teams,name
ana@example.com,reviewers,Ana
not-an-email,reviewers,
bo@example.com,painters,
ANA@example.com,labelers,
cy@example.com,,
dee@example.com,reviewers,Dee,extra
"""


def test_invalid_rows_are_each_reported_and_nothing_is_written(pool: Any, cli: Any, csv_file: Any) -> None:
    before = pool.snapshot()

    run = cli("invite", "--env", "dev", "--csv", csv_file(BAD_ROWS))

    assert run.code == 2
    assert pool.snapshot() == before
    assert "'not-an-email' is not a valid email address" in run.out
    assert "unknown team painters (known: labelers, reviewers)" in run.out
    assert "duplicate of line 2 (ana@example.com)" in run.out
    assert "no team given" in run.out
    assert "expected 3 fields like the header, found 4" in run.out
    assert "5 invalid row(s): nothing was changed" in run.err
    assert "--continue-on-invalid" in run.err


def test_invalid_rows_in_json_name_their_lines(pool: Any, cli: Any, csv_file: Any) -> None:
    run = cli("invite", "--env", "dev", "--csv", csv_file(BAD_ROWS), "--json")

    document = run.json()
    assert run.code == 2
    assert document["completed"] is False
    assert [r["line"] for r in document["results"]] == [3, 4, 5, 6, 7]
    assert all(r["outcome"] == "failed" and r["message"].startswith("invalid: ") for r in document["results"])
    assert document["summary"]["failed"] == 5


def test_continue_on_invalid_processes_the_valid_rows_and_fails_the_run(
    pool: Any, cli: Any, csv_file: Any
) -> None:
    run = cli("invite", "--env", "dev", "--csv", csv_file(BAD_ROWS), "--continue-on-invalid", "--json")

    assert run.code == 1
    assert pool.members("reviewers") == {"ana@example.com"}
    assert pool.members("labelers") == set()
    document = run.json()
    assert document["summary"] == {"succeeded": 1, "skipped": 0, "failed": 5, "planned": 0}
    assert [r["line"] for r in document["results"]] == [2, 3, 4, 5, 6, 7]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("email,name\nana@example.com,Ana\n", "missing column(s) teams"),
        ("ana@example.com,reviewers\n", "the first line must be a header"),
        ("email,tems\nana@example.com,reviewers\n", "unknown column(s) 'tems'"),
        ("email,teams,email\na@example.com,reviewers,a@example.com\n", "appear more than once"),
        ("", "the file is empty"),
        ("email,teams\n", "no rows after the header"),
        ('email,teams\n"ana@example.com,reviewers\n', "not valid CSV"),
    ],
)
def test_a_file_that_is_not_a_worker_list_is_refused_before_any_write(
    pool: Any, cli: Any, csv_file: Any, text: str, message: str
) -> None:
    before = pool.snapshot()

    run = cli("invite", "--env", "dev", "--csv", csv_file(text))

    assert run.code == 2
    assert message in run.err
    assert "Traceback" not in run.err
    assert pool.snapshot() == before


def test_a_missing_or_binary_file_is_one_clear_line(pool: Any, cli: Any, tmp_path: Path) -> None:
    missing = cli("invite", "--env", "dev", "--csv", str(tmp_path / "nope.csv"))
    (tmp_path / "latin1.csv").write_bytes("email,teams\njos\xe9@example.com,reviewers\n".encode("latin-1"))
    binary = cli("invite", "--env", "dev", "--csv", str(tmp_path / "latin1.csv"))

    assert (missing.code, binary.code) == (2, 2)
    assert "nope.csv: no such file" in missing.err
    assert "not UTF-8 text" in binary.err


def test_one_failing_row_does_not_stop_the_others(pool: Any, cli: Any, csv_file: Any) -> None:
    # given Cognito refuses li's creation for a reason retrying cannot fix
    cli.flaky({("admin_create_user", username_for("li@example.com")): ["InvalidParameterException"]})

    run = cli("invite", "--env", "dev", "--csv", csv_file(GOOD), "--json")

    assert run.code == 1
    assert pool.members("reviewers") == {"ana@example.com", "kim@example.com"}
    failed = run.result("li@example.com")
    assert failed["outcome"] == "failed"
    assert "could not create user" in failed["message"]
    assert "InvalidParameterException" in failed["message"]
    assert run.json()["summary"] == {"succeeded": 2, "skipped": 0, "failed": 1, "planned": 0}


def test_a_row_that_fails_halfway_says_what_was_done_and_a_rerun_finishes_it(
    pool: Any, cli: Any, csv_file: Any
) -> None:
    path = csv_file(GOOD)
    cli.flaky({("admin_add_user_to_group", username_for("li@example.com")): ["InternalErrorException"]})

    first = cli("invite", "--env", "dev", "--csv", path, "--json")
    second = cli("invite", "--env", "dev", "--csv", path, "--json")

    halfway = first.result("li@example.com")
    assert first.code == 1
    assert halfway["changes"] == [f"created user {username_for('li@example.com')}, invitation emailed"]
    assert "could not add to labelers" in halfway["message"]
    assert "run the same command again to finish" in halfway["message"]
    assert second.code == 0
    assert second.result("li@example.com")["changes"] == ["added to labelers", "added to reviewers"]
    assert pool.members("labelers") == {"li@example.com", "kim@example.com"}


def test_a_terminal_gets_a_progress_bar_and_the_summary_table(pool: Any, cli: Any, csv_file: Any) -> None:
    run = cli("invite", "--env", "dev", "--csv", csv_file(GOOD), tty=True)

    assert run.code == 0
    assert "Inviting" in run.err  # rich's bar, drawn on standard error
    assert "3 succeeded" in run.out


def test_without_a_terminal_there_is_no_progress_bar(pool: Any, cli: Any, csv_file: Any) -> None:
    run = cli("invite", "--env", "dev", "--csv", csv_file(GOOD))

    assert run.err == ""


def test_a_thousand_row_csv_end_to_end(
    pool: Any, cli: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    teams = ["reviewers", "labelers", "reviewers;labelers"]
    rows = [f"worker{n:04d}@example.com,{teams[n % 3]},Worker {n}" for n in range(1000)]
    path = tmp_path / "thousand.csv"
    path.write_text("email,teams,name\n" + "\n".join(rows) + "\n", encoding="utf-8")

    started = time.perf_counter()
    first = cli("invite", "--env", "dev", "--csv", str(path), "--json")
    first_seconds = time.perf_counter() - started
    started = time.perf_counter()
    second = cli("invite", "--env", "dev", "--csv", str(path), "--json")
    second_seconds = time.perf_counter() - started
    started = time.perf_counter()
    table = cli("invite", "--env", "dev", "--csv", str(path))
    table_seconds = time.perf_counter() - started

    assert first.code == 0, first.err
    assert first.json()["summary"] == {"succeeded": 1000, "skipped": 0, "failed": 0, "planned": 0}
    assert second.json()["summary"] == {"succeeded": 0, "skipped": 1000, "failed": 0, "planned": 0}
    assert table.code == 0
    assert "0 succeeded, 1000 skipped, 0 failed" in table.out
    assert len(pool.members("reviewers")) == 667
    assert len(pool.members("labelers")) == 666
    with capsys.disabled():
        print(
            f"\n1,000-row CSV: first run {first_seconds:.1f} s, "
            f"second (no changes, JSON) {second_seconds:.1f} s, "
            f"third (no changes, table) {table_seconds:.1f} s"
        )


def _rows(count: int) -> str:
    return "email,teams\n" + "".join(f"w{n:03d}@example.com,reviewers\n" for n in range(count))


def test_a_large_csv_reads_the_pool_once_instead_of_per_row(pool: Any, cli: Any, csv_file: Any) -> None:
    pool.add_user("w007@example.com", username="w007-from-console", teams=("reviewers",))
    path = csv_file(_rows(30))
    wrappers = cli.flaky()

    run = cli("invite", "--env", "dev", "--csv", path, "--json")

    assert run.code == 0, run.err
    assert run.json()["summary"] == {"succeeded": 29, "skipped": 1, "failed": 0, "planned": 0}
    assert run.result("w007@example.com")["username"] == "w007-from-console"
    assert wrappers[0].count("admin_get_user") == 0
    assert wrappers[0].count("admin_list_groups_for_user") == 0
    assert len(pool.members("reviewers")) == 30


@pytest.mark.parametrize("action", ["disable", "remove", "resend"])
def test_large_csvs_work_for_every_action(pool: Any, cli: Any, csv_file: Any, action: str) -> None:
    path = csv_file(_rows(25))
    cli("invite", "--env", "dev", "--csv", path)

    run = cli(action, "--env", "dev", "--csv", path, "--json")

    assert run.code == 0, run.err
    assert run.json()["summary"]["succeeded"] == 25
    users = pool.snapshot()["users"]
    if action == "remove":
        assert users == {}
    elif action == "disable":
        assert [enabled for _, enabled, _ in users.values()] == [False] * 25
        assert pool.members("reviewers") == set()
    else:  # moto drops attributes and groups on RESEND, so only the status is compared
        assert [status for status, _, _ in users.values()] == ["FORCE_CHANGE_PASSWORD"] * 25


def test_ctrl_c_reports_what_was_done_and_what_was_not(pool: Any, cli: Any, csv_file: Any) -> None:
    created: list[str] = []

    class InterruptedOnThirdCreate:
        def __init__(self, client: Any) -> None:
            self._client = client

        def __getattr__(self, operation: str) -> Any:
            real = getattr(self._client, operation)
            if operation != "admin_create_user":
                return real

            def create(**kwargs: Any) -> Any:
                if len(created) == 2:
                    raise KeyboardInterrupt
                created.append(kwargs["Username"])
                return real(**kwargs)

            return create

    def make(session: Any, service: str) -> Any:
        client = labelers.default_client(session, service)
        return InterruptedOnThirdCreate(client) if service == "cognito-idp" else client

    cli.make_client = make

    run = cli("invite", "--env", "dev", "--csv", csv_file(_rows(5)), "--json")

    assert run.code == 130
    document = run.json()
    assert document["completed"] is False
    assert [r["outcome"] for r in document["results"]] == [
        "succeeded",
        "succeeded",
        "failed",
        "skipped",
        "skipped",
    ]
    assert "interrupted while in progress" in document["results"][2]["message"]
    assert document["results"][3]["message"] == "not attempted: interrupted"
    assert len(pool.members("reviewers")) == 2
