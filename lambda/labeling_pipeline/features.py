"""Writing accepted labels to the Feature Group, concurrently and without losing an error.

The Feature Store has no batch put, so throughput comes from concurrent PutRecord calls on a bounded
thread pool. Each task does the whole job for one item — the put and its throttling retries (exponential
backoff with full jitter, bounded by the invocation's time budget) — so a task never submits to or waits
on the pool (the deadlock of a pool whose tasks wait on the same pool). Every future's result is read, so
no failure disappears. Only after the puts, the ledger marks the written items, in transactions of up to
100 rows.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Protocol

from botocore.exceptions import BotoCoreError, ClientError

from .config import TaskType
from .facts import FEATURES
from .ledger import Claim, ItemState, Ledger, LedgerItem, LedgerLagError
from .model import AcceptedLabel, WriteResult, event_time

if TYPE_CHECKING:
    from mypy_boto3_sagemaker_featurestore_runtime.type_defs import FeatureValueTypeDef

# Retries of a throttled PutRecord: exponential backoff with full jitter from 0.1 s, capped at 8 s per wait.
MAX_PUT_ATTEMPTS = 8
RETRY_BASE_DELAY_SECONDS = 0.1
RETRY_MAX_DELAY_SECONDS = 8.0

THROTTLING_CODES = frozenset(
    {
        "ThrottlingException",
        "ThrottledException",
        "Throttling",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "ProvisionedThroughputExceededException",
        "ServiceUnavailable",
        "InternalFailure",
    }
)


def build_record(item: LedgerItem, accepted: AcceptedLabel, task_type: TaskType) -> list[FeatureValueTypeDef]:
    """The PutRecord ``Record`` of one item: exactly the Feature Group's features, values as strings."""
    values: dict[str, str | None] = {
        "record_id": item.record_id,
        # The upload time of the object version, so the newest version wins in the online store whatever
        # order its labeling jobs finish in; labeled_at says when the label itself was made.
        "event_time": event_time(item.uploaded_at) or accepted.labeled_at,
        "source_ref": item.source.uri,
        "source_version": item.source.version_id or item.source.etag or "",
        "line_number": str(item.line or 0),
        "source_text": item.text or "",
        "task_type": task_type.value,
        "label": accepted.label,
        "confidence": None if accepted.confidence is None else repr(accepted.confidence),
        "labeling_job_name": accepted.labeling_job_name,
        "verification_outcome": accepted.verification_outcome,
        "labeled_at": accepted.labeled_at,
    }
    # In the Feature Group's order (data/features.json); a feature without a value here fails loudly.
    return [
        {"FeatureName": name, "ValueAsString": value}
        for name, _ in FEATURES
        if (value := values[name]) is not None
    ]


class RecordStore(Protocol):
    """The one call the writer makes: the Feature Store runtime client's, or a test's fake."""

    def put_record(self, *, FeatureGroupName: str, Record: Sequence[FeatureValueTypeDef]) -> object: ...


@dataclass(frozen=True)
class WriteTask:
    item: LedgerItem
    record: list[FeatureValueTypeDef]


@dataclass(frozen=True)
class WriteOutcome:
    task: WriteTask
    error: str | None = None
    throttled: bool = False
    out_of_time: bool = False

    @property
    def written(self) -> bool:
        return self.error is None


def _error_code(error: Exception) -> str:
    if isinstance(error, ClientError):
        return str(error.response.get("Error", {}).get("Code", ""))
    return type(error).__name__


