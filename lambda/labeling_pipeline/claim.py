"""Claiming a batch: queue messages in, ledger rows claimed, input manifest out.

Order of effects, and why nothing is lost or doubled whichever of them a crash interrupts:

1. the batch row is opened with this invocation's token and a lease;
2. messages are received in rounds of up to ten receives of ten messages (they stay invisible, the
   queue's visibility timeout is at least six times this function's timeout); an upload the event already
   shows to be empty is judged without a GET, the others are read (the GETs of one round at once, an
   image's first bytes only), and the new items of a round are claimed in the ledger with conditional
   writes grouped in transactions of up to 100; only the receipt handles of the messages to delete are
   kept, in a temporary file;
3. the manifest (every item claimed by this token) is uploaded, the execution is registered as open,
   and the batch is committed (conditional on the token);
4. only then are the messages of claimed items deleted.

A crash before 3 leaves claims that no committed batch holds: when the messages become visible again,
the next claim takes those rows over. A crash after 3 leaves messages whose items are already in this
batch's job: they are recognised as duplicates and deleted. A copy of a message whose item another live
claim holds is dropped too: that claim keeps its own message until it commits. Messages that cannot
become items at all (not an S3 event, zero bytes, wrong content type) are dead-lettered with the reason
and deleted at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from enum import Enum, auto
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger

from .config import PipelineConfig
from .jsonlines import JsonLinesWriter
from .layout import BatchLayout
from .ledger import BatchState, Claim, Claimed, ClaimOutcome, Ledger
from .manifests import manifest_line
from .messages import (
    ObjectCreated,
    Poison,
    Redrive,
    RetryRequest,
    continuation_body,
    dead_body,
    parse_message,
)
from .model import Candidate, ClaimResult
from .queues import SQS_BATCH, QueueMessage, Queues
from .sources import Opened, Rejected, Skipped, SourceError, SourceReader

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

logger = Logger(child=True)

# Threads for the S3 reads (and the few single ledger writes) of one round.
CONCURRENCY = 16
# Receives sent at once per round: a round of up to 100 messages fills one ledger transaction of 100 new
# items (the most DynamoDB's TransactWriteItems takes), so a claimed item costs 0.01 ledger requests.
RECEIVES_PER_ROUND = 10
# Long polling returns as soon as messages arrive; an empty queue costs one call with this wait.
RECEIVE_WAIT_SECONDS = 1
# Stop receiving when less than this is left, to upload the manifest, commit and delete in time: a fixed
# part, and one DeleteMessageBatch round trip (20 ms at most in the region: an assumption, measured well
# below on the emulator) per ten claimed messages. A batch of 100,000 keeps 260 s of a 900 s function.
FINISH_RESERVE_SECONDS = 60.0
DELETE_SECONDS_PER_ITEM = 0.002
LEASE_MARGIN_SECONDS = 60.0


def _finish_reserve(claimed: int) -> float:
    return FINISH_RESERVE_SECONDS + claimed * DELETE_SECONDS_PER_ITEM


class Disposition(Enum):
    DELETE_NOW = auto()  # nothing of it is in this batch: dead-lettered, duplicate, or ignored
    DELETE_AFTER_COMMIT = auto()  # some of its items are in this batch
    LEAVE = auto()  # try again after the visibility timeout (S3 or the ledger failed us)
    RELEASE = auto()  # did not fit into this batch: visible again now


@dataclass
class ClaimCounts:
    received: int = 0
    claimed: int = 0
    duplicates: int = 0
    dead_lettered: int = 0
    left: int = 0
    released: int = 0


@dataclass(frozen=True)
class ClaimSummary:
    item_count: int
    manifest_uri: str | None
    counts: ClaimCounts

    def to_json(self) -> ClaimResult:
        return {
            "item_count": self.item_count,
            "manifest_uri": self.manifest_uri,
            "received": self.counts.received,
            "duplicates": self.counts.duplicates,
            "dead_lettered": self.counts.dead_lettered,
        }


# What a received message leads to: the answer to its upload's GET, or the message itself if it names
# no upload.
_Found = Opened | Rejected | Skipped | SourceError | Poison | RetryRequest | Redrive


@dataclass
class _Work:
    """The items one message asks for, and what its disposition will be once they are claimed."""

    message: QueueMessage
    requests: list[Candidate | RetryRequest | Redrive] = field(default_factory=list)
    disposition: Disposition = Disposition.DELETE_NOW


class BatchClaimer:
    """One claim_batch invocation."""

    def __init__(
        self,
        *,
        config: PipelineConfig,
        ledger: Ledger,
        queues: Queues,
        reader: SourceReader,
        s3: S3Client,
        claim: Claim,
        seconds_left: Callable[[], float],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._config = config
        self._ledger = ledger
        self._queues = queues
        self._reader = reader
        self._s3 = s3
        self._claim = claim
        self._seconds_left = seconds_left
        self._clock = clock
        self._capacity = config.labeling.max_objects_per_job
        self.counts = ClaimCounts()

    def run(self, execution_arn: str) -> ClaimSummary:
        # The lease outlives this invocation by a margin: until it expires, other executions leave our
        # claims alone even if they see duplicates of our messages.
        lease_until = self._clock() + self._seconds_left() + LEASE_MARGIN_SECONDS
        batch = self._ledger.start_batch(self._claim, execution_arn, lease_until)
        if batch.state is not BatchState.CLAIMING:
            logger.info("batch already settled", extra={"batch": batch.batch_id, "state": batch.state.value})
            return ClaimSummary(batch.item_count, batch.manifest_uri, self.counts)
        layout = BatchLayout(self._config.output_bucket, self._claim.batch_id)
        # The manifest and the receipt handles to delete after the commit go to temporary files, so memory
        # does not grow with the size of the batch. One pool, started once, serves every receive.
        with (
            ThreadPoolExecutor(max_workers=CONCURRENCY) as pool,
            JsonLinesWriter() as manifest,
            JsonLinesWriter() as deferred,
        ):
            while manifest.count < self._capacity and self._seconds_left() > _finish_reserve(manifest.count):
                messages, drained = self._receive_round(self._capacity - manifest.count)
                self.counts.received += len(messages)
                for message in self._claim_messages(messages, manifest, pool) if messages else ():
                    deferred.write({"receipt_handle": message.receipt_handle})
                if drained:
                    break
            if manifest.count == 0:
                self._ledger.close_batch(self._claim.batch_id, BatchState.EMPTY)
                self._queues.delete(record["receipt_handle"] for record in deferred.records())
                return ClaimSummary(0, None, self.counts)
            uri = manifest.upload(self._s3, layout.input_manifest, self._config.kms_key_arn)
            # Registered before the commit: a committed batch is always findable by the sweep.
            self._ledger.register_open(execution_arn)
            committed = self._ledger.commit_batch(self._claim, uri, manifest.count)
            self._queues.delete(record["receipt_handle"] for record in deferred.records())
        self.counts.claimed = committed.item_count
        return ClaimSummary(committed.item_count, uri, self.counts)

    def _receive_round(self, room: int) -> tuple[list[QueueMessage], bool]:
        """Up to ``RECEIVES_PER_ROUND`` receives, no more than ``room`` items need, and whether the queue
        was found empty (a receive that waited and got nothing: the claim ends after this round).

        One after another: a receive is cheap next to the GETs and the transaction that follow, and an
        empty one ends the round without waiting for others.
        """
        messages: list[QueueMessage] = []
        for _ in range(max(1, min(RECEIVES_PER_ROUND, -(-room // SQS_BATCH)))):
            received = self._queues.receive(RECEIVE_WAIT_SECONDS)
            if not received:
                return messages, True
            messages += received
        return messages, False

    def _claim_messages(
        self, messages: list[QueueMessage], manifest: JsonLinesWriter, pool: ThreadPoolExecutor
    ) -> list[QueueMessage]:
        """Claim the items of one receive; returns the messages to delete once the batch is committed."""
        works = self._plan_receive(messages, self._capacity - manifest.count, pool)
        requests = [request for work in works for request in work.requests]
        outcomes = iter(self._claim_all(requests, pool))
        for work in works:
            claimed_any = False
            for _ in work.requests:
                result = next(outcomes)
                if isinstance(result, Claimed):
                    manifest.write(manifest_line(result.item))
                    claimed_any = True
                elif result is ClaimOutcome.RETRY_LATER:
                    work.disposition = Disposition.LEAVE
                elif result is ClaimOutcome.UNKNOWN:
                    if not self._dead_letter(
                        work.message, ["a returned or redriven item the ledger does not know"]
                    ):
                        work.disposition = Disposition.LEAVE
                else:
                    self.counts.duplicates += 1
            if claimed_any and work.disposition is Disposition.DELETE_NOW:
                work.disposition = Disposition.DELETE_AFTER_COMMIT
        by_disposition: dict[Disposition, list[QueueMessage]] = {d: [] for d in Disposition}
        for work in works:
            by_disposition[work.disposition].append(work.message)
        self.counts.left += len(by_disposition[Disposition.LEAVE])
        self.counts.released += len(by_disposition[Disposition.RELEASE])
        self._queues.delete(m.receipt_handle for m in by_disposition[Disposition.DELETE_NOW])
        self._queues.release(by_disposition[Disposition.RELEASE])
        return by_disposition[Disposition.DELETE_AFTER_COMMIT]

    def _plan_receive(self, messages: list[QueueMessage], room: int, pool: ThreadPoolExecutor) -> list[_Work]:
        """What each message of one receive asks for, in order, within ``room`` items in all."""
        # The GETs of one receive go out together (on AWS each is a round trip, and one invocation may
        # have to read max_objects_per_job uploads); the bodies are then read one at a time, in order,
        # each bounded by the room the messages before it left.
        found = list(pool.map(self._open, messages))
        works: list[_Work] = []
        try:
            for message, what in zip(messages, found, strict=True):
                work = self._plan(message, what, room)
                room -= len(work.requests)
                works.append(work)
        finally:
            for what in found:
                if isinstance(what, Opened):
                    what.close()
        return works

    def _open(self, message: QueueMessage) -> _Found:
        """Parse a message and send the GET of the upload it names (runs on the pool)."""
        parsed = parse_message(message.body, self._config.upload_bucket)
        if not isinstance(parsed, ObjectCreated):
            return parsed
        try:
            return self._reader.open(parsed)
        except SourceError as error:  # judged in order with the others, on the invocation's thread
            return error

    def _plan(self, message: QueueMessage, found: _Found, room: int) -> _Work:
        """What one message asks for, reserving at most ``room`` items (a text file continues later)."""
        work = _Work(message)
        if room <= 0:
            work.disposition = Disposition.RELEASE
        elif isinstance(found, Poison):
            if not self._dead_letter(message, [found.reason], original_body=message.body):
                work.disposition = Disposition.LEAVE
        elif isinstance(found, (RetryRequest, Redrive)):
            work.requests.append(found)
        elif isinstance(found, SourceError):
            logger.error("cannot read an upload; its message will be retried", exc_info=found)
            work.disposition = Disposition.LEAVE
        else:
            self._plan_upload(work, found, room)
        return work

    def _plan_upload(self, work: _Work, found: Opened | Rejected | Skipped, room: int) -> None:
        resolution = self._reader.extract(found, room) if isinstance(found, Opened) else found
        if isinstance(resolution, Skipped):
            logger.info("upload skipped", extra={"uri": resolution.source.uri, "reason": resolution.reason})
            return
        if isinstance(resolution, Rejected):
            if not self._dead_letter(work.message, resolution.reasons, source=resolution.source):
                work.disposition = Disposition.LEAVE
            return
        if resolution.line_problems and not self._dead_letter(
            work.message, resolution.line_problems, source=resolution.source
        ):
            work.disposition = Disposition.LEAVE
            return
        if resolution.rest is not None and not self._queues.send(
            self._queues.upload_url, [continuation_body(resolution.rest)]
        ):
            # Without the continuation the rest of the file would be lost: keep the whole message.
            work.disposition = Disposition.LEAVE
            return
        work.requests.extend(resolution.candidates)

    def _claim_all(
        self, requests: list[Candidate | RetryRequest | Redrive], pool: ThreadPoolExecutor
    ) -> list[Claimed | ClaimOutcome]:
        """The outcome of each request, in order: new items in transactions, returned ones one by one.

        A returned or redriven item needs its row back (the manifest line is made from it), which a
        transaction does not return; they are the few items that failed once, so they keep single writes.
        """
        new = [(n, r) for n, r in enumerate(requests) if isinstance(r, Candidate)]
        known = [(n, r) for n, r in enumerate(requests) if not isinstance(r, Candidate)]
        outcomes: dict[int, Claimed | ClaimOutcome] = {}
        claimed_new = self._ledger.claim_new_many([r for _, r in new], self._claim) if new else []
        outcomes.update(zip((n for n, _ in new), claimed_new, strict=True))
        outcomes.update(
            zip((n for n, _ in known), pool.map(self._claim_known, (r for _, r in known)), strict=True)
        )
        return [outcomes[n] for n in range(len(requests))]

    def _claim_known(self, request: RetryRequest | Redrive) -> Claimed | ClaimOutcome:
        if isinstance(request, RetryRequest):
            return self._ledger.claim_retry(request, self._claim)
        return self._ledger.claim_redrive(request.item_id, self._claim)

    def _dead_letter(self, message: QueueMessage, reasons: list[str], **details: Any) -> bool:
        if not self._queues.send(self._queues.dead_letter_url, [dead_body(reasons, **details)]):
            logger.error("the dead-letter queue refused a message", extra={"message_id": message.message_id})
            return False
        self.counts.dead_lettered += 1
        logger.warning("dead-lettered", extra={"message_id": message.message_id, "reasons": reasons})
        return True
