"""A moto workforce shaped like the one the workforce module publishes, and ways to run the labeler
commands on it: `cli` runs `labelers`, `legacy_cli` runs its older form (`labeling-invite`)."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from rich.console import Console

from labeling_cli.common.cli import Runtime
from labeling_cli.labelers import cli as labelers
from labeling_cli.labelers import legacy
from labeling_cli.labelers.directory import username_for
from labeling_cli.pipeline import cli as pipeline

REGION = "us-east-1"
PREFIX = "/private-labeling/dev/workforce"
PORTAL_URL = "https://abc123xyz.labeling.us-east-1.sagemaker.aws"
TEAMS = {"reviewers": "gt-dev-reviewers", "labelers": "gt-dev-labelers"}


@dataclass
class Pool:
    """The moto user pool, read back the way an auditor would look at it."""

    id: str
    cognito: Any
    portal_url: str = PORTAL_URL
    prefix: str = PREFIX
    groups: dict[str, str] = field(default_factory=lambda: dict(TEAMS))

    def user(self, username: str) -> dict[str, Any]:
        user: dict[str, Any] = self.cognito.admin_get_user(UserPoolId=self.id, Username=username)
        return user

    def usernames(self) -> set[str]:
        users = self.cognito.list_users(UserPoolId=self.id, Limit=60)
        assert "PaginationToken" not in users, "use snapshot() for large pools"
        return {user["Username"] for user in users["Users"]}

    def attributes(self, username: str) -> dict[str, str]:
        return {a["Name"]: a["Value"] for a in self.user(username)["UserAttributes"]}

    def by_email(self, email: str) -> dict[str, Any]:
        users = self.cognito.list_users(UserPoolId=self.id, Filter=f'email = "{email}"')["Users"]
        assert len(users) == 1, users
        found: dict[str, Any] = users[0]
        return found

    def members(self, team: str) -> set[str]:
        """Emails of the members of a team's group."""
        users = self._all("list_users_in_group", "NextToken", GroupName=TEAMS[team])
        return {_email(user) for user in users}

    def _all(self, operation: str, token: str, **kwargs: Any) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        while True:
            page = getattr(self.cognito, operation)(UserPoolId=self.id, Limit=60, **kwargs)
            items.extend(page["Users"])
            if not page.get(token):
                return items
            kwargs[token] = page[token]

    def snapshot(self) -> dict[str, Any]:
        """Everything the CLI can change: users (status, enabled, attributes) and group members."""
        users = {
            user["Username"]: (
                user["UserStatus"],
                user["Enabled"],
                sorted((a["Name"], a["Value"]) for a in user["Attributes"] if a["Name"] != "sub"),
            )
            for user in self._all("list_users", "PaginationToken")
        }
        groups = {team: self.members(team) for team in TEAMS}
        return {"users": users, "groups": groups}

    def add_user(self, email: str, *, username: str | None = None, teams: tuple[str, ...] = ()) -> str:
        """A worker made outside the CLI (console, another tool)."""
        name = username or username_for(email)
        self.cognito.admin_create_user(
            UserPoolId=self.id,
            Username=name,
            UserAttributes=[{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}],
            MessageAction="SUPPRESS",
        )
        for team in teams:
            self.cognito.admin_add_user_to_group(UserPoolId=self.id, Username=name, GroupName=TEAMS[team])
        return name


def _email(user: dict[str, Any]) -> str:
    return str(next(a["Value"] for a in user["Attributes"] if a["Name"] == "email"))


@pytest.fixture
def aws() -> Iterator[None]:
    with mock_aws():
        yield


@dataclass
class Environments:
    """Builds user pools and SSM parameters for the environment cases the CLI must handle."""

    cognito: Any
    ssm: Any

    def create_pool(self, **settings: Any) -> str:
        settings = {"AliasAttributes": ["email"], "AutoVerifiedAttributes": ["email"], **settings}
        pool_id: str = self.cognito.create_user_pool(PoolName="gt-dev-workforce", **settings)["UserPool"][
            "Id"
        ]
        for group in TEAMS.values():
            self.cognito.create_group(UserPoolId=pool_id, GroupName=group)
        return pool_id

    def publish(
        self, pool_id: str, prefix: str = PREFIX, omit: tuple[str, ...] = (), **overrides: str
    ) -> None:
        """The parameters the workforce module writes, less `omit`, with `overrides` by parameter name."""
        workteams = {
            team: {
                "arn": f"arn:aws:sagemaker:{REGION}:123456789012:workteam/private-crowd/{group}",
                "user_group": group,
            }
            for team, group in TEAMS.items()
        }
        values = {
            "user-pool-id": pool_id,
            "user-pool-arn": f"arn:aws:cognito-idp:{REGION}:123456789012:userpool/{pool_id}",
            "user-pool-client-id": "client123",
            "labeling-portal-url": PORTAL_URL,
            "workteams": json.dumps(workteams),
            **overrides,
        }
        for name, value in values.items():
            if name not in omit:
                self.ssm.put_parameter(Name=f"{prefix}/{name}", Value=value, Type="String")


