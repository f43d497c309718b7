"""The ledger: a DynamoDB table that says where every item is, so nothing depends on SQS visibility.

An SQS message can stay invisible for at most 12 hours; a labeling job can stay open for 30 days. So
``claim_batch`` moves items out of the queue into this table before it deletes their messages, and from
then on the item's row is the single source of truth:

- ``CLAIMED`` by a batch (one per execution) and a claim token (one per ``claim_batch`` invocation);
- ``LABELED`` once its record is in the Feature Store;
- ``RETURNED`` with a retry message on the queue (``attempts`` counts the returns);
- ``DEAD`` with a message on the dead-letter queue.

Every transition is a conditional write on the expected current state, so duplicate event deliveries,
overlapping executions and retried Lambda invocations can never put one item into two jobs.

A claim only counts once its batch is *committed* (the batch row ``batch#<execution>`` records the
token whose manifest was uploaded). A row claimed by an invocation that died before committing, or by
an earlier invocation of the same execution, is not in any job: the next claim takes it over ("steals"
it). A row claimed by a committed batch is in that batch's job, and a claim by a batch still inside its
lease is in progress; both are left alone. The registry row lists the executions whose batch is committed
but not finished, so an execution that timed out or was stopped can be cleaned up by the next one.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any, cast

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from .messages import RetryRequest
from .model import Candidate, SourceObject, format_event_time

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

BATCH_PREFIX = "batch#"
REGISTRY_KEY = "registry#open-batches"
# Finished rows stay long enough to recognise late duplicate event deliveries, then DynamoDB expires them.
FINISHED_ROW_TTL_SECONDS = 90 * 24 * 3600
_BATCH_GET_LIMIT = 100
_MAX_UNPROCESSED_ROUNDS = 8
# Amazon DynamoDB API Reference, "TransactWriteItems"
# (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html): up to 100
# actions, no two on the same item, at most 4 MB of items in all. An action's size is counted as its
# request JSON, which is never smaller than the item DynamoDB counts.
TRANSACT_MAX_ACTIONS = 100
TRANSACT_MAX_BYTES = 4 * 1024 * 1024
# Cancellation reasons that say nothing about the item itself: its action is tried again, in a later
# transaction, up to this many rounds (same page, "CancellationReason"; TransactionConflict is another
# transaction or write on the same item in progress).
_TRANSIENT_REASONS = frozenset(
    {"TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded", "RequestLimitExceeded"}
)
_MAX_TRANSACT_ROUNDS = 6

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


class ItemState(StrEnum):
    CLAIMED = "CLAIMED"
    LABELED = "LABELED"
    RETURNED = "RETURNED"
    DEAD = "DEAD"


class BatchState(StrEnum):
    CLAIMING = "CLAIMING"
    COMMITTED = "COMMITTED"
    FINISHED = "FINISHED"
    EMPTY = "EMPTY"
    ABANDONED = "ABANDONED"


class ClaimOutcome(StrEnum):
    """Why a claim did not take an item."""

    ALREADY_MINE = "already claimed by this invocation"
    DUPLICATE = "already labeled, queued, dead-lettered or in a job"
    # Another live claim holds it; that claim keeps its own message until it commits, so this copy is
    # not needed to recover the item if that claim dies.
    IN_PROGRESS = "being claimed by another execution right now"
    STALE = "an outdated copy of a retry message"
    UNKNOWN = "no ledger row for this item"
    RETRY_LATER = "the ledger row changed during the claim; keep the message for another try"


class LedgerLagError(RuntimeError):
    """Rows that other writes kept us from updating, round after round."""

    def __init__(self, item_ids: Sequence[str]) -> None:
        super().__init__(f"{len(item_ids)} ledger rows kept conflicting with other writes")
        self.item_ids = list(item_ids)


class BatchLostError(RuntimeError):
    """Our batch row changed under us: another invocation of this execution took over."""


@dataclass(frozen=True)
class Claim:
    """Who claims: the batch (one per execution) and the token of this claim_batch invocation."""

    batch_id: str
    token: str


@dataclass(frozen=True)
class LedgerItem:
    item_id: str
    state: ItemState
    attempts: int
    source: SourceObject
    line: int | None
    text: str | None
    uploaded_at: str | None
    record_id: str
    batch_id: str | None = None
    claim_token: str | None = None
    reasons: tuple[str, ...] = ()
    last_error: str | None = None
    labeled_by: str | None = None

    def claimed_by(self, claim: Claim) -> bool:
        return (
            self.state is ItemState.CLAIMED
            and self.batch_id == claim.batch_id
            and self.claim_token == claim.token
        )


@dataclass(frozen=True)
class Claimed:
    item: LedgerItem


@dataclass(frozen=True)
class BatchRow:
    batch_id: str
    state: BatchState
    claim_token: str
    lease_until: float
    execution_arn: str | None = None
    manifest_uri: str | None = None
    item_count: int = 0
    totals: Mapping[str, int] = field(default_factory=dict)

    def holds(self, token: str | None, now: float) -> bool:
        """Whether a claim made with ``token`` is in this batch's job (or may still become part of it)."""
        if token != self.claim_token:
            return False
        return self.state is BatchState.COMMITTED or (
            self.state is BatchState.CLAIMING and now < self.lease_until
        )


