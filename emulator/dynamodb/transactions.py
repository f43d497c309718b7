"""DynamoDB ``TransactWriteItems`` as AWS documents it, at the sizes the pipeline's ledger uses.

AWS: Amazon DynamoDB API Reference, "TransactWriteItems",
https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html: a transaction
"groups up to 100 action requests", "no two actions can target the same item", "the aggregate size of the
items in the transaction cannot exceed 4 MB", and "the actions are completed atomically so that either all
of them succeed, or all of them fail". A failed condition cancels the whole transaction with
``TransactionCanceledException``, whose ``CancellationReasons`` has one entry per action, in order: ``None``
for an action that did not fail, ``ConditionalCheckFailed`` (with the item's attributes when the action asked
for ``ReturnValuesOnConditionCheckFailure: ALL_OLD``) for one whose condition failed (same page,
"TransactionCanceledException", and the API Reference's "CancellationReason").

What moto lacks or gets wrong:

* The 4 MB aggregate size is not checked: moto accepts a transaction of any size.
* Each transaction deep-copies every table it touches to be able to roll back, so a transaction costs time
  proportional to the table: a ledger of 100,000 rows made each one take seconds. Only the items the
  transaction names are now kept aside (at most 100), which is all a rollback needs.
* Conditions are evaluated while the earlier actions are already written, and nothing keeps two
  transactions from interleaving on the server's threads. Every condition is now evaluated first, on the
  state before the transaction, then all writes are applied, under one lock shared by every transaction:
  they are serialisable, as the page says ("isolation" and "serializable" in the Developer Guide's
  "Amazon DynamoDB Transactions: How it works",
  https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html).
"""

from __future__ import annotations

import copy
import threading
from typing import Any

from moto.dynamodb.comparisons import get_filter_expression
from moto.dynamodb.exceptions import (
    MockValidationException,
    MultipleTransactionsException,
    TooManyTransactionsException,
    TransactionCanceledException,
    TransactWriteSingleOpException,
)
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType

from emulator import patch

# "TransactWriteItems" (API Reference, URL above): up to 100 actions, at most 4 MB of items in all.
MAX_ACTIONS = 100
MAX_AGGREGATE_BYTES = 4 * 1024 * 1024
_OPERATIONS = ("ConditionCheck", "Put", "Delete", "Update")
_LOCK = threading.Lock()
_original: dict[str, Any] = {}


class TransactionTooLargeError(MockValidationException):
    def __init__(self, size: int) -> None:
        super().__init__(
            f"Transaction request of {size} bytes exceeds the aggregate size limit of {MAX_AGGREGATE_BYTES} "
            "bytes (4 MB) of the items in a transaction"
        )


def _size(attributes: dict[str, Any] | None) -> int:
    """Bytes of an item as DynamoDB counts them: the UTF-8 names plus the values.

    AWS: Amazon DynamoDB Developer Guide, "Item sizes and formats",
    https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html
    ("the length of the attribute name plus the length of the attribute value").
    """
    return sum(
        len(name.encode("utf-8")) + DynamoType(value).size() for name, value in (attributes or {}).items()
    )


def _aggregate_size(actions: list[tuple[str, dict[str, Any]]]) -> int:
    # Assumption: the page does not say how an Update or a ConditionCheck counts toward the 4 MB. A Put
    # counts its item; an Update the key and the values it writes; a Delete or ConditionCheck its key.
    total = 0
    for operation, body in actions:
        if operation == "Put":
            total += _size(body["Item"])
        else:
            total += _size(body["Key"]) + _size(body.get("ExpressionAttributeValues"))
    return total


def _key_of(backend: DynamoDBBackend, operation: str, body: dict[str, Any]) -> dict[str, Any]:
    if operation != "Put":
        return dict(body["Key"])
    table = backend.get_table(body["TableName"])
    key = {table.hash_key_attr: body["Item"][table.hash_key_attr]}
    if table.range_key_attr is not None:
        key[table.range_key_attr] = body["Item"][table.range_key_attr]
    return key


def _parse(transact_items: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    if len(transact_items) > MAX_ACTIONS:
        raise TooManyTransactionsException()
    actions = []
    for entry in transact_items:
        if len(entry) != 1:
            raise TransactWriteSingleOpException()
        operation, body = next(iter(entry.items()))
        if operation not in _OPERATIONS:
            raise MockValidationException(f"Unsupported transaction operation {operation}")
        actions.append((operation, body))
    return actions


def transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
    actions = _parse(transact_items)
    size = _aggregate_size(actions)
    if size > MAX_AGGREGATE_BYTES:
        raise TransactionTooLargeError(size)
    keys = [(body["TableName"], _key_of(self, operation, body)) for operation, body in actions]
    seen = {(table, str(sorted(key.items()))) for table, key in keys}
    if len(seen) != len(keys):
        raise MultipleTransactionsException()
    with _LOCK:
        current = [self.get_item(table, key) for table, key in keys]
        reasons: list[tuple[str, str, dict[str, Any]] | tuple[None, None, None]] = []
        for (_, body), item in zip(actions, current, strict=True):
            condition = body.get("ConditionExpression")
            if condition is None or get_filter_expression(
                condition, body.get("ExpressionAttributeNames"), body.get("ExpressionAttributeValues")
            ).expr(item):
                reasons.append((None, None, None))
                continue
            old = (
                item.to_json()["Attributes"]
                if item and body.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD"
                else None
            )
            reasons.append(("ConditionalCheckFailed", "The conditional request failed", old))  # type: ignore[arg-type]
        if any(code is not None for code, _, _ in reasons):
            raise TransactionCanceledException(reasons)
        saved = [copy.deepcopy(item) for item in current]
        done = 0
        try:
            for operation, body in actions:
                _apply(self, operation, body)
                done += 1
        except Exception as error:
            for (table, key), item in zip(keys, saved, strict=True):
                _restore(self, table, key, item)
            if isinstance(error, MockValidationException):
                raise
            # A write that fails after every condition held (an item grown beyond 400 KB, a type mismatch)
            # cancels the transaction too, with its reason at its own position (same page).
            failed: list[tuple[str, str, dict[str, Any]] | tuple[None, None, None]] = [
                (None, None, None)
            ] * len(actions)
            failed[done] = (type(error).__name__, str(getattr(error, "message", error)), None)  # type: ignore[assignment]
            raise TransactionCanceledException(failed) from error


def _apply(backend: DynamoDBBackend, operation: str, body: dict[str, Any]) -> None:
    names, values = body.get("ExpressionAttributeNames"), body.get("ExpressionAttributeValues")
    if operation == "Put":
        backend.put_item(
            body["TableName"],
            body["Item"],
            expression_attribute_names=names or {},
            expression_attribute_values=values or {},
        )
    elif operation == "Delete":
        backend.delete_item(body["TableName"], body["Key"])
    elif operation == "Update":
        backend.update_item(
            body["TableName"],
            body["Key"],
            update_expression=body["UpdateExpression"],
            expression_attribute_names=names or {},
            expression_attribute_values=values or {},
        )


def _restore(backend: DynamoDBBackend, table: str, key: dict[str, Any], item: Any) -> None:
    if item is None:
        if backend.get_item(table, key) is not None:
            backend.delete_item(table, key)
    else:
        backend.put_item(table, item.to_json()["Attributes"])


def install() -> None:
    if _original:
        return
    _original["transact_write_items"] = DynamoDBBackend.transact_write_items
    patch(DynamoDBBackend, "transact_write_items", transact_write_items)
