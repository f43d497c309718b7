"""What can be on the upload queue, and the messages the pipeline itself sends.

The upload queue carries EventBridge ``Object Created`` events from the upload bucket, plus three bodies
of our own: an item returned for another attempt, the rest of a text file too big for one job, and a
dead-letter message an operator moved back from the DLQ (SQS redrive). Anything else is *poison*: it is
dead-lettered with the reason, never retried in a loop.

Object keys: the classic S3 notification records (to SQS, SNS, Lambda) carry URL-encoded keys, as AWS
documents ("red flower.jpg" arrives as "red+flower.jpg"). The EventBridge page of the S3 guide documents
no encoding, and events captured from AWS carry keys as stored (for example raw ``:``, which the classic
records send as ``%3A``). So the EventBridge key is used exactly as it arrives. Only if no object exists
under it (at the event's version) does the reader try the form-decoded key (``ObjectCreated.decoded_key``),
so an event relayed by something that encodes keys the classic way still finds its object.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus

from .model import SourceObject

RETRY_KIND = "labeling-item-retry"
CONTINUATION_KIND = "labeling-source-continuation"
DEAD_KIND = "labeling-item-dead"

# SQS accepts 256 KiB per message; keep the echo of a poison message well inside that.
MAX_ECHOED_BODY_CHARS = 64 * 1024


@dataclass(frozen=True)
class ObjectCreated:
    """An uploaded object version to turn into items, starting at ``from_line`` for text objects."""

    source: SourceObject
    size: int | None
    uploaded_at: str | None
    decoded_key: str | None = None
    from_line: int = 1


@dataclass(frozen=True)
class RetryRequest:
    """An item returned by execution ``returned_by`` after its ``attempts``-th failed attempt."""

    item_id: str
    attempts: int
    returned_by: str


@dataclass(frozen=True)
class Redrive:
    """A dead-lettered item an operator moved back to the upload queue: try it again from scratch."""

    item_id: str


@dataclass(frozen=True)
class Poison:
    """A message that is not work for this pipeline; dead-lettered with ``reason``."""

    reason: str


Message = ObjectCreated | RetryRequest | Redrive | Poison


def _object_from_event(event: Mapping[str, Any], upload_bucket: str) -> ObjectCreated | Poison:
    if event.get("source") != "aws.s3" or event.get("detail-type") != "Object Created":
        return Poison(
            f"not an S3 Object Created event (source={event.get('source')!r}, "
            f"detail-type={event.get('detail-type')!r})"
        )
    detail = event.get("detail")
    bucket = detail.get("bucket") if isinstance(detail, Mapping) else None
    obj = detail.get("object") if isinstance(detail, Mapping) else None
    if not isinstance(bucket, Mapping) or not isinstance(obj, Mapping):
        return Poison("S3 event without detail.bucket and detail.object")
    bucket_name, key = bucket.get("name"), obj.get("key")
    if not isinstance(bucket_name, str) or not isinstance(key, str) or not key:
        return Poison("S3 event without a bucket name and object key")
    if bucket_name != upload_bucket:
        return Poison(f"event for bucket {bucket_name!r}, this pipeline reads {upload_bucket!r}")
    size = obj.get("size")
    if size is not None and (not isinstance(size, int) or isinstance(size, bool) or size < 0):
        return Poison(f"S3 event with an invalid object size {size!r}")
    version, etag, time = obj.get("version-id"), obj.get("etag"), event.get("time")
    decoded = unquote_plus(key)
    return ObjectCreated(
        source=SourceObject(
            bucket=bucket_name,
            key=key,
            version_id=version if isinstance(version, str) and version else None,
            etag=etag if isinstance(etag, str) else None,
        ),
        size=size,
        uploaded_at=time if isinstance(time, str) else None,
        decoded_key=decoded if decoded != key else None,
    )


def _source_from_json(value: Any, upload_bucket: str) -> SourceObject | None:
    if not isinstance(value, Mapping):
        return None
    bucket, key = value.get("bucket"), value.get("key")
    version, etag = value.get("version_id"), value.get("etag")
    if bucket != upload_bucket or not isinstance(key, str) or not key:
        return None
    return SourceObject(
        bucket=bucket,
        key=key,
        version_id=version if isinstance(version, str) else None,
        etag=etag if isinstance(etag, str) else None,
    )


def _own_message(body: Mapping[str, Any], upload_bucket: str) -> Message:
    kind = body["kind"]
    if kind == RETRY_KIND:
        item, attempts, by = body.get("item_id"), body.get("attempts"), body.get("returned_by")
        if isinstance(item, str) and isinstance(attempts, int) and attempts > 0 and isinstance(by, str):
            return RetryRequest(item_id=item, attempts=attempts, returned_by=by)
        return Poison("retry message without item_id, attempts and returned_by")
    if kind == DEAD_KIND:
        item = body.get("item_id")
        if isinstance(item, str) and item:
            return Redrive(item_id=item)
    if kind in (DEAD_KIND, CONTINUATION_KIND):
        source = _source_from_json(body.get("source"), upload_bucket)
        if source is None:
            return Poison(f"{kind} message without a source object in {upload_bucket!r}")
        from_line = body.get("from_line", 1)
        size, uploaded_at = body.get("size"), body.get("uploaded_at")
        return ObjectCreated(
            source=source,
            size=size if isinstance(size, int) and not isinstance(size, bool) else None,
            uploaded_at=uploaded_at if isinstance(uploaded_at, str) else None,
            from_line=from_line if isinstance(from_line, int) and from_line > 0 else 1,
        )
    return Poison(f"unknown message kind {kind!r}")


def parse_message(body: str, upload_bucket: str) -> Message:
    """Classify one upload-queue message body; never raises."""
    try:
        data = json.loads(body)
    except (json.JSONDecodeError, RecursionError):
        return Poison("message body is not JSON")
    if not isinstance(data, Mapping):
        return Poison("message body is not a JSON object")
    if isinstance(data.get("kind"), str):
        return _own_message(data, upload_bucket)
    return _object_from_event(data, upload_bucket)


def _encode(body: Mapping[str, Any]) -> str:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def retry_body(item_id: str, attempts: int, returned_by: str) -> str:
    return _encode({"kind": RETRY_KIND, "item_id": item_id, "attempts": attempts, "returned_by": returned_by})


def continuation_body(rest: ObjectCreated) -> str:
    """The part of a text object a batch had no room for, from ``rest.from_line`` on."""
    return _encode(
        {
            "kind": CONTINUATION_KIND,
            "source": rest.source.to_json(),
            "size": rest.size,
            "uploaded_at": rest.uploaded_at,
            "from_line": rest.from_line,
        }
    )


def dead_body(
    reasons: list[str],
    *,
    item_id: str | None = None,
    source: SourceObject | None = None,
    line: int | None = None,
    attempts: int | None = None,
    original_body: str | None = None,
) -> str:
    """A dead-letter message: the item (if there is one), where it came from, and every reason."""
    body: dict[str, Any] = {"kind": DEAD_KIND, "reasons": reasons}
    if item_id is not None:
        body["item_id"] = item_id
    if source is not None:
        body["source"] = source.to_json() | ({"line": line} if line is not None else {})
    if attempts is not None:
        body["attempts"] = attempts
    if original_body is not None:
        body["message"] = original_body[:MAX_ECHOED_BODY_CHARS]
    return _encode(body)
