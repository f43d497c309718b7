"""Item and record identity.

An *item* is one unit of labeling work: one image object version, or one non-empty line of one text
object version. Its ``item_id`` (the ledger key) includes the version, so a duplicate event for the same
version is the same item and is labeled once. A *record* is what the Feature Store keeps per source
location: its ``record_id`` leaves the version out, so labeling a new version updates the same record.
Both are SHA-256 hex digests of a canonical URI, never of file names: keys with spaces, ``+``, unicode or
thousands of characters all map to a fixed-length, collision-free identifier.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class SourceObject:
    """One version of an uploaded S3 object; ``key`` is the real key, never URL-encoded."""

    bucket: str
    key: str
    version_id: str | None
    etag: str | None = None

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.key}"

    def version_uri(self) -> str:
        """The object version; an unversioned bucket falls back to the ETag, so changed content is new."""
        if self.version_id is not None:
            return f"{self.uri}?versionId={self.version_id}"
        return f"{self.uri}?etag={self.etag or ''}"

    def to_json(self) -> dict[str, Any]:
        return {"bucket": self.bucket, "key": self.key, "version_id": self.version_id, "etag": self.etag}


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _line_suffix(line: int | None) -> str:
    return "" if line is None else f"#line={line}"


def item_id(source: SourceObject, line: int | None = None) -> str:
    """The ledger key of an image (line None) or of one line of a text object version."""
    return _digest(source.version_uri() + _line_suffix(line))


def record_id(source: SourceObject, line: int | None = None) -> str:
    """The Feature Store record identifier: the same for every version of the same object (and line)."""
    return _digest(source.uri + _line_suffix(line))
