"""SQS in batches of ten: one receive, delete or send call per ten messages, never one call per message."""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

SQS_BATCH = 10
_SEND_ROUNDS = 4


@dataclass(frozen=True)
class QueueMessage:
    message_id: str
    receipt_handle: str
    body: str


class Queues:
    """The upload queue and the dead-letter queue of one pipeline."""

    def __init__(self, client: SQSClient, upload_url: str, dead_letter_url: str) -> None:
        self._client = client
        self.upload_url = upload_url
        self.dead_letter_url = dead_letter_url

    def receive(self, wait_seconds: int) -> list[QueueMessage]:
        response = self._client.receive_message(
            QueueUrl=self.upload_url,
            MaxNumberOfMessages=SQS_BATCH,
            WaitTimeSeconds=wait_seconds,
        )
        return [
            QueueMessage(message_id=m["MessageId"], receipt_handle=m["ReceiptHandle"], body=m["Body"])
            for m in response.get("Messages", [])
        ]

    def delete(self, receipt_handles: Iterable[str]) -> None:
        """Delete received messages, ten per call. An entry SQS fails to delete reappears after its
        visibility timeout and the ledger then recognises its items, so failures need no handling here."""
        handles = iter(receipt_handles)
        while chunk := list(islice(handles, SQS_BATCH)):
            self._client.delete_message_batch(
                QueueUrl=self.upload_url,
                Entries=[{"Id": str(i), "ReceiptHandle": handle} for i, handle in enumerate(chunk)],
            )

    def release(self, messages: Sequence[QueueMessage]) -> None:
        """Make received messages visible again now (they did not fit into this batch)."""
        for start in range(0, len(messages), SQS_BATCH):
            chunk = messages[start : start + SQS_BATCH]
            self._client.change_message_visibility_batch(
                QueueUrl=self.upload_url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m.receipt_handle, "VisibilityTimeout": 0}
                    for i, m in enumerate(chunk)
                ],
            )

    def send(self, queue_url: str, bodies: Sequence[str]) -> set[int]:
        """Send bodies in batches of ten, retrying entries SQS failed on its side.

        Returns the indexes of the bodies SQS accepted; the caller decides what an unsent body means.
        """
        sent: set[int] = set()
        for start in range(0, len(bodies), SQS_BATCH):
            pending = {str(i): bodies[i] for i in range(start, min(start + SQS_BATCH, len(bodies)))}
            for round_number in range(_SEND_ROUNDS):
                response = self._client.send_message_batch(
                    QueueUrl=queue_url,
                    Entries=[{"Id": entry_id, "MessageBody": body} for entry_id, body in pending.items()],
                )
                for entry in response.get("Successful", []):
                    sent.add(int(entry["Id"]))
                    pending.pop(entry["Id"], None)
                retryable = [f for f in response.get("Failed", []) if not f.get("SenderFault")]
                if not pending or not retryable:
                    break
                time.sleep(0.1 * 2**round_number)
        return sent
