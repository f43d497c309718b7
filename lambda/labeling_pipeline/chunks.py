"""The chunk files: a batch's accepted labels, a bounded number per file, one file per iteration of the
state machine's ``WriteFeatures`` Map. The collect step writes them; the write step reads one each, and the
finish step reads those whose write failed, to give their items a reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from .jsonlines import JsonLinesWriter, NotFoundError, read_json_lines
from .layout import BatchLayout
from .model import AcceptedLabel

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

#: Records per chunk file, i.e. per write_features invocation of the Map state. At 16 concurrent
#: PutRecord calls of ~20 ms a chunk takes about a second, and minutes even under heavy throttling.
CHUNK_SIZE = 500


class ChunkWriter:
    """Accepted labels into files of CHUNK_SIZE lines, each uploaded as soon as it is full."""

    def __init__(self, s3: S3Client, layout: BatchLayout, kms_key_arn: str | None) -> None:
        self._s3 = s3
        self._layout = layout
        self._kms = kms_key_arn
        self._current: JsonLinesWriter | None = None
        self.uris: list[str] = []

    def add(self, accepted: AcceptedLabel) -> None:
        if self._current is None:
            self._current = JsonLinesWriter()
        self._current.write(accepted.to_json())
        if self._current.count >= CHUNK_SIZE:
            self.flush()

    def flush(self) -> None:
        if self._current is None:
            return
        with self._current as chunk:
            self.uris.append(chunk.upload(self._s3, self._layout.chunk(len(self.uris)), self._kms))
        self._current = None


def read_chunk(s3: S3Client, uri: str) -> list[AcceptedLabel]:
    """Every accepted label of one chunk file."""
    labels = []
    for number, value in read_json_lines(s3, uri):
        if not isinstance(value, dict):
            raise ValueError(f"line {number} of {uri} is not an accepted label: {value}")
        labels.append(AcceptedLabel.from_json(value))
    return labels


def chunk_errors(s3: S3Client, layout: BatchLayout, failed: Mapping[int, str]) -> dict[str, str]:
    """A reason for each item of the chunks whose Feature Store write failed ({chunk index: error name})."""
    errors: dict[str, str] = {}
    for index, error in failed.items():
        reason = f"the Feature Store write of its chunk ({index}) failed: {error}"
        try:
            for _, value in read_json_lines(s3, layout.chunk(index).uri):
                if isinstance(value, dict) and isinstance(value.get("item_id"), str):
                    errors[value["item_id"]] = reason
        except NotFoundError:
            continue
    return errors
