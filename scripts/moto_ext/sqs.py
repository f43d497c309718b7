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
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from moto.sqs.exceptions import InvalidParameterValue
from moto.sqs.models import Message, Queue, SQSBackend

from moto_ext import patch

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


_installed = False


def install() -> None:
    global _installed  # noqa: PLW0603 - install() is idempotent by design
    if _installed:
        return
    set_attributes = Queue._set_attributes
    set_queue_attributes = SQSBackend.set_queue_attributes
    attributes: Callable[[Any], dict[str, Any]] = Queue.__dict__["attributes"].fget

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

    def queue_attributes(self: Any) -> dict[str, Any]:
        result = attributes(self)
        if not result.get(REDRIVE_ALLOW_POLICY):
            result.pop(REDRIVE_ALLOW_POLICY, None)
        if self.redrive_policy:
            result["RedrivePolicy"] = json.dumps(self.redrive_policy, separators=(",", ":"))
        return result

    patch(Queue, "BASE_ATTRIBUTES", [*Queue.BASE_ATTRIBUTES, REDRIVE_ALLOW_POLICY])
    patch(Queue, "redrive_allow_policy", None)  # the default of queues created without one
    patch(Queue, "_set_attributes", queue_set_attributes)
    patch(Queue, "attributes", property(queue_attributes))
    patch(SQSBackend, "set_queue_attributes", backend_set_queue_attributes)
    patch(Message, "visible", property(message_visible))
    patch(Message, "delayed", property(message_delayed))
    patch(SQSBackend, "is_message_valid_based_on_retention_period", message_retained)
    _installed = True
