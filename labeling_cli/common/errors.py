"""The exit codes every operator command documents, and the one-line message each failure gets."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
    ProfileNotFound,
)

from labeling_cli.common.aws import NO_REGION
from labeling_cli.common.retry import THROTTLING_CODES, error_code

EXIT_OK = 0
EXIT_FAILED = 1  # the command ran and some of its items failed
EXIT_USAGE = 2  # invalid arguments or input: nothing was read from AWS or changed
EXIT_ENVIRONMENT = 3  # the environment cannot be used: no parameters, credentials, region or resource
EXIT_INTERRUPTED = 130  # Ctrl-C, as shells report SIGINT

EXIT_CODES: Mapping[int, str] = {
    EXIT_OK: "nothing failed",
    EXIT_FAILED: "some items failed (each is reported)",
    EXIT_USAGE: "invalid arguments or input; nothing was changed",
    EXIT_ENVIRONMENT: "the environment cannot be used (no SSM parameters, credentials or region, "
    "no such resource)",
    EXIT_INTERRUPTED: "interrupted (what was done so far is reported)",
}


class InputError(Exception):
    """The command's input as a whole is unusable (no file, no header, an unknown name ...): exit 2."""


class ConfigError(Exception):
    """The environment cannot be used as asked; the message says why and what to do: exit 3."""


def exit_codes_help(own: Mapping[int, str] | None = None) -> str:
    """The "Exit codes" section of a command's help: the shared codes and the command's own."""
    codes = {**EXIT_CODES, **(own or {})}
    return "Exit codes:\n" + "\n".join(f"  {code:<4}{codes[code]}" for code in sorted(codes)) + "\n"


def describe(error: Exception) -> str:
    """An AWS error as `Code: message`, saying so when it is throttling that outlasted the retries."""
    if isinstance(error, ClientError):
        code = error_code(error)
        text = f"{code}: {error.response.get('Error', {}).get('Message', '')}".rstrip(": ")
        return f"{text} (still throttled after retrying)" if code in THROTTLING_CODES else text
    return str(error)


def _no_credentials(_: BaseException) -> str:
    return "no AWS credentials found: set AWS_PROFILE (or --profile), or sign in with `aws sso login`"


def _aws_error(error: BaseException) -> str:
    return f"AWS refused or failed: {describe(error) if isinstance(error, Exception) else error}"


Explain = Callable[[BaseException], str]

# Checked in order (the botocore errors are subclasses of BotoCoreError): exit code and message.
_STOPS: tuple[tuple[type[BaseException] | tuple[type[BaseException], ...], int, Explain], ...] = (
    (InputError, EXIT_USAGE, str),
    (ConfigError, EXIT_ENVIRONMENT, str),
    ((NoCredentialsError, PartialCredentialsError), EXIT_ENVIRONMENT, _no_credentials),
    (NoRegionError, EXIT_ENVIRONMENT, lambda _: NO_REGION),
    (ProfileNotFound, EXIT_ENVIRONMENT, str),
    ((ClientError, BotoCoreError), EXIT_ENVIRONMENT, _aws_error),
)


def explain(error: BaseException, *, interrupted: str) -> tuple[int, str] | None:
    """The exit code and one-line message for an error that ends a command; None for a bug."""
    if isinstance(error, KeyboardInterrupt):
        return EXIT_INTERRUPTED, interrupted
    for kinds, code, message in _STOPS:
        if isinstance(error, kinds):
            return code, message(error)
    return None
