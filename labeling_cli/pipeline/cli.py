"""labeling: see an environment's labeling pipelines at work, and send dead-lettered items back.

Run `labeling --help` (or `python -m labeling_cli.pipeline --help`) for the commands, and
`labeling COMMAND --help` for each command's options.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Sequence
from contextlib import ExitStack
from typing import Any

import boto3

from labeling_cli.common import aws
from labeling_cli.common.cli import (
    AWS_ACCESS_HELP,
    Parser,
    Runtime,
    add_aws_arguments,
    add_dry_run_argument,
    add_env_argument,
    add_output_arguments,
    log,
    run_command,
)
from labeling_cli.common.errors import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    ConfigError,
    exit_codes_help,
)
from labeling_cli.common.output import print_json, progress, say_error
from labeling_cli.pipeline import dead_letters, report
from labeling_cli.pipeline.ledger import RedriveLedger
from labeling_cli.pipeline.pipelines import COMPONENT, Pipeline, discover, queues_of
from labeling_cli.pipeline.redrive import (
    Filter,
    Interrupted,
    Method,
    Outcome,
    PipelineRedrive,
    Target,
    by_move_task,
    by_send_and_delete,
    choose_method,
    classify,
    plan,
    running_move_task,
)
from labeling_cli.pipeline.status import pipeline_status, print_status

PROG = "labeling"
APP_ID = "labeling-pipeline"  # in the user agent of every request
EXIT_NOTHING_MATCHED = 4
PIPELINE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")

DESCRIPTION = """\
See an environment's labeling pipelines at work, and send dead-lettered items back. The pipelines are
found through the SSM parameters the labeling_pipeline module publishes (/private-labeling/ENV/pipeline).

  %(prog)s status --env dev                        # queues, dead letters, runs and jobs
  %(prog)s redrive --env dev --reason-contains "not an image" --dry-run
  %(prog)s redrive --env dev --pipeline images     # every dead letter, by SQS's move task

`%(prog)s COMMAND --help` explains each command's options, with an example for each.
"""

EXIT_CODES_HELP = exit_codes_help(
    {
        EXIT_FAILED: "some items could not be redriven (each is reported; they stay dead-lettered)",
        EXIT_NOTHING_MATCHED: "no dead-lettered item matches the filter, or a --key names none; "
        "nothing was changed",
        EXIT_INTERRUPTED: "interrupted (what was done is reported; run the same command again to finish)",
    }
)

STATUS_DESCRIPTION = """\
For every pipeline of the environment (or the one named): items waiting and in flight on the upload
queue, items dead-lettered with their most common reasons and the oldest one's age, the execution
running now and its stage, the labeling and review jobs in progress with their counters, and the
outcomes of the last runs. A table on a terminal; JSON with --json or when the output is not a
terminal. Reading the dead-letter queue consumes nothing: its messages are visible again at once.
"""

REDRIVE_DESCRIPTION = """\
Sends dead-lettered items back to the pipeline's upload queue: all of them, those with a reason
containing a text, or those of named object keys. Each gets a fresh attempt budget, and the pipeline's
ledger records when, why and from which dead letter it was redriven.

Without a filter the whole queue goes back through SQS's own message-move task (the ledger notes every
item first); with a filter, each matching message is sent, then deleted from the dead-letter queue.
The output says which was used.

