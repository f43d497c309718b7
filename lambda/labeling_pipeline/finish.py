"""How an execution ends: its batch settled, and an outcome the state machine turns into its result.

Every path of the state machine reaches ``ReturnItems``, carrying what happened on the way: a step's
failure (``failure``), a job that failed (``labeling_job`` / ``verification_job`` with ``next: FAILED``), or
nothing special. That decides both the reason given to items that have no more specific one and the
outcome: ``STEP_FAILED``, ``JOB_FAILED``, ``NOTHING_LABELED`` or ``LABELED``.

A step may fail while the batch's job still runs (a check that crashed beyond its retries): the job is
stopped first, and the items go back only once it has stopped (``JobStillRunningError`` until then).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .chunks import chunk_errors
from .jobs import stop_batch_jobs
from .layout import BatchLayout
from .ledger import BatchState, Ledger
from .model import ExecutionState, FinishResult
from .queues import Queues
from .reasons import read_reasons
from .returns import ReturnCounts
from .settle import JobStillRunningError, settle_batch

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sagemaker import SageMakerClient

MAX_REASON_CHARS = 1000
TOTALS = ("labeled", "returned", "dead_lettered")


def describe_failure(failure: Mapping[str, Any]) -> str:
    """A Catch's {Error, Cause} as one line; a Lambda error's Cause is JSON with errorType/errorMessage."""
    error, cause = str(failure.get("Error", "")), failure.get("Cause")
    try:
        details = json.loads(cause) if isinstance(cause, str) else None
    except json.JSONDecodeError:
        details = None
    if isinstance(details, Mapping) and details.get("errorMessage"):
        text = f"{details.get('errorType') or error}: {details['errorMessage']}"
    else:
        text = f"{error}: {cause}" if cause else error
    return text[:MAX_REASON_CHARS]


def outcome_of(state: Mapping[str, Any]) -> tuple[str | None, str]:
    """(failure outcome or None, the reason given to items with no more specific one)."""
    failure = state.get("failure")
    if isinstance(failure, Mapping):
        return "STEP_FAILED", f"a pipeline step failed: {describe_failure(failure)}"
    for key, label in (("labeling_job", "labeling job"), ("verification_job", "review job")):
        job = state.get(key)
        if isinstance(job, Mapping) and job.get("next") == "FAILED":
            reason = f"{label} {job.get('job_name')} ended {job.get('status')}: {job.get('failure_reason')}"
            return "JOB_FAILED", reason[:MAX_REASON_CHARS]
    return None, "missing from the output of the batch's jobs"


def failed_chunks(state: Mapping[str, Any]) -> dict[int, str]:
    """{chunk index: error name} of the chunks whose write failed, from ChunkFailed's bounded summaries."""
    written = state.get("written")
    if not isinstance(written, list):
        return {}
    return {
        chunk["chunk"]: str(chunk["error"])
        for chunk in written
        if isinstance(chunk, Mapping) and isinstance(chunk.get("chunk"), int) and "error" in chunk
    }


def _job_name(state: Mapping[str, Any], key: str) -> str | None:
    job = state.get(key)
    return str(job["job_name"]) if isinstance(job, Mapping) and job.get("job_name") else None


@dataclass
class Finished:
    complete: bool
    next_offset: int
    outcome: str
    summary: str
    items: int
    totals: dict[str, int]
    labeling_job: str | None
    verification_job: str | None
    counts: ReturnCounts = field(default_factory=ReturnCounts)

    def to_json(self) -> FinishResult:
        return {
            "complete": self.complete,
            "next_offset": self.next_offset,
            "outcome": self.outcome,
            "summary": self.summary,
            "items": self.items,
            "labeled": self.totals["labeled"],
            "returned": self.totals["returned"],
            "dead_lettered": self.totals["dead_lettered"],
            "labeling_job": self.labeling_job,
            "verification_job": self.verification_job,
        }


def finish_execution(
    *,
    state: ExecutionState,
    execution_name: str,
    execution_arn: str,
    ledger: Ledger,
    queues: Queues,
    s3: S3Client,
    sagemaker: SageMakerClient,
    pipeline_name: str,
    output_bucket: str,
    max_attempts: int,
    seconds_left: Callable[[], float],
) -> Finished:
    """Settle the execution's batch (or continue settling it from ``state.returned.next_offset``)."""
    earlier = state.get("returned")
    previous: Mapping[str, Any] = earlier if isinstance(earlier, Mapping) else {}
    failure_outcome, default_reason = outcome_of(state)
    batch = ledger.get_batch(execution_name)
    totals = {key: int(previous.get(key, 0)) for key in TOTALS}
    complete, next_offset, items, counts = True, 0, 0, ReturnCounts()
    if batch is not None and batch.state is BatchState.CLAIMING:
        # The claim failed before committing: its rows belong to no job and are taken over by the next claim.
        ledger.close_batch(batch.batch_id, BatchState.ABANDONED)
    elif batch is not None and batch.state is BatchState.COMMITTED:
        running = stop_batch_jobs(sagemaker, pipeline_name, batch.batch_id)
        if running:
            raise JobStillRunningError(
                f"job {', '.join(running)} still runs; it was told to stop, and its items go back once it has"
            )
        items = batch.item_count
        layout = BatchLayout(output_bucket, batch.batch_id)
        progress = settle_batch(
            ledger=ledger,
            queues=queues,
            s3=s3,
            batch=batch,
            max_attempts=max_attempts,
            reasons=read_reasons(s3, layout),
            default_reason=default_reason,
            offset=int(previous.get("next_offset", 0)),
            seconds_left=seconds_left,
            chunk_errors=chunk_errors(s3, layout, failed_chunks(state)),
        )
        counts = progress.counts
        totals["labeled"] += progress.labeled
        totals["returned"] += counts.returned
        totals["dead_lettered"] += counts.dead_lettered
        complete, next_offset = progress.complete, progress.next_offset
        if complete:
            ledger.close_batch(batch.batch_id, BatchState.FINISHED, totals)
            ledger.unregister_open(execution_arn)
    elif batch is not None:
        # Settled already (this step is being retried after it finished): report the same totals.
        items = batch.item_count
        totals |= {key: value for key, value in batch.totals.items() if key in totals}
    outcome = failure_outcome or ("LABELED" if totals["labeled"] else "NOTHING_LABELED")
    summary = (
        f"{items} items: {totals['labeled']} labeled, {totals['returned']} returned to the queue, "
        f"{totals['dead_lettered']} dead-lettered"
    )
    if outcome != "LABELED":
        summary += f"; {default_reason}" if failure_outcome else "; no item was labeled and accepted"
    return Finished(
        complete=complete,
        next_offset=next_offset,
        outcome=outcome,
        summary=summary,
        items=items,
        totals=totals,
        labeling_job=_job_name(state, "labeling_job"),
        verification_job=_job_name(state, "verification_job"),
        counts=counts,
    )
