"""What each action does to one worker: look up, plan the writes, and (unless a dry run) make them.

A row's outcome is `succeeded` (it changed something), `skipped` (nothing to change, with the
reason), `failed` (with the reason and what was already done) or, in a dry run, `planned`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from botocore.exceptions import BotoCoreError, ClientError

from labeling_cli.common.errors import describe
from labeling_cli.common.retry import error_code
from labeling_cli.labelers.directory import AmbiguousEmailError, Directory, Mfa, Worker, username_for
from labeling_cli.labelers.roster import InvalidRow, Target
from labeling_cli.labelers.workforce import Workforce

AwsError = (ClientError, BotoCoreError)


class Outcome(StrEnum):
    SUCCEEDED = "succeeded"
    SKIPPED = "skipped"
    FAILED = "failed"
    PLANNED = "planned"


@dataclass(frozen=True)
class RowResult:
    line: int | None
    email: str
    username: str | None
    outcome: Outcome
    changes: tuple[str, ...] = ()
    message: str = ""
    emailed: bool = False  # an invitation was emailed for this row


@dataclass(frozen=True)
class Context:
    directory: Directory
    workforce: Workforce
    dry_run: bool


@dataclass(frozen=True)
class Step:
    """One write: how to say it before (dry run, failure) and after it happened."""

    planned: str
    done: str
    write: Callable[[], object]
    emails: bool = False  # Cognito emails an invitation (so the daily email quota can refuse it)


def invalid_result(row: InvalidRow) -> RowResult:
    return RowResult(
        line=row.line,
        email=row.email,
        username=None,
        outcome=Outcome.FAILED,
        message=f"invalid: {row.reason}",
    )


def _teams_text(ctx: Context, groups: Iterable[str], among: Sequence[str] | None = None) -> str:
    names = [
        name for name in ctx.workforce.teams_of_groups(frozenset(groups)) if among is None or name in among
    ]
    return ", ".join(names)


def _carry_out(
    ctx: Context, target: Target, username: str, steps: Sequence[Step], note: str = ""
) -> RowResult:
    """Makes the writes in order. An emailing step comes first, so when the daily email quota refuses
    it (EmailQuotaReachedError, which stops the whole run) the row is still untouched."""

    def result(outcome: Outcome, changes: Iterable[str], message: str, emailed: bool = False) -> RowResult:
        return RowResult(target.line, target.email, username, outcome, tuple(changes), message, emailed)

    if ctx.dry_run:
        return result(Outcome.PLANNED, (step.planned for step in steps), note)
    done: list[str] = []
    emailed = False
    for step in steps:
        try:
            step.write()
        except AwsError as error:
            message = f"could not {step.planned}: {describe(error)}"
            if done:
                message += "; run the same command again to finish"
            return result(Outcome.FAILED, done, message, emailed)
        done.append(step.done)
        emailed = emailed or step.emails
    return result(Outcome.SUCCEEDED, done, note, emailed)


def _skip(target: Target, username: str | None, reason: str) -> RowResult:
    return RowResult(target.line, target.email, username, Outcome.SKIPPED, message=reason)


def _fail(target: Target, username: str | None, reason: str) -> RowResult:
    return RowResult(target.line, target.email, username, Outcome.FAILED, message=reason)


def invite(ctx: Context, target: Target) -> RowResult:
    d = ctx.directory
    worker = d.find(target.email)
    if worker is not None and not worker.enabled:
        return _fail(
            target,
            worker.username,
            "the user is disabled; --remove it and invite it again to give it access back",
        )
    username = worker.username if worker else username_for(target.email)
    have = d.team_groups_of(worker) if worker else frozenset()
    wanted = list(dict.fromkeys(ctx.workforce.teams[team].group for team in target.teams))
    missing = [group for group in wanted if group not in have]
    already = _teams_text(ctx, have, among=target.teams)
    if worker is not None and not missing:
        return _skip(target, username, f"already member of {already}")

    steps: list[Step] = []
    if worker is None:
        steps.append(
            Step(
                planned=f"create user {username} (Cognito emails the invitation)",
                done=f"created user {username}, invitation emailed",
                write=functools.partial(d.create, target.email, target.name),
                emails=True,
            )
        )
    for group in missing:
        teams = _teams_text(ctx, [group], among=target.teams)
        steps.append(
            Step(f"add to {teams}", f"added to {teams}", functools.partial(d.add_to_group, username, group))
        )
    return _carry_out(ctx, target, username, steps, note=f"already member of {already}" if already else "")


def resend(ctx: Context, target: Target) -> RowResult:
    worker = ctx.directory.find(target.email)
    if worker is None:
        return _fail(target, None, "no such worker; invite it first")
    if not worker.enabled:
        return _skip(target, worker.username, "the user is disabled; no invitation sent")
    if worker.status != "invited":
        return _skip(target, worker.username, f"status is {worker.status}: it has signed in already")
    step = Step(
        planned="resend the invitation (Cognito emails a new temporary password)",
        done="invitation resent",
        write=functools.partial(ctx.directory.resend_invitation, worker.username),
        emails=True,
    )
    return _carry_out(ctx, target, worker.username, [step])


def remove(ctx: Context, target: Target) -> RowResult:
    d = ctx.directory
    worker = d.find(target.email)
    if worker is None:
        return _skip(target, None, "no such worker; nothing to remove")
    teams = _teams_text(ctx, d.team_groups_of(worker))
    step = Step(
        planned=f"delete user {worker.username}" + (f" (and so remove it from {teams})" if teams else ""),
        done=f"deleted user {worker.username}" + (f", removed from {teams}" if teams else ""),
        write=functools.partial(d.delete, worker.username),
    )
    return _carry_out(ctx, target, worker.username, [step])


def disable(ctx: Context, target: Target) -> RowResult:
    d = ctx.directory
    worker = d.find(target.email)
    if worker is None:
        return _fail(target, None, "no such worker")
    groups = sorted(d.team_groups_of(worker))
    if not worker.enabled and not groups:
        return _skip(target, worker.username, "already disabled and in no team")
    steps: list[Step] = []
    if worker.enabled:
        steps.append(Step("disable the user", "disabled", functools.partial(d.disable, worker.username)))
    for group in groups:
        teams = _teams_text(ctx, [group])
        steps.append(
            Step(
                f"remove from {teams}",
                f"removed from {teams}",
                functools.partial(d.remove_from_group, worker.username, group),
            )
        )
    return _carry_out(ctx, target, worker.username, steps)


ROW_ACTIONS: dict[str, Callable[[Context, Target], RowResult]] = {
    "invite": invite,
    "resend": resend,
    "remove": remove,
    "disable": disable,
}


def run_row(action: Callable[[Context, Target], RowResult], ctx: Context, target: Target) -> RowResult:
    """One row, never raising for an AWS error: a failed row must not stop the others."""
    try:
        return action(ctx, target)
    except AmbiguousEmailError as error:
        return _fail(target, None, str(error))
    except AwsError as error:
        return _fail(target, None, f"could not look the worker up: {describe(error)}")


def pending_targets(directory: Directory) -> list[Target]:
    """Every enabled worker who never signed in and has an email address, for `--resend --all-pending`."""
    return [
        Target(line=None, email=worker.email)
        for worker in directory.workers()
        if worker.email and worker.enabled and worker.status == "invited"
    ]


@dataclass(frozen=True)
class WorkerView:
    worker: Worker
    teams: tuple[str, ...]
    mfa: Mfa


def list_workers(
    ctx: Context, teams: Sequence[str], track: Callable[[Sequence[Worker]], Iterable[Worker]]
) -> list[WorkerView]:
    """All workers (or those in any of `teams`) with their teams and MFA, sorted by email."""
    d = ctx.directory
    wanted_groups = {ctx.workforce.teams[team].group for team in teams}
    selected = [w for w in d.workers() if not wanted_groups or d.team_groups_of(w) & wanted_groups]
    views = []
    for worker in track(selected):
        try:
            mfa = d.mfa(worker)
        except ClientError as error:
            if error_code(error) != "UserNotFoundException":
                raise
            continue  # deleted since the pool was read
        views.append(WorkerView(worker, tuple(ctx.workforce.teams_of_groups(d.team_groups_of(worker))), mfa))
    return views
