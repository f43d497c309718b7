"""The manifests the pipeline gives Ground Truth: a batch's input manifest (written by the claim, read again
by the settle step) and its review manifest (written by the collect step), and Ground Truth's size limits
on their lines.

AWS: Amazon SageMaker Developer Guide, "Input manifest files",
https://docs.aws.amazon.com/sagemaker/latest/dg/sms-input-data-input-manifest.html: "Each JSON object in the
manifest file can be no larger than 100,000 characters. No single attribute within an object can be larger
than 20,000 characters." A line that breaks either limit fails the whole job, with every other item of its
batch, so each line is checked before it is written: an upload's line when it is claimed (a line that
cannot fit is dead-lettered there), a review line when the labeling job's output is collected.

Assumption: AWS does not say how the characters are counted. They are counted here on the line exactly as
``dumps_line`` writes it (compact JSON, unicode unescaped), and an attribute as its key and value as they
stand in that line (``"key":value``, a string's quotes and escapes included): the largest reading of both
sentences, so a line that passes here passes whichever way AWS counts.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from itertools import islice
from typing import TYPE_CHECKING, Any, Protocol

from .jsonlines import dumps_line, read_json_lines
from .model import ITEM_ID_FIELD, PROPOSED_LABEL_FIELD, SOURCE_FIELDS, SourceObject, item_id_of

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

MAX_OBJECT_CHARACTERS = 100_000
MAX_ATTRIBUTE_CHARACTERS = 20_000


class ManifestItem(Protocol):
    """An item about to be labeled (a claimed ledger row, or an upload's item not yet claimed)."""

    @property
    def source(self) -> SourceObject: ...

    @property
    def text(self) -> str | None: ...

    @property
    def item_id(self) -> str: ...


def manifest_line(item: ManifestItem) -> dict[str, str]:
    """Ground Truth's input line: ``source-ref`` for images, ``source`` (the text) for text items."""
    if item.text is not None:
        return {"source": item.text, ITEM_ID_FIELD: item.item_id}
    return {"source-ref": item.source.uri, ITEM_ID_FIELD: item.item_id}


def manifest_items(s3: S3Client, manifest_uri: str, offset: int) -> Iterator[str]:
    """The item ids of an input manifest, in order, from position ``offset`` on."""
    lines = (item_id_of(value) for _, value in read_json_lines(s3, manifest_uri) if isinstance(value, dict))
    return (item for item in islice(lines, offset, None) if item)


def review_line(line: Mapping[str, Any], proposed_label: str) -> dict[str, Any]:
    """What a custom review task needs of a labeled item: the data object, our item id and the label to check.

    The label itself stays in the labeling job's output, where the review's collect step reads it again.
    """
    kept = {key: line[key] for key in (*SOURCE_FIELDS, ITEM_ID_FIELD) if key in line}
    return {**kept, PROPOSED_LABEL_FIELD: proposed_label}


def verification_line(line: Mapping[str, Any], label_attribute: str) -> dict[str, Any]:
    """What a built-in verification job reads: the data object, our item id, the label and its metadata."""
    fields = (*SOURCE_FIELDS, ITEM_ID_FIELD, label_attribute, f"{label_attribute}-metadata")
    return {key: line[key] for key in fields if key in line}


def size_problem(line: Mapping[str, Any]) -> str | None:
    """Why Ground Truth would refuse ``line`` as one manifest object, or None when it fits."""
    characters = len(dumps_line(line))
    if characters > MAX_OBJECT_CHARACTERS:
        return (
            f"its manifest line would be {characters:,} characters; Ground Truth takes at most "
            f"{MAX_OBJECT_CHARACTERS:,} per line"
        )
    for key, value in line.items():
        # The attribute as it stands in the line: '"key":value' is the compact object without its braces.
        characters = len(dumps_line({key: value})) - 2
        if characters > MAX_ATTRIBUTE_CHARACTERS:
            return (
                f"its manifest attribute {key!r} would be {characters:,} characters; Ground Truth takes at "
                f"most {MAX_ATTRIBUTE_CHARACTERS:,} per attribute"
            )
    return None
