"""Reading and writing S3 objects through moto's S3 backend in the same process, as a service role would.

Every read and write is authorized for the role of :func:`as_role` (identity policies, bucket policy,
key policy: :mod:`emulator.core.service_access`); a denied request raises :class:`S3AccessError` with the
message AWS returns.
"""

from __future__ import annotations

import contextlib
from typing import Any

from moto.s3.models import s3_backends
from moto.utilities.utils import get_partition

from emulator.core import service_access


class S3AccessError(Exception):
    """An S3 object could not be read or written; the message says which and why."""


def split_s3_uri(uri: str) -> tuple[str, str]:
    if not uri.startswith("s3://") or "/" not in uri[5:]:
        raise S3AccessError(f"{uri} is not an s3://bucket/key URI")
    bucket, _, key = uri[5:].partition("/")
    return bucket, key


def as_role(backend: Any, role_arn: str) -> contextlib.AbstractContextManager[None]:
    """The S3 requests made inside the block are made with ``role_arn`` (a job's execution role)."""
    return service_access.acting_as(service_access.Principal(backend.account_id, role_arn=role_arn))


def _s3(backend: Any) -> Any:
    return s3_backends[backend.account_id][get_partition(backend.region_name)]


def _bucket(backend: Any, uri: str) -> tuple[Any, str]:
    bucket_name, key = split_s3_uri(uri)
    try:
        return _s3(backend).get_bucket(bucket_name), key
    except Exception as error:  # moto raises its own MissingBucket
        raise S3AccessError(f"{uri} cannot be read: {error}") from error


def s3_object(backend: Any, uri: str) -> Any:
    """moto's object at ``uri`` in ``backend``'s account, read with the role of :func:`as_role`; raises
    :class:`S3AccessError` if it is absent or the role may not read it."""
    bucket, key = _bucket(backend, uri)
    # S3 authorizes GetObject before it looks for the object; the key it is encrypted with, after.
    denied = service_access.s3_read(bucket, key)
    if not denied.allowed:
        raise S3AccessError(denied.message)
    try:
        obj = _s3(backend).get_object(bucket.name, key)
    except Exception as error:  # moto raises its own access errors
        raise S3AccessError(f"{uri} cannot be read: {error}") from error
    if obj is None:
        raise S3AccessError(f"{uri} does not exist")
    decision = service_access.s3_decrypt(bucket, obj)
    if not decision.allowed:
        raise S3AccessError(decision.message)
    return obj


def read_s3(backend: Any, uri: str) -> bytes:
    return bytes(s3_object(backend, uri).value)


def s3_tags(backend: Any, obj: Any) -> dict[str, str]:
    """The tags of ``obj``: the simulated labelers' hints, read by the emulator, not by the job's role."""
    tag_set = _s3(backend).get_object_tagging(obj).get("Tags", [])
    return {tag["Key"]: tag["Value"] for tag in tag_set}


def write_s3(backend: Any, uri: str, body: bytes, kms_key_id: str | None) -> None:
    """Put ``body`` at ``uri`` (SSE-KMS with ``kms_key_id`` when given, else the bucket's default
    encryption) with the role of :func:`as_role`."""
    bucket, key = _bucket(backend, uri)
    decision = service_access.s3_write(bucket, key, kms_key_id)
    if not decision.allowed:
        raise S3AccessError(decision.message)
    try:
        _s3(backend).put_object(
            bucket.name,
            key,
            body,
            encryption="aws:kms" if kms_key_id else None,
            kms_key_id=kms_key_id or None,
        )
    except Exception as error:
        raise S3AccessError(f"cannot write {uri}: {error}") from error
