"""``ListObjectVersions`` with ``encoding-type=url`` as AWS answers it.

What moto lacks: it ignores ``encoding-type=url`` when listing object versions and returns raw keys.
Clients that ask for URL encoding decode what they get back, so a key such as ``blue+berry.png``
comes back to them as ``blue berry.png``: the AWS provider's ``force_destroy`` then deletes versions
that do not exist and waits forever for a bucket that never empties. AWS URL-encodes the keys
(``+`` as ``%2B``, space as ``%20``; ``/`` kept) of versions and delete markers.
"""

from __future__ import annotations

import threading
import urllib.parse
from typing import Any

from moto.s3.models import S3Backend
from moto.s3.responses import S3Response

from emulator import patch

_request = threading.local()
_installed = False


class _UrlEncodedName:
    """A listed key or delete marker whose name reads URL-encoded; everything else is the original's."""

    def __init__(self, original: Any) -> None:
        self._original = original
        self.name = urllib.parse.quote(original.name, safe="/")

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self._original, attribute)


def install() -> None:
    global _installed  # noqa: PLW0603 - install() must be idempotent per process
    if _installed:
        return
    _installed = True

    original_response = S3Response.list_object_versions
    original_backend = S3Backend.list_object_versions

    def list_object_versions_response(self: S3Response) -> Any:
        if self.querystring.get("encoding-type", [None])[0] != "url":
            return original_response(self)
        serialize = self.serialized

        def serialize_with_encoding_type(action_result: Any) -> Any:
            action_result.result["EncodingType"] = "url"  # tells clients to decode the keys
            return serialize(action_result)

        vars(self)["serialized"] = serialize_with_encoding_type
        _request.url_encoded = True
        try:
            return original_response(self)
        finally:
            _request.url_encoded = False
            del vars(self)["serialized"]

    def list_object_versions_backend(self: S3Backend, *args: Any, **kwargs: Any) -> Any:
        versions, prefixes, markers, next_key, next_version = original_backend(self, *args, **kwargs)
        if getattr(_request, "url_encoded", False):
            return (
                [_UrlEncodedName(v) for v in versions],
                prefixes,
                [_UrlEncodedName(m) for m in markers],
                next_key,
                next_version,
            )
        return versions, prefixes, markers, next_key, next_version

    patch(S3Response, "list_object_versions", list_object_versions_response)
    patch(S3Backend, "list_object_versions", list_object_versions_backend)
