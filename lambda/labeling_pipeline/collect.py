"""Splitting a finished job's output manifest into what goes on and what goes back.

Labeling stage: labeled items go to the review manifest (verification on) or straight into chunk files
for the Feature Store (``chunks``); items without a label go to the stage's returns file with the reason
(``reasons``). A review line holds only what the review needs (``manifests``); one that Ground Truth would
refuse goes back with the reason instead of failing the whole review job.
Review stage: the reviewers' verdicts are read first; then the labeling job's output is read again, and
the items passed go into chunk files (``verification_outcome = accepted``) with their label from it, the
rejected ones to the returns file. Items missing from an output are not lost: they stay claimed, and
``return_items`` sends back every item of the batch that is still claimed when the batch ends.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger

from .chunks import ChunkWriter
from .config import ConfigError, PipelineConfig
from .job_output import Label, NotLabeled, Verdict, parse_label, parse_verdict, read_output
from .jsonlines import JsonLinesWriter, NotFoundError
from .layout import BatchLayout
from .manifests import review_line, size_problem, verification_line
from .model import AcceptedLabel, CollectResult, Stage, now_event_time
from .reasons import ReasonsWriter

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

logger = Logger(child=True)


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

    def to_json(self) -> CollectResult:
        return {
            "labeled": self.labeled,
            "not_labeled": self.not_labeled,
            "rejected": self.rejected,
            "unreadable_lines": self.unreadable_lines,
            "chunks": self.chunks,
            "next": self.route.value,
        }


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
    returns: ReasonsWriter
    review: JsonLinesWriter | None  # only when this is a labeling stage followed by a review
    chunks: ChunkWriter
    labeling_job_name: str
    outcome: str
    collected_at: str = field(default_factory=now_event_time)
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
                self.returns.add(item, verdict.reason)
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
        self.returns.add(item, reason)

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
    s3: S3Client,
    layout: BatchLayout,
    stage: Stage,
    output_manifest_uri: str,
    labeling_job_name: str,
) -> CollectSummary:
    """Read one job's output and write the files the next steps read; returns counts and the route."""
    summary = CollectSummary()
    chunks = ChunkWriter(s3, layout, config.kms_key_arn)
    review_attribute = config.verification.label_attribute_name if config.verification else None
    if stage is Stage.VERIFICATION and review_attribute is None:
        raise ConfigError("a review stage ran but PIPELINE_CONFIG has no verification settings")
    to_review = stage is Stage.LABELING and review_attribute is not None
    outcome = "accepted" if stage is Stage.VERIFICATION else "not_verified"
    with ReasonsWriter() as returns, JsonLinesWriter() as review:
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


def _verdicts(s3: S3Client, uri: str, attribute: str, summary: CollectSummary) -> dict[str, Verdict]:
    """The reviewers' verdict per item (the first line of an item counts, as for labels)."""
    verdicts: dict[str, Verdict] = {}
    for item, line in _lines(s3, uri, summary):
        verdicts.setdefault(item, parse_verdict(line, attribute))
    return verdicts


def _lines(s3: S3Client, uri: str, summary: CollectSummary) -> Iterator[tuple[str, dict[str, Any]]]:
    """(item id, line) of every attributable output line; others are counted and logged."""

    def unreadable(number: int) -> None:
        summary.unreadable_lines += 1
        logger.warning("output line without our item id", extra={"uri": uri, "line": number})

    return read_output(s3, uri, unreadable)
