"""Reading and writing S3 objects through moto's S3 backend in the same process."""

from __future__ import annotations

from typing import Any

from moto.s3.models import s3_backends
from moto.utilities.utils import get_partition


class S3AccessError(Exception):
    """An S3 object could not be read or written; the message says which and why."""


def split_s3_uri(uri: str) -> tuple[str, str]:
    if not uri.startswith("s3://") or "/" not in uri[5:]:
        raise S3AccessError(f"{uri} is not an s3://bucket/key URI")
    bucket, _, key = uri[5:].partition("/")
    return bucket, key


def _s3(backend: Any) -> Any:
    return s3_backends[backend.account_id][get_partition(backend.region_name)]


def s3_object(backend: Any, uri: str) -> Any:
    """moto's object at ``uri`` in ``backend``'s account; raises :class:`S3AccessError` if absent."""
    bucket, key = split_s3_uri(uri)
    try:
        obj = _s3(backend).get_object(bucket, key)
    except Exception as error:  # moto raises its own MissingBucket and access errors
        raise S3AccessError(f"{uri} cannot be read: {error}") from error
    if obj is None:
        raise S3AccessError(f"{uri} does not exist")
    return obj


def read_s3(backend: Any, uri: str) -> bytes:
    return bytes(s3_object(backend, uri).value)


def s3_tags(backend: Any, obj: Any) -> dict[str, str]:
    tag_set = _s3(backend).get_object_tagging(obj).get("Tags", [])
    return {tag["Key"]: tag["Value"] for tag in tag_set}


def write_s3(backend: Any, uri: str, body: bytes, kms_key_id: str | None) -> None:
    """Put ``body`` at ``uri`` (SSE-KMS with ``kms_key_id`` when given), as a service role would."""
    bucket, key = split_s3_uri(uri)
    try:
        _s3(backend).put_object(
            bucket, key, body, encryption="aws:kms" if kms_key_id else None, kms_key_id=kms_key_id or None
        )
    except Exception as error:
        raise S3AccessError(f"cannot write {uri}: {error}") from error
