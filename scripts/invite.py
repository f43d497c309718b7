"""labeling-invite: bring labelers into and out of an environment's private Ground Truth workforce.

Run `python scripts/invite.py --help` (or `labeling-invite --help` once installed) for every option.
"""

from __future__ import annotations

import argparse
import logging
import sys
import textwrap
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, TextIO

import boto3
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
    ProfileNotFound,
)
from rich.console import Console

from invite_lib import report
from invite_lib.actions import (
    ROW_ACTIONS,
    Context,
    Outcome,
    RowResult,
    describe,
    invalid_result,
    list_workers,
    pending_targets,
    run_row,
)
from invite_lib.config import (
    ENV_NAME,
    SSM_PREFIX,
    ArgumentError,
    ConfigError,
    Workforce,
    default_ssm_prefix,
    resolve_workforce,
    user_pool_region,
)
from invite_lib.directory import Directory, EmailQuotaReachedError
from invite_lib.retry import Backoff, error_code
from invite_lib.roster import InputError, Roster, Target, from_arguments, from_csv

log = logging.getLogger("invite")

EXIT_OK = 0
EXIT_ROWS_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_ENVIRONMENT = 3
EXIT_EMAIL_QUOTA = 4
EXIT_INTERRUPTED = 130

# Above this many workers one scan of the pool costs fewer calls than a look-up per worker.
PRELOAD_THRESHOLD = 20
PIPE_WIDTH = 160

DESCRIPTION = """\
Invite labelers to an environment's private Ground Truth workforce, resend invitations, disable or
remove workers, and list them. The user pool and the teams are read from the SSM parameters the
workforce module publishes (/private-labeling/ENV/workforce); flags override them.

The three commands used most:
  %(prog)s --env dev --email ana@example.com --team reviewers
  %(prog)s --env dev --csv labelers.csv
  %(prog)s --env dev --list
"""

EPILOG = """\
invite (the default action):
  Creates the Cognito user (user name derived from the email, email verified), Cognito emails the
  invitation with a temporary password, and the user joins each team's Cognito group. Existing
  workers only join the teams they are missing; running the same command or CSV again changes
  nothing and says "skipped: already member of ...". A disabled worker is not re-enabled: the row
  fails and says how to give it access back.

CSV (--csv FILE, or - for standard input), UTF-8, header required:
  email,teams,name
  ana@example.com,reviewers,Ana Lima
  li@example.com,labelers;reviewers,
  Teams are separated by ; or | inside the field; name is optional. For --resend, --remove and
  --disable only the email column is needed and other columns are ignored.

Invalid rows:
  Every row is checked before anything is written: the email syntax, that each team exists, that
  no email appears twice, that the header has the needed columns. If any row is invalid, each one
  is reported and NOTHING is written (exit 2), because a bad row is usually a sign of a wrong file
  or team name, and a clean re-run is cheap since every action is idempotent. With
  --continue-on-invalid the valid rows are processed and the invalid ones are counted as failed.
  Once writing starts, a row that fails (an AWS error, throttling that outlasts the retries) does
  not stop the others; the summary says what succeeded, was skipped and failed, and running the
  same command again finishes the job.

Daily email quota:
  Cognito's default sender emails at most 50 messages a day per AWS account and region (invitations
  and resends count; the quota resets at 09:00 UTC). When Cognito refuses an invitation for it, the
  run stops cleanly: "daily email quota reached: N invited, M left". Rows left are untouched, and
  running the same command again later continues where it stopped: workers already created are not
  created or emailed again. Sending from your own Amazon SES identity (the workforce module's
  user_pool.email) lifts the quota.

Exit codes:
  0 nothing failed   1 some rows failed   2 invalid arguments or input, nothing written
  3 the environment cannot be used (no parameters, no credentials, no such pool or group)
  4 stopped at Cognito's daily email quota (the rows left are reported; run again later)
  130 interrupted (the rows done so far are reported)

AWS access:
  The standard credential chain (AWS_PROFILE or --profile, SSO, instance roles ...) and region
  (AWS_REGION or --region). AWS_ENDPOINT_URL is honoured, so the same commands work against the
  local emulator. Cognito throttling is retried with exponential backoff and jitter.
  Temporary passwords are generated and emailed by Cognito; this tool never sees or prints one.
"""


def _client_config(service: str) -> Config:
    if service == "cognito-idp":
        # Throttling is retried by invite_lib.retry with jitter across the whole run; botocore's
        # own retries on top would multiply the attempts.
        return Config(
            user_agent_appid="labeling-invite", retries={"mode": "standard", "total_max_attempts": 1}
        )
    return Config(user_agent_appid="labeling-invite")


