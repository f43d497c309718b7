"""No temporary password or credential ever reaches the output or the logs."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from labeling_cli.labelers import cli as labelers

SECRET_KEY = "sEcReT-KeY-0123456789-never-print-me"
TEMPORARY_PASSWORD = "Tmp-Passw0rd-never-print-me!"


class EchoingCognito:
    """A Cognito client whose AdminCreateUser answer carries a temporary password, as if the service
    echoed it back: whatever Cognito returns, the CLI must not print it."""

    def __init__(self, client: Any, requests: list[tuple[str, dict[str, Any]]]) -> None:
        self._client = client
        self._requests = requests

    def __getattr__(self, operation: str) -> Any:
        real = getattr(self._client, operation)

        def call(**kwargs: Any) -> Any:
            self._requests.append((operation, kwargs))
            response = real(**kwargs)
            if operation == "admin_create_user":
                response["User"]["Attributes"].append(
                    {"Name": "temporary_password", "Value": TEMPORARY_PASSWORD}
                )
                response["TemporaryPassword"] = TEMPORARY_PASSWORD
            return response

        return call


@pytest.mark.parametrize("output", [[], ["--json"]], ids=["table", "json"])
def test_invites_resends_and_lists_print_no_secret_even_verbose(
    pool: Any,
    *,
    cli: Any,
    csv_file: Any,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    output: list[str],
) -> None:
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    requests: list[tuple[str, dict[str, Any]]] = []

    def make(session: Any, service: str) -> Any:
        client = labelers.default_client(session, service)
        return EchoingCognito(client, requests) if service == "cognito-idp" else client

    cli.make_client = make
    caplog.set_level(logging.DEBUG)  # botocore's wire logging included
    path = csv_file("email,teams,name\nana@example.com,reviewers,Ana\nli@example.com,labelers,\n")

    runs = [
        cli("invite", "--env", "dev", "--csv", path, "--verbose", *output),
        cli(
            "invite",
            "--env",
            "dev",
            "--email",
            "kim@example.com",
            "--team",
            "reviewers",
            "--verbose",
            *output,
        ),
        cli("resend", "--env", "dev", "--all-pending", "--verbose", *output),
        cli("list", "--env", "dev", "--verbose", *output),
    ]

    assert [run.code for run in runs] == [0, 0, 0, 0], [run.err for run in runs]
    assert "cognito-idp admin_create_user" in runs[0].err  # verbose logging was on
    assert any(record.name.startswith("botocore") for record in caplog.records)
    everything = "\n".join([*(run.out + run.err for run in runs), caplog.text])
    assert TEMPORARY_PASSWORD not in everything
    assert SECRET_KEY not in everything
    assert all("TemporaryPassword" not in params for _, params in requests)
    assert any(operation == "admin_create_user" for operation, _ in requests)
