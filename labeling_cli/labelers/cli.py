"""labelers: bring labelers into and out of an environment's private Ground Truth workforce.

Run `labelers --help` (or `python -m labeling_cli.labelers --help`) for the commands, and
`labelers COMMAND --help` for each command's options.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from enum import Enum
from typing import Any

import boto3
from botocore.exceptions import ClientError

from labeling_cli.common import aws, ssm
from labeling_cli.common.cli import (
    AWS_ACCESS_HELP,
    Parser,
    Runtime,
    add_aws_arguments,
    add_dry_run_argument,
    add_env_argument,
    add_output_arguments,
    run_command,
)
from labeling_cli.common.errors import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    ConfigError,
    InputError,
    exit_codes_help,
)
from labeling_cli.common.output import print_json, progress, say_error
from labeling_cli.common.retry import Backoff, error_code
from labeling_cli.labelers import report
from labeling_cli.labelers.actions import (
    ROW_ACTIONS,
    Context,
    Outcome,
    RowResult,
    invalid_result,
    list_workers,
    pending_targets,
    run_row,
)
from labeling_cli.labelers.directory import Directory, EmailQuotaReachedError
from labeling_cli.labelers.roster import Roster, Target, email_address, from_arguments, from_csv, worker_name
from labeling_cli.labelers.workforce import (
    COMPONENT,
    TeamGroups,
    Workforce,
    pool_id,
    resolve_workforce,
    team_group,
    user_pool_region,
)

PROG = "labelers"
APP_ID = "labeling-invite"  # in the user agent of every request, as since the first release
EXIT_EMAIL_QUOTA = 4
# Above this many workers one scan of the pool costs fewer calls than a look-up per worker.
PRELOAD_THRESHOLD = 20

DESCRIPTION = """\
Invite labelers to an environment's private Ground Truth workforce, resend invitations, disable or
remove workers, and list them. The user pool and the teams are read from the SSM parameters the
workforce module publishes (/private-labeling/ENV/workforce); flags override them.

The three commands used most:
  %(prog)s invite --env dev --email ana@example.com --team reviewers
  %(prog)s invite --env dev --csv labelers.csv
  %(prog)s list --env dev

`%(prog)s COMMAND --help` explains each command's options, with an example for each.
`labeling-invite` (and `python scripts/invite.py`) is the older form of this command and still works:
`labeling-invite --list ...` is `%(prog)s list ...`, and so for --resend, --disable and --remove;
without one of those flags it is `%(prog)s invite ...`.
"""

CSV_HELP = """\
CSV (--csv FILE, or - for standard input), UTF-8, header required:
  email,teams,name
  ana@example.com,reviewers,Ana Lima
  li@example.com,labelers;reviewers,
  Teams are separated by ; or | inside the field; name is optional. For resend, remove and
  disable only the email column is needed and other columns are ignored.
"""

INVALID_ROWS_HELP = """\
Invalid rows:
  Every row is checked before anything is written: the email syntax, that each team exists, that
  no email appears twice, that the header has the needed columns. If any row is invalid, each one
  is reported and NOTHING is written (exit 2), because a bad row is usually a sign of a wrong file
  or team name, and a clean re-run is cheap since every action is idempotent. With
  --continue-on-invalid the valid rows are processed and the invalid ones are counted as failed.
  Once writing starts, a row that fails (an AWS error, throttling that outlasts the retries) does
  not stop the others; the summary says what succeeded, was skipped and failed, and running the
  same command again finishes the job. An --email that is not an address is refused before anything
  else, AWS credentials and region included.
"""

EMAIL_QUOTA_HELP = """\
Daily email quota:
  Cognito's default sender emails at most 50 messages a day per AWS account and region (invitations
  and resends count; the quota resets at 09:00 UTC). When Cognito refuses an invitation for it, the
  run stops cleanly: "daily email quota reached: N invited, M left". Rows left are untouched, and
  running the same command again later continues where it stopped: workers already created are not
  created or emailed again. Sending from your own Amazon SES identity (the workforce module's
  user_pool.email) lifts the quota.
