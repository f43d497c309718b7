"""S3 event notifications as AWS sends them, EventBridge delivery in particular.

What moto lacks or gets wrong:

* EventBridge events are delivered to the rules of *every* event bus and bypass the rules' input
  transformation (``InputPath``/``InputTransformer``); AWS puts them on the account's default bus only,
  where rules treat them like any other event.
* Every event has the same ``id`` (AWS: a UUID per event), ``detail.object.eTag`` is spelled ``etag``
  by AWS, ``reason`` is ``ObjectCreated`` instead of the API name (``PutObject``, ``CopyObject``,
  ``CompleteMultipartUpload``), ``version-id`` is sent for unversioned buckets, and deletions lack
  ``deletion-type``.
* A multipart upload emits three events (an inner ``PutObject``, ``Object Tags Added`` and
  ``CompleteMultipartUpload``) and a ``PutObject`` or ``CopyObject`` with tags adds ``Object Tags
  Added``; AWS sends one ``Object Created`` event per request.
* Events are sent in the middle of the request, before the object's tags and metadata are stored;
  AWS sends them once the request has succeeded.
* A rule target without an input transformation receives the event through a string template that
  drops ``account`` and substitutes ``<id>``-like placeholders inside the detail (an object key
  ``a<id>.txt`` is rewritten); EventBridge delivers the event unchanged.

``detail.object.key`` is the object key exactly as stored (not URL-encoded): unlike the S3 event
notification records sent to SQS, SNS and Lambda, which URL-encode the key (``a b+c`` becomes
``a+b%2Bc``), EventBridge events carry the raw key. The README gives the evidence.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import json
import logging
import secrets
import string
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from moto.events.models import events_backends
from moto.events.utils import EventTemplateParser
from moto.s3 import notifications
from moto.s3.models import S3Backend
from moto.s3.responses import S3Response

from emulator import patch

LOGGER = logging.getLogger(__name__)
_REASONS = {
    "s3:ObjectCreated:Put": "PutObject",
    "s3:ObjectCreated:Post": "POST Object",
    "s3:ObjectCreated:Copy": "CopyObject",
    "s3:ObjectCreated:CompleteMultipartUpload": "CompleteMultipartUpload",
    "s3:ObjectRemoved:Delete": "DeleteObject",
    "s3:ObjectRemoved:DeleteMarkerCreated": "DeleteObject",
    "s3:LifecycleExpiration:Delete": "Lifecycle Expiration",
    "s3:LifecycleExpiration:DeleteMarkerCreated": "Lifecycle Expiration",
}
_DELETION_TYPES = {
    "s3:ObjectRemoved:Delete": "Permanently Deleted",
    "s3:ObjectRemoved:DeleteMarkerCreated": "Delete Marker Created",
    "s3:LifecycleExpiration:Delete": "Permanently Deleted",
    "s3:LifecycleExpiration:DeleteMarkerCreated": "Delete Marker Created",
}
_sequence_lock = threading.Lock()
_last_sequencer = 0
_scope = threading.local()


def _sequencer() -> str:
    """An increasing hexadecimal string, like the ``sequencer`` of S3 events for one key."""
    global _last_sequencer  # noqa: PLW0603 - one counter per process
    with _sequence_lock:
        _last_sequencer = max(_last_sequencer + 1, time.time_ns())
        return f"{_last_sequencer:018X}"


def _event_name(event: Any) -> str:
    """moto passes event names as a ``str`` enum, whose ``str()`` is not the value."""
    return str(getattr(event, "value", event))


def _request_id() -> str:
    return "".join(secrets.choice(string.ascii_uppercase + string.digits) for _ in range(16))


def event_detail(account_id: str, bucket: Any, event_name: str, key: Any) -> dict[str, Any]:
    """The ``detail`` of the EventBridge event S3 sends for ``event_name`` on ``key``."""
    removed = event_name in _DELETION_TYPES
    obj: dict[str, Any] = {"key": key.name}
    if not removed:
        obj["size"] = key.size
        obj["etag"] = key.etag.replace('"', "")
    if bucket.is_versioned and key.version_id not in (None, "null"):
        obj["version-id"] = key.version_id
    if not event_name.startswith(("s3:ObjectAcl", "s3:ObjectRestore")):
        obj["sequencer"] = _sequencer()
    detail: dict[str, Any] = {
        "version": "0",
        "bucket": {"name": bucket.name},
        "object": obj,
        "request-id": _request_id(),
        "requester": account_id,
        "source-ip-address": "127.0.0.1",
    }
    if event_name in _REASONS:
        detail["reason"] = _REASONS[event_name]
    if removed:
        detail["deletion-type"] = _DELETION_TYPES[event_name]
    return detail


def send_to_default_bus(account_id: str, bucket: Any, event_name: str, key: Any) -> None:
    """Put the S3 event on the default bus of the bucket's account and region, as AWS does."""
    event = {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": notifications._detail_type(event_name),
        "source": "aws.s3",
        "account": account_id,
        # moto's event pipeline keeps the time as epoch seconds and formats it per target.
        "time": datetime.now(UTC).replace(microsecond=0).timestamp(),
        "region": bucket.region_name,
        "resources": [bucket.arn],
        "detail": event_detail(account_id, bucket, event_name, key),
    }
    # moto's input transformation needs the time EventBridge received the event.
    event["ingestion-time"] = event["time"]
    events = events_backends[account_id][bucket.region_name]
    bus = events.event_buses.get("default")
    if bus is None:
        return
    for rule in list(bus.rules.values()):
        if rule.state != "ENABLED":
            continue
        try:
            rule.send_to_targets(json.loads(json.dumps(event)))
        except Exception:  # delivery is asynchronous in AWS: a broken target never fails the S3 request
            LOGGER.exception("could not deliver an S3 event to the targets of rule %s", rule.name)


