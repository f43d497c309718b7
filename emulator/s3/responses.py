"""S3 bucket settings read back as they were set.

What moto lacks: ``CreateBucket`` ignores the tags in ``CreateBucketConfiguration`` (how the AWS
provider tags a bucket since 2025, so every plan wants to add the tags again);
``GetBucketNotificationConfiguration`` leaves out ``EventBridgeConfiguration`` (moto
stores it and sends the events, but a reader sees notifications off, so the AWS provider plans
``eventbridge = false -> true`` forever), and ``GetBucketLogging`` leaves out
``TargetObjectKeyFormat`` (partitioned or simple log object keys), which the provider then plans to
add again on every run.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any
from xml.parsers.expat import ExpatError

import xmltodict  # type: ignore[import-untyped]  # moto's own XML reader, without type information
from moto.s3.responses import S3Response

from emulator import patch

Extend = Callable[[Any, dict[str, Any]], None]


def _extending(method: Callable[[Any], Any], extend: Extend) -> Callable[[Any], Any]:
    """Wrap a response method so that ``extend`` completes its result before moto serialises it."""

    @functools.wraps(method)
    def wrapper(self: Any) -> Any:
        serialize = self.serialized

        def serialized(answer: Any) -> Any:
            result = getattr(answer, "result", None)
            if isinstance(result, dict):
                extend(self, result)
            return serialize(answer)

        self.serialized = serialized
        try:
            return method(self)
        finally:
            del self.serialized

    return wrapper


def _eventbridge(response: Any, result: dict[str, Any]) -> None:
    configuration = response.backend.get_bucket_notification_configuration(response.bucket_name)
    if configuration is not None and configuration.event_bridge is not None:
        result["EventBridgeConfiguration"] = {}


def _key_format(response: Any, result: dict[str, Any]) -> None:
    logging = response.backend.get_bucket_logging(response.bucket_name) or {}
    key_format = logging.get("TargetObjectKeyFormat")
    if "LoggingEnabled" in result and isinstance(key_format, dict):
        # xmltodict reads an empty element (<SimplePrefix/>) as None; the serializer wants a structure.
        result["LoggingEnabled"]["TargetObjectKeyFormat"] = {
            name: value or {} for name, value in key_format.items()
        }


def creation_tags(body: bytes | str | None) -> dict[str, str]:
    """The tags of a CreateBucket request body (``CreateBucketConfiguration/Tags/Tag``)."""
    if not body:
        return {}
    try:
        configuration = xmltodict.parse(body).get("CreateBucketConfiguration") or {}
    except ExpatError:
        return {}  # moto answers the malformed body itself
    tags = (configuration.get("Tags") or {}).get("Tag") or []
    return {tag["Key"]: tag.get("Value") or "" for tag in (tags if isinstance(tags, list) else [tags])}


def _tag_on_create(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def wrapper(self: Any, request: Any, bucket_name: str, querystring: dict[str, Any]) -> Any:
        answer = method(self, request, bucket_name, querystring)
        tags = {} if querystring else creation_tags(self.body)
        if tags:
            self.backend.put_bucket_tagging(bucket_name, tags)
        return answer

    return wrapper


_installed = False


def install() -> None:
    global _installed  # noqa: PLW0603 - install() is idempotent by design
    if _installed:
        return
    patch(S3Response, "_bucket_response_put", _tag_on_create(S3Response._bucket_response_put))
    patch(S3Response, "get_bucket_notification", _extending(S3Response.get_bucket_notification, _eventbridge))
    patch(S3Response, "get_bucket_logging", _extending(S3Response.get_bucket_logging, _key_format))
    _installed = True
