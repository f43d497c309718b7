"""The ledger writes claims and labels in DynamoDB transactions, and settles each item of a cancelled one."""

from __future__ import annotations

import time
from collections import Counter
from typing import Any, cast

from botocore.exceptions import ClientError

from labeling_pipeline.ledger import (
    TRANSACT_MAX_ACTIONS,
    Claim,
    Claimed,
    ClaimOutcome,
    ItemState,
    Ledger,
)
from labeling_pipeline.model import Candidate, SourceObject
from tests.pipeline.harness import LEDGER_TABLE, UPLOAD_BUCKET

MINE = Claim("exec-1", "token-1")


class _Counting:
    """The DynamoDB client, counting its calls by operation; ``cancel_first`` cancels the first
    TransactWriteItems call with a TransactionConflict on the action at that position, as DynamoDB does
    when another write to that item is in progress."""

    def __init__(self, client: Any, cancel_first: int | None = None) -> None:
        self._client = client
        self._cancel_first = cancel_first
        self.calls: Counter[str] = Counter()

    def transact_write_items(self, **request: Any) -> Any:
        self.calls["TransactWriteItems"] += 1
        if self._cancel_first is not None:
            position, self._cancel_first = self._cancel_first, None
            reasons = [{"Code": "None"} for _ in request["TransactItems"]]
            reasons[position] = {
                "Code": "TransactionConflict",
                "Message": "Transaction is ongoing for the item",
            }
            raise ClientError(
                {
                    "Error": {"Code": "TransactionCanceledException", "Message": "Transaction cancelled"},
                    "CancellationReasons": reasons,
                },
                "TransactWriteItems",
            )
        return self._client.transact_write_items(**request)

    def __getattr__(self, name: str) -> Any:
        operation = "".join(part.title() for part in name.split("_"))
        self.calls[operation] += 1
        return getattr(self._client, name)


def candidates(count: int, text: str | None = None, prefix: str = "photo") -> list[Candidate]:
    return [
        Candidate(SourceObject(UPLOAD_BUCKET, f"{prefix}-{n}.png", f"v{n}", f"e{n}"), None, text, None)
        for n in range(count)
    ]


def ledger_of(make_pipeline: Any, **options: Any) -> tuple[Ledger, _Counting, Any]:
    pipeline = make_pipeline()
    client = _Counting(pipeline.dynamodb, **options)
    return Ledger(cast(Any, client), LEDGER_TABLE), client, pipeline


def test_new_items_are_claimed_a_hundred_per_request(make_pipeline: Any) -> None:
    # Given 250 uploads seen for the first time
    ledger, client, pipeline = ledger_of(make_pipeline)
    # When they are claimed
    outcomes = ledger.claim_new_many(candidates(250), MINE)
    # Then every one is claimed, with three DynamoDB requests in all, and the ledger holds them
    assert all(isinstance(o, Claimed) for o in outcomes)
    assert client.calls == Counter({"TransactWriteItems": 3})
    rows = pipeline.all_items()
    assert len(rows) == 250
    assert {r.state for r in rows} == {ItemState.CLAIMED}
    assert {(r.batch_id, r.claim_token) for r in rows} == {(MINE.batch_id, MINE.token)}


def test_an_item_another_batch_holds_is_left_to_it_and_the_rest_are_claimed(make_pipeline: Any) -> None:
    # Given item 7 of 100 is in another execution's committed batch
    ledger, client, pipeline = ledger_of(make_pipeline)
    theirs = Claim("exec-0", "token-0")
    ledger.start_batch(theirs, "arn:exec-0", time.time() + 600)
    ledger.claim_new_many(candidates(100)[7:8], theirs)
    ledger.commit_batch(theirs, "s3://out/exec-0/input.manifest", 1)
    client.calls.clear()
    # When this execution claims all 100
    outcomes = ledger.claim_new_many(candidates(100), MINE)
    # Then item 7 is a duplicate (the cancellation named it), the 99 others are claimed in a second
    # transaction, and item 7 stays in the other batch
    assert outcomes[7] is ClaimOutcome.DUPLICATE
    assert sum(isinstance(o, Claimed) for o in outcomes) == 99
    assert client.calls["TransactWriteItems"] == 2
    owners = Counter(r.batch_id for r in pipeline.all_items())
    assert owners == Counter({"exec-1": 99, "exec-0": 1})