@contextlib.contextmanager
def deferred_events(keep: Callable[[str], bool]) -> Iterator[None]:
    """Hold the notifications sent inside the block; send those ``keep`` accepts once it succeeded."""
    outer = getattr(_scope, "pending", None)
    pending: list[tuple[Any, ...]] = []
    _scope.pending = pending
    try:
        yield
    finally:
        _scope.pending = outer
    kept = [args for args in pending if keep(_event_name(args[1]))]
    if outer is not None:
        outer.extend(kept)
    else:
        for args in kept:
            _send_now(*args)


_send_now: Callable[..., None]


def _not_tagging(event_name: str) -> bool:
    return not event_name.startswith("s3:ObjectTagging")


def _only(event_name: str) -> Callable[[str], bool]:
    return lambda name: name == event_name


def _defer(method: Callable[..., Any], keep: Callable[[str], bool]) -> Callable[..., Any]:
    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with deferred_events(keep):
            return method(*args, **kwargs)

    return wrapper


_installed = False


def install() -> None:
    global _installed, _send_now  # noqa: PLW0603 - install() is idempotent by design
    if _installed:
        return
    _send_now = notifications.send_event

    def send_event(*args: Any) -> None:
        pending = getattr(_scope, "pending", None)
        if pending is None:
            _send_now(*args)
        else:
            pending.append(args)

    def send_event_bridge_message(account_id: str, bucket: Any, event_name: str, key: Any) -> None:
        send_to_default_bus(account_id, bucket, _event_name(event_name), key)

    transform: Callable[..., Any] = EventTemplateParser.parse

    def parse(
        input_template: str | None, input_paths_map: dict[str, Any] | None, event: dict[str, Any]
    ) -> Any:
        if input_template or input_paths_map:
            return transform(input_template, input_paths_map, event)
        # No transformation: the target gets the event itself ("ingestion-time" is moto's bookkeeping).
        return {key: value for key, value in copy.deepcopy(event).items() if key != "ingestion-time"}

    patch(EventTemplateParser, "parse", staticmethod(parse))
    patch(notifications, "send_event", send_event)
    patch(notifications, "_send_event_bridge_message", send_event_bridge_message)
    patch(S3Response, "put_object", _defer(S3Response.put_object, _not_tagging))
    patch(S3Response, "copy_object", _defer(S3Response.copy_object, _not_tagging))
    complete = "s3:ObjectCreated:CompleteMultipartUpload"
    patch(
        S3Backend, "complete_multipart_upload", _defer(S3Backend.complete_multipart_upload, _only(complete))
    )
    _installed = True
