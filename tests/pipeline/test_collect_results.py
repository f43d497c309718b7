"""collect_results: a job's output becomes chunks to write, a review manifest, and reasons for the rest."""

from __future__ import annotations

import json
from typing import Any

import pytest

from labeling_pipeline import chunks, handlers
from labeling_pipeline.config import TaskType
from labeling_pipeline.model import CollectResult, FinishedJob
from tests.pipeline.harness import OUTPUT_BUCKET, Pipeline, PipelineFactory
from tests.pipeline.labelers import annotate


def finished_job(
    pipeline: Pipeline, context: Any, count: int, decide: Any = lambda line: "label"
) -> FinishedJob:
    for n in range(count):
        pipeline.upload(f"img/{n}.png")
    run = pipeline.run("exec-1")
    handlers.claim_batch({"run": run}, context)
    job = handlers.start_job({"run": run, "stage": "labeling"}, context)
    task = TaskType(pipeline.config["task_type"])
    pipeline.ground_truth.finish(job["job_name"], annotate(task, "label", job["job_name"], decide))
    checked = handlers.check_job({"run": run, "job": job}, context)
    # The state machine collects only a job check_job reported ready, whose output manifest is known.
    assert checked["next"] == "COLLECT"
    assert checked["output_manifest_uri"] is not None
    return {
        "job_name": checked["job_name"],
        "stage": checked["stage"],
        "output_manifest_uri": checked["output_manifest_uri"],
    }


def collect_step(pipeline: Pipeline, context: Any, job: FinishedJob) -> CollectResult:
    return handlers.collect_results({"run": pipeline.run("exec-1"), "job": job}, context)


def read_lines(pipeline: Pipeline, uri: str) -> list[dict[str, Any]]:
    bucket, key = uri[5:].split("/", 1)
    body = pipeline.s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode()
    return [json.loads(line) for line in body.split("\n") if line]


def test_labels_are_split_into_chunks_of_bounded_size(
    make_pipeline: PipelineFactory, lambda_context: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given five labeled items and chunks of two
    pipeline = make_pipeline()
    monkeypatch.setattr(chunks, "CHUNK_SIZE", 2)
    job = finished_job(pipeline, lambda_context, 5)
    # When the output is collected
    result = collect_step(pipeline, lambda_context, job)
    # Then there are three chunk files holding the five labels once each
    assert (result["labeled"], result["next"], len(result["chunks"])) == (5, "WRITE", 3)
    lines = [line for uri in result["chunks"] for line in read_lines(pipeline, uri)]
    assert len({line["item_id"] for line in lines}) == 5
    assert {line["label"] for line in lines} == {"cat"}


def test_unlabeled_items_are_listed_with_the_workers_reason(
    make_pipeline: PipelineFactory, lambda_context: Any
) -> None:
    pipeline = make_pipeline()
    job = finished_job(pipeline, lambda_context, 2, decide=lambda line: "unlabeled")
    result = collect_step(pipeline, lambda_context, job)
    assert (result["labeled"], result["not_labeled"], result["next"]) == (0, 2, "RETURN")
    reasons = read_lines(pipeline, f"s3://{OUTPUT_BUCKET}/batches/exec-1/returns-labeling.jsonl")
    assert {r["reason"] for r in reasons} == {"not labeled: ClientError: the task expired"}


def test_lines_that_are_not_ours_or_repeated_are_ignored(
    make_pipeline: PipelineFactory, lambda_context: Any
) -> None:
    # Given an output manifest with a duplicated line and a line without our item id
    pipeline = make_pipeline()
    job = finished_job(pipeline, lambda_context, 1)
    bucket, key = job["output_manifest_uri"][5:].split("/", 1)
    body = pipeline.s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode()
    pipeline.s3.put_object(
        Bucket=bucket, Key=key, Body=(body + body + '{"source-ref": "s3://x/y"}\n').encode()
    )
    # When it is collected
    result = collect_step(pipeline, lambda_context, job)
    # Then the one item is labeled once
    assert result["labeled"] == 1


def test_a_missing_output_manifest_sends_everything_back(
    make_pipeline: PipelineFactory, lambda_context: Any
) -> None:
    pipeline = make_pipeline()
    job = finished_job(pipeline, lambda_context, 2)
    bucket, key = job["output_manifest_uri"][5:].split("/", 1)
    pipeline.s3.delete_object(Bucket=bucket, Key=key)
    result = collect_step(pipeline, lambda_context, job)
    assert (result["labeled"], result["next"]) == (0, "RETURN")
    returned = handlers.return_items(
        {"mode": "finish", "state": {"run": pipeline.run("exec-1"), "labeling_job": job}}, lambda_context
    )
    assert returned["returned"] == 2
    assert {r.reasons for r in pipeline.all_items()} == {("missing from the output of the batch's jobs",)}


def _rewrite_output(pipeline: Pipeline, uri: str, change: Any) -> None:
    bucket, key = uri[5:].split("/", 1)
    lines = [change(n, line) for n, line in enumerate(read_lines(pipeline, uri))]
    body = "".join(json.dumps(line) + "\n" for line in lines)
    pipeline.s3.put_object(Bucket=bucket, Key=key, Body=body.encode())


def test_a_label_too_large_for_the_review_manifest_goes_back_instead_of_failing_the_review(
    make_pipeline: PipelineFactory, lambda_context: Any
) -> None:
    # Given two boxes labeled for a built-in verification job, one with metadata of 20,001 characters
    # ('"label-metadata":' is 17 characters, '{"note":"' ... '"}' 11 more, leaving 19,973 for the note)
    pipeline = make_pipeline(TaskType.IMAGE_BOUNDING_BOX, verification=True)
    job = finished_job(pipeline, lambda_context, 2)
    _rewrite_output(
        pipeline,
        job["output_manifest_uri"],
        lambda n, line: {**line, "label-metadata": {"note": "x" * 19_973}} if n == 1 else line,
    )
    # When the output is collected
    result = collect_step(pipeline, lambda_context, job)
    # Then one item is sent to review, the other goes back with the reason
    assert (result["labeled"], result["not_labeled"], result["next"]) == (1, 1, "REVIEW")
    assert len(read_lines(pipeline, f"s3://{OUTPUT_BUCKET}/batches/exec-1/review.manifest")) == 1
    (returned,) = read_lines(pipeline, f"s3://{OUTPUT_BUCKET}/batches/exec-1/returns-labeling.jsonl")
    assert returned["reason"] == (
        "cannot be reviewed: its manifest attribute 'label-metadata' would be 20,001 characters; "
        "Ground Truth takes at most 20,000 per attribute"
    )


def test_fields_the_review_does_not_need_do_not_count_against_its_limits(
    make_pipeline: PipelineFactory, lambda_context: Any
) -> None:
    # Given a labeled image whose output line carries a field of 30,000 characters
    pipeline = make_pipeline(TaskType.IMAGE_SINGLE_LABEL_CLASSIFICATION, verification=True)
    job = finished_job(pipeline, lambda_context, 1)
    _rewrite_output(pipeline, job["output_manifest_uri"], lambda n, line: {**line, "notes": "x" * 30_000})
    # When the output is collected
    result = collect_step(pipeline, lambda_context, job)
    # Then the item is sent to review with only what the review needs
    assert (result["labeled"], result["next"]) == (1, "REVIEW")
    (line,) = read_lines(pipeline, f"s3://{OUTPUT_BUCKET}/batches/exec-1/review.manifest")
    assert set(line) == {"source-ref", "item-id", "proposed_label"}
