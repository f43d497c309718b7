"""Returning items that were not labeled: back to the upload queue, or to the DLQ after max_attempts.

Order per item: the message first, then the ledger. A crash in between leaves the item on a queue (safe)
with a ledger row still claimed by the returning batch; ``Ledger.claim_retry`` accepts exactly that case,
and a second copy of the message is recognised as stale. The other order could lose the item: a row
marked RETURNED with no message anywhere.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from aws_lambda_powertools import Logger

from .ledger import Claim, Ledger, LedgerItem
from .messages import dead_body, retry_body
from .queues import Queues

logger = Logger(child=True)

LEDGER_CONCURRENCY = 16


@dataclass
class ReturnCounts:
    returned: int = 0
    dead_lettered: int = 0
    unsent: int = 0

    def add(self, other: ReturnCounts) -> None:
        self.returned += other.returned
        self.dead_lettered += other.dead_lettered
        self.unsent += other.unsent


@dataclass(frozen=True)
class ItemReturn:
    item: LedgerItem
    reason: str


@dataclass
class ItemReturner:
    ledger: Ledger
    queues: Queues
    max_attempts: int
    claim: Claim
    counts: ReturnCounts = field(default_factory=ReturnCounts)

    def return_items(self, returns: Sequence[ItemReturn]) -> ReturnCounts:
        """Send each item back (or to the DLQ) and record it; returns what happened to this group."""
        counts = ReturnCounts()
        retries = [r for r in returns if r.item.attempts + 1 < self.max_attempts]
        deaths = [r for r in returns if r.item.attempts + 1 >= self.max_attempts]
        retry_sent = self.queues.send(
            self.queues.upload_url,
            [retry_body(r.item.item_id, r.item.attempts + 1, self.claim.batch_id) for r in retries],
        )
        dead_sent = self.queues.send(
            self.queues.dead_letter_url,
            [
                dead_body(
                    [*r.item.reasons, r.reason],
                    item_id=r.item.item_id,
                    source=r.item.source,
                    line=r.item.line,
                    attempts=r.item.attempts + 1,
                )
                for r in deaths
            ],
        )
        counts.unsent = len(retries) - len(retry_sent) + len(deaths) - len(dead_sent)
        sent_retries = [retries[i] for i in sorted(retry_sent)]
        sent_deaths = [deaths[i] for i in sorted(dead_sent)]
        with ThreadPoolExecutor(max_workers=LEDGER_CONCURRENCY) as pool:
            returned = list(
                pool.map(lambda r: self.ledger.mark_returned(r.item, self.claim, r.reason), sent_retries)
            )
            dead = list(pool.map(lambda r: self.ledger.mark_dead(r.item, self.claim, r.reason), sent_deaths))
        counts.returned, counts.dead_lettered = len(sent_retries), len(sent_deaths)
        raced = [
            r.item.item_id
            for r, recorded in zip([*sent_retries, *sent_deaths], [*returned, *dead], strict=True)
            if not recorded
        ]
        if raced:
            # The message went out but the row had moved on (a claim took the retry message first): the
            # item is on its way either way, so this is worth a log line, not a failure.
            logger.info("returned items already claimed again", extra={"items": raced})
        self.counts.add(counts)
        return counts


def reason_for(
    item: LedgerItem, known: Mapping[str, str], default: str, chunk_errors: Mapping[str, str] | None = None
) -> str:
    """The most specific reason we have: the stage's per-item reason, the error noted on the item, the
    error of the Feature Store chunk it was in, or the default."""
    return known.get(item.item_id) or item.last_error or (chunk_errors or {}).get(item.item_id) or default
