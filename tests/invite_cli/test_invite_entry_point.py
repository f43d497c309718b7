"""The CLI as users start it: `python scripts/invite.py`, the `labeling-invite` console script, and
a real process talking to an AWS endpoint given by AWS_ENDPOINT_URL."""

from __future__ import annotations

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

import invite

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "invite.py"


def _run(
    argv: list[str], env: dict[str, str] | None = None, cwd: Path = REPO
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, env=env, cwd=cwd, timeout=120, check=False)


def test_python_scripts_invite_help_explains_every_option_with_an_example() -> None:
    done = _run([sys.executable, str(SCRIPT), "--help"])

    assert done.returncode == 0, done.stderr
    options = [o for a in invite.build_parser()._actions for o in a.option_strings if o.startswith("--")]
    helps = {o: a.help or "" for a in invite.build_parser()._actions for o in a.option_strings}
    for option in options:
        assert option in done.stdout
        if option != "--help":
            assert "Example:" in helps[option], option
    for section in ("The three commands used most", "CSV", "Invalid rows", "Exit codes", "AWS_ENDPOINT_URL"):
        assert section in done.stdout


def test_the_console_script_is_declared_and_runs() -> None:
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"]
    module, _, function = scripts["labeling-invite"].partition(":")

    # What the generated `labeling-invite` wrapper does: import the module and exit with main().
    done = _run(
        [
            sys.executable,
            "-c",
            f"import sys; from {module} import {function}; sys.exit({function}())",
            "--help",
        ],
        env={**os.environ, "PYTHONPATH": str(REPO / "scripts")},
    )

    assert done.returncode == 0, done.stderr
    assert "--email ADDRESS" in done.stdout


def test_the_installed_package_ships_the_cli(tmp_path: Path) -> None:
    """Builds and installs the project from a copy (offline) and runs the installed `labeling-invite`."""
    source = tmp_path / "src"
    source.mkdir()
    shutil.copy(REPO / "pyproject.toml", source)
    shutil.copytree(REPO / "scripts", source / "scripts", ignore=shutil.ignore_patterns("__pycache__"))
    target = tmp_path / "site"
    installed = _run(
        [
            sys.executable, "-m", "pip", "install", "--quiet", "--no-index", "--no-deps",
            "--no-build-isolation", "--target", str(target), str(source),
        ],
    )  # fmt: skip
    assert installed.returncode == 0, installed.stderr

    env = {**os.environ, "PYTHONPATH": str(target)}
    done = _run([str(target / "bin" / "labeling-invite"), "--help"], env=env, cwd=tmp_path)

    assert done.returncode == 0, done.stderr
    assert "--email ADDRESS" in done.stdout


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

    invited = _run([sys.executable, str(SCRIPT), "--env", "local", "--csv", str(csv)], env=env)
    again = _run([sys.executable, str(SCRIPT), "--env", "local", "--csv", str(csv), "--json"], env=env)
    listed = _run([sys.executable, str(SCRIPT), "--env", "local", "--list", "--json"], env=env)

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
