"""SQS queue attributes as AWS keeps them.

What moto lacks or gets wrong:

* ``SetQueueAttributes`` replaces the queue's ``Policy`` with whatever the request carries, so setting
  any other attribute (the AWS provider sets ``RedriveAllowPolicy`` and ``Policy`` in separate calls)
  silently deletes the access policy. AWS changes only the attributes named in the request.
* ``RedriveAllowPolicy`` is unknown: ``GetQueueAttributes`` refuses the name and ``All`` omits it.
  An empty value removes it, as on AWS.
"""

from __future__ import annotations

from typing import Any

from moto.sqs.models import Queue

from moto_ext import patch

_REDRIVE_ALLOW = "RedriveAllowPolicy"
_ATTRIBUTE = "redrive_allow_policy"  # where moto keeps an attribute named like this one
_installed = False


def install() -> None:
    global _installed  # noqa: PLW0603 - install() must be idempotent per process
    if _installed:
        return
    _installed = True

    original_set = Queue._set_attributes
    original_attributes = vars(Queue)["attributes"].fget

    def set_attributes(self: Queue, attributes: dict[str, Any], now: float | None = None) -> None:
        changes = dict(attributes)
        redrive_allow_given = _REDRIVE_ALLOW in changes
        redrive_allow = changes.pop(_REDRIVE_ALLOW, None)
        kept_policy = getattr(self, "policy", None)
        original_set(self, changes, now)
        if "Policy" not in changes:
            self.policy = kept_policy
        if redrive_allow_given:
            vars(self)[_ATTRIBUTE] = redrive_allow or None

    def attributes(self: Queue) -> dict[str, Any]:
        result: dict[str, Any] = original_attributes(self)
        result.pop(_REDRIVE_ALLOW, None)
        value = vars(self).get(_ATTRIBUTE)
        if value:
            result[_REDRIVE_ALLOW] = value
        return result

    if _REDRIVE_ALLOW not in Queue.BASE_ATTRIBUTES:
        Queue.BASE_ATTRIBUTES = [*Queue.BASE_ATTRIBUTES, _REDRIVE_ALLOW]
    patch(Queue, _ATTRIBUTE, None)  # moto reads every listed attribute off each queue
    patch(Queue, "_set_attributes", set_attributes)
    patch(Queue, "attributes", property(attributes))
