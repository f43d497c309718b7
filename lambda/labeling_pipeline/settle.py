"""Ending a batch: every item it still holds goes back, whatever happened before.

``settle_batch`` walks the batch's input manifest (the list of every item the batch committed) and
returns each item whose ledger row is still claimed by the batch, with the most specific reason known.
It is the last step of every path through the state machine — success, a failed or empty job, rejected
reviews, a step that threw — so an item leaves a batch either LABELED or back on a queue.

``sweep`` covers the paths that run no step at all (an execution that timed out or was stopped): it
settles the batches of registered executions that are no longer running.

Neither returns an item while a job of its batch still runs (``jobs.stop_batch_jobs``): such a job is
stopped, and its items stay claimed until it has stopped.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from itertools import islice
from typing import TYPE_CHECKING

from aws_lambda_powertools import Logger
from botocore.exceptions import ClientError

from .jobs import stop_batch_jobs
from .jsonlines import NotFoundError
from .layout import BatchLayout
from .ledger import BatchRow, BatchState, Claim, ItemState, Ledger
from .manifests import manifest_items
from .model import SweepResult
from .queues import Queues
from .reasons import read_reasons
from .returns import ItemReturn, ItemReturner, ReturnCounts, reason_for

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sagemaker import SageMakerClient
    from mypy_boto3_stepfunctions import SFNClient

logger = Logger(child=True)

PAGE_SIZE = 100
# Stop starting new pages when less than this is left; the state machine calls again to continue.
SETTLE_RESERVE_SECONDS = 30.0


class ReturnIncompleteError(RuntimeError):
    """Some items could not be sent back; the step is retried and finds them still claimed."""


class JobStillRunningError(RuntimeError):
    """A job of the batch still runs (it was told to stop); the step is retried and returns them later."""


@dataclass
class SettleProgress:
    complete: bool = False
    next_offset: int = 0
    labeled: int = 0
    counts: ReturnCounts = field(default_factory=ReturnCounts)


def settle_batch(
    *,
    ledger: Ledger,
    queues: Queues,
    s3: S3Client,
    batch: BatchRow,
    max_attempts: int,
    reasons: Mapping[str, str],
    default_reason: str,
    offset: int,
    seconds_left: Callable[[], float],
    chunk_errors: Mapping[str, str] | None = None,
) -> SettleProgress:
    """Return the batch's still-claimed items from manifest position ``offset`` on, page by page."""
    progress = SettleProgress(next_offset=offset)
    claim = Claim(batch.batch_id, batch.claim_token)
    returner = ItemReturner(ledger, queues, max_attempts, claim)
    if batch.manifest_uri is None:
        progress.complete = True
        return progress
    try:
        items = manifest_items(s3, batch.manifest_uri, offset)
        while True:
            page = list(islice(items, PAGE_SIZE))
            if not page:
                progress.complete = True
                break
            rows = ledger.get_items(page)
            returns = []
            for item_id in page:
                row = rows.get(item_id)
                if row is None:
                    continue
                if row.claimed_by(claim):
                    returns.append(ItemReturn(row, reason_for(row, reasons, default_reason, chunk_errors)))
                elif row.state is ItemState.LABELED and row.labeled_by == batch.batch_id:
                    progress.labeled += 1
            returner.return_items(returns)
            progress.next_offset += len(page)
            if len(page) < PAGE_SIZE:
                progress.complete = True
                break
            if seconds_left() < SETTLE_RESERVE_SECONDS:
                break
    except NotFoundError:
        logger.error("batch manifest is missing; nothing to return", extra={"uri": batch.manifest_uri})
        progress.complete = True
    progress.counts = returner.counts
    if returner.counts.unsent:
        raise ReturnIncompleteError(f"{returner.counts.unsent} items could not be sent back to a queue")
    return progress


@dataclass
class SweepSummary:
    settled_batches: int = 0
    unfinished_batches: int = 0
    # Batches left alone because a job of theirs still runs (stopped, not yet Stopped).
    waiting_batches: int = 0
    counts: ReturnCounts = field(default_factory=ReturnCounts)

    def to_json(self) -> SweepResult:
        return {
            "settled_batches": self.settled_batches,
            "unfinished_batches": self.unfinished_batches,
            "waiting_batches": self.waiting_batches,
            "returned": self.counts.returned,
            "dead_lettered": self.counts.dead_lettered,
        }


def execution_status(stepfunctions: SFNClient, execution_arn: str) -> str:
    try:
        return str(stepfunctions.describe_execution(executionArn=execution_arn)["status"])
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "ExecutionDoesNotExist":
            return "GONE"
        raise


def sweep(
    *,
    ledger: Ledger,
    queues: Queues,
    s3: S3Client,
    stepfunctions: SFNClient,
    sagemaker: SageMakerClient,
    pipeline_name: str,
    output_bucket: str,
    max_attempts: int,
    own_execution_arn: str,
    seconds_left: Callable[[], float],
) -> SweepSummary:
    """Settle the batches of executions that ended without settling them (timed out, stopped)."""
    summary = SweepSummary()
    for execution_arn in ledger.open_batches():
        if execution_arn == own_execution_arn or seconds_left() < SETTLE_RESERVE_SECONDS:
            continue
        status = execution_status(stepfunctions, execution_arn)
        if status == "RUNNING":
            continue
        batch_id = execution_arn.rsplit(":", 1)[-1]
        batch = ledger.get_batch(batch_id)
        if batch is None or batch.state is not BatchState.COMMITTED:
            # Died while claiming (nothing committed), or already finished: only the registry entry is left.
            if batch is not None and batch.state is BatchState.CLAIMING:
                ledger.close_batch(batch_id, BatchState.ABANDONED)
            ledger.unregister_open(execution_arn)
            continue
        running = stop_batch_jobs(sagemaker, pipeline_name, batch_id)
        if running:
            logger.info(
                "abandoned batch waits for its jobs to stop", extra={"batch": batch_id, "jobs": running}
            )
            summary.waiting_batches += 1
            continue
        layout = BatchLayout(output_bucket, batch_id)
        progress = settle_batch(
            ledger=ledger,
            queues=queues,
            s3=s3,
            batch=batch,
            max_attempts=max_attempts,
            reasons=read_reasons(s3, layout),
            default_reason=f"execution {batch_id} ended ({status}) before its items were labeled",
            offset=0,
            seconds_left=seconds_left,
        )
        summary.counts.add(progress.counts)
        if progress.complete:
            totals = {"labeled": progress.labeled, "returned": progress.counts.returned}
            ledger.close_batch(
                batch_id, BatchState.FINISHED, totals | {"dead_lettered": progress.counts.dead_lettered}
            )
            ledger.unregister_open(execution_arn)
            summary.settled_batches += 1
        else:
            summary.unfinished_batches += 1
    return summary