"""

EXIT_CODES_HELP = exit_codes_help(
    {
        EXIT_FAILED: "some rows failed",
        EXIT_EMAIL_QUOTA: "stopped at Cognito's daily email quota (the rows left are reported; "
        "run again later)",
        EXIT_INTERRUPTED: "interrupted (the rows done so far are reported)",
    }
)

SECRETS_HELP = (
    "Temporary passwords are generated and emailed by Cognito; this tool never sees or prints one.\n"
)

INVITE_DESCRIPTION = """\
Creates each worker's Cognito user (user name derived from the email, email verified); Cognito emails
the invitation with a temporary password, and the user joins each team's Cognito group. Existing
workers only join the teams they are missing; running the same command or CSV again changes nothing
and says "skipped: already member of ...". A disabled worker is not re-enabled: the row fails and
says how to give it access back.
"""


class Stop(Enum):
    """Why a run ended before its last row, if it did."""

    NONE = "none"
    INTERRUPTED = "interrupted"
    EMAIL_QUOTA = "email quota"


QUOTA_LEFT = "left for the next run: daily email quota reached"


def default_client(session: boto3.Session, service: str) -> Any:
    # Cognito throttling is retried by common.retry with jitter across the whole run.
    return aws.client(session, service, app_id=APP_ID, botocore_retries=service != "cognito-idp")


# --- the parser ----------------------------------------------------------------------------------
def _epilog(*sections: str) -> str:
    return "\n".join((*sections, EXIT_CODES_HELP, AWS_ACCESS_HELP + "  " + SECRETS_HELP))


def _where(parser: Parser) -> None:
    where = parser.add_argument_group("where the workforce is")
    add_env_argument(where, component=COMPONENT)
    where.add_argument(
        "--ssm-prefix",
        metavar="PATH",
        type=ssm.ssm_path,
        help="read the workforce parameters from this SSM path instead (it wins over --env). "
        "Example: --ssm-prefix /acme/prod/workforce",
    )
    where.add_argument(
        "--user-pool-id",
        metavar="ID",
        type=pool_id,
        help="use this Cognito user pool instead of the one in SSM. "
        "Example: --user-pool-id eu-west-1_AbC123xyz",
    )
    where.add_argument(
        "--team-group",
        action=TeamGroups,
        type=team_group,
        default={},
        metavar="TEAM=GROUP",
        help="a team and its Cognito group, instead of the teams in SSM (repeat for each team; with "
        "--user-pool-id, SSM is not read at all). Example: --team-group reviewers=gt-dev-reviewers",
    )
    add_aws_arguments(where)


def _email_option(group: argparse._ActionsContainer, example: str) -> None:
    group.add_argument(
        "--email",
        action="append",
        type=email_address,
        metavar="ADDRESS",
        help=f"a worker's email address (repeat for several). Example: {example}",
    )


def _csv_option(group: argparse._ActionsContainer, example: str) -> None:
    group.add_argument(
        "--csv",
        metavar="FILE",
        help="take the workers from a CSV file (see CSV below; use - for standard input). "
        f"Example: {example}",
    )


def _how(parser: Parser, command: str) -> None:
    how = parser.add_argument_group("how")
    add_dry_run_argument(how, example=f"{PROG} {command} --env dev --csv workers.csv --dry-run")
    how.add_argument(
        "--continue-on-invalid",
        action="store_true",
        help="process the valid rows even if some are invalid (see Invalid rows). "
        f"Example: {PROG} {command} --env dev --csv workers.csv --continue-on-invalid",
    )
    _output(how, command)


def _output(group: argparse._ArgumentGroup, command: str) -> None:
    add_output_arguments(
        group,
        json_example=f"{PROG} {command} --env dev --json | jq '.'"
        if command == "list"
        else f"{PROG} {command} --env dev --csv workers.csv --json",
        verbose_example=f"{PROG} {command} --env dev --verbose",
    )


def _where_problem(args: argparse.Namespace) -> str | None:
    if args.env or args.ssm_prefix or (args.user_pool_id and args.team_group):
        return None
    return (
        "no environment given: pass --env NAME (or --ssm-prefix), "
        "or both --user-pool-id and --team-group TEAM=GROUP"
    )


def _invite_problem(args: argparse.Namespace) -> str | None:
    """The rules between invite's options that argparse cannot state."""
    if args.email and not args.team:
        return "give at least one --team with --email"
    if args.csv and (args.team or args.name):
        return "with --csv, teams and names come from the file; drop --team/--name"
    if args.name and len(args.email) > 1:
        return "--name applies to a single --email"
    return None


