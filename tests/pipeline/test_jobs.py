"""start_job and check_job: the job each task type gets, its status, and how long the loop waits."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from labeling_pipeline import handlers
from labeling_pipeline.config import Media, TaskType, parse_config
from labeling_pipeline.facts import HISTORY_EVENTS_MAX
from labeling_pipeline.jobs import (
    EVENTS_PER_POLL,
    POLLS_PER_JOB,
    job_horizon_seconds,
    job_name,
    next_wait_seconds,
    wait_cap_seconds,
)
from labeling_pipeline.model import CheckJobResult, JobState, Stage, StartJobResult
from tests.pipeline.harness import (
    NER_UI,
    OUTPUT_BUCKET,
    PRE_NAMES,
    Pipeline,
    PipelineFactory,
    job_settings,
    pipeline_config,
)

DAY = 24 * 3600
THIRTY_DAYS = 30 * DAY


def claimed(pipeline: Pipeline, context: Any, execution: str = "exec-1", uploads: int = 2) -> None:
    for n in range(uploads):
        if TaskType(pipeline.config["task_type"]).media is Media.TEXT:
            pipeline.upload(f"t/{n}.txt", f"text number {n}".encode(), "text/plain")
        else:
            pipeline.upload(f"i/{n}.png")
    handlers.claim_batch({"run": pipeline.run(execution)}, context)


def start(
    pipeline: Pipeline, context: Any, stage: str = "labeling", execution: str = "exec-1"
) -> StartJobResult:
    return handlers.start_job({"run": pipeline.run(execution), "stage": stage}, context)


def check(pipeline: Pipeline, context: Any, job: JobState, execution: str = "exec-1") -> CheckJobResult:
    return handlers.check_job({"run": pipeline.run(execution), "job": job}, context)


@pytest.mark.parametrize("task_type", list(TaskType))
def test_each_task_type_gets_its_built_in_job_over_the_batch_manifest(
    make_pipeline: PipelineFactory, lambda_context: Any, task_type: TaskType
) -> None:
    # Given a claimed batch
    pipeline = make_pipeline(task_type)
    claimed(pipeline, lambda_context)
    # When the labeling job is started
    job = start(pipeline, lambda_context)
    # Then Ground Truth has a job over this batch's manifest with the task type's Lambdas and template
    request = pipeline.ground_truth.jobs[job["job_name"]].request
    assert request["InputConfig"]["DataSource"]["S3DataSource"]["ManifestS3Uri"] == (
        f"s3://{OUTPUT_BUCKET}/batches/exec-1/input.manifest"
    )
    human = request["HumanTaskConfig"]
    assert human["PreHumanTaskLambdaArn"].endswith(f":function:PRE-{PRE_NAMES[task_type]}")
    assert human["AnnotationConsolidationConfig"]["AnnotationConsolidationLambdaArn"].endswith(
        f":function:ACS-{PRE_NAMES[task_type]}"
    )
    assert human["UiConfig"] == (
        {"HumanTaskUiArn": NER_UI}
        if task_type is TaskType.NAMED_ENTITY_RECOGNITION
        else {"UiTemplateS3Uri": f"s3://{OUTPUT_BUCKET}/config/{task_type.value}.liquid.html"}
    )
    expected_attribute = "label-ref" if task_type is TaskType.IMAGE_SEMANTIC_SEGMENTATION else "label"
    assert request["LabelAttributeName"] == expected_attribute
    assert request["OutputConfig"] == {"S3OutputPath": f"s3://{OUTPUT_BUCKET}/jobs/"}
    assert len(pipeline.ground_truth.input_lines(job["job_name"])) == 2
    # And the first wait is the configured minimum
    assert (job["polls"], job["wait_seconds"]) == (0, 60)


def test_the_built_in_ui_and_kms_key_are_used_when_configured(
    make_pipeline: PipelineFactory, lambda_context: Any
) -> None:
    ner = TaskType.NAMED_ENTITY_RECOGNITION
    ui_arn = NER_UI
    pipeline = make_pipeline(
        ner,
        kms_key_arn="arn:aws:kms:us-east-1:123456789012:key/1234",
        labeling=job_settings(ner, ui_template_s3_uri=None, human_task_ui_arn=ui_arn),
    )
    claimed(pipeline, lambda_context)
    request = pipeline.ground_truth.jobs[start(pipeline, lambda_context)["job_name"]].request
    assert request["HumanTaskConfig"]["UiConfig"] == {"HumanTaskUiArn": ui_arn}
    assert request["OutputConfig"]["KmsKeyId"] == "arn:aws:kms:us-east-1:123456789012:key/1234"


def test_the_review_job_uses_the_review_settings_and_manifest(
    make_pipeline: PipelineFactory, lambda_context: Any
) -> None:
    pipeline = make_pipeline(TaskType.IMAGE_BOUNDING_BOX, verification=True)
    claimed(pipeline, lambda_context, uploads=1)
    job = start(pipeline, lambda_context, stage="verification")
    request = pipeline.ground_truth.jobs[job["job_name"]].request
    assert request["LabelAttributeName"] == "verification"
    assert request["InputConfig"]["DataSource"]["S3DataSource"]["ManifestS3Uri"].endswith(
        "/batches/exec-1/review.manifest"
    )
    assert request["HumanTaskConfig"]["PreHumanTaskLambdaArn"].endswith("PRE-VerificationBoundingBox")
    assert request["HumanTaskConfig"]["WorkteamArn"].endswith("/reviewers")


def test_a_retried_start_finds_the_job_it_created(
    make_pipeline: PipelineFactory, lambda_context: Any
) -> None:
    pipeline = make_pipeline()
    claimed(pipeline, lambda_context)
    first = start(pipeline, lambda_context)
    second = start(pipeline, lambda_context)
    assert first["job_name"] == second["job_name"]
    assert list(pipeline.ground_truth.jobs) == [first["job_name"]]


def test_a_job_cannot_start_without_a_committed_batch(
    make_pipeline: PipelineFactory, lambda_context: Any
) -> None:
    pipeline = make_pipeline()
    with pytest.raises(RuntimeError, match="not committed"):
        start(pipeline, lambda_context)


@pytest.mark.parametrize(
    "name",
    ["pipe", "My Pipeline_with spaces/and:symbols", "x" * 200, "---", "ünïcödé"],
)
def test_job_names_are_valid_and_unique_per_batch(name: str) -> None:
    names = {job_name(name, batch, stage) for batch in ("exec-1", "exec-2") for stage in Stage}
    assert len(names) == 4
    for value in names:
        assert len(value) <= 63
        assert re.fullmatch(r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}", value), value


def test_a_running_job_is_polled_with_a_growing_wait(
    make_pipeline: PipelineFactory, lambda_context: Any
) -> None:
    pipeline = make_pipeline()
    claimed(pipeline, lambda_context)
    job = start(pipeline, lambda_context)
    waits = []
    for _ in range(8):
        job = check(pipeline, lambda_context, job)
        assert (job["status"], job["next"]) == ("InProgress", "WAIT")
        waits.append(job["wait_seconds"])
    assert waits == [120, 240, 480, 960, 1920, 3600, 3600, 3600]


def test_a_completed_job_is_collected_from_its_output_manifest(
    make_pipeline: PipelineFactory, lambda_context: Any
) -> None:
    pipeline = make_pipeline()
    claimed(pipeline, lambda_context)
    job = start(pipeline, lambda_context)
    pipeline.ground_truth.finish(
        job["job_name"], lambda line: {"label": 0, "label-metadata": {"class-name": "cat"}}
    )
    job = check(pipeline, lambda_context, job)
    assert (job["status"], job["next"], job["labeled"]) == ("Completed", "COLLECT", 2)
    assert (
        job["output_manifest_uri"]
        == f"s3://{OUTPUT_BUCKET}/jobs/{job['job_name']}/manifests/output/output.manifest"
    )


def test_a_failed_job_reports_its_reason(make_pipeline: PipelineFactory, lambda_context: Any) -> None:
    pipeline = make_pipeline()
    claimed(pipeline, lambda_context)
    job = start(pipeline, lambda_context)
    pipeline.ground_truth.fail(job["job_name"], "ClientError: Access Denied to the input manifest")
    job = check(pipeline, lambda_context, job)
    assert (job["status"], job["next"]) == ("Failed", "FAILED")
    assert job["failure_reason"] == "ClientError: Access Denied to the input manifest"


def test_a_stopped_job_without_output_counts_as_failed(
    make_pipeline: PipelineFactory, lambda_context: Any
) -> None:
    pipeline = make_pipeline()
    claimed(pipeline, lambda_context)
    job = start(pipeline, lambda_context)
    pipeline.ground_truth.jobs[job["job_name"]].status = "Stopped"
    job = check(pipeline, lambda_context, job)
    assert job["next"] == "FAILED"
    assert "Stopped" in str(job["failure_reason"])


def _history_events_for(config: dict[str, Any], horizon: int) -> int:
    """Poll a labeling job open for ``horizon`` seconds, counting the history events the wait loop writes."""
    parsed = parse_config(json.dumps(config))
    settings = parsed.labeling
    waited = polls = 0
    while waited < horizon:
        waited += next_wait_seconds(parsed, settings, polls)
        polls += 1
    return polls * EVENTS_PER_POLL


def test_a_30_day_job_stays_far_below_the_history_limit() -> None:
    # Given the defaults (60 s doubling to 3,600 s) and a job open for the full 30 days
    task = TaskType.IMAGE_BOUNDING_BOX
    config = pipeline_config(task, labeling=job_settings(task, availability_lifetime_seconds=THIRTY_DAYS))
    # When the wait loop runs until AWS fails the job, 30 days after it started
    events = _history_events_for(config, THIRTY_DAYS)
    # Then it uses 725 polls, 6,525 events (the arithmetic in next_wait_seconds' docstring)
    assert events == 725 * EVENTS_PER_POLL
    # And a labeling job plus a review job of 30 days each use about half of the limit
    assert 2 * events < HISTORY_EVENTS_MAX / 1.9


@pytest.mark.parametrize(("min_wait", "max_wait"), [(1, 1), (5, 60), (60, 3600), (600, 86_400)])
def test_any_wait_setting_keeps_two_30_day_jobs_below_the_history_limit(min_wait: int, max_wait: int) -> None:
    # Given a wait configuration that would poll a 30-day job far too often if taken literally
    task = TaskType.TEXT_MULTI_LABEL_CLASSIFICATION
    config = pipeline_config(
        task,
        min_wait_seconds=min_wait,
        max_wait_seconds=max_wait,
        labeling=job_settings(
            task, availability_lifetime_seconds=THIRTY_DAYS, task_time_limit_seconds=8 * 3600
        ),
    )
    # When the loop waits out the whole horizon (AWS fails a job after 30 days, whatever its task limit)
    events = _history_events_for(config, THIRTY_DAYS)
    # Then the cap is raised so one job needs at most ~1,000 polls, and two jobs leave room for the rest
    assert events <= (POLLS_PER_JOB + 20) * EVENTS_PER_POLL
    assert 2 * events + 5_000 < HISTORY_EVENTS_MAX


def test_a_job_of_several_sets_is_polled_through_all_of_them_within_its_share_of_the_history() -> None:
    # Given jobs of up to 1,000 objects that Ground Truth sends in sets of 400 (3 sets), 5-day windows,
    # and a 10-minute wait
    task = TaskType.IMAGE_BOUNDING_BOX
    labeling = job_settings(
        task, availability_lifetime_seconds=5 * DAY, max_concurrent_task_count=400, max_objects_per_job=1000
    )
    config = pipeline_config(task, max_wait_seconds=600, labeling=labeling)
    # When the wait loop polls for as long as such a job can stay open: 3 windows, each with a worker's
    # 300 s on the last task of its set
    events = _history_events_for(config, 3 * (5 * DAY + 300))
    # Then it stays within one job's share of the history
    assert events <= (POLLS_PER_JOB + 20) * EVENTS_PER_POLL


def test_no_job_is_polled_as_if_it_could_outlive_the_30_days_aws_allows() -> None:
    # Given jobs sent one object at a time, up to 1,000 objects, each with a 30-day window
    task = TaskType.IMAGE_BOUNDING_BOX
    labeling = job_settings(
        task, availability_lifetime_seconds=THIRTY_DAYS, max_concurrent_task_count=1, max_objects_per_job=1000
    )
    parsed = parse_config(json.dumps(pipeline_config(task, labeling=labeling)))
    # When the horizon and the longest wait are worked out
    horizon, cap = job_horizon_seconds(parsed.labeling), wait_cap_seconds(parsed, parsed.labeling)
    # Then the job is over after 30 days (AWS fails it then), and it is polled at least hourly until then
    assert (horizon, cap) == (THIRTY_DAYS, 3600)