def test_an_abandoned_claim_found_by_a_transaction_is_taken_over(make_pipeline: Any) -> None:
    # Given item 3 claimed by an invocation of another execution that died before committing
    ledger, _client, pipeline = ledger_of(make_pipeline)
    dead = Claim("exec-0", "token-dead")
    ledger.start_batch(dead, "arn:exec-0", time.time() - 1)
    ledger.claim_new_many(candidates(10)[3:4], dead)
    # When this execution claims the ten items
    outcomes = ledger.claim_new_many(candidates(10), MINE)
    # Then all ten are its own
    assert all(isinstance(o, Claimed) for o in outcomes)
    assert {r.batch_id for r in pipeline.all_items()} == {"exec-1"}


def test_a_second_copy_of_an_item_in_one_call_is_already_mine(make_pipeline: Any) -> None:
    # Given the same upload twice among three (a duplicated event delivery)
    ledger, _client, pipeline = ledger_of(make_pipeline)
    items = candidates(2)
    # When they are claimed together
    outcomes = ledger.claim_new_many([items[0], items[1], items[0]], MINE)
    # Then the copy is recognised, and the ledger holds two rows
    assert isinstance(outcomes[0], Claimed)
    assert isinstance(outcomes[1], Claimed)
    assert outcomes[2] is ClaimOutcome.ALREADY_MINE
    assert len(pipeline.all_items()) == 2


def test_a_conflicting_write_is_retried_and_its_item_claimed(make_pipeline: Any) -> None:
    # Given DynamoDB cancels the first transaction because another write to item 4 is in progress
    ledger, client, pipeline = ledger_of(make_pipeline, cancel_first=4)
    # When ten items are claimed
    outcomes = ledger.claim_new_many(candidates(10), MINE)
    # Then all are claimed: the nine only cancelled with it at once, item 4 in a later round
    assert all(isinstance(o, Claimed) for o in outcomes)
    assert client.calls["TransactWriteItems"] == 3
    assert len(pipeline.all_items()) == 10


def test_large_items_are_split_so_no_transaction_exceeds_four_megabytes(make_pipeline: Any) -> None:
    # Given 100 text items of 60,000 characters each (about 6 MB of rows)
    ledger, client, pipeline = ledger_of(make_pipeline)
    # When they are claimed
    items = candidates(TRANSACT_MAX_ACTIONS, text="x" * 60_000)
    outcomes = ledger.claim_new_many(items, MINE)
    # Then every one is claimed, in two transactions
    assert all(isinstance(o, Claimed) for o in outcomes)
    assert client.calls["TransactWriteItems"] == 2
    rows = pipeline.items([c.item_id for c in items])
    assert len(rows) == TRANSACT_MAX_ACTIONS
    assert {r.text for r in rows.values()} == {"x" * 60_000}


def test_labeled_items_are_marked_in_transactions_and_items_no_longer_ours_are_named(
    make_pipeline: Any,
) -> None:
    # Given 150 items claimed by this batch, one of which another batch has since taken over
    ledger, client, pipeline = ledger_of(make_pipeline)
    items = candidates(150)
    ledger.claim_new_many(items, MINE)
    other = Claim("exec-2", "token-2")
    taken = items[10].item_id
    pipeline.dynamodb.update_item(
        TableName=LEDGER_TABLE,
        Key={"item_id": {"S": taken}},
        UpdateExpression="SET batch_id = :b, claim_token = :t",
        ExpressionAttributeValues={":b": {"S": other.batch_id}, ":t": {"S": other.token}},
    )
    client.calls.clear()
    # When the 150 are marked labeled
    not_ours = ledger.mark_labeled_many([(c.item_id, "job-1") for c in items], MINE)
    # Then the taken one is named and left as it is, the others are LABELED, in three requests
    assert not_ours == {taken}
    states = Counter(r.state for r in pipeline.all_items())
    assert states == Counter({ItemState.LABELED: 149, ItemState.CLAIMED: 1})
    assert client.calls["TransactWriteItems"] == 3