def _command(commands: Any, name: str, summary: str, description: str, *epilog: str) -> Parser:
    parser: Parser = commands.add_parser(name, help=summary, description=description, epilog=_epilog(*epilog))
    # Every command's namespace has every field the shared code reads.
    parser.set_defaults(
        command=name, email=[], csv=None, all_pending=False, team=[], name=None, dry_run=False,
        continue_on_invalid=False,
    )  # fmt: skip
    _where(parser)
    parser.add_check(_where_problem)
    return parser


def build_parser(prog: str = PROG) -> Parser:
    parser = Parser(prog=prog, description=DESCRIPTION, epilog=_epilog())
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)

    invite = _command(
        commands, "invite", "invite workers to teams (new or existing)", INVITE_DESCRIPTION,
        CSV_HELP, INVALID_ROWS_HELP, EMAIL_QUOTA_HELP,
    )  # fmt: skip
    who = invite.add_argument_group("who (one of --email or --csv)").add_mutually_exclusive_group(
        required=True
    )
    _email_option(who, f"{PROG} invite --env dev --email ana@example.com --team reviewers")
    _csv_option(who, f"{PROG} invite --env dev --csv labelers.csv")
    to = invite.add_argument_group("with --email")
    to.add_argument(
        "--team",
        action="append",
        help="team to invite the --email workers to (repeat for several). "
        "Example: --team reviewers --team labelers",
    )
    to.add_argument(
        "--name",
        type=worker_name,
        help="the worker's name, for a single --email. Example: --name 'Ana Lima'",
    )
    _how(invite, "invite")
    invite.add_check(_invite_problem)

    resend = _command(
        commands, "resend", "email the invitation again to workers who never signed in",
        "Emails the invitation again (a new temporary password) to workers who never signed in; others "
        "are skipped with the reason.\n", CSV_HELP, INVALID_ROWS_HELP, EMAIL_QUOTA_HELP,
    )  # fmt: skip
    only = resend.add_argument_group(
        "who (one of --email, --csv or --all-pending)"
    ).add_mutually_exclusive_group(required=True)
    _email_option(only, f"{PROG} resend --env dev --email ana@example.com")
    _csv_option(only, f"{PROG} resend --env dev --csv late.csv")
    only.add_argument(
        "--all-pending",
        action="store_true",
        help=f"every worker who has not signed in yet. Example: {PROG} resend --env dev --all-pending",
    )
    _how(resend, "resend")

    for name, summary, description in (
        (
            "disable",
            "disable workers and take them out of every team, keeping the users for audit",
            "Disables each worker's user (it can no longer sign in) and takes it out of every team, keeping "
            "the user for audit. It applies to the worker in every team, so it takes no --team.\n",
        ),
        (
            "remove",
            "delete workers' users, which also takes them out of every team",
            "Deletes each worker's user, which also takes it out of every team. It applies to the worker "
            "in every team, so it takes no --team.\n",
        ),
    ):
        command = _command(commands, name, summary, description, CSV_HELP, INVALID_ROWS_HELP)
        who = command.add_argument_group("who (one of --email or --csv)").add_mutually_exclusive_group(
            required=True
        )
        _email_option(who, f"{PROG} {name} --env dev --email ana@example.com")
        _csv_option(who, f"{PROG} {name} --env dev --csv leavers.csv")
        _how(command, name)

    listing = _command(
        commands, "list", "list workers with status (invited / confirmed / disabled), MFA and teams",
        "Lists the workers with their status (invited / confirmed / disabled), MFA and teams.\n",
    )  # fmt: skip
    listing.add_argument_group("which").add_argument(
        "--team",
        action="append",
        help="only show members of this team (repeat for several). "
        f"Example: {PROG} list --env dev --team reviewers",
    )
    _output(listing.add_argument_group("how"), "list")
    return parser


