"""Fixtures for the emulator tests: a Lambda role, deployed functions, an emulator of a test's own (the
helpers they use are in ``helpers``).

Every resource is made per test, under a unique name: the emulator is shared by the whole session and
a test using ``emulator_clean`` resets it, so no test may rely on a resource another one made.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from emulator import ctl
from tests.fixtures.emulator import Emulator

from .helpers import Deploy, free_port, unique, zip_files


@pytest.fixture
def lambda_role(emulator: Emulator) -> str:
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    role = emulator.client("iam").create_role(
        RoleName=unique("lambda"), AssumeRolePolicyDocument=json.dumps(trust)
    )
    arn: str = role["Role"]["Arn"]
    return arn


@pytest.fixture
def deploy(emulator: Emulator, lambda_role: str) -> Deploy:
    """Deploy a Python function from source files; returns its name."""

    def deploy_function(files: Mapping[str, str], handler: str, **settings: Any) -> str:
        name = settings.pop("FunctionName", None) or unique("fn")
        emulator.client("lambda").create_function(
            FunctionName=name,
            Runtime="python3.13",
            Role=lambda_role,
            Handler=handler,
            Code={"ZipFile": zip_files(files)},
            **settings,
        )
        return name

    return deploy_function


@pytest.fixture
def private_emulator(tmp_path: Path) -> Iterator[Emulator]:
    """An emulator of this test's own (scheduler clock on), so that it may be reset or stopped."""
    state, _ = ctl.up("127.0.0.1", free_port(), tmp_path)
    yield Emulator(url=state.url, state_dir=tmp_path)
    ctl.down(tmp_path)