def default_client(session: boto3.Session, service: str) -> Any:
    return session.client(service, config=_client_config(service))


def console_for(stream: TextIO) -> Console:
    """A console on `stream`; when it is not a terminal, wide enough that table rows stay on one line."""
    console = Console(file=stream)
    return console if console.is_terminal else Console(file=stream, width=PIPE_WIDTH)


@dataclass
class Runtime:
    """What the CLI touches outside itself, so tests can replace it."""

    out: Console = field(default_factory=lambda: console_for(sys.stdout))
    err: Console = field(default_factory=lambda: console_for(sys.stderr))
    sleep: Callable[[float], None] = time.sleep
    make_client: Callable[[boto3.Session, str], Any] = default_client


class _HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Keeps the description and epilog as written, and never breaks an option or a path at a hyphen."""

    def _split_lines(self, text: str, width: int) -> list[str]:
        return textwrap.wrap(" ".join(text.split()), width, break_on_hyphens=False)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=DESCRIPTION, epilog=EPILOG, formatter_class=_HelpFormatter)
    where = parser.add_argument_group("where the workforce is")
    where.add_argument(
        "--env",
        metavar="NAME",
        help="environment whose workforce to manage; its SSM parameters are read from "
        "/private-labeling/ENV/workforce. Example: --env dev",
    )
    where.add_argument(
        "--ssm-prefix",
        metavar="PATH",
        help="read the workforce parameters from this SSM path instead. "
        "Example: --ssm-prefix /acme/prod/workforce",
    )
    where.add_argument(
        "--user-pool-id",
        metavar="ID",
        help="use this Cognito user pool instead of the one in SSM. "
        "Example: --user-pool-id eu-west-1_AbC123xyz",
    )
    where.add_argument(
        "--team-group",
        action="append",
        default=[],
        metavar="TEAM=GROUP",
        help="a team and its Cognito group, instead of the teams in SSM (repeat for each team; with "
        "--user-pool-id, SSM is not read at all). Example: --team-group reviewers=gt-dev-reviewers",
    )
    where.add_argument(
        "--region", help="AWS region (default: AWS_REGION or the profile's). Example: --region eu-west-1"
    )
    where.add_argument(
        "--profile",
        metavar="NAME",
        help="AWS profile (default: AWS_PROFILE). Example: --profile labeling-admin",
    )

    actions = parser.add_argument_group("what to do (default: invite)").add_mutually_exclusive_group()
    actions.add_argument(
        "--resend",
        dest="action",
        action="store_const",
        const="resend",
        help="email the invitation again (new temporary password) to workers who never signed in; others "
        "are skipped with the reason. Example: --resend --email ana@example.com, or --resend --all-pending",
    )
    actions.add_argument(
        "--remove",
        dest="action",
        action="store_const",
        const="remove",
        help="delete the worker's user, which also takes it out of every team. "
        "Example: --remove --email ana@example.com",
    )
    actions.add_argument(
        "--disable",
        dest="action",
        action="store_const",
        const="disable",
        help="disable the worker's user (it can no longer sign in) and take it out of every team, keeping "
        "the user for audit. Example: --disable --csv leavers.csv",
    )
    actions.add_argument(
        "--list",
        dest="action",
        action="store_const",
        const="list",
        help="list workers with status (invited / confirmed / disabled), MFA and teams. "
        "Example: --list, or --list --team reviewers",
    )

    who = parser.add_argument_group("who")
    who.add_argument(
        "--email",
        action="append",
        default=[],
        metavar="ADDRESS",
        help="a worker's email address (repeat for several). Example: --email ana@example.com",
    )
    who.add_argument(
        "--team",
        action="append",
        default=[],
        help="team to invite the --email workers to (repeat for several), or with --list, only show "
        "members of it. Example: --team reviewers --team labelers",
    )
    who.add_argument(
        "--name", help="the worker's name, for a single --email invite. Example: --name 'Ana Lima'"
    )
    who.add_argument(
        "--csv",
        metavar="FILE",
        help="take the workers from a CSV file (see CSV below; use - for standard input). "
        "Example: --csv labelers.csv",
    )
    who.add_argument(
        "--all-pending",
        action="store_true",
        help="with --resend: every worker who has not signed in yet. Example: --resend --all-pending",
    )

    how = parser.add_argument_group("how")
    how.add_argument(
        "--dry-run",
        action="store_true",
        help="read everything, write nothing, and say what would be done. "
        "Example: --csv labelers.csv --dry-run",
    )
    how.add_argument(
        "--json",
        action="store_true",
        help="print one JSON document on standard output instead of tables. "
        "Example: --list --json | jq '.workers[]'",
    )
    how.add_argument(
        "--continue-on-invalid",
        action="store_true",
        help="process the valid rows even if some are invalid (see Invalid rows). "
        "Example: --csv labelers.csv --continue-on-invalid",
    )
    how.add_argument(
        "--verbose",
        action="store_true",
        help="log each Cognito call (operation and user name) to standard error. Example: --list --verbose",
    )
    parser.set_defaults(action="invite")
    return parser


def _usage_problem(args: argparse.Namespace) -> str | None:
    """Combinations argparse cannot express, as the message to show; None when the command is fine."""
    action = args.action
    given = {"--email": bool(args.email), "--csv": bool(args.csv), "--all-pending": args.all_pending}
    targets = [flag for flag, present in given.items() if present]
    choices = "--email or --csv" + (" or --all-pending" if action == "resend" else "")
    rules = [
        (
            args.env is not None and not ENV_NAME.match(args.env),
            f"--env {args.env!r}: use letters, digits, '-', '_' or '.'",
        ),
        (
            args.ssm_prefix is not None and not SSM_PREFIX.match(args.ssm_prefix),
            f"--ssm-prefix {args.ssm_prefix!r}: expected a path like /private-labeling/dev/workforce",
        ),
        (
            action == "list" and bool(targets or args.name),
            "--list takes no --email, --csv, --name or --all-pending; filter with --team",
        ),
        (args.all_pending and action != "resend", "--all-pending only goes with --resend"),
        (action != "list" and len(targets) != 1, f"{action}: name the workers with exactly one of {choices}"),
        (action == "invite" and bool(args.email) and not args.team, "invite: give at least one --team"),
        (
            action == "invite" and bool(args.csv) and bool(args.team or args.name),
            "invite --csv: teams and names come from the file; drop --team/--name",
        ),
        (
            action not in {"invite", "list"} and bool(args.team or args.name),
            f"--{action} takes no --team or --name: it applies to the worker in every team",
        ),
        (bool(args.name) and len(args.email) > 1, "--name applies to a single --email"),
    ]
    return next((message for broken, message in rules if broken), None)


def _get_parameters(ssm: Any, names: list[str]) -> dict[str, str]:
    response = ssm.get_parameters(Names=names, WithDecryption=True)
    return {parameter["Name"]: parameter["Value"] for parameter in response.get("Parameters", [])}


def _environment(args: argparse.Namespace, rt: Runtime) -> tuple[Workforce, Directory]:
    session = boto3.Session(profile_name=args.profile, region_name=args.region)
    prefix = args.ssm_prefix or (default_ssm_prefix(args.env) if args.env else None)
    workforce = resolve_workforce(
        lambda names: _get_parameters(rt.make_client(session, "ssm"), names),
        ssm_prefix=prefix,
        user_pool_id=args.user_pool_id,
        team_groups=args.team_group,
    )
    pool_region = user_pool_region(workforce.user_pool_id)
    if session.region_name and session.region_name != pool_region:
        raise ConfigError(
            f"user pool {workforce.user_pool_id} is in {pool_region} but the AWS region is "
            f"{session.region_name}; pass --region {pool_region}"
        )
    cognito = rt.make_client(session, "cognito-idp")
    directory = Directory(cognito, workforce.user_pool_id, workforce.team_groups, Backoff(sleep=rt.sleep))
    try:
        pool = directory.describe_pool()
    except ClientError as error:
        if error_code(error) == "ResourceNotFoundException":
            raise ConfigError(
                f"user pool {workforce.user_pool_id} ({workforce.source}) does not exist"
            ) from None
        raise
    if "email" in pool.get("UsernameAttributes", []):
        raise ConfigError(
            f"user pool {workforce.user_pool_id} uses email addresses as user names; this tool manages the "
            "workforce module's pool, where the email is a sign-in alias"
        )
    return workforce, directory


def _check_groups(directory: Directory, workforce: Workforce, teams: Sequence[str]) -> None:
    wanted = {workforce.teams[team].group: team for team in teams}
    missing = directory.missing_groups(frozenset(wanted))
    if missing:
        described = ", ".join(f"{group} (team {wanted[group]})" for group in missing)
        raise ConfigError(f"Cognito group(s) missing in user pool {workforce.user_pool_id}: {described}")


def _roster(args: argparse.Namespace, workforce: Workforce) -> Roster:
    teams_required = args.action == "invite"
    if args.csv:
        return from_csv(args.csv, known_teams=workforce.teams, teams_required=teams_required)
    return from_arguments(
        args.email, args.team, args.name, known_teams=workforce.teams, teams_required=teams_required
    )


def _run_list(args: argparse.Namespace, rt: Runtime, workforce: Workforce, directory: Directory) -> int:
    unknown = [team for team in args.team if team not in workforce.teams]
    if unknown:
        raise InputError(
            f"unknown team(s) {', '.join(unknown)} (known: {', '.join(sorted(workforce.teams))})",
        )
    _check_groups(directory, workforce, list(workforce.teams))
    ctx = Context(directory, workforce, dry_run=True)
    with report.progress(rt.err, "Reading workers") as track:
        views = list_workers(ctx, args.team, track)
    if args.json:
        report.print_json(rt.out, report.workers_document(workforce, views))
    else:
        report.print_workers(rt.out, workforce, views)
    return EXIT_OK


class Stop(Enum):
    """Why a run ended before its last row, if it did."""

    NONE = "none"
    INTERRUPTED = "interrupted"
    EMAIL_QUOTA = "email quota"


QUOTA_LEFT = "left for the next run: daily email quota reached"


def _process(
    args: argparse.Namespace, rt: Runtime, ctx: Context, targets: Sequence[Target]
) -> tuple[list[RowResult], Stop]:
    """Runs the action on every target. On Ctrl-C the rest are reported as not attempted; when the
    daily email quota refuses an invitation, that row and the rest are left for the next run."""
    action = ROW_ACTIONS[args.action]
    results: list[RowResult] = []
    verb = {"invite": "Inviting", "resend": "Resending", "remove": "Removing", "disable": "Disabling"}[
        args.action
    ]
    try:
        with report.progress(rt.err, verb) as track:
            for target in track(targets):
                results.append(run_row(action, ctx, target))
    except EmailQuotaReachedError:
        # The refused row was untouched (its emailing step comes first), like every row after it.
        results.extend(
            RowResult(t.line, t.email, None, Outcome.SKIPPED, message=QUOTA_LEFT)
            for t in targets[len(results) :]
        )
        return results, Stop.EMAIL_QUOTA
    except KeyboardInterrupt:
        # The row in progress may be half done; the ones after it were not touched.
        current, *rest = targets[len(results) :]
        results.append(
            RowResult(
                current.line,
                current.email,
                None,
                Outcome.FAILED,
                message="interrupted while in progress; run the same command again to finish it",
            )
        )
        results.extend(
            RowResult(t.line, t.email, None, Outcome.SKIPPED, message="not attempted: interrupted")
            for t in rest
        )
        return results, Stop.INTERRUPTED
    return results, Stop.NONE


def _quota_note(action: str, processed: Sequence[RowResult]) -> str:
    sent = sum(1 for r in processed if r.emailed)
    left = sum(1 for r in processed if r.message == QUOTA_LEFT)
    verb = "invited" if action == "invite" else "resent"
    return (
        f"daily email quota reached: {sent} {verb}, {left} left; "
        "run the same command again later or configure SES"
    )


def _in_line_order(results: list[RowResult]) -> list[RowResult]:
    return sorted(results, key=lambda r: r.line if r.line is not None else 0)


def _run_rows(args: argparse.Namespace, rt: Runtime, workforce: Workforce, directory: Directory) -> int:
    ctx = Context(directory, workforce, dry_run=args.dry_run)
    invalid: list[RowResult] = []
    if args.all_pending:
        targets = pending_targets(directory)
    else:
        roster = _roster(args, workforce)
        invalid = [invalid_result(row) for row in roster.invalid]
        targets = list(roster.targets)
        if invalid and not args.continue_on_invalid:
            note = (
                f"{len(invalid)} invalid row(s): nothing was changed. Fix them and run again, "
                "or pass --continue-on-invalid to process the valid rows."
            )
            # The table lists the invalid rows only; the verdict goes to standard error.
            _output(
                args, rt, workforce, invalid, completed=False, note=note if args.json else "", totals=False
            )
            _say_error(rt, note)
            return EXIT_BAD_INPUT
        if args.action == "invite":
            _check_groups(directory, workforce, sorted({team for t in targets for team in t.teams}))
    if len(targets) > PRELOAD_THRESHOLD:
        directory.preload()
    processed, stop = _process(args, rt, ctx, targets)
    results = _in_line_order(invalid + processed)
    note = ""
    if stop is Stop.INTERRUPTED:
        note = (
            "Interrupted: rows marked 'not attempted' were not touched; run the same command again to finish."
        )
    elif stop is Stop.EMAIL_QUOTA:
        note = _quota_note(args.action, processed)
    elif args.action == "invite" and workforce.portal_url and not args.dry_run:
        note = (
            f"Invited workers sign in at {workforce.portal_url} with the temporary password from their email."
        )
    _output(args, rt, workforce, results, completed=stop is Stop.NONE, note=note)
    if stop is Stop.INTERRUPTED:
        return EXIT_INTERRUPTED
    if stop is Stop.EMAIL_QUOTA:
        return EXIT_EMAIL_QUOTA
    return EXIT_ROWS_FAILED if any(r.outcome is Outcome.FAILED for r in results) else EXIT_OK


def _output(
    args: argparse.Namespace,
    rt: Runtime,
    workforce: Workforce,
    results: list[RowResult],
    *,
    completed: bool,
    note: str,
    totals: bool = True,
) -> None:
    if args.json:
        document = report.results_document(
            action=args.action,
            workforce=workforce,
            results=results,
            dry_run=args.dry_run,
            completed=completed,
            note=note,
        )
        report.print_json(rt.out, document)
    else:
        report.print_results(
            rt.out,
            action=args.action,
            workforce=workforce,
            results=results,
            dry_run=args.dry_run,
            note=note,
            totals=totals,
        )


def _say_error(rt: Runtime, message: str) -> None:
    # One unwrapped line, whatever the terminal width, so it can be grepped.
    rt.err.file.write(f"error: {message}\n")


def _fail(args: argparse.Namespace, rt: Runtime, code: int, message: str) -> int:
    _say_error(rt, message)
    if args.json:
        report.print_json(rt.out, {"action": args.action, "error": message, "exit_code": code})
    return code


def _no_credentials(_: BaseException) -> str:
    return "no AWS credentials found: set AWS_PROFILE (or --profile), or sign in with `aws sso login`"


def _aws_error(error: BaseException) -> str:
    return f"AWS refused or failed: {describe(error) if isinstance(error, Exception) else error}"


# Checked in order (the botocore errors are subclasses of BotoCoreError): exit code and message.
_STOPS: tuple[
    tuple[type[BaseException] | tuple[type[BaseException], ...], int, Callable[[BaseException], str]], ...
] = (
    ((InputError, ArgumentError), EXIT_BAD_INPUT, str),
    (ConfigError, EXIT_ENVIRONMENT, str),
    ((NoCredentialsError, PartialCredentialsError), EXIT_ENVIRONMENT, _no_credentials),
    (NoRegionError, EXIT_ENVIRONMENT, lambda _: "no AWS region: pass --region or set AWS_REGION"),
    (ProfileNotFound, EXIT_ENVIRONMENT, str),
    ((ClientError, BotoCoreError), EXIT_ENVIRONMENT, _aws_error),
    (KeyboardInterrupt, EXIT_INTERRUPTED, lambda _: "interrupted before any worker was changed"),
)


def _execute(args: argparse.Namespace, rt: Runtime) -> int:
    workforce, directory = _environment(args, rt)
    if args.action == "list":
        return _run_list(args, rt, workforce, directory)
    return _run_rows(args, rt, workforce, directory)


def run(argv: Sequence[str] | None, rt: Runtime) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # --help, or argparse's own usage error
        return stop.code if isinstance(stop.code, int) else EXIT_BAD_INPUT
    problem = _usage_problem(args)
    if problem:
        parser.print_usage(rt.err.file)
        _say_error(rt, problem)
        return EXIT_BAD_INPUT

    handler = logging.StreamHandler(rt.err.file)
    if args.verbose:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.DEBUG)
    try:
        return _execute(args, rt)
    except (Exception, KeyboardInterrupt) as error:
        for kinds, code, explain in _STOPS:
            if isinstance(error, kinds):
                return _fail(args, rt, code, explain(error))
        raise
    finally:
        log.removeHandler(handler)
        log.setLevel(logging.NOTSET)


def main(argv: Sequence[str] | None = None) -> int:
    return run(argv, Runtime())


if __name__ == "__main__":
    sys.exit(main())
