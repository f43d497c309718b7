"""The commands as users start them: `python scripts/invite.py` (the older form), `python -m
labeling_cli.labelers`, the `labelers` and `labeling-invite` console scripts, and a real process talking
to an AWS endpoint given by AWS_ENDPOINT_URL."""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from labeling_cli.labelers import cli as labelers

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "invite.py"
COMMANDS = ("invite", "list", "resend", "disable", "remove")


def _run(
    argv: list[str], env: dict[str, str] | None = None, cwd: Path = REPO
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, env=env, cwd=cwd, timeout=120, check=False)


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in labelers.build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


@pytest.mark.parametrize("command", COMMANDS)
def test_each_command_explains_every_option_with_an_example(command: str) -> None:
    done = _run([sys.executable, "-m", "labeling_cli.labelers", command, "--help"])

    assert done.returncode == 0, done.stderr
    for action in _subcommands()[command]._actions:
        for option in action.option_strings:
            assert option in done.stdout
            if option not in {"-h", "--help"}:
                assert "Example:" in (action.help or ""), option
    for section in ("Exit codes", "AWS_ENDPOINT_URL", "AWS_REGION, else AWS_DEFAULT_REGION"):
        assert section in done.stdout


def test_labelers_help_names_every_command_and_the_older_form() -> None:
    done = _run([sys.executable, "-m", "labeling_cli.labelers", "--help"])

    assert done.returncode == 0, done.stderr
    assert set(_subcommands()) == set(COMMANDS)
    for command in COMMANDS:
        assert re.search(rf"^\s+{command}\s", done.stdout, re.MULTILINE), command
    assert "The three commands used most" in done.stdout
    assert "labeling-invite --list ... is labelers list ..." in " ".join(done.stdout.split()).replace("`", "")


def test_python_scripts_invite_help_maps_the_old_flags_and_shows_the_invite_options() -> None:
    done = _run([sys.executable, str(SCRIPT), "--help"])

    assert done.returncode == 0, done.stderr
    for flag, command in (
        ("--resend", "resend"),
        ("--disable", "disable"),
        ("--remove", "remove"),
        ("--list", "list"),
    ):
        assert re.search(rf"labeling-invite {flag} OPTIONS\s+is\s+labelers {command} OPTIONS", done.stdout)
    for option in ("--email ADDRESS", "--csv FILE", "--team", "--dry-run", "--json", "--env NAME"):
        assert option in done.stdout
    for section in ("CSV", "Invalid rows", "Exit codes", "AWS_ENDPOINT_URL"):
        assert section in done.stdout


@pytest.mark.parametrize("script", ["labelers", "labeling-invite"])
def test_the_console_scripts_are_declared_and_run(script: str) -> None:
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"]
    module, _, function = scripts[script].partition(":")

    # What the generated wrapper does: import the module and exit with main().
    done = _run(
        [
            sys.executable,
            "-c",
            f"import sys; from {module} import {function}; sys.exit({function}())",
            "--help",
        ],
        env={**os.environ, "PYTHONPATH": str(REPO)},
        cwd=Path("/"),
    )

    assert done.returncode == 0, done.stderr
    assert "invite" in done.stdout


def test_the_installed_package_ships_both_commands(tmp_path: Path) -> None:
    """Builds and installs the project from a copy (offline) and runs the installed commands."""
    source = tmp_path / "src"
    source.mkdir()
    shutil.copy(REPO / "pyproject.toml", source)
    for tree in ("labeling_cli", "scripts"):
        shutil.copytree(REPO / tree, source / tree, ignore=shutil.ignore_patterns("__pycache__"))
    target = tmp_path / "site"
    installed = _run(
        [
            sys.executable, "-m", "pip", "install", "--quiet", "--no-index", "--no-deps",
            "--no-build-isolation", "--target", str(target), str(source),
        ],
    )  # fmt: skip
    assert installed.returncode == 0, installed.stderr

    env = {**os.environ, "PYTHONPATH": str(target)}
    new = _run([str(target / "bin" / "labelers"), "invite", "--help"], env=env, cwd=tmp_path)
    old = _run([str(target / "bin" / "labeling-invite"), "--help"], env=env, cwd=tmp_path)

    assert new.returncode == 0, new.stderr
    assert old.returncode == 0, old.stderr
    assert "--email ADDRESS" in new.stdout
    assert "--email ADDRESS" in old.stdout


def test_a_real_process_refuses_a_typo_without_credentials_or_region() -> None:
    env = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
    env["AWS_EC2_METADATA_DISABLED"] = "true"

    old = _run(
        [sys.executable, str(SCRIPT), "--env", "dev", "--email", "ana@example", "--team", "r"], env=env
    )
    new = _run(
        [sys.executable, "-m", "labeling_cli.labelers", "resend", "--env", "dev", "--email", "ana@example"],
        env=env,
    )

    for done in (old, new):
        assert done.returncode == 2
        assert done.stdout == ""
        assert done.stderr.count("\n") == 1, done.stderr
        assert "argument --email: 'ana@example' is not a valid email address" in done.stderr


@pytest.fixture
def endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def _workforce_at(url: str) -> str:
    cognito = boto3.client("cognito-idp", endpoint_url=url, region_name="us-east-1")
    ssm = boto3.client("ssm", endpoint_url=url, region_name="us-east-1")
    pool_id: str = cognito.create_user_pool(PoolName="gt-local", AliasAttributes=["email"])["UserPool"]["Id"]
    cognito.create_group(UserPoolId=pool_id, GroupName="gt-local-reviewers")
    prefix = "/private-labeling/local/workforce"
    ssm.put_parameter(Name=f"{prefix}/user-pool-id", Value=pool_id, Type="String")
    workteams = {
        "reviewers": {
            "arn": "arn:aws:sagemaker:us-east-1:123456789012:workteam/private-crowd/r",
            "user_group": "gt-local-reviewers",
        }
    }
    ssm.put_parameter(Name=f"{prefix}/workteams", Value=json.dumps(workteams), Type="String")
    return pool_id


def test_a_real_process_follows_aws_endpoint_url(endpoint: str, tmp_path: Path) -> None:
    pool_id = _workforce_at(endpoint)
    env = {**os.environ, "AWS_ENDPOINT_URL": endpoint}
    csv = tmp_path / "workers.csv"
    csv.write_text("email,teams\nana@example.com,reviewers\nli@example.com,reviewers\n", encoding="utf-8")

    labelers_module = [sys.executable, "-m", "labeling_cli.labelers"]

    invited = _run([sys.executable, str(SCRIPT), "--env", "local", "--csv", str(csv)], env=env)
    again = _run([*labelers_module, "invite", "--env", "local", "--csv", str(csv), "--json"], env=env)
    listed = _run([*labelers_module, "list", "--env", "local", "--json"], env=env)
    old_listed = _run([sys.executable, str(SCRIPT), "--env", "local", "--list", "--json"], env=env)

    assert invited.returncode == 0, invited.stderr
    assert re.search(r"2 succeeded, 0 skipped, 0 failed", invited.stdout)
    assert again.returncode == 0
    assert json.loads(again.stdout)["summary"]["skipped"] == 2
    document: dict[str, Any] = json.loads(listed.stdout)
    assert document["user_pool_id"] == pool_id
    assert [(w["email"], w["status"], w["teams"]) for w in document["workers"]] == [
        ("ana@example.com", "invited", ["reviewers"]),
        ("li@example.com", "invited", ["reviewers"]),
    ]
    assert json.loads(old_listed.stdout) == document