Interrupted at any point, nothing is lost (a dead letter is deleted only once its copy is queued) and
running the same command again finishes the job: the ledger tells it which copies are already queued.
"""


def default_client(session: boto3.Session, service: str) -> Any:
    client = aws.client(session, service, app_id=APP_ID)
    # --verbose: each AWS call on standard error (the run's log handler shows debug records then).
    client.meta.events.register(
        "before-call", lambda model, **_: log.debug("%s %s", service, model.name), unique_id="labeling-log"
    )
    return client


def pipeline_name(value: str) -> str:
    """argparse type of --pipeline."""
    if not PIPELINE_NAME.match(value):
        raise argparse.ArgumentTypeError(f"{value!r}: use letters, digits, '-', '_' or '.'")
    return value


def object_key(value: str) -> str:
    """argparse type of --key."""
    if not value or len(value.encode("utf-8")) > 1024:
        raise argparse.ArgumentTypeError(f"{value!r}: an S3 object key is 1 to 1024 bytes")
    return value


def reason_text(value: str) -> str:
    """argparse type of --reason-contains."""
    if not value.strip():
        raise argparse.ArgumentTypeError("give some text to look for in the reasons")
    return value


# --- the parser ----------------------------------------------------------------------------------
def _command(commands: Any, name: str, summary: str, description: str) -> Parser:
    parser: Parser = commands.add_parser(
        name, help=summary, description=description, epilog=EXIT_CODES_HELP + "\n" + AWS_ACCESS_HELP
    )
    parser.set_defaults(command=name, reason_contains=None, key=[], dry_run=False)
    where = parser.add_argument_group("where")
    add_env_argument(where, component=COMPONENT)
    where.add_argument(
        "--pipeline",
        metavar="NAME",
        type=pipeline_name,
        help=f"only this pipeline (its name in the environment's `pipelines`). Example: {PROG} {name} "
        "--env dev --pipeline images",
    )
    add_aws_arguments(where)
    parser.add_check(lambda args: None if args.env else "give the environment: --env NAME")
    return parser


def build_parser(prog: str = PROG) -> Parser:
    parser = Parser(prog=prog, description=DESCRIPTION, epilog=EXIT_CODES_HELP + "\n" + AWS_ACCESS_HELP)
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)

    status = _command(
        commands, "status", "queues, dead letters and their reasons, runs and jobs", STATUS_DESCRIPTION
    )
    add_output_arguments(
        status.add_argument_group("how"),
        json_example=f"{PROG} status --env dev --json | jq '.pipelines[].dead_letters'",
        verbose_example=f"{PROG} status --env dev --verbose",
    )

    redrive = _command(
        commands, "redrive", "send dead-lettered items back to the upload queue", REDRIVE_DESCRIPTION
    )
    which = redrive.add_argument_group("which items (default: all)").add_mutually_exclusive_group()
    which.add_argument(
        "--reason-contains",
        metavar="TEXT",
        type=reason_text,
        help="only items with a reason containing TEXT (any case). "
        f"Example: {PROG} redrive --env dev --reason-contains 'labeling job failed'",
    )
    which.add_argument(
        "--key",
        action="append",
        type=object_key,
        metavar="KEY",
        help="only the items of this uploaded object key (repeat for several); a key with no dead "
        f"letter is refused. Example: {PROG} redrive --env dev --pipeline images --key cats/1.jpg",
    )
    how = redrive.add_argument_group("how")
    add_dry_run_argument(how, example=f"{PROG} redrive --env dev --reason-contains timeout --dry-run")
    add_output_arguments(
        how,
        json_example=f"{PROG} redrive --env dev --pipeline images --json",
        verbose_example=f"{PROG} redrive --env dev --verbose",
    )
    return parser


# --- status --------------------------------------------------------------------------------------
def _status(args: argparse.Namespace, rt: Runtime, session: boto3.Session, pipelines: list[Pipeline]) -> int:
    clients = {service: rt.make_client(session, service) for service in ("sqs", "stepfunctions", "sagemaker")}
    now = time.time()
    statuses = [pipeline_status(pipeline, clients, now) for pipeline in pipelines]
    if args.json or not rt.out.is_terminal:
        print_json(rt.out, {"action": "status", "environment": args.env, "pipelines": statuses})
    else:
        print_status(rt.out, args.env, statuses)
    return EXIT_OK


# --- redrive -------------------------------------------------------------------------------------
class NothingMatchedError(Exception):
    """The filter selects no dead letter (or a --key names none): exit 4, nothing changed."""


def _redrive(args: argparse.Namespace, rt: Runtime, session: boto3.Session, pipelines: list[Pipeline]) -> int:
    sqs, dynamodb = rt.make_client(session, "sqs"), rt.make_client(session, "dynamodb")
    chosen = Filter(reason_contains=args.reason_contains, keys=tuple(args.key or ()))
    why = f"{PROG} redrive of {chosen.describe()}"
    runs: list[PipelineRedrive] = []
    completed = True
    with ExitStack() as stack:
        selections = []
        for pipeline in pipelines:
            queues = queues_of(pipeline, sqs)
            task = running_move_task(sqs, queues)
            if task is not None:
                raise ConfigError(
                    f"pipeline '{pipeline.name}': a message-move task is still moving its dead letters "
                    "(one per queue at a time); run again when it has finished"
                )
            held = stack.enter_context(dead_letters.held(sqs, queues.dead_letter_url))
            target = Target(sqs, queues, RedriveLedger(dynamodb, pipeline.ledger_table), held)
            selected = [
                letter
                for letter in held
                if letter.matches(reason_contains=chosen.reason_contains, keys=chosen.keys)
            ]
            selections.append((pipeline, target, selected))
        _check_selection(args, chosen, selections)
        for pipeline, target, selected in selections:
            if not selected:
                continue
            try:
                run = _redrive_pipeline(args, rt, target, selected, chosen=chosen, why=why)
            except Interrupted as stop:
                run, completed = stop.run, False
            run.pipeline = pipeline.name
            runs.append(run)
            if not completed:
                break
    report.output_redrive(rt.out, args, runs, completed=completed)
    if not completed:
        return EXIT_INTERRUPTED
    failed = any(r.outcome is Outcome.FAILED for run in runs for r in run.results)
    return EXIT_FAILED if failed else EXIT_OK


def _check_selection(args: argparse.Namespace, chosen: Filter, selections: list[Any]) -> None:
    where = f"pipeline '{args.pipeline}'" if args.pipeline else f"environment '{args.env}'"
    found_keys = {letter.key for _, _, selected in selections for letter in selected}
    missing = [key for key in chosen.keys if key not in found_keys]
    if missing:
        raise NothingMatchedError(
            f"no dead letter of key(s) {', '.join(missing)} in {where}; nothing was changed"
        )
    if not chosen.everything and not any(selected for _, _, selected in selections):
        raise NothingMatchedError(
            f"no dead letter in {where} matches {chosen.describe()}; nothing was changed"
        )


def _redrive_pipeline(
    args: argparse.Namespace,
    rt: Runtime,
    target: Target,
    selected: list[dead_letters.DeadLetter],
    *,
    chosen: Filter,
    why: str,
) -> PipelineRedrive:
    work = [classify(target.ledger, letter) for letter in selected]
    method = choose_method(chosen, work)
    if args.dry_run:
        return plan("", method, work)
    if method is Method.MOVE_TASK:
        return by_move_task(target, work, why)
    with progress(rt.err, f"redriving {len(work)} dead letters") as track:
        return by_send_and_delete(target, work, why, track)


# --- the frame -----------------------------------------------------------------------------------
def _execute(args: argparse.Namespace, rt: Runtime) -> int:
    session = aws.session(profile=args.profile, region=args.region)
    pipelines = discover(rt.make_client(session, "ssm"), args.env, args.pipeline)
    if args.command == "status":
        return _status(args, rt, session, pipelines)
    try:
        return _redrive(args, rt, session, pipelines)
    except NothingMatchedError as error:
        say_error(rt.err, str(error))
        if args.json:
            print_json(
                rt.out, {"action": args.command, "error": str(error), "exit_code": EXIT_NOTHING_MATCHED}
            )
        return EXIT_NOTHING_MATCHED


def run(argv: Sequence[str] | None, rt: Runtime) -> int:
    return run_command(
        build_parser(),
        argv,
        rt,
        _execute,
        interrupted="interrupted: every dead letter not yet sent back is still on its queue; "
        "run the same command again",
    )


def main(argv: Sequence[str] | None = None) -> int:
    return run(argv, Runtime(make_client=default_client))


if __name__ == "__main__":
    sys.exit(main())