@pytest.fixture
def environments(aws: None) -> Environments:
    return Environments(
        cognito=boto3.client("cognito-idp", region_name=REGION), ssm=boto3.client("ssm", region_name=REGION)
    )


@pytest.fixture
def pool(environments: Environments) -> Pool:
    pool_id = environments.create_pool()
    environments.publish(pool_id)
    return Pool(id=pool_id, cognito=environments.cognito)


@dataclass
class Run:
    code: int
    out: str
    err: str

    def json(self) -> dict[str, Any]:
        document: dict[str, Any] = json.loads(self.out)
        return document

    def result(self, email: str) -> dict[str, Any]:
        return next(r for r in self.json()["results"] if r["email"] == email)


ClientFactory = Callable[[Any, str], Any]


class FlakyCognito:
    """Wraps the real (moto) client and records every call as (operation, parameters).

    `failures[(operation, username)]` lists error codes raised, in order, before the real call is
    made again; username "*" matches any call of the operation.
    """

    def __init__(self, client: Any, failures: dict[tuple[str, str], list[str]]) -> None:
        self._client = client
        self._failures = failures
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def __getattr__(self, operation: str) -> Any:
        real = getattr(self._client, operation)

        def call(**kwargs: Any) -> Any:
            self.calls.append((operation, kwargs))
            for key in ((operation, kwargs.get("Username", "")), (operation, "*")):
                queue = self._failures.get(key)
                if queue:
                    code = queue.pop(0)
                    raise ClientError({"Error": {"Code": code, "Message": f"injected {code}"}}, operation)
            return real(**kwargs)

        return call

    def count(self, operation: str) -> int:
        return sum(1 for name, _ in self.calls if name == operation)


@dataclass
class Cli:
    """Runs a command in-process with captured, wide, non-terminal output and a recorded sleep."""

    run: Callable[[list[str], Runtime], int] = labelers.run
    sleeps: list[float] = field(default_factory=list)
    make_client: ClientFactory = labelers.default_client
    cognito_wrappers: list[FlakyCognito] = field(default_factory=list)

    def __call__(self, *argv: str, tty: bool = False) -> Run:
        out, err = io.StringIO(), io.StringIO()
        runtime = Runtime(
            out=Console(file=out, width=200, force_terminal=tty),
            err=Console(file=err, width=200, force_terminal=tty),
            sleep=self.sleeps.append,
            make_client=self.make_client,
        )
        code = self.run(list(argv), runtime)
        return Run(code=code, out=out.getvalue(), err=err.getvalue())

    def flaky(self, failures: dict[tuple[str, str], list[str]] | None = None) -> list[FlakyCognito]:
        """From now on the Cognito client of each run is wrapped in a FlakyCognito sharing `failures`."""
        shared = failures if failures is not None else {}

        def make(session: Any, service: str) -> Any:
            client = labelers.default_client(session, service)
            if service != "cognito-idp":
                return client
            wrapper = FlakyCognito(client, shared)
            self.cognito_wrappers.append(wrapper)
            return wrapper

        self.make_client = make
        return self.cognito_wrappers


@pytest.fixture
def cli() -> Cli:
    """`labelers COMMAND ...`"""
    return Cli()


@pytest.fixture
def labeling_cli() -> Cli:
    """`labeling COMMAND ...`, the pipeline commands."""
    return Cli(run=pipeline.run, make_client=pipeline.default_client)


@pytest.fixture
def legacy_cli() -> Cli:
    """`labeling-invite ...` (and `python scripts/invite.py ...`): the command as a flag."""
    return Cli(run=legacy.run)


@pytest.fixture
def csv_file(tmp_path: Path) -> Callable[[str], str]:
    """Writes CSV text to a file and returns its path."""
    count = 0

    def write(text: str) -> str:
        nonlocal count
        count += 1
        path = tmp_path / f"workers-{count}.csv"
        path.write_text(text, encoding="utf-8")
        return str(path)

    return write
