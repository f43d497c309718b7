"""The returns file of each stage (``BatchLayout.returns``): the items a collect step sends back, each with
why (not labeled, unreadable, rejected in review, too large to review). The collect steps write it; the
settle step reads both stages' files to give each returned item its most specific reason.
"""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING, Self

from .jsonlines import JsonLinesWriter, NotFoundError, S3Location, read_json_lines
from .layout import BatchLayout
from .model import Stage

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client


class ReasonsWriter:
    """One stage's returns file, collected in a temporary file until ``upload``."""

    def __init__(self) -> None:
        self._lines = JsonLinesWriter()

    def add(self, item_id: str, reason: str | None) -> None:
        self._lines.write({"item_id": item_id, "reason": reason})

    def upload(self, s3: S3Client, location: S3Location, kms_key_arn: str | None) -> str:
        return self._lines.upload(s3, location, kms_key_arn)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._lines.close()


def read_reasons(s3: S3Client, layout: BatchLayout) -> dict[str, str]:
    """Per-item reasons written by the collect steps of a batch (missing files mean no reasons)."""
    reasons: dict[str, str] = {}
    for stage in Stage:
        try:
            for _, value in read_json_lines(s3, layout.returns(stage).uri):
                if isinstance(value, dict) and isinstance(value.get("item_id"), str):
                    reasons[value["item_id"]] = str(value.get("reason") or "")
        except NotFoundError:
            continue
    return reasons
