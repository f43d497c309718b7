"""Output of every operator command: tables and a progress bar for people on a terminal, one JSON
document for scripts, and errors as one line on standard error."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TextIO, TypeVar

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

T = TypeVar("T")

PIPE_WIDTH = 160


def console_for(stream: TextIO) -> Console:
    """A console on `stream`; when it is not a terminal, wide enough that table rows stay on one line."""
    console = Console(file=stream)
    return console if console.is_terminal else Console(file=stream, width=PIPE_WIDTH)


def print_json(console: Console, document: dict[str, Any]) -> None:
    # Straight to the file: rich would wrap and highlight, which breaks `jq`.
    console.file.write(json.dumps(document, indent=2) + "\n")


def say_error(console: Console, message: str) -> None:
    # One unwrapped line, whatever the terminal width, so it can be grepped.
    console.file.write(f"error: {message}\n")


@contextmanager
def progress(console: Console, description: str) -> Iterator[Callable[[Sequence[T]], Iterable[T]]]:
    """A `track(items)` that shows a transient bar on a terminal and is a no-op anywhere else."""
    if not console.is_terminal:
        yield lambda items: items
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as bar:

        def track(items: Sequence[T]) -> Iterable[T]:
            return bar.track(items, total=len(items), description=description)

        yield track