# --- the environment -----------------------------------------------------------------------------
def _environment(args: argparse.Namespace, rt: Runtime) -> tuple[Workforce, Directory]:
    session = aws.session(profile=args.profile, region=args.region)
    prefix = args.ssm_prefix or (ssm.env_prefix(args.env, COMPONENT) if args.env else None)
    workforce = resolve_workforce(
        lambda names: ssm.get_parameters(rt.make_client(session, "ssm"), names),
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
    teams_required = args.command == "invite"
    if args.csv:
        return from_csv(args.csv, known_teams=workforce.teams, teams_required=teams_required)
    return from_arguments(
        args.email, args.team, args.name, known_teams=workforce.teams, teams_required=teams_required
    )


# --- list ------------------------------------------------------------------------------------------
def _run_list(args: argparse.Namespace, rt: Runtime, workforce: Workforce, directory: Directory) -> int:
    unknown = [team for team in args.team if team not in workforce.teams]
    if unknown:
        raise InputError(
            f"unknown team(s) {', '.join(unknown)} (known: {', '.join(sorted(workforce.teams))})",
        )
    _check_groups(directory, workforce, list(workforce.teams))
    ctx = Context(directory, workforce, dry_run=True)
    with progress(rt.err, "Reading workers") as track:
        views = list_workers(ctx, args.team, track)
    if args.json:
        print_json(rt.out, report.workers_document(workforce, views))
    else:
        report.print_workers(rt.out, workforce, views)
    return EXIT_OK


# --- invite, resend, disable, remove ---------------------------------------------------------------
def _process(
    args: argparse.Namespace, rt: Runtime, ctx: Context, targets: Sequence[Target]
) -> tuple[list[RowResult], Stop]:
    """Runs the action on every target. On Ctrl-C the rest are reported as not attempted; when the
    daily email quota refuses an invitation, that row and the rest are left for the next run."""
    action = ROW_ACTIONS[args.command]
    results: list[RowResult] = []
    verb = {"invite": "Inviting", "resend": "Resending", "remove": "Removing", "disable": "Disabling"}[
        args.command
    ]
    try:
        with progress(rt.err, verb) as track:
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
            _output_results(
                args, rt, workforce, invalid, completed=False, note=note if args.json else "", totals=False
            )
            say_error(rt.err, note)
            return EXIT_USAGE
        if args.command == "invite":
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
        note = _quota_note(args.command, processed)
    elif args.command == "invite" and workforce.portal_url and not args.dry_run:
        note = (
            f"Invited workers sign in at {workforce.portal_url} with the temporary password from their email."
        )
    _output_results(args, rt, workforce, results, completed=stop is Stop.NONE, note=note)
    if stop is Stop.INTERRUPTED:
        return EXIT_INTERRUPTED
    if stop is Stop.EMAIL_QUOTA:
        return EXIT_EMAIL_QUOTA
    return EXIT_FAILED if any(r.outcome is Outcome.FAILED for r in results) else EXIT_OK


def _output_results(
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
            action=args.command,
            workforce=workforce,
            results=results,
            dry_run=args.dry_run,
            completed=completed,
            note=note,
        )
        print_json(rt.out, document)
    else:
        report.print_results(
            rt.out,
            action=args.command,
            workforce=workforce,
            results=results,
            dry_run=args.dry_run,
            note=note,
            totals=totals,
        )


def _execute(args: argparse.Namespace, rt: Runtime) -> int:
    workforce, directory = _environment(args, rt)
    if args.command == "list":
        return _run_list(args, rt, workforce, directory)
    return _run_rows(args, rt, workforce, directory)


def run(argv: Sequence[str] | None, rt: Runtime) -> int:
    return run_command(
        build_parser(), argv, rt, _execute, interrupted="interrupted before any worker was changed"
    )


def main(argv: Sequence[str] | None = None) -> int:
    return run(argv, Runtime(make_client=default_client))


if __name__ == "__main__":
    sys.exit(main())
