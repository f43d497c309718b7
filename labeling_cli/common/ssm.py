"""Finding an environment's resources: the modules publish them as SSM parameters under
`/private-labeling/<env>/<component>` (`workforce`, `pipeline/<name>`)."""

from __future__ import annotations

import argparse
import re
from typing import Any

ENV_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
SSM_PATH = re.compile(r"^(/[A-Za-z0-9_.-]+)+$")
ROOT = "/private-labeling"


def env_prefix(env: str, component: str) -> str:
    """Where the modules publish `component` of environment `env`, e.g. /private-labeling/dev/workforce."""
    return f"{ROOT}/{env}/{component}"


def env_name(value: str) -> str:
    """argparse type of --env."""
    if not ENV_NAME.match(value):
        raise argparse.ArgumentTypeError(f"{value!r}: use letters, digits, '-', '_' or '.'")
    return value


def ssm_path(value: str) -> str:
    """argparse type of an SSM path such as --ssm-prefix."""
    if not SSM_PATH.match(value):
        raise argparse.ArgumentTypeError(f"{value!r}: expected a path like {env_prefix('dev', 'workforce')}")
    return value


def get_parameters(ssm: Any, names: list[str]) -> dict[str, str]:
    """The parameters among `names` that exist, by full name (SecureString values decrypted)."""
    response = ssm.get_parameters(Names=names, WithDecryption=True)
    return {parameter["Name"]: parameter["Value"] for parameter in response.get("Parameters", [])}
