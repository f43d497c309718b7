"""Where the workforce lives: the user pool and the team -> Cognito group map of an environment.

The workforce module publishes them as SSM parameters under `/private-labeling/<env>/workforce`;
command-line overrides replace the parameters they name, and when both the pool and the teams are
given SSM is not read at all.
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from labeling_cli.common.errors import ConfigError

USER_POOL_ID = re.compile(r"^(?P<region>[a-z]{2}(?:-[a-z]+)+-\d+)_[0-9A-Za-z]+$")
GROUP_NAME = re.compile(r"^[\w\s+=,.@-]{1,128}$")

COMPONENT = "workforce"  # the SSM path component: /private-labeling/<env>/workforce
PARAM_USER_POOL_ID = "user-pool-id"
PARAM_WORKTEAMS = "workteams"
PARAM_PORTAL_URL = "labeling-portal-url"


def user_pool_region(user_pool_id: str) -> str | None:
    """The region a user pool id names, or None if it is not a user pool id."""
    match = USER_POOL_ID.match(user_pool_id)
    return match["region"] if match else None


def pool_id(value: str) -> str:
    """argparse type of --user-pool-id."""
    if user_pool_region(value) is None:
        raise argparse.ArgumentTypeError(f"{value!r}: not a user pool id (like eu-west-1_AbC123xyz)")
    return value


@dataclass(frozen=True)
class Team:
    name: str
    group: str


@dataclass(frozen=True)
class Workforce:
    user_pool_id: str
    teams: Mapping[str, Team]
    portal_url: str | None
    source: str

    def teams_of_groups(self, groups: frozenset[str]) -> list[str]:
        return sorted(team.name for team in self.teams.values() if team.group in groups)

    @property
    def team_groups(self) -> frozenset[str]:
        return frozenset(team.group for team in self.teams.values())


def team_group(value: str) -> Team:
    """argparse type of --team-group TEAM=GROUP."""
    name, sep, group = (part.strip() for part in value.partition("="))
    if not sep or not name or not group:
        raise argparse.ArgumentTypeError(f"{value!r}: expected TEAM=GROUP, e.g. reviewers=gt-dev-reviewers")
    if not GROUP_NAME.match(group):
        raise argparse.ArgumentTypeError(f"{value!r}: {group!r} is not a valid Cognito group name")
    return Team(name=name, group=group)


class TeamGroups(argparse.Action):
    """Collects repeated --team-group options into {team: Team}, refusing a team given twice."""

    def __call__(
        self,
        _parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        value: Any,
        _option: str | None = None,
    ) -> None:
        teams: dict[str, Team] = dict(getattr(namespace, self.dest) or {})
        if value.name in teams:
            raise argparse.ArgumentError(self, f"team {value.name!r} is given twice")
        teams[value.name] = value
        setattr(namespace, self.dest, teams)


def _parse_workteams(raw: str, where: str) -> dict[str, Team]:
    try:
        document: Any = json.loads(raw)
    except json.JSONDecodeError as error:
        raise ConfigError(
            f"{where} is not JSON ({error.msg}); expected {{team: {{arn, user_group}}}}"
        ) from None
    if not isinstance(document, dict) or not document:
        raise ConfigError(f"{where} must be a non-empty JSON object: {{team: {{arn, user_group}}}}")
    teams: dict[str, Team] = {}
    for name, entry in document.items():
        group = entry.get("user_group") if isinstance(entry, dict) else None
        if not isinstance(group, str) or not group:
            raise ConfigError(f"{where}: team {name!r} has no user_group")
        teams[name] = Team(name=name, group=group)
    return teams


def resolve_workforce(
    get_parameters: Callable[[list[str]], Mapping[str, str]],
    *,
    ssm_prefix: str | None,
    user_pool_id: str | None,
    team_groups: Mapping[str, Team],
) -> Workforce:
    """The workforce from the (validated) overrides, reading from SSM only what they leave out.

    `get_parameters` takes full parameter names and returns the ones that exist.
    """
    teams = dict(team_groups)
    if user_pool_id is not None and teams:
        return Workforce(user_pool_id=user_pool_id, teams=teams, portal_url=None, source="command line")
    if ssm_prefix is None:
        raise ConfigError(
            "no environment given: pass --env NAME (or --ssm-prefix), "
            "or both --user-pool-id and --team-group TEAM=GROUP"
        )

    wanted = [PARAM_PORTAL_URL]
    if user_pool_id is None:
        wanted.append(PARAM_USER_POOL_ID)
    if not teams:
        wanted.append(PARAM_WORKTEAMS)
    found = get_parameters([f"{ssm_prefix}/{name}" for name in wanted])
    values = {name: found[f"{ssm_prefix}/{name}"] for name in wanted if f"{ssm_prefix}/{name}" in found}
    missing = [name for name in wanted if name != PARAM_PORTAL_URL and name not in values]
    if missing:
        raise ConfigError(
            f"SSM parameters missing under {ssm_prefix}: {', '.join(missing)}. Is the workforce module "
            "applied for this environment, in this account and region? "
            "(or pass --user-pool-id and --team-group)"
        )
    if user_pool_id is None:
        user_pool_id = values[PARAM_USER_POOL_ID]
        if user_pool_region(user_pool_id) is None:
            raise ConfigError(f"{ssm_prefix}/{PARAM_USER_POOL_ID} holds {user_pool_id!r}, not a user pool id")
    if not teams:
        teams = _parse_workteams(values[PARAM_WORKTEAMS], f"{ssm_prefix}/{PARAM_WORKTEAMS}")
    return Workforce(
        user_pool_id=user_pool_id,
        teams=teams,
        portal_url=values.get(PARAM_PORTAL_URL),
        source=f"SSM {ssm_prefix}",
    )
