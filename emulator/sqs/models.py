"""SQS queue attributes the AWS provider sets and reads back.

What moto lacks or gets wrong:

* ``RedriveAllowPolicy`` (which queues may use this one as their dead-letter queue) is not a known
  attribute: ``GetQueueAttributes`` refuses the name and never returns it, so the AWS provider's
  ``aws_sqs_queue_redrive_allow_policy`` waits forever. It is now stored, validated and returned.
* ``SetQueueAttributes`` without ``Policy`` deletes the queue's policy; AWS changes only the attributes
  in the request.
* ``RedrivePolicy`` is read back with spaces after ``:`` and ``,``; AWS answers compact JSON, and the
  AWS provider plans a change for the difference.
* A queue encrypted with a KMS key reports ``SqsManagedSseEnabled: true``; the two kinds of
  encryption exclude each other, and AWS reports ``false``.
* Every call costs time proportional to the queue's length, with a large constant: the retention check
  of each received message rebuilds all queue attributes (three passes over every message), and each
  message's visibility and delay checks build a ``datetime``. A receive from a queue of 2,000 messages
  took 1.8 s, so queues of the sizes the pipeline is built for (10,000 uploads) were unusable. The
  checks now read the stored values and the clock directly.
* Reading one attribute built them all, the three message counts included (a pass over the queue each),
  and moto reads one (``ContentBasedDeduplication``) for every message sent: sending to a queue of
  10,000 messages took ~9 ms per message. Attributes are now computed when they are read.
* Deleting a message walked the queue twice, building a list of every message's receipt handles on
  each step (deleting 10,000 received messages took minutes). It now walks the queue once, comparing
  handles in place.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Mapping
from typing import Any

from moto.core.utils import camelcase_to_underscores
from moto.sqs.exceptions import InvalidParameterValue, ReceiptHandleIsInvalid
from moto.sqs.models import Message, Queue, SQSBackend

from emulator import patch

REDRIVE_ALLOW_POLICY = "RedriveAllowPolicy"
_PERMISSIONS = ("allowAll", "denyAll", "byQueue")
MAX_SOURCE_QUEUES = 10


def validate_redrive_allow_policy(text: str) -> None:
    """Refuse a ``RedriveAllowPolicy`` that AWS refuses, with a message saying why."""
    try:
        policy = json.loads(text)
    except ValueError as error:
        raise InvalidParameterValue(
            f"Value {text} for parameter RedriveAllowPolicy is invalid. Reason: not JSON."
        ) from error
    permission = policy.get("redrivePermission") if isinstance(policy, dict) else None
    if permission not in _PERMISSIONS:
        raise InvalidParameterValue(f"redrivePermission must be one of {', '.join(_PERMISSIONS)}.")
    sources = policy.get("sourceQueueArns")
    if permission == "byQueue":
        if not isinstance(sources, list) or not 1 <= len(sources) <= MAX_SOURCE_QUEUES:
            raise InvalidParameterValue(f"byQueue needs 1 to {MAX_SOURCE_QUEUES} sourceQueueArns.")
    elif sources is not None:
        raise InvalidParameterValue(
            f"sourceQueueArns is allowed only with redrivePermission byQueue, not {permission}."
        )


def _now_millis() -> float:
    """The clock moto stamps messages with (milliseconds since the epoch), without building datetimes."""
    return time.time() * 1000


def message_visible(message: Any) -> bool:
    return bool(_now_millis() > message.visible_at)


def message_delayed(message: Any) -> bool:
    return bool(_now_millis() < message.delayed_until)


def message_retained(backend: Any, queue_name: str, message: Any) -> bool:
    retention_seconds = int(backend.get_queue(queue_name).message_retention_period)
    return bool(retention_seconds + message.sent_timestamp / 1000 > time.time())


def _had_handle(message: Any, receipt_handle: str) -> bool:
    return bool(message.receipt_handle == receipt_handle or receipt_handle in message._old_receipt_handles)


def queue_delete_message(queue: Any, receipt_handle: str) -> None:
    """Delete the message that has (or had) ``receipt_handle``; deleting it again is not an error."""
    if receipt_handle in queue.deleted_messages:
        return
    messages = queue._messages
    index = next((i for i, message in enumerate(messages) if _had_handle(message, receipt_handle)), None)
    if index is None:
        raise ReceiptHandleIsInvalid()
    message = messages[index]
    # A new list, as moto does: requests on other threads may be iterating over the old one.
    queue._messages = messages[:index] + messages[index + 1 :]
    queue.pending_messages.discard(message)
    queue.deleted_messages.update(message.all_receipt_handles)


class QueueAttributes(Mapping[str, Any]):
    """A queue's attributes as AWS reports them, each computed when it is read."""

    def __init__(self, queue: Any) -> None:
        self._queue = queue

    def _names(self) -> list[str]:
        queue = self._queue
        names: list[str] = [*queue.BASE_ATTRIBUTES]
        if queue.fifo_queue:
            names += queue.FIFO_ATTRIBUTES
        if queue.kms_master_key_id:
            names += queue.KMS_ATTRIBUTES
        if not queue.redrive_allow_policy:
            names.remove(REDRIVE_ALLOW_POLICY)
        return names

    def __getitem__(self, name: str) -> Any:
        if name not in self._names():
            raise KeyError(name)
        value = getattr(self._queue, camelcase_to_underscores(name))
        if name == "RedrivePolicy" and value:
            return json.dumps(value, separators=(",", ":"))  # compact, as AWS answers
        if isinstance(value, bool):
            return str(value).lower()
        return value

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())

    def __len__(self) -> int:
        return len(self._names())


_installed = False


def install() -> None:
    global _installed  # noqa: PLW0603 - install() is idempotent by design
    if _installed:
        return
    set_attributes = Queue._set_attributes
    set_queue_attributes = SQSBackend.set_queue_attributes

    def queue_set_attributes(self: Any, values: dict[str, Any], now: float | None = None) -> None:
        allow = values.get(REDRIVE_ALLOW_POLICY)
        if allow:
            validate_redrive_allow_policy(allow)
        set_attributes(self, values, now)
        if values.get("KmsMasterKeyId"):
            self.sqs_managed_sse_enabled = False

    def backend_set_queue_attributes(self: Any, queue_name: str, values: dict[str, Any]) -> Any:
        queue = self.get_queue(queue_name)
        if "Policy" not in values:
            values = {**values, "Policy": queue.policy}
        return set_queue_attributes(self, queue_name, values)

    patch(Queue, "BASE_ATTRIBUTES", [*Queue.BASE_ATTRIBUTES, REDRIVE_ALLOW_POLICY])
    patch(Queue, "redrive_allow_policy", None)  # the default of queues created without one
    patch(Queue, "_set_attributes", queue_set_attributes)
    patch(Queue, "attributes", property(QueueAttributes))
    patch(SQSBackend, "set_queue_attributes", backend_set_queue_attributes)
    patch(Message, "visible", property(message_visible))
    patch(Message, "delayed", property(message_delayed))
    patch(SQSBackend, "is_message_valid_based_on_retention_period", message_retained)
    patch(Queue, "delete_message", queue_delete_message)
    _installed = True