@dataclass
class _BatchCache:
    rows: dict[str, BatchRow | None] = field(default_factory=dict)


def _now_iso(clock: Callable[[], float]) -> str:
    return format_event_time(datetime.fromtimestamp(clock(), UTC))


def _encode(values: Mapping[str, Any]) -> dict[str, Any]:
    return {name: _serializer.serialize(value) for name, value in values.items() if value is not None}


def _decode(item: Mapping[str, Any]) -> dict[str, Any]:
    return {name: _deserializer.deserialize(value) for name, value in item.items()}


def _number(value: Any, default: int = 0) -> int:
    return int(value) if isinstance(value, (int, Decimal)) else default


def _item_from_row(row: Mapping[str, Any]) -> LedgerItem:
    line = row.get("line")
    return LedgerItem(
        item_id=row["item_id"],
        state=ItemState(row["state"]),
        attempts=_number(row.get("attempts")),
        source=SourceObject(
            bucket=row["bucket"], key=row["key"], version_id=row.get("version_id"), etag=row.get("etag")
        ),
        line=None if line is None else _number(line),
        text=row.get("text"),
        uploaded_at=row.get("uploaded_at"),
        record_id=row["record_id"],
        batch_id=row.get("batch_id"),
        claim_token=row.get("claim_token"),
        reasons=tuple(row.get("reasons") or ()),
        last_error=row.get("last_error"),
        labeled_by=row.get("labeled_by"),
    )


def _batch_from_row(row: Mapping[str, Any]) -> BatchRow:
    return BatchRow(
        batch_id=row["item_id"].removeprefix(BATCH_PREFIX),
        state=BatchState(row["state"]),
        claim_token=row.get("claim_token", ""),
        lease_until=float(row.get("lease_until", 0)),
        execution_arn=row.get("execution_arn"),
        manifest_uri=row.get("manifest_uri"),
        item_count=_number(row.get("item_count")),
        totals={name: _number(value) for name, value in (row.get("totals") or {}).items()},
    )


