"""Output of `redrive`: a table per pipeline for people, one JSON document for scripts.

Cell values are rich `Text`, never markup, so a reason like `[red]` is shown as written.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from labeling_cli.common.output import print_json
from labeling_cli.pipeline.redrive import Outcome, PipelineRedrive

_STYLE = {
    Outcome.REDRIVEN: "green",
    Outcome.PLANNED: "cyan",
    Outcome.SKIPPED: "yellow",
    Outcome.FAILED: "bold red",
    Outcome.NOT_ATTEMPTED: "yellow",
}


def summary(runs: Sequence[PipelineRedrive]) -> dict[str, int]:
    counts = Counter(result.outcome for run in runs for result in run.results)
    return {outcome.value: counts.get(outcome, 0) for outcome in Outcome}


def redrive_document(
    args: argparse.Namespace, runs: Sequence[PipelineRedrive], *, completed: bool
) -> dict[str, Any]:
    now = time.time()
    return {
        "action": "redrive",
        "environment": args.env,
        "dry_run": args.dry_run,
        "completed": completed,
        "summary": summary(runs),
        "pipelines": [
            {
                "pipeline": run.pipeline,
                "method": run.method.value,
                "task_handle": run.task_handle,
                "results": [
                    {**r.letter.to_json(now), "outcome": r.outcome.value, "detail": r.detail}
                    for r in run.results
                ],
            }
            for run in runs
        ],
    }


def output_redrive(
    console: Console, args: argparse.Namespace, runs: Sequence[PipelineRedrive], *, completed: bool
) -> None:
    if args.json:
        print_json(console, redrive_document(args, runs, completed=completed))
        return
    if not runs:
        console.print(Text(f"Nothing is dead-lettered in environment {args.env}: nothing to redrive."))
        return
    for run in runs:
        what = "Dry run of redrive" if args.dry_run else "Redrive"
        title = f"{what} of pipeline {run.pipeline} by {run.method.value}"
        table = Table(title=title, title_justify="left")
        for column in ("Key", "Item", "Reasons", "Result", "Details"):
            table.add_column(column, no_wrap=column == "Key")
        for r in run.results:
            table.add_row(
                Text(r.letter.key or "-"),
                Text((r.letter.item_id or "-")[:16]),
                Text("; ".join(r.letter.reasons)),
                Text(r.outcome.value, style=_STYLE[r.outcome]),
                Text(r.detail),
            )
        console.print(table)
        if run.task_handle:
            console.print(Text(f"SQS message-move task {run.task_handle} is moving them."))
    counts = summary(runs)
    line = ", ".join(f"{n} {outcome}" for outcome, n in counts.items() if n)
    console.print(Text(("Dry run, nothing was changed: " if args.dry_run else "Redrive: ") + line + "."))
    if not completed:
        console.print(Text("Interrupted: run the same command again to finish."))