class FeatureStoreWriter:
    """Concurrent PutRecord with retries; ``after_write`` runs in the same task after each success."""

    def __init__(
        self,
        client: RecordStore,
        feature_group: str,
        concurrency: int,
        *,
        max_attempts: int | None = None,
        base_delay: float | None = None,
        max_delay: float | None = None,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._feature_group = feature_group
        self._concurrency = concurrency
        self._max_attempts = MAX_PUT_ATTEMPTS if max_attempts is None else max_attempts
        self._base_delay = RETRY_BASE_DELAY_SECONDS if base_delay is None else base_delay
        self._max_delay = RETRY_MAX_DELAY_SECONDS if max_delay is None else max_delay
        self._sleep = sleep
        self._jitter = jitter
        self._clock = clock

    def write_all(
        self,
        tasks: Sequence[WriteTask],
        after_write: Callable[[WriteTask], None] | None,
        deadline: float,
    ) -> list[WriteOutcome]:
        """Write every task (stopping new attempts at ``deadline`` on the writer's clock)."""
        if not tasks:
            return []
        with ThreadPoolExecutor(max_workers=min(self._concurrency, len(tasks))) as pool:
            futures = [pool.submit(self._write_one, task, after_write, deadline) for task in tasks]
            return [future.result() for future in futures]

    def _write_one(
        self, task: WriteTask, after_write: Callable[[WriteTask], None] | None, deadline: float
    ) -> WriteOutcome:
        attempts = 0
        while True:
            if self._clock() >= deadline:
                return WriteOutcome(task, "stopped: the invocation's time budget ran out", out_of_time=True)
            try:
                self._client.put_record(FeatureGroupName=self._feature_group, Record=task.record)
            except (ClientError, BotoCoreError) as error:
                code = _error_code(error)
                if code not in THROTTLING_CODES:
                    return WriteOutcome(task, f"PutRecord failed: {code}: {error}")
                attempts += 1
                if attempts >= self._max_attempts:
                    return WriteOutcome(task, f"PutRecord throttled {attempts} times", throttled=True)
                ceiling = min(self._max_delay, self._base_delay * 2 ** (attempts - 1))
                self._sleep(min(ceiling * self._jitter(), max(0.0, deadline - self._clock())))
                continue
            if after_write is None:
                return WriteOutcome(task)
            try:
                after_write(task)
            except (ClientError, BotoCoreError) as error:
                # The record is written; only the ledger lags. A rerun puts the identical record again.
                return WriteOutcome(task, f"record written but the ledger update failed: {error}")
            return WriteOutcome(task)


def _record_labeled(
    ledger: Ledger, outcomes: list[WriteOutcome], claim: Claim, labels: Mapping[str, AcceptedLabel]
) -> list[WriteOutcome]:
    """Mark the written items LABELED; a row the ledger could not update makes its outcome a failure."""
    written = [
        (o.task.item.item_id, labels[o.task.item.item_id].labeling_job_name) for o in outcomes if o.written
    ]
    if not written:
        return outcomes
    try:
        ledger.mark_labeled_many(written, claim)
    except LedgerLagError as error:
        lagging = set(error.item_ids)
        reason = f"record written but the ledger update failed: {error}"
    except (ClientError, BotoCoreError) as error:
        lagging = {item_id for item_id, _ in written}
        reason = f"record written but the ledger update failed: {error}"
    else:
        return outcomes
    return [replace(o, error=reason) if o.written and o.task.item.item_id in lagging else o for o in outcomes]


class ChunkIncompleteError(RuntimeError):
    """Some records of a chunk were throttled or ran out of time; the state machine retries the chunk."""

    def __init__(self, message: str, written: int) -> None:
        super().__init__(message)
        self.written = written


@dataclass(frozen=True)
class ChunkSummary:
    written: int
    already_written: int
    failed: int
    skipped: int

    def to_json(self) -> WriteResult:
        return {
            "written": self.written,
            "already_written": self.already_written,
            "failed": self.failed,
            "skipped": self.skipped,
        }


def write_chunk(
    *,
    ledger: Ledger,
    writer: FeatureStoreWriter,
    task_type: TaskType,
    labels: Sequence[AcceptedLabel],
    claim: Claim,
    deadline: float,
) -> ChunkSummary:
    """Write one chunk of accepted labels; idempotent, so a retried chunk only writes what is missing.

    Only items still claimed by this batch are written: a row that is LABELED was written by an earlier
    attempt, and any other state means the item is no longer this batch's to write.
    """
    rows = ledger.get_items(label.item_id for label in labels)
    tasks: list[WriteTask] = []
    labels_by_item: dict[str, AcceptedLabel] = {}
    already = skipped = 0
    for accepted in labels:
        item = rows.get(accepted.item_id)
        if item is not None and item.claimed_by(claim):
            tasks.append(WriteTask(item, build_record(item, accepted, task_type)))
            labels_by_item[item.item_id] = accepted
        elif item is not None and item.state is ItemState.LABELED:
            already += 1
        else:
            skipped += 1

    # The ledger learns of the written records afterwards, in transactions of up to 100 rows, instead of
    # one update per record: a crash in between only makes a rerun put the identical records again.
    outcomes = _record_labeled(ledger, writer.write_all(tasks, None, deadline), claim, labels_by_item)
    failures = [o for o in outcomes if not o.written]
    for outcome in failures:
        ledger.note_error(outcome.task.item.item_id, claim, f"Feature Store write failed: {outcome.error}")
    incomplete = [o for o in failures if o.throttled or o.out_of_time]
    written = len(outcomes) - len(failures)
    if incomplete:
        raise ChunkIncompleteError(
            f"{len(incomplete)} of {len(tasks)} records were throttled or ran out of time "
            f"({written} written); retrying the chunk writes only the rest",
            written,
        )
    return ChunkSummary(written, already, len(failures), skipped)
