"""The frame of every operator command: a parser whose usage errors are one line (exit 2, before
anything touches AWS), the options all commands share, and the run that turns failures into one-line
errors and documented exit codes."""

from __future__ import annotations

import argparse
import logging
import sys
import textwrap
import time
from collections.abc import Callable, Sequence
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass, field
from typing import Any, NoReturn

import boto3
from rich.console import Console

from labeling_cli.common.aws import REGION_HELP
from labeling_cli.common.errors import EXIT_USAGE, explain
from labeling_cli.common.output import console_for, print_json, say_error
from labeling_cli.common.ssm import env_name, env_prefix

log = logging.getLogger("labeling_cli")

AWS_ACCESS_HELP = """\
AWS access:
  The standard credential chain (AWS_PROFILE or --profile, SSO, instance roles ...). The region is
  --region, else AWS_REGION, else AWS_DEFAULT_REGION, else the profile's (the Terraform AWS provider's
  order). AWS_ENDPOINT_URL is honoured, so the same commands work against the local emulator.
"""

Check = Callable[[argparse.Namespace], str | None]


@dataclass
class Runtime:
    """What a command touches outside itself, so tests can replace it."""

    make_client: Callable[[boto3.Session, str], Any]
    out: Console = field(default_factory=lambda: console_for(sys.stdout))
    err: Console = field(default_factory=lambda: console_for(sys.stderr))
    sleep: Callable[[float], None] = time.sleep


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Keeps the description and epilog as written, and never breaks an option or a path at a hyphen."""

    def _split_lines(self, text: str, width: int) -> list[str]:
        return textwrap.wrap(" ".join(text.split()), width, break_on_hyphens=False)


class Parser(argparse.ArgumentParser):
    """Usage errors as one line on standard error, exit code 2.

    `add_check` adds a rule on the parsed arguments that argparse cannot state itself (an option that
    another one requires); `parse` applies them, so they too come before anything else runs.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        # Commands have different options: an abbreviation valid in one (--team for --team-group)
        # would silently mean another option in the next.
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)
        self._checks: list[Check] = []
        self.set_defaults(command_parser=self)

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"error: {self.prog}: {message} (see '{self.prog} --help')\n")

    def add_check(self, check: Check) -> None:
        self._checks.append(check)

    def parse(self, argv: Sequence[str] | None) -> argparse.Namespace:
        """The arguments, with every check of the (sub)command that parsed them applied."""
        args = self.parse_args(argv)
        command_parser: Parser = args.command_parser
        problem = next((p for p in (check(args) for check in command_parser._checks) if p), None)
        if problem:
            command_parser.error(problem)
        return args


def add_env_argument(group: argparse._ArgumentGroup, *, component: str) -> None:
    """--env: the environment whose resources are found under /private-labeling/ENV/`component`."""
    group.add_argument(
        "--env",
        metavar="NAME",
        type=env_name,
        help=f"the environment; its resources are found through the SSM parameters under "
        f"{env_prefix('ENV', component)}. Example: --env dev",
    )


def add_aws_arguments(group: argparse._ArgumentGroup) -> None:
    group.add_argument("--region", help=REGION_HELP)
    group.add_argument(
        "--profile",
        metavar="NAME",
        help="AWS profile (default: AWS_PROFILE). Example: --profile labeling-admin",
    )


def add_output_arguments(group: argparse._ArgumentGroup, *, json_example: str, verbose_example: str) -> None:
    """--json and --verbose, which every command has."""
    group.add_argument(
        "--json",
        action="store_true",
        help=f"print one JSON document on standard output instead of tables. Example: {json_example}",
    )
    group.add_argument(
        "--verbose",
        action="store_true",
        help=f"log each AWS call to standard error. Example: {verbose_example}",
    )


def add_dry_run_argument(group: argparse._ArgumentGroup, *, example: str) -> None:
    """--dry-run, which every command that changes something has."""
    group.add_argument(
        "--dry-run",
        action="store_true",
        help=f"read everything, write nothing, and say what would be done. Example: {example}",
    )


def run_command(
    parser: Parser,
    argv: Sequence[str] | None,
    rt: Runtime,
    execute: Callable[[argparse.Namespace, Runtime], int],
    *,
    interrupted: str,
) -> int:
    """Parses (help and usage errors go to the runtime's consoles), then executes; a failure becomes
    its exit code and one line on standard error (and, with --json, a JSON document saying so).
    `interrupted` is what to say about Ctrl-C outside the command's own handling of it."""
    with redirect_stdout(rt.out.file), redirect_stderr(rt.err.file):
        try:
            args = parser.parse(argv)
        except SystemExit as stop:  # --help, or a usage error
            return stop.code if isinstance(stop.code, int) else EXIT_USAGE

    handler = logging.StreamHandler(rt.err.file)
    if args.verbose:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.DEBUG)
    try:
        return execute(args, rt)
    except (Exception, KeyboardInterrupt) as error:
        explained = explain(error, interrupted=interrupted)
        if explained is None:
            raise
        code, message = explained
        say_error(rt.err, message)
        if args.json:
            print_json(rt.out, {"action": args.command, "error": message, "exit_code": code})
        return code
    finally:
        log.removeHandler(handler)
        log.setLevel(logging.NOTSET)
