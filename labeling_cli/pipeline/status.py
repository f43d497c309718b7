"""What a pipeline is doing: its queues, its dead letters and why, its executions and labeling jobs.

Everything is read; nothing is changed. The dead-letter queue is read by receiving its messages and
making them visible again at once (dead_letters.held), so the pipeline and a later `redrive` see them
as before.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from labeling_cli.pipeline import dead_letters
from labeling_cli.pipeline.pipelines import Pipeline, queues_of

TOP_REASONS = 5
LAST_RUNS = 5
# Dead letters read for the reasons and the oldest age; the counts come from SQS for the whole queue.
DEAD_LETTER_SAMPLE = 1000
# The state machine's start-job step names jobs "<pipeline name, [^A-Za-z0-9] runs as '-', at most 46
# characters>-<digest>-lbl|rev" (lambda/labeling_pipeline/jobs.py, `job_name`).
JOB_PREFIX_CHARS = 46
STAGES = {"lbl": "labeling", "rev": "review"}
# The state machine runs a few dozen steps per poll; the latest entered state is among the last ones.
HISTORY_EVENTS = 50


def _counts(sqs: Any, url: str) -> dict[str, int]:
    names = [
        "ApproximateNumberOfMessages",
        "ApproximateNumberOfMessagesNotVisible",
        "ApproximateNumberOfMessagesDelayed",
    ]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
    visible, invisible, delayed = (int(attributes.get(name, 0)) for name in names)
    return {"waiting": visible + delayed, "in_flight": invisible}


def _dead_letters(sqs: Any, url: str, now: float) -> dict[str, Any]:
    with dead_letters.held(sqs, url, limit=DEAD_LETTER_SAMPLE) as letters:
        reasons = Counter(reason for letter in letters for reason in set(letter.reasons))
        oldest = min((letter.sent_at for letter in letters), default=None)
    return {
        "read": len(letters),
        "top_reasons": [{"reason": r, "items": n} for r, n in reasons.most_common(TOP_REASONS)],
        "oldest_age_seconds": None if oldest is None else round(now - oldest),
    }


def _iso(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, datetime) else None


def _stage(sfn: Any, execution_arn: str) -> str | None:
    events = sfn.get_execution_history(
        executionArn=execution_arn, reverseOrder=True, maxResults=HISTORY_EVENTS
    ).get("events", [])
    return next(
        (e["stateEnteredEventDetails"]["name"] for e in events if "stateEnteredEventDetails" in e), None
    )


def _executions(sfn: Any, state_machine_arn: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    running = sfn.list_executions(stateMachineArn=state_machine_arn, statusFilter="RUNNING", maxResults=10)
    now_running = [
        {"name": e["name"], "started": _iso(e.get("startDate")), "stage": _stage(sfn, e["executionArn"])}
        for e in running.get("executions", [])
    ]
    recent = sfn.list_executions(stateMachineArn=state_machine_arn, maxResults=LAST_RUNS + len(now_running))
    last_runs: list[dict[str, Any]] = []
    for e in recent.get("executions", []):
        if e["status"] == "RUNNING" or len(last_runs) == LAST_RUNS:
            continue
        start, stop = e.get("startDate"), e.get("stopDate")
        last_runs.append(
            {
                "name": e["name"],
                "status": e["status"],
                "started": _iso(start),
                "seconds": round((stop - start).total_seconds()) if start and stop else None,
            }
        )
    return now_running, last_runs


def _jobs(sagemaker: Any, pipeline: Pipeline) -> list[dict[str, Any]]:
    prefix = re.sub(r"[^A-Za-z0-9]+", "-", pipeline.state_machine_name).strip("-")[:JOB_PREFIX_CHARS]
    listed = sagemaker.list_labeling_jobs(NameContains=prefix, StatusEquals="InProgress", MaxResults=100)
    jobs = []
    for summary in listed.get("LabelingJobSummaryList", []):
        name = summary["LabelingJobName"]
        counters = sagemaker.describe_labeling_job(LabelingJobName=name).get("LabelCounters", {})
        jobs.append(
            {
                "name": name,
                "stage": STAGES.get(name.rsplit("-", 1)[-1], "labeling"),
                "labeled": counters.get("TotalLabeled", 0),
                "failed": counters.get("FailedNonRetryableError", 0),
                "remaining": counters.get("Unlabeled", 0),
            }
        )
    return jobs


def pipeline_status(pipeline: Pipeline, clients: dict[str, Any], now: float) -> dict[str, Any]:
    sqs = clients["sqs"]
    queues = queues_of(pipeline, sqs)
    now_running, last_runs = _executions(clients["stepfunctions"], pipeline.state_machine_arn)
    dead = _counts(sqs, queues.dead_letter_url)
    return {
        "pipeline": pipeline.name,
        "dashboard_url": pipeline.dashboard_url,
        "queue": _counts(sqs, queues.upload_url),
        "dead_letters": {
            "count": dead["waiting"] + dead["in_flight"],
            **_dead_letters(sqs, queues.dead_letter_url, now),
        },
        "running": now_running,
        "jobs": _jobs(clients["sagemaker"], pipeline),
        "last_runs": last_runs,
    }


def _age(seconds: int | None) -> str:
    if seconds is None:
        return "-"
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds // size} {unit}"
    return f"{seconds} s"


def print_status(console: Console, env: str, statuses: Sequence[dict[str, Any]]) -> None:
    overview = Table(title=f"Labeling pipelines of environment {env}", title_justify="left")
    for column in ("Pipeline", "Waiting", "In flight", "Dead-lettered", "Oldest dead letter", "Running now"):
        overview.add_column(column, justify="left" if column in {"Pipeline", "Running now"} else "right")
    for s in statuses:
        running = ", ".join(f"{r['name']} ({r['stage'] or 'starting'})" for r in s["running"]) or "-"
        overview.add_row(
            Text(s["pipeline"]),
            str(s["queue"]["waiting"]),
            str(s["queue"]["in_flight"]),
            str(s["dead_letters"]["count"]),
            _age(s["dead_letters"]["oldest_age_seconds"]),
            Text(running),
        )
    console.print(overview)
    for s in statuses:
        _print_details(console, s)


def _print_details(console: Console, s: dict[str, Any]) -> None:
    name = s["pipeline"]
    if s["dashboard_url"]:
        console.print(Text(f"{name}: dashboard {s['dashboard_url']}"))
    if s["dead_letters"]["top_reasons"]:
        reasons = Table(title=f"{name}: most common reasons in the dead-letter queue", title_justify="left")
        reasons.add_column("Items", justify="right")
        reasons.add_column("Reason")
        for entry in s["dead_letters"]["top_reasons"]:
            reasons.add_row(str(entry["items"]), Text(entry["reason"]))
        console.print(reasons)
    if s["jobs"]:
        jobs = Table(title=f"{name}: labeling jobs in progress", title_justify="left")
        for column in ("Job", "Stage", "Labeled", "Failed", "Remaining"):
            jobs.add_column(column, justify="left" if column in {"Job", "Stage"} else "right")
        for job in s["jobs"]:
            jobs.add_row(
                Text(job["name"]),
                job["stage"],
                str(job["labeled"]),
                str(job["failed"]),
                str(job["remaining"]),
            )
        console.print(jobs)
    if s["last_runs"]:
        runs = Table(title=f"{name}: last runs", title_justify="left")
        for column in ("Execution", "Outcome", "Started", "Took"):
            runs.add_column(column)
        for run in s["last_runs"]:
            took = "-" if run["seconds"] is None else _age(run["seconds"])
            runs.add_row(Text(run["name"]), run["status"], run["started"] or "-", took)
        console.print(runs)