def _conditional_failure(error: ClientError) -> bool:
    return bool(error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException")


def _old_item(error: ClientError) -> LedgerItem | None:
    old = error.response.get("Item")
    return _item_from_row(_decode(old)) if old else None


_CLAIMED_BY = "#state = :claimed AND batch_id = :batch AND claim_token = :token"


@dataclass(frozen=True)
class _ConditionFailed:
    """A transaction action whose condition did not hold; ``old`` is the row as it was, if it existed."""

    old: LedgerItem | None


class _Unsettled(StrEnum):
    CONFLICT = "still conflicting with other writes after every round"


_Written = None
_ActionResult = _ConditionFailed | _Unsettled | None


def _transaction_chunks(
    actions: Sequence[tuple[int, dict[str, Any]]],
) -> list[list[tuple[int, dict[str, Any]]]]:
    """Consecutive chunks of at most ``TRANSACT_MAX_ACTIONS`` actions and ``TRANSACT_MAX_BYTES``."""
    chunks: list[list[tuple[int, dict[str, Any]]]] = []
    current: list[tuple[int, dict[str, Any]]] = []
    size = 0
    for index, action in actions:
        action_size = len(json.dumps(action, separators=(",", ":")).encode("utf-8"))
        if current and (len(current) >= TRANSACT_MAX_ACTIONS or size + action_size > TRANSACT_MAX_BYTES):
            chunks.append(current)
            current, size = [], 0
        current.append((index, action))
        size += action_size
    if current:
        chunks.append(current)
    return chunks


class Ledger:
    """Conditional reads and writes on the ledger table (the low-level client is thread-safe)."""

    def __init__(self, client: DynamoDBClient, table: str, clock: Callable[[], float] = time.time) -> None:
        self._client = client
        self._table = table
        self._clock = clock
        self._batches = _BatchCache()

    # --- items ---------------------------------------------------------------------------------

    def claim_new(self, candidate: Candidate, claim: Claim) -> Claimed | ClaimOutcome:
        """Claim an item seen for the first time; a known item is resolved by its current state."""
        return self.claim_new_many([candidate], claim)[0]

    def claim_new_many(self, candidates: Sequence[Candidate], claim: Claim) -> list[Claimed | ClaimOutcome]:
        """``claim_new`` for many items, in order, with the rows written in transactions of up to 100.

        Each row is a conditional put (the item must be new), so a transaction holds only conditions that
        are independent of each other; one that fails does not keep the others out: they are written in
        the next transaction. The second copy of an item in ``candidates`` is ALREADY_MINE once the first
        is claimed (a transaction may not name an item twice).
        """
        now = _now_iso(self._clock)
        items: list[LedgerItem] = []
        first: dict[str, int] = {}
        actions: list[tuple[int, dict[str, Any]]] = []
        for index, candidate in enumerate(candidates):
            item = LedgerItem(
                item_id=candidate.item_id,
                state=ItemState.CLAIMED,
                attempts=0,
                source=candidate.source,
                line=candidate.line,
                text=candidate.text,
                uploaded_at=candidate.uploaded_at,
                record_id=candidate.record_id,
                batch_id=claim.batch_id,
                claim_token=claim.token,
            )
            items.append(item)
            if item.item_id in first:
                continue
            first[item.item_id] = index
            actions.append((index, {"Put": self._new_row_put(item, claim, now)}))
        written = dict(zip((index for index, _ in actions), self._transact(actions), strict=True))
        outcomes: list[Claimed | ClaimOutcome] = []
        for index, item in enumerate(items):
            origin = first[item.item_id]
            if origin != index:
                earlier = outcomes[origin]
                outcomes.append(ClaimOutcome.ALREADY_MINE if isinstance(earlier, Claimed) else earlier)
                continue
            result = written[index]
            if result is _Written:
                outcomes.append(Claimed(item))
            elif isinstance(result, _ConditionFailed) and result.old is not None:
                outcomes.append(self._resolve(result.old, claim, settled=ClaimOutcome.DUPLICATE))
            else:  # still conflicting, or expired (TTL) between the condition and our read of it
                outcomes.append(ClaimOutcome.RETRY_LATER)
        return outcomes

    def _new_row_put(self, item: LedgerItem, claim: Claim, now: str) -> dict[str, Any]:
        row = {
            "item_id": item.item_id,
            "kind": "item",
            "state": item.state.value,
            "attempts": 0,
            "bucket": item.source.bucket,
            "key": item.source.key,
            "version_id": item.source.version_id,
            "etag": item.source.etag,
            "line": item.line,
            "text": item.text,
            "uploaded_at": item.uploaded_at,
            "record_id": item.record_id,
            "batch_id": claim.batch_id,
            "claim_token": claim.token,
            "created_at": now,
            "updated_at": now,
        }
        return {
            "TableName": self._table,
            "Item": _encode(row),
            "ConditionExpression": "attribute_not_exists(item_id)",
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        }

    def _transact(self, actions: Sequence[tuple[int, dict[str, Any]]]) -> list[_ActionResult]:
        """Run conditional writes (each on its own item) in transactions; one result per action, in order.

        A cancelled transaction names, per action, why (``CancellationReasons``, in the order of the
        actions): an action whose condition failed is settled with the row it found; the others, which
        were only cancelled with it, go into the next transaction. Reasons that say nothing about the item
        (conflicts, throttling) are retried a few rounds, with backoff, and then reported as unsettled.
        """
        results: dict[int, _ActionResult] = {}
        pending = list(actions)
        for round_number in range(_MAX_TRANSACT_ROUNDS):
            if not pending:
                break
            if round_number:
                # Full jitter, so that conflicting claimers do not meet again; not for security.
                time.sleep(min(1.0, 0.02 * 2**round_number) * random.random())  # noqa: S311
            transient: list[tuple[int, dict[str, Any]]] = []
            for chunk in _transaction_chunks(pending):
                rest = chunk
                while rest:
                    rest = self._transact_chunk(rest, results, transient)
            pending = transient
        for index, _ in pending:
            results[index] = _Unsettled.CONFLICT
        return [results[index] for index, _ in actions]

    def _transact_chunk(
        self,
        chunk: list[tuple[int, dict[str, Any]]],
        results: dict[int, _ActionResult],
        transient: list[tuple[int, dict[str, Any]]],
    ) -> list[tuple[int, dict[str, Any]]]:
        """One TransactWriteItems call; returns the actions to send again at once (cancelled with others)."""
        try:
            self._client.transact_write_items(
                TransactItems=cast("list[TransactWriteItemTypeDef]", [action for _, action in chunk])
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "TransactionCanceledException":
                raise
            reasons = error.response.get("CancellationReasons") or []
            if len(reasons) != len(chunk):
                raise
            again: list[tuple[int, dict[str, Any]]] = []
            for (index, action), reason in zip(chunk, reasons, strict=True):
                code = reason.get("Code") or "None"
                if code == "ConditionalCheckFailed":
                    old = reason.get("Item")
                    results[index] = _ConditionFailed(_item_from_row(_decode(old)) if old else None)
                elif code == "None":
                    again.append((index, action))
                elif code in _TRANSIENT_REASONS:
                    transient.append((index, action))
                else:
                    raise
            if len(again) == len(chunk):  # cancelled, yet no action names a reason: nothing to go on
                raise
            return again
        for index, _ in chunk:
            results[index] = _Written
        return []

    def claim_retry(self, request: RetryRequest, claim: Claim) -> Claimed | ClaimOutcome:
        """Claim a returned item; also valid if the return's ledger update never happened (crash)."""
        return self._claim_existing(
            request.item_id,
            claim,
            condition=(
                "(#state = :returned AND attempts = :attempts) OR "
                "(#state = :claimed AND attempts = :previous AND batch_id = :returned_by)"
            ),
            values={
                ":returned": ItemState.RETURNED.value,
                ":attempts": request.attempts,
                ":previous": request.attempts - 1,
                ":returned_by": request.returned_by,
            },
            attempts=request.attempts,
        )

    def claim_redrive(self, item: str, claim: Claim) -> Claimed | ClaimOutcome:
        """Claim a dead item an operator sent back: it starts again with zero attempts."""
        return self._claim_existing(
            item, claim, condition="#state = :dead", values={":dead": ItemState.DEAD.value}, attempts=0
        )

    def _claim_existing(
        self, item: str, claim: Claim, *, condition: str, values: Mapping[str, Any], attempts: int
    ) -> Claimed | ClaimOutcome:
        try:
            response = self._client.update_item(
                TableName=self._table,
                Key=_encode({"item_id": item}),
                UpdateExpression=(
                    "SET #state = :claimed, batch_id = :batch, claim_token = :token, "
                    "attempts = :new_attempts, updated_at = :now REMOVE expires_at"
                ),
                ConditionExpression=f"attribute_exists(item_id) AND ({condition})",
                ExpressionAttributeNames={"#state": "state"},
                ExpressionAttributeValues=_encode(
                    {
                        ":claimed": ItemState.CLAIMED.value,
                        ":batch": claim.batch_id,
                        ":token": claim.token,
                        ":new_attempts": attempts,
                        ":now": _now_iso(self._clock),
                        **values,
                    }
                ),
                ReturnValues="ALL_NEW",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as error:
            if not _conditional_failure(error):
                raise
            existing = _old_item(error)
            if existing is None:
                return ClaimOutcome.UNKNOWN
            return self._resolve(existing, claim, settled=ClaimOutcome.STALE)
        return Claimed(_item_from_row(_decode(response["Attributes"])))

    def _resolve(
        self, existing: LedgerItem, claim: Claim, *, settled: ClaimOutcome, depth: int = 0
    ) -> Claimed | ClaimOutcome:
        if existing.state is not ItemState.CLAIMED:
            return settled
        if existing.claimed_by(claim):
            return ClaimOutcome.ALREADY_MINE
        owner = self._batch_cached(existing.batch_id or "")
        if owner is not None and owner.holds(existing.claim_token, self._clock()):
            return ClaimOutcome.DUPLICATE if owner.state is BatchState.COMMITTED else ClaimOutcome.IN_PROGRESS
        if depth > 0:
            return ClaimOutcome.RETRY_LATER
        return self._steal(existing, claim, settled=settled)

    def _steal(self, existing: LedgerItem, claim: Claim, *, settled: ClaimOutcome) -> Claimed | ClaimOutcome:
        """Take over a claim whose invocation died before its batch was committed."""
        try:
            response = self._client.update_item(
                TableName=self._table,
                Key=_encode({"item_id": existing.item_id}),
                UpdateExpression="SET batch_id = :new_batch, claim_token = :new_token, updated_at = :now",
                ConditionExpression=_CLAIMED_BY,
                ExpressionAttributeNames={"#state": "state"},
                ExpressionAttributeValues=_encode(
                    {
                        ":claimed": ItemState.CLAIMED.value,
                        ":batch": existing.batch_id,
                        ":token": existing.claim_token,
                        ":new_batch": claim.batch_id,
                        ":new_token": claim.token,
                        ":now": _now_iso(self._clock),
                    }
                ),
                ReturnValues="ALL_NEW",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as error:
            if not _conditional_failure(error):
                raise
            current = _old_item(error)
            if current is None:
                return ClaimOutcome.RETRY_LATER
            return self._resolve(current, claim, settled=settled, depth=1)
        return Claimed(_item_from_row(_decode(response["Attributes"])))

    def get_items(self, item_ids: Iterable[str]) -> dict[str, LedgerItem]:
        """Strongly consistent rows of the given items (missing items are absent from the result)."""
        found: dict[str, LedgerItem] = {}
        ids = list(dict.fromkeys(item_ids))
        for start in range(0, len(ids), _BATCH_GET_LIMIT):
            keys = [_encode({"item_id": i}) for i in ids[start : start + _BATCH_GET_LIMIT]]
            request: dict[str, Any] = {self._table: {"Keys": keys, "ConsistentRead": True}}
            for round_number in range(_MAX_UNPROCESSED_ROUNDS):
                response = self._client.batch_get_item(RequestItems=request)
                for row in response.get("Responses", {}).get(self._table, []):
                    item = _item_from_row(_decode(row))
                    found[item.item_id] = item
                request = response.get("UnprocessedKeys") or {}
                if not request:
                    break
                time.sleep(min(2.0, 0.05 * 2**round_number))
            else:
                raise RuntimeError("DynamoDB left keys unprocessed after repeated BatchGetItem calls")
        return found

    def _transition(self, item_id: str, claim: Claim, update: str, values: Mapping[str, Any]) -> bool:
        """Apply ``update`` if the item is still claimed by ``claim``; False if something else owns it now."""
        try:
            self._client.update_item(
                TableName=self._table,
                Key=_encode({"item_id": item_id}),
                UpdateExpression=update,
                ConditionExpression=_CLAIMED_BY,
                ExpressionAttributeNames={"#state": "state"},
                ExpressionAttributeValues=_encode(
                    {
                        ":claimed": ItemState.CLAIMED.value,
                        ":batch": claim.batch_id,
                        ":token": claim.token,
                        ":now": _now_iso(self._clock),
                        **values,
                    }
                ),
            )
        except ClientError as error:
            if _conditional_failure(error):
                return False
            raise
        return True

    def _expiry(self) -> int:
        return int(self._clock()) + FINISHED_ROW_TTL_SECONDS

    def mark_labeled(self, item_id: str, claim: Claim, job_name: str) -> bool:
        return self._transition(
            item_id,
            claim,
            "SET #state = :labeled, labeled_by = :batch, labeling_job = :job, updated_at = :now, "
            "expires_at = :expires REMOVE last_error",
            {":labeled": ItemState.LABELED.value, ":job": job_name, ":expires": self._expiry()},
        )

    def mark_labeled_many(self, labeled: Sequence[tuple[str, str]], claim: Claim) -> set[str]:
        """``mark_labeled`` for many ``(item_id, job_name)``, in transactions; the items no longer ours.

        Raises ``LedgerLagError`` naming the items whose rows could not be written (conflicts that
        outlasted every round).
        """
        now = _now_iso(self._clock)
        actions = [
            (
                index,
                {
                    "Update": {
                        "TableName": self._table,
                        "Key": _encode({"item_id": item_id}),
                        "UpdateExpression": (
                            "SET #state = :labeled, labeled_by = :batch, labeling_job = :job, "
                            "updated_at = :now, expires_at = :expires REMOVE last_error"
                        ),
                        "ConditionExpression": _CLAIMED_BY,
                        "ExpressionAttributeNames": {"#state": "state"},
                        "ExpressionAttributeValues": _encode(
                            {
                                ":claimed": ItemState.CLAIMED.value,
                                ":labeled": ItemState.LABELED.value,
                                ":batch": claim.batch_id,
                                ":token": claim.token,
                                ":job": job_name,
                                ":now": now,
                                ":expires": self._expiry(),
                            }
                        ),
                    }
                },
            )
            for index, (item_id, job_name) in enumerate(dict(labeled).items())
        ]
        ids = list(dict(labeled))
        results = self._transact(actions)
        unsettled = [ids[n] for n, result in enumerate(results) if isinstance(result, _Unsettled)]
        if unsettled:
            raise LedgerLagError(unsettled)
        return {ids[n] for n, result in enumerate(results) if isinstance(result, _ConditionFailed)}

    def note_error(self, item_id: str, claim: Claim, reason: str) -> bool:
        """Remember why a step failed for this item, for the reason list when it is returned."""
        return self._transition(
            item_id, claim, "SET last_error = :error, updated_at = :now", {":error": reason}
        )

    def mark_returned(self, item: LedgerItem, claim: Claim, reason: str) -> bool:
        return self._transition(
            item.item_id,
            claim,
            "SET #state = :returned, attempts = :attempts, "
            "reasons = list_append(if_not_exists(reasons, :none), :reason), updated_at = :now "
            "REMOVE claim_token, last_error",
            {
                ":returned": ItemState.RETURNED.value,
                ":attempts": item.attempts + 1,
                ":reason": [reason],
                ":none": [],
            },
        )

    def mark_dead(self, item: LedgerItem, claim: Claim, reason: str) -> bool:
        return self._transition(
            item.item_id,
            claim,
            "SET #state = :dead, attempts = :attempts, "
            "reasons = list_append(if_not_exists(reasons, :none), :reason), updated_at = :now, "
            "expires_at = :expires REMOVE claim_token, last_error",
            {
                ":dead": ItemState.DEAD.value,
                ":attempts": item.attempts + 1,
                ":reason": [reason],
                ":none": [],
                ":expires": self._expiry(),
            },
        )

    # --- batches -------------------------------------------------------------------------------

    def get_batch(self, batch_id: str) -> BatchRow | None:
        response = self._client.get_item(
            TableName=self._table, Key=_encode({"item_id": BATCH_PREFIX + batch_id}), ConsistentRead=True
        )
        row = response.get("Item")
        return _batch_from_row(_decode(row)) if row else None

    def _batch_cached(self, batch_id: str) -> BatchRow | None:
        if batch_id not in self._batches.rows:
            self._batches.rows[batch_id] = self.get_batch(batch_id)
        return self._batches.rows[batch_id]

    def start_batch(self, claim: Claim, execution_arn: str, lease_until: float) -> BatchRow:
        """Open (or re-open, for a retried invocation) the batch of this execution, unless it is committed."""
        existing = self.get_batch(claim.batch_id)
        if existing is not None and existing.state is not BatchState.CLAIMING:
            return existing
        row = BatchRow(claim.batch_id, BatchState.CLAIMING, claim.token, lease_until, execution_arn)
        try:
            self._client.put_item(
                TableName=self._table,
                Item=_encode(
                    {
                        "item_id": BATCH_PREFIX + claim.batch_id,
                        "kind": "batch",
                        "state": row.state.value,
                        "claim_token": claim.token,
                        "lease_until": Decimal(str(round(lease_until, 3))),
                        "execution_arn": execution_arn,
                        "created_at": _now_iso(self._clock),
                    }
                ),
                ConditionExpression="attribute_not_exists(item_id) OR #state = :claiming",
                ExpressionAttributeNames={"#state": "state"},
                ExpressionAttributeValues=_encode({":claiming": BatchState.CLAIMING.value}),
            )
        except ClientError as error:
            if _conditional_failure(error):
                raise BatchLostError(f"batch {claim.batch_id} was committed by another invocation") from error
            raise
        self._batches.rows[claim.batch_id] = row
        return row

    def commit_batch(self, claim: Claim, manifest_uri: str, item_count: int) -> BatchRow:
        """Make the claims of this invocation count: its manifest is uploaded and names every item."""
        try:
            response = self._client.update_item(
                TableName=self._table,
                Key=_encode({"item_id": BATCH_PREFIX + claim.batch_id}),
                UpdateExpression=(
                    "SET #state = :committed, manifest_uri = :manifest, item_count = :count, "
                    "committed_at = :now"
                ),
                ConditionExpression="#state = :claiming AND claim_token = :token",
                ExpressionAttributeNames={"#state": "state"},
                ExpressionAttributeValues=_encode(
                    {
                        ":committed": BatchState.COMMITTED.value,
                        ":claiming": BatchState.CLAIMING.value,
                        ":token": claim.token,
                        ":manifest": manifest_uri,
                        ":count": item_count,
                        ":now": _now_iso(self._clock),
                    }
                ),
                ReturnValues="ALL_NEW",
            )
        except ClientError as error:
            if _conditional_failure(error):
                raise BatchLostError(
                    f"batch {claim.batch_id} is no longer claimed by token {claim.token}"
                ) from error
            raise
        row = _batch_from_row(_decode(response["Attributes"]))
        self._batches.rows[claim.batch_id] = row
        return row

    def close_batch(self, batch_id: str, state: BatchState, totals: Mapping[str, int] | None = None) -> None:
        """End a batch; its ``totals`` (labeled, returned, ...) let a retried final step report the same."""
        self._client.update_item(
            TableName=self._table,
            Key=_encode({"item_id": BATCH_PREFIX + batch_id}),
            UpdateExpression=(
                "SET #state = :state, finished_at = :now, expires_at = :expires, totals = :totals"
            ),
            ConditionExpression="attribute_exists(item_id)",
            ExpressionAttributeNames={"#state": "state"},
            ExpressionAttributeValues=_encode(
                {
                    ":state": state.value,
                    ":now": _now_iso(self._clock),
                    ":expires": self._expiry(),
                    ":totals": dict(totals or {}),
                }
            ),
        )
        self._batches.rows.pop(batch_id, None)

    # --- registry of committed, unfinished batches ---------------------------------------------

    def _registry(self, action: str, execution_arns: Sequence[str]) -> None:
        self._client.update_item(
            TableName=self._table,
            Key=_encode({"item_id": REGISTRY_KEY}),
            UpdateExpression=f"{action} open_batches :arns",
            ExpressionAttributeValues={":arns": {"SS": list(execution_arns)}},
        )

    def register_open(self, execution_arn: str) -> None:
        self._registry("ADD", [execution_arn])

    def unregister_open(self, execution_arn: str) -> None:
        self._registry("DELETE", [execution_arn])

    def open_batches(self) -> list[str]:
        response = self._client.get_item(
            TableName=self._table, Key=_encode({"item_id": REGISTRY_KEY}), ConsistentRead=True
        )
        row = response.get("Item")
        return sorted(_decode(row).get("open_batches", ())) if row else []
