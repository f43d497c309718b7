"""Turning an uploaded object into labeling items, or into a clear reason why it cannot be labeled.

Images: Ground Truth's built-in image task types take .jpg, .jpeg and .png files, so an image object must
declare ``image/jpeg`` or ``image/png`` (or a generic type with one of those extensions) and start with
a JPEG or PNG signature. Text: ``text/plain`` (each non-empty line is one item) or JSON Lines (each
non-empty line is a JSON object whose ``source`` string is one item). Everything is read with the
object's version id, so an item is exactly what was uploaded, whatever was written to the key later.
An item whose manifest line Ground Truth would refuse (see ``manifests``) is a line problem: its text is
then at most 20,000 characters (80 KB of UTF-8), which also keeps it within one ledger row (DynamoDB items
are at most 400 KB).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from .config import Media, TaskType
from .jsonlines import iter_lines
from .manifests import manifest_line, size_problem
from .messages import ObjectCreated
from .model import Candidate, SourceObject

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import GetObjectOutputTypeDef

JPEG_SIGNATURE = b"\xff\xd8\xff"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SIGNATURE_BYTES = len(PNG_SIGNATURE)

IMAGE_TYPES = frozenset({"image/jpeg", "image/png"})
PLAIN_TEXT = "text/plain"
JSON_LINES = "application/jsonl"
JSON_LINES_ALIASES = frozenset(
    {
        "application/jsonl",
        "application/jsonlines",
        "application/json-lines",
        "application/x-jsonlines",
        "application/x-ndjson",
        "application/ndjson",
        "text/jsonl",
    }
)
GENERIC_TYPES = frozenset({"", "binary/octet-stream", "application/octet-stream"})
TYPE_BY_EXTENSION = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".txt": PLAIN_TEXT,
    ".jsonl": JSON_LINES,
    ".ndjson": JSON_LINES,
}
ACCEPTED = {
    Media.IMAGE: "image/jpeg, image/png",
    Media.TEXT: "text/plain, JSON Lines (application/jsonl)",
}

# A file with many bad lines gets one dead-letter message; it lists this many and counts the rest.
MAX_LISTED_PROBLEMS = 50
_MISSING = frozenset({"NoSuchKey", "NoSuchVersion", "404"})


@dataclass(frozen=True)
class Rejected:
    """The object cannot be labeled at all; dead-letter it with the reasons."""

    source: SourceObject
    reasons: list[str]


@dataclass(frozen=True)
class Skipped:
    """Nothing to do and nothing to report (a console folder marker, an overwritten unversioned object)."""

    source: SourceObject
    reason: str


@dataclass(frozen=True)
class Extracted:
    """Items found in the object, lines that cannot be items, and the rest of it if capacity ran out."""

    source: SourceObject
    candidates: list[Candidate]
    line_problems: list[str] = field(default_factory=list)
    rest: ObjectCreated | None = None  # the same upload from the first line not taken


Resolution = Rejected | Skipped | Extracted


class _EmptyObjectError(Exception):
    """The object has no bytes (the event's size was unknown, e.g. a redriven message)."""


class SourceError(RuntimeError):
    """S3 failed in a way that says nothing about the object (throttling, permissions): try again later."""


def media_type(declared: str | None, key: str) -> str:
    """The object's media type: the declared Content-Type, or the extension's when that is generic."""
    declared_type = (declared or "").split(";", 1)[0].strip().lower()
    if declared_type == "image/jpg":
        declared_type = "image/jpeg"
    extension_type = TYPE_BY_EXTENSION.get(PurePosixPath(key).suffix.lower())
    if declared_type in GENERIC_TYPES:
        return extension_type or declared_type
    if declared_type in JSON_LINES_ALIASES or (declared_type == PLAIN_TEXT and extension_type == JSON_LINES):
        return JSON_LINES
    return declared_type


def _problem_summary(problems: list[str]) -> list[str]:
    if len(problems) <= MAX_LISTED_PROBLEMS:
        return problems
    return [*problems[:MAX_LISTED_PROBLEMS], f"... and {len(problems) - MAX_LISTED_PROBLEMS} more lines"]


@dataclass(frozen=True)
class Opened:
    """An upload whose GET has answered: its body is not read yet, and must be read or closed."""

    created: ObjectCreated
    source: SourceObject
    response: GetObjectOutputTypeDef

    def close(self) -> None:
        self.response["Body"].close()


class SourceReader:
    """Reads upload objects (one S3 GET each) for one task type.

    ``open`` (the GET, a network round trip) and ``extract`` (reading the body) are separate steps, so a
    caller can send the GETs of many uploads at once and still read their bodies one at a time.
    """

    def __init__(self, s3: S3Client, task_type: TaskType) -> None:
        self._s3 = s3
        self._media = task_type.media
        self._task_type = task_type

    def read(self, created: ObjectCreated, capacity: int) -> Resolution:
        """Items of ``created`` (at most ``capacity``), or why there are none."""
        opened = self.open(created)
        if not isinstance(opened, Opened):
            return opened
        return self.extract(opened, capacity)

    def extract(self, opened: Opened, capacity: int) -> Resolution:
        """Items of an opened upload (at most ``capacity``), or why there are none; closes its body."""
        created, source, response = opened.created, opened.source, opened.response
        kind = media_type(response.get("ContentType"), source.key)
        try:
            if self._media is Media.IMAGE:
                return self._image(created, source, kind, response)
            return self._text(created, source, kind, response, capacity)
        finally:
            opened.close()

    def open(self, created: ObjectCreated) -> Opened | Rejected | Skipped:
        """The object version's GET response, or why there is nothing to read.

        Raises ``SourceError`` when S3 fails in a way that says nothing about the object.
        """
        source = created.source
        if source.key.endswith("/") and created.size == 0:
            return Skipped(source, "folder placeholder")
        try:
            found = None if created.size == 0 else self._get(created)
        except _EmptyObjectError:
            found = None
            created = replace(created, size=0)
        if found is None:
            reason = (
                "zero-byte object"
                if created.size == 0
                else "object no longer exists (deleted before labeling)"
            )
            return Rejected(source, [reason])
        source, response = found
        expected_etag = (created.source.etag or "").strip('"')
        if (
            source.version_id is None
            and expected_etag
            and response.get("ETag", "").strip('"') != expected_etag
        ):
            response["Body"].close()
            return Skipped(
                source,
                "overwritten before it was labeled (unversioned bucket; the new upload has its own event)",
            )
        return Opened(created, source, response)

    def _get(self, created: ObjectCreated) -> tuple[SourceObject, GetObjectOutputTypeDef] | None:
        keys = [created.source.key] + ([created.decoded_key] if created.decoded_key else [])
        for key in keys:
            source = replace(created.source, key=key)
            request: dict[str, Any] = {"Bucket": source.bucket, "Key": key}
            if source.version_id is not None:
                request["VersionId"] = source.version_id
            if self._media is Media.IMAGE:
                request["Range"] = f"bytes=0-{SIGNATURE_BYTES - 1}"
            try:
                return source, self._s3.get_object(**request)
            except ClientError as error:
                code = error.response.get("Error", {}).get("Code")
                if code == "InvalidRange":  # S3's answer to a ranged GET of an empty object
                    raise _EmptyObjectError from error
                if code not in _MISSING:
                    raise SourceError(f"cannot read {source.uri}: {error}") from error
        return None

    def _unsupported(self, source: SourceObject, kind: str) -> Rejected:
        shown = kind or "none"
        return Rejected(
            source,
            [
                f"unsupported content type {shown!r} for task type {self._task_type} "
                f"(accepted: {ACCEPTED[self._media]})"
            ],
        )

    def _image(
        self, created: ObjectCreated, source: SourceObject, kind: str, response: GetObjectOutputTypeDef
    ) -> Resolution:
        if kind not in IMAGE_TYPES:
            return self._unsupported(source, kind)
        head = response["Body"].read(SIGNATURE_BYTES)
        if not head:
            return Rejected(source, ["zero-byte object"])
        if not (head.startswith(JPEG_SIGNATURE) or head.startswith(PNG_SIGNATURE)):
            return Rejected(source, [f"content is not a JPEG or PNG image although it is declared {kind}"])
        candidate = Candidate(source, None, None, created.uploaded_at)
        problem = size_problem(manifest_line(candidate))
        if problem:
            return Rejected(source, [f"cannot be labeled: {problem}"])
        return Extracted(source, [candidate])

    def _text(
        self,
        created: ObjectCreated,
        source: SourceObject,
        kind: str,
        response: GetObjectOutputTypeDef,
        capacity: int,
    ) -> Resolution:
        if kind not in (PLAIN_TEXT, JSON_LINES):
            return self._unsupported(source, kind)
        candidates: list[Candidate] = []
        problems: list[str] = []
        next_line: int | None = None
        number = 0
        for number, raw in enumerate(iter_lines(response["Body"]), start=1):
            if number < created.from_line or not raw.strip():
                continue
            if len(candidates) >= capacity:
                next_line = number
                break
            text, problem = self._line_text(raw, number, kind)
            if text is not None:
                candidate = Candidate(source, number, text, created.uploaded_at)
                # The line the claim would write: one that Ground Truth refuses would fail the whole job.
                too_large = size_problem(manifest_line(candidate))
                if too_large is None:
                    candidates.append(candidate)
                    continue
                problem = f"line {number}: cannot be labeled: {too_large}"
            if problem:
                problems.append(problem)
        if number == 0:
            return Rejected(source, ["zero-byte object"])
        if not candidates and next_line is None:
            if problems:
                return Rejected(source, _problem_summary(problems))
            if created.from_line == 1:
                return Rejected(source, ["no non-empty lines: nothing to label"])
        rest = (
            None
            if next_line is None
            else ObjectCreated(source, created.size, created.uploaded_at, from_line=next_line)
        )
        return Extracted(source, candidates, _problem_summary(problems), rest)

    @staticmethod
    def _line_text(raw: bytes, number: int, kind: str) -> tuple[str | None, str | None]:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            return None, f"line {number}: not valid UTF-8"
        if number == 1:
            text = text.removeprefix("\ufeff")
        if kind == PLAIN_TEXT:
            return (text, None) if text.strip() else (None, None)
        try:
            record = json.loads(text)
        except (json.JSONDecodeError, RecursionError):
            return None, f"line {number}: not valid JSON"
        value = record.get("source") if isinstance(record, dict) else None
        if not isinstance(value, str) or not value.strip():
            return None, f"line {number}: a JSON Lines record needs a non-empty string field 'source'"
        return value, None
