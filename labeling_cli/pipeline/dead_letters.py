"""The dead-letter queue read without consuming it: every message received, then made visible again.

What the pipeline writes there (lambda/labeling_pipeline/messages.py, `dead_body`) is JSON with
`kind` "labeling-item-dead", `reasons` (every reason the item failed, oldest first), and, when there is
one, `item_id` (its ledger row), `source` (bucket, key, version, line) and `attempts`. Anything else on
the queue (an event EventBridge could not deliver, a message SQS moved after maxReceiveCount) is shown
with a reason of its own and can be redriven like the others.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

DEAD_KIND = "labeling-item-dead"
SQS_BATCH = 10
# Long enough to walk a large DLQ and redrive it before any message reappears; every message this
# command still holds is made visible again when it ends, whatever ends it.
HOLD_SECONDS = 300
# Long polling asks every SQS server, so an empty answer means the queue has nothing visible left.
WAIT_SECONDS = 1


@dataclass(frozen=True)
class DeadLetter:
    message_id: str
    receipt_handle: str
    body: str
    sent_at: float  # seconds since the epoch
    reasons: tuple[str, ...]
    item_id: str | None
    key: str | None
    attempts: int | None

    def matches(self, *, reason_contains: str | None, keys: Sequence[str]) -> bool:
        if reason_contains is not None:
            needle = reason_contains.casefold()
            return any(needle in reason.casefold() for reason in self.reasons)
        if keys:
            return self.key in keys
        return True

    def to_json(self, now: float) -> dict[str, Any]:
        return {
            "message_id": self.message_id,
            "item_id": self.item_id,
            "key": self.key,
            "attempts": self.attempts,
            "reasons": list(self.reasons),
            "age_seconds": round(now - self.sent_at),
        }


def parse(message: dict[str, Any]) -> DeadLetter:
    body = message["Body"]
    sent_at = int(message.get("Attributes", {}).get("SentTimestamp", "0")) / 1000
    try:
        data = json.loads(body)
    except (json.JSONDecodeError, RecursionError):
        data = None
    common = {"message_id": message["MessageId"], "receipt_handle": message["ReceiptHandle"], "body": body}
    if not isinstance(data, dict) or data.get("kind") != DEAD_KIND:
        return DeadLetter(
            **common,
            sent_at=sent_at,
            reasons=("not written by the pipeline (an undelivered upload event?)",),
            item_id=None,
            key=None,
            attempts=None,
        )
    source, reasons = data.get("source"), data.get("reasons")
    key = source.get("key") if isinstance(source, dict) else None
    reasons = reasons if isinstance(reasons, list) else []
    item_id, attempts = data.get("item_id"), data.get("attempts")
    return DeadLetter(
        **common,
        sent_at=sent_at,
        reasons=tuple(str(reason) for reason in reasons) or ("no reason recorded",),
        item_id=item_id if isinstance(item_id, str) else None,
        key=key if isinstance(key, str) else None,
        attempts=attempts if isinstance(attempts, int) else None,
    )


def release(sqs: Any, queue_url: str, letters: Sequence[DeadLetter]) -> None:
    """Make held messages visible again now."""
    for start in range(0, len(letters), SQS_BATCH):
        sqs.change_message_visibility_batch(
            QueueUrl=queue_url,
            Entries=[
                {"Id": str(i), "ReceiptHandle": letter.receipt_handle, "VisibilityTimeout": 0}
                for i, letter in enumerate(letters[start : start + SQS_BATCH])
            ],
        )


@contextmanager
def held(sqs: Any, queue_url: str, limit: int | None = None) -> Iterator[list[DeadLetter]]:
    """Every visible message of the queue (or the first `limit`), held invisible inside the block.

    Whatever is still in the yielded list when the block ends (normally, by an error or Ctrl-C) is made
    visible again: the caller removes the messages it deleted.
    """
    letters: list[DeadLetter] = []
    try:
        while limit is None or len(letters) < limit:
            response = sqs.receive_message(
                QueueUrl=queue_url,
                MaxNumberOfMessages=SQS_BATCH if limit is None else min(SQS_BATCH, limit - len(letters)),
                VisibilityTimeout=HOLD_SECONDS,
                WaitTimeSeconds=WAIT_SECONDS,
                AttributeNames=["SentTimestamp"],
            )
            batch = response.get("Messages", [])
            if not batch:
                break
            letters.extend(parse(message) for message in batch)
        yield letters
    finally:
        release(sqs, queue_url, letters)
