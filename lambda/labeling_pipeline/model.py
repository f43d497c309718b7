"""The pipeline's shared vocabulary: items, candidates, accepted labels, stages, times, and the payloads the
state machine passes between its steps. Every other module imports these from here.

An *item* is one unit of labeling work: one image object version, or one non-empty line of one text
object version. Its ``item_id`` (the ledger key) includes the version, so a duplicate event for the same
version is the same item and is labeled once. A *record* is what the Feature Store keeps per source
location: its ``record_id`` leaves the version out, so labeling a new version updates the same record.
Both are SHA-256 hex digests of a canonical URI, never of file names: keys with spaces, ``+``, unicode or
thousands of characters all map to a fixed-length, collision-free identifier.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Literal, NotRequired, TypedDict

#: The field of every manifest line (input, review, and so Ground Truth's output) that carries our item id.
ITEM_ID_FIELD = "item-id"
#: The field of a review manifest line that carries the label under review.
PROPOSED_LABEL_FIELD = "proposed_label"
#: The fields of a data object in Ground Truth's manifests: an S3 object, or the text itself.
SOURCE_FIELDS = ("source-ref", "source")


def item_id_of(line: Mapping[str, Any]) -> str | None:
    """The item id a manifest line carries, or None when it has none."""
    value = line.get(ITEM_ID_FIELD)
    return value if isinstance(value, str) and value else None


class Stage(StrEnum):
    LABELING = "labeling"
    VERIFICATION = "verification"


# --- times ----------------------------------------------------------------------------------------


def format_event_time(moment: datetime) -> str:
    """The Feature Store's String event-time format, ``yyyy-MM-ddTHH:mm:ss.SSSZ``: every time the pipeline
    writes (ledger rows, features) has this one format."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def now_event_time() -> str:
    return format_event_time(datetime.now(UTC))


def event_time(value: Any) -> str | None:
    """A timestamp (Ground Truth's ``creation-date`` is UTC, often without a zone; S3 events carry ``Z``) in
    the event-time format, or None when it is not one."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return format_event_time(moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC))


# --- items ----------------------------------------------------------------------------------------


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


@dataclass(frozen=True)
class Candidate:
    """One item found in an upload, not yet claimed."""

    source: SourceObject
    line: int | None
    text: str | None
    uploaded_at: str | None

    @property
    def item_id(self) -> str:
        return item_id(self.source, self.line)

    @property
    def record_id(self) -> str:
        return record_id(self.source, self.line)


@dataclass(frozen=True)
class AcceptedLabel:
    """A label that passed every stage, ready for the Feature Store (one line of a chunk file)."""

    item_id: str
    label: str
    confidence: float | None
    labeled_at: str
    labeling_job_name: str
    verification_outcome: str

    def to_json(self) -> dict[str, Any]:
        return {
            "item_id": self.item_id,
            "label": self.label,
            "confidence": self.confidence,
            "labeled_at": self.labeled_at,
            "labeling_job_name": self.labeling_job_name,
            "verification_outcome": self.verification_outcome,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AcceptedLabel:
        confidence = data.get("confidence")
        return cls(
            item_id=str(data["item_id"]),
            label=str(data["label"]),
            confidence=float(confidence) if isinstance(confidence, (int, float)) else None,
            labeled_at=str(data["labeled_at"]),
            labeling_job_name=str(data["labeling_job_name"]),
            verification_outcome=str(data["verification_outcome"]),
        )


# --- the state machine's payloads -------------------------------------------------------------------
# What each Lambda step receives (``Payload`` in templates/state_machine.asl.json) and returns (what its
# ``ResultSelector`` picks); the in-process runner of the tests passes the same shapes.


class RunInfo(TypedDict):
    """``$.run``, set by the ``Initialize`` state from the execution context."""

    execution_name: str
    execution_arn: str
    verification_enabled: bool | None


class ClaimEvent(TypedDict):
    run: RunInfo


class ClaimResult(TypedDict):
    item_count: int
    manifest_uri: str | None
    received: int
    duplicates: int
    dead_lettered: int


class StartJobEvent(TypedDict):
    run: RunInfo
    stage: str


class StartJobResult(TypedDict):
    job_name: str
    stage: str
    polls: int
    wait_seconds: int


class CheckJobResult(StartJobResult):
    status: str
    next: str
    failure_reason: str | None
    output_manifest_uri: str | None
    labeled: int


JobState = StartJobResult | CheckJobResult
"""``$.labeling_job`` / ``$.verification_job``: what start_job, then each check_job, said about the job."""


class CheckJobEvent(TypedDict):
    run: RunInfo
    job: JobState


class FinishedJob(TypedDict):
    """A job check_job reported ready to collect (``next: COLLECT``), so its output manifest is known."""

    job_name: str
    stage: str
    output_manifest_uri: str


class CollectEvent(TypedDict):
    run: RunInfo
    job: FinishedJob
    # Set when the review's output is collected: the labels themselves are in the labeling job's output.
    labeling_job_name: NotRequired[str]


class CollectResult(TypedDict):
    labeled: int
    not_labeled: int
    rejected: int
    unreadable_lines: int
    chunks: list[str]
    next: str


class WriteEvent(TypedDict):
    run: RunInfo
    chunk_uri: str


class WriteResult(TypedDict):
    written: int
    already_written: int
    failed: int
    skipped: int


class StepFailure(TypedDict):
    """What a ``Catch`` puts at its ResultPath: the error name and its cause."""

    Error: str
    Cause: NotRequired[str]


class ChunkFailure(TypedDict):
    """The ``ChunkFailed`` state's summary of a chunk whose write failed."""

    chunk: int
    error: str


class FinishResult(TypedDict):
    complete: bool
    next_offset: int
    outcome: str
    summary: str
    items: int
    labeled: int
    returned: int
    dead_lettered: int
    labeling_job: str | None
    verification_job: str | None


class ExecutionState(TypedDict):
    """The execution's data when it reaches ``ReturnItems``: what happened on the way."""

    run: RunInfo
    sweep_failure: NotRequired[StepFailure]
    batch: NotRequired[ClaimResult]
    labeling_job: NotRequired[JobState]
    verification_job: NotRequired[JobState]
    results: NotRequired[CollectResult]
    written: NotRequired[list[WriteResult | ChunkFailure]]
    failure: NotRequired[StepFailure]
    # A previous ReturnItems call that did not finish: settling continues from its next_offset.
    returned: NotRequired[FinishResult]


class SweepEvent(TypedDict):
    mode: Literal["sweep"]
    run: RunInfo


class FinishEvent(TypedDict):
    mode: Literal["finish"]
    state: ExecutionState


ReturnEvent = SweepEvent | FinishEvent


class SweepResult(TypedDict):
    settled_batches: int
    unfinished_batches: int
    waiting_batches: int
    returned: int
    dead_lettered: int


StepEvent = ClaimEvent | StartJobEvent | CheckJobEvent | CollectEvent | WriteEvent | ReturnEvent
"""The ``Payload`` of any of the state machine's Lambda tasks."""
StepResult = (
    ClaimResult | StartJobResult | CheckJobResult | CollectResult | WriteResult | SweepResult | FinishResult
)
"""What any of them returns."""


class ExecutionOutput(TypedDict, total=False):
    """What an execution ends with (the ``NoItems`` and ``Labeled`` states build it)."""

    outcome: str
    items: int
    received: int
    labeled: int
    returned: int
    dead_lettered: int
    labeling_job: str | None
    verification_job: str | None
