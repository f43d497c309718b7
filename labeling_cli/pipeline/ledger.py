"""What `redrive` writes in the pipeline's ledger (the DynamoDB table of lambda/labeling_pipeline/ledger.py).

An item's row is DEAD once the pipeline dead-letters it, with `attempts` counting its failed attempts.
The pipeline's claim of a redriven message (`Ledger.claim_redrive`) takes the row only while it is
DEAD and starts it again from zero attempts, so a second copy of a redriven message is dropped.

Before sending an item back, `redrive` resets `attempts` to 0 (the fresh budget, visible at once),
appends to `redrives` when, why and from which dead-letter message, and marks the row
`redrive_pending` with that message's id; once SQS has accepted the message it replaces the mark by
`redriven_by_message`. A rerun that finds the mark of a message it holds again knows how far the
interrupted run got.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from labeling_cli.common.retry import error_code

DEAD = "DEAD"


@dataclass(frozen=True)
class Row:
    state: str
    attempts: int
    redrive_pending: str | None
    redriven_by_message: str | None


def _now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _string(row: dict[str, Any], name: str) -> str | None:
    value = row.get(name, {}).get("S")
    return value if isinstance(value, str) else None


class RedriveLedger:
    def __init__(self, dynamodb: Any, table: str) -> None:
        self._dynamodb = dynamodb
        self.table = table

    def row(self, item_id: str) -> Row | None:
        item = self._dynamodb.get_item(
            TableName=self.table, Key={"item_id": {"S": item_id}}, ConsistentRead=True
        ).get("Item")
        if not item:
            return None
        return Row(
            state=_string(item, "state") or "",
            attempts=int(item.get("attempts", {}).get("N", "0")),
            redrive_pending=_string(item, "redrive_pending"),
            redriven_by_message=_string(item, "redriven_by_message"),
        )

    def note_redrive(
        self, item_id: str, *, message_id: str, why: str, method: str, previous: int, pending: bool
    ) -> bool:
        """Record the redrive and the fresh attempt budget; False if the row is no longer DEAD.

        `pending` marks the row until `note_sent`; a message-move task sends on its own, so it has none.
        """
        entry = {
            "at": {"S": _now_iso()},
            "why": {"S": why},
            "dead_letter_message_id": {"S": message_id},
            "method": {"S": method},
            "previous_attempts": {"N": str(previous)},
        }
        try:
            self._dynamodb.update_item(
                TableName=self.table,
                Key={"item_id": {"S": item_id}},
                UpdateExpression=(
                    "SET attempts = :zero, updated_at = :now, "
                    "redrives = list_append(if_not_exists(redrives, :none), :entry)"
                    + (", redrive_pending = :message" if pending else "")
                ),
                ConditionExpression="#state = :dead",
                ExpressionAttributeNames={"#state": "state"},
                ExpressionAttributeValues={
                    ":zero": {"N": "0"},
                    ":now": {"S": _now_iso()},
                    ":none": {"L": []},
                    ":entry": {"L": [{"M": entry}]},
                    ":dead": {"S": DEAD},
                    **({":message": {"S": message_id}} if pending else {}),
                },
            )
        except ClientError as error:
            if error_code(error) == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def note_sent(self, item_id: str, message_id: str) -> None:
        """SQS accepted the copy of `message_id`: the redrive is done but for deleting the dead letter."""
        try:
            self._dynamodb.update_item(
                TableName=self.table,
                Key={"item_id": {"S": item_id}},
                UpdateExpression=(
                    "SET redriven_by_message = :message, redriven_at = :now REMOVE redrive_pending"
                ),
                ConditionExpression="redrive_pending = :message",
                ExpressionAttributeValues={":message": {"S": message_id}, ":now": {"S": _now_iso()}},
            )
        except ClientError as error:
            # Already noted by an earlier run that stopped before deleting the dead letter.
            if error_code(error) != "ConditionalCheckFailedException":
                raise
