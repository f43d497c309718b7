"""Splitting a finished job's output manifest into what goes on and what goes back.

Labeling stage: labeled items go to the review manifest (verification on) or straight into chunk files
for the Feature Store; items without a label go to the stage's returns file with the reason. A review line
holds only what the review needs (``manifest_lines``); one that Ground Truth would refuse goes back with the
reason instead of failing the whole review job.
Review stage: the reviewers' verdicts are read first; then the labeling job's output is read again, and
the items passed go into chunk files (``verification_outcome = accepted``) with their label from it, the
rejected ones to the returns file. Items missing from an output are not lost: they stay claimed, and
``return_items`` sends back every item of the batch that is still claimed when the batch ends.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from aws_lambda_powertools import Logger

from .config import ConfigError, PipelineConfig
from .features import AcceptedLabel
from .layout import BatchLayout, Stage
from .manifest import JsonLinesWriter, NotFoundError, read_json_lines
from .manifest_lines import review_line, size_problem, verification_line
from .results import Label, NotLabeled, Verdict, item_id_of, parse_label, parse_verdict

logger = Logger(child=True)

#: Records per chunk file, i.e. per write_features invocation of the Map state. At 16 concurrent
#: PutRecord calls of ~20 ms a chunk takes about a second, and minutes even under heavy throttling.
CHUNK_SIZE = 500


class Route(StrEnum):
    REVIEW = "REVIEW"
    WRITE = "WRITE"
    RETURN = "RETURN"


@dataclass
class CollectSummary:
    labeled: int = 0
    not_labeled: int = 0
    rejected: int = 0
    unreadable_lines: int = 0
    chunks: list[str] = field(default_factory=list)
    route: Route = Route.RETURN

    def to_json(self) -> dict[str, Any]:
        return {
            "labeled": self.labeled,
            "not_labeled": self.not_labeled,
            "rejected": self.rejected,
            "unreadable_lines": self.unreadable_lines,
            "chunks": self.chunks,
            "next": self.route.value,
        }


class _ChunkWriter:
    """Accepted labels into files of CHUNK_SIZE lines, each uploaded as soon as it is full."""

    def __init__(self, s3: Any, layout: BatchLayout, kms_key_arn: str | None) -> None:
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


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _accepted(item: str, label: Label, fallback_job: str, collected_at: str, outcome: str) -> AcceptedLabel:
    return AcceptedLabel(
        item_id=item,
        label=label.value,
        confidence=label.confidence,
        labeled_at=label.labeled_at or collected_at,
        labeling_job_name=label.job_name or fallback_job,
        verification_outcome=outcome,
    )


@dataclass
class _Router:
    """Where each item of a job's output goes: chunks, the review manifest, or back with a reason."""

    config: PipelineConfig
    summary: CollectSummary
    returns: JsonLinesWriter
    review: JsonLinesWriter | None  # only when this is a labeling stage followed by a review
    chunks: _ChunkWriter
    labeling_job_name: str
    outcome: str
    collected_at: str = field(default_factory=_now)
    seen: set[str] = field(default_factory=set)

    def route(self, item: str, line: dict[str, Any], verdicts: dict[str, Verdict] | None) -> None:
        if item in self.seen:
            return
        self.seen.add(item)
        if verdicts is not None:
            verdict = verdicts.get(item)
            if verdict is None:  # not in the review's output: it stays claimed
                return
            if not verdict.accepted:
                self.summary.rejected += 1
                self.returns.write({"item_id": item, "reason": verdict.reason})
                return
        label = parse_label(line, self.config.task_type, self.config.labeling.label_attribute_name)
        if isinstance(label, NotLabeled):
            self._not_labeled(item, label.reason)
        elif self.review is not None:
            self._to_review(self.review, item, line, label)
        else:
            self.summary.labeled += 1
            accepted = _accepted(item, label, self.labeling_job_name, self.collected_at, self.outcome)
            self.chunks.add(accepted)

    def _not_labeled(self, item: str, reason: str) -> None:
        self.summary.not_labeled += 1
        self.returns.write({"item_id": item, "reason": reason})

    def _to_review(self, review: JsonLinesWriter, item: str, line: dict[str, Any], label: Label) -> None:
        task_type = self.config.task_type
        entry = (
            verification_line(line, self.config.labeling.label_attribute_name)
            if task_type.builtin_verification
            else review_line(line, label.proposed)
        )
        problem = size_problem(entry)
        if problem:
            self._not_labeled(item, f"cannot be reviewed: {problem}")
            return
        self.summary.labeled += 1
        review.write(entry)


def collect(
    *,
    config: PipelineConfig,
    s3: Any,
    layout: BatchLayout,
    stage: Stage,
    output_manifest_uri: str,
    labeling_job_name: str,
) -> CollectSummary:
    """Read one job's output and write the files the next steps read; returns counts and the route."""
    summary = CollectSummary()
    chunks = _ChunkWriter(s3, layout, config.kms_key_arn)
    review_attribute = config.verification.label_attribute_name if config.verification else None
    if stage is Stage.VERIFICATION and review_attribute is None:
        raise ConfigError("a review stage ran but PIPELINE_CONFIG has no verification settings")
    to_review = stage is Stage.LABELING and review_attribute is not None
    outcome = "accepted" if stage is Stage.VERIFICATION else "not_verified"
    with JsonLinesWriter() as returns, JsonLinesWriter() as review:
        router = _Router(
            config, summary, returns, review if to_review else None, chunks, labeling_job_name, outcome
        )
        reading = output_manifest_uri
        try:
            verdicts = None
            if stage is Stage.VERIFICATION and review_attribute:
                verdicts = _verdicts(s3, output_manifest_uri, review_attribute, summary)
                reading = layout.job_output_manifest(labeling_job_name)
            for item, line in _lines(s3, reading, summary):
                router.route(item, line, verdicts)
        except NotFoundError:
            # Every item stays claimed and goes back with the batch's default reason.
            logger.warning("job output manifest not found", extra={"uri": reading})
        chunks.flush()
        returns.upload(s3, layout.returns(stage), config.kms_key_arn)
        if to_review:
            review.upload(s3, layout.review_manifest, config.kms_key_arn)
    summary.chunks = chunks.uris
    if summary.labeled == 0:
        summary.route = Route.RETURN
    else:
        summary.route = Route.REVIEW if to_review else Route.WRITE
    return summary


def _verdicts(s3: Any, uri: str, attribute: str, summary: CollectSummary) -> dict[str, Verdict]:
    """The reviewers' verdict per item (the first line of an item counts, as for labels)."""
    verdicts: dict[str, Verdict] = {}
    for item, line in _lines(s3, uri, summary):
        verdicts.setdefault(item, parse_verdict(line, attribute))
    return verdicts


def _lines(s3: Any, uri: str, summary: CollectSummary) -> Iterator[tuple[str, dict[str, Any]]]:
    """(item id, line) of every attributable output line; others are counted and logged."""
    for number, value in read_json_lines(s3, uri):
        item = item_id_of(value) if isinstance(value, dict) else None
        if item is None:
            summary.unreadable_lines += 1
            logger.warning("output line without our item id", extra={"uri": uri, "line": number})
            continue
        yield item, value


def read_reasons(s3: Any, layout: BatchLayout) -> dict[str, str]:
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


def read_chunk_errors(s3: Any, layout: BatchLayout, failed: Mapping[int, str]) -> dict[str, str]:
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
