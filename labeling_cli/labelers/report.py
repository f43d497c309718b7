"""Output of the labeler commands: a summary table for people, one JSON document for scripts.

Everything printed comes from our own result records; no Cognito response is echoed, so nothing
secret can reach the screen. Cell values are rich `Text`, never markup, so a name like `[red]` is
shown as typed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from labeling_cli.labelers.actions import Outcome, RowResult, WorkerView
from labeling_cli.labelers.workforce import Workforce

_STYLE = {
    Outcome.SUCCEEDED: "green",
    Outcome.SKIPPED: "yellow",
    Outcome.FAILED: "bold red",
    Outcome.PLANNED: "cyan",
}


def summary(results: Sequence[RowResult]) -> dict[str, int]:
    counts = Counter(result.outcome for result in results)
    return {outcome.value: counts.get(outcome, 0) for outcome in Outcome}


def _detail(result: RowResult) -> Text:
    if result.outcome is Outcome.PLANNED:
        text = "would " + "; ".join(result.changes)
    else:
        text = "; ".join(result.changes)
    if result.message:
        text = f"{text}; {result.message}" if text else result.message
    return Text(text)


def _where(result: RowResult) -> str:
    return str(result.line) if result.line is not None else "-"


def _totals_line(action: str, counts: dict[str, int], dry_run: bool) -> str:
    parts = [f"{counts['succeeded']} succeeded", f"{counts['skipped']} skipped", f"{counts['failed']} failed"]
    if dry_run:
        parts = [f"{counts['planned']} planned", *parts[1:]]
        return f"Dry run of {action}, nothing was changed: {', '.join(parts)}."
    return f"{action.capitalize()}: {', '.join(parts)}."


def print_results(
    console: Console,
    *,
    action: str,
    workforce: Workforce,
    results: Sequence[RowResult],
    dry_run: bool,
    note: str,
    totals: bool = True,
) -> None:
    title = (
        f"{'Dry run of ' if dry_run else ''}{action}: user pool {workforce.user_pool_id} ({workforce.source})"
    )
    table = Table(title=title[0].upper() + title[1:], title_justify="left")
    table.add_column("Line", justify="right")
    table.add_column("Email", no_wrap=True)
    table.add_column("User", no_wrap=True)
    table.add_column("Result")
    table.add_column("Details")
    for result in results:
        table.add_row(
            _where(result),
            Text(result.email),
            Text(result.username or "-"),
            Text(result.outcome.value, style=_STYLE[result.outcome]),
            _detail(result),
        )
    console.print(table)
    if totals:
        console.print(Text(_totals_line(action, summary(results), dry_run)))
    if note:
        console.print(Text(note))


def results_document(
    *,
    action: str,
    workforce: Workforce,
    results: Sequence[RowResult],
    dry_run: bool,
    completed: bool,
    note: str,
) -> dict[str, Any]:
    return {
        "action": action,
        "dry_run": dry_run,
        "user_pool_id": workforce.user_pool_id,
        "source": workforce.source,
        "portal_url": workforce.portal_url,
        "completed": completed,
        "message": note,
        "summary": summary(results),
        "results": [
            {
                "line": result.line,
                "email": result.email,
                "username": result.username,
                "outcome": result.outcome.value,
                "changes": list(result.changes),
                "message": result.message,
            }
            for result in results
        ],
    }


def _mfa_text(view: WorkerView) -> str:
    if not view.mfa.enabled:
        return "none"
    preferred = f", preferred {view.mfa.preferred}" if view.mfa.preferred else ""
    return f"enabled ({', '.join(view.mfa.methods)}{preferred})"


def print_workers(console: Console, workforce: Workforce, views: Sequence[WorkerView]) -> None:
    table = Table(
        title=f"Workers in user pool {workforce.user_pool_id} ({workforce.source})", title_justify="left"
    )
    for column in ("Email", "Name", "User", "Status", "MFA", "Teams", "Created"):
        table.add_column(column, no_wrap=column in {"Email", "User"})
    for view in views:
        worker = view.worker
        table.add_row(
            Text(worker.email or "-"),
            Text(worker.name or ""),
            Text(worker.username),
            Text(worker.status),
            Text(_mfa_text(view)),
            Text(", ".join(view.teams) or "-"),
            Text(worker.created.date().isoformat() if worker.created else "-"),
        )
    console.print(table)
    counts = Counter(view.worker.status for view in views)
    console.print(
        Text(f"{len(views)} workers: " + ", ".join(f"{n} {status}" for status, n in sorted(counts.items())))
    )


def workers_document(workforce: Workforce, views: Sequence[WorkerView]) -> dict[str, Any]:
    return {
        "action": "list",
        "user_pool_id": workforce.user_pool_id,
        "source": workforce.source,
        "portal_url": workforce.portal_url,
        "workers": [
            {
                "email": view.worker.email,
                "name": view.worker.name,
                "username": view.worker.username,
                "status": view.worker.status,
                "enabled": view.worker.enabled,
                "user_status": view.worker.user_status,
                "mfa": {
                    "enabled": view.mfa.enabled,
                    "methods": list(view.mfa.methods),
                    "preferred": view.mfa.preferred,
                },
                "teams": list(view.teams),
                "created": view.worker.created.isoformat() if view.worker.created else None,
            }
            for view in views
        ],
        "summary": {"workers": len(views)},
    }
