"""`labeling-invite` and `python scripts/invite.py`: the older form of `labelers`, kept for those who
know it. It took the command as a flag (`--list`, `--resend`, `--disable`, `--remove`; inviting
without one); every other option is the same, so it is translated and run as `labelers`."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from labeling_cli.common.cli import Runtime
from labeling_cli.common.errors import EXIT_USAGE
from labeling_cli.common.output import say_error
from labeling_cli.labelers import cli

PROG = "labeling-invite"
COMMAND_FLAGS = {"--resend": "resend", "--remove": "remove", "--disable": "disable", "--list": "list"}
HELP_FLAGS = frozenset({"-h", "--help"})

PREAMBLE = f"""\
usage: {PROG} [--resend | --remove | --disable | --list] OPTIONS

{PROG} (also `python scripts/invite.py`) is the older form of `{cli.PROG}`; it takes the same options:
  {PROG} OPTIONS             is  {cli.PROG} invite OPTIONS
  {PROG} --resend OPTIONS    is  {cli.PROG} resend OPTIONS
  {PROG} --disable OPTIONS   is  {cli.PROG} disable OPTIONS
  {PROG} --remove OPTIONS    is  {cli.PROG} remove OPTIONS
  {PROG} --list OPTIONS      is  {cli.PROG} list OPTIONS
`{PROG} --list --help` shows the options of list, and so on. The options of invite follow.

"""


def _split(argv: Sequence[str]) -> tuple[list[str], list[str]]:
    """The options, and what follows a `--` (which argparse takes as values, never as options)."""
    end = list(argv).index("--") if "--" in argv else len(argv)
    return list(argv[:end]), list(argv[end:])


def translate(argv: Sequence[str]) -> list[str]:
    """The `labelers` arguments for old-style arguments; ValueError if two command flags are given."""
    options, rest = _split(argv)
    flags = list(dict.fromkeys(arg for arg in options if arg in COMMAND_FLAGS))
    if len(flags) > 1:
        raise ValueError(f"argument {flags[1]}: not allowed with argument {flags[0]}")
    command = COMMAND_FLAGS[flags[0]] if flags else "invite"
    return [command, *(arg for arg in options if arg not in COMMAND_FLAGS), *rest]


def run(argv: Sequence[str] | None, rt: Runtime) -> int:
    given = list(sys.argv[1:] if argv is None else argv)
    try:
        translated = translate(given)
    except ValueError as error:
        say_error(rt.err, f"{PROG}: {error} (see '{PROG} --help')")
        return EXIT_USAGE
    if translated[0] == "invite" and HELP_FLAGS & set(_split(given)[0]):
        rt.out.file.write(PREAMBLE)
    return cli.run(translated, rt)


def main(argv: Sequence[str] | None = None) -> int:
    return run(argv, Runtime(make_client=cli.default_client))


if __name__ == "__main__":
    sys.exit(main())
