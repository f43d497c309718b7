"""Labeling and review jobs: names, CreateLabelingJob requests, status, and how long to wait between polls.

This module is the only one that knows Ground Truth's request and response shapes (AWS has closed Ground
Truth to new customers; keeping the backend behind one boundary keeps a future replacement small).
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from . import facts
from .config import JobSettings, PipelineConfig
from .layout import BatchLayout
from .model import Stage

if TYPE_CHECKING:
    from mypy_boto3_sagemaker import SageMakerClient

MAX_JOB_NAME = 63
_STAGE_SUFFIX = {Stage.LABELING: "lbl", Stage.VERIFICATION: "rev"}

# --- waiting --------------------------------------------------------------------------------------
#: Step Functions history events per poll of the wait loop, and the polls one job may use within its
#: horizon, so that a labeling and a review job stay well inside the 25,000-event history: the module's
#: data/limits.json, whose README gives the arithmetic.
EVENTS_PER_POLL = facts.HISTORY_EVENTS_PER_POLL
POLLS_PER_JOB = facts.POLLS_PER_JOB
_MAX_DOUBLINGS = 30


#: AWS fails a labeling job that is still open after 30 days (SageMaker API reference,
#: LabelingJobStoppingConditions; data/limits.json).
MAX_JOB_SECONDS = facts.MAX_JOB_SECONDS


def job_horizon_seconds(settings: JobSettings) -> int:
    """How long a job can stay open: one availability window per set of objects, 30 days at most.

    Ground Truth sends a job's objects in sets of ``MaxConcurrentTaskCount`` and the next set when the
    workers are done with one (SageMaker Developer Guide, "Control the flow of data objects sent to
    workers", https://docs.aws.amazon.com/sagemaker/latest/dg/sms-batching.html). Each set can take its
    tasks' availability plus one worker's time on a task accepted at the last moment, so a job of
    ``ceil(max_objects_per_job / max_concurrent_task_count)`` sets can take that many times as long, until
    AWS fails it at 30 days. The module builds the state machine's timeout from the same bound
    (``job_horizon_seconds`` in ``modules/labeling_pipeline/main.tf``); a verification job's settings carry
    the labeling job's ``max_objects_per_job``, the most it can review.
    """
    sets = math.ceil(settings.max_objects_per_job / settings.max_concurrent_task_count)
    per_set = settings.availability_lifetime_seconds + settings.task_time_limit_seconds
    return min(sets * per_set, MAX_JOB_SECONDS)


def wait_cap_seconds(config: PipelineConfig, settings: JobSettings) -> int:
    """The longest wait: ``max_wait_seconds``, raised if needed so the horizon fits in the poll budget."""
    return max(config.max_wait_seconds, math.ceil(job_horizon_seconds(settings) / POLLS_PER_JOB))


def next_wait_seconds(config: PipelineConfig, settings: JobSettings, polls_done: int) -> int:
    """Seconds to wait before poll number ``polls_done + 1``: doubling from ``min_wait_seconds`` to the cap.

    Short jobs (the emulator's, or a small team that labels within minutes) are noticed quickly; long ones
    are polled hourly. With the defaults (60 s doubling to 3,600 s) a job open for the whole 30 days AWS
    allows (2,592,000 s) is polled 6 times while the wait doubles (60 + 120 + 240 + 480 + 960 + 1,920 =
    3,780 s) and then ceil((2,592,000 - 3,780) / 3,600) = 719 times: 725 polls, 6,525 history events. A
    labeling and a review job of 30 days each need 13,050 events, about half of the 25,000-event limit.
    Whatever ``max_wait_seconds`` is set to, the cap is at least
    horizon / 1,000, so a job never needs more than 1,000 + log2(cap / min) polls (at most 9,300 events).
    """
    doubled: int = config.min_wait_seconds * 2 ** min(polls_done, _MAX_DOUBLINGS)
    return min(wait_cap_seconds(config, settings), doubled)


# --- naming and creating -------------------------------------------------------------------------


def job_name(pipeline_name: str, batch_id: str, stage: Stage) -> str:
    """A valid, unique, deterministic job name: a retried start finds the job it already created."""
    digest = hashlib.sha256(batch_id.encode("utf-8")).hexdigest()[:12]
    suffix = f"-{digest}-{_STAGE_SUFFIX[stage]}"
    prefix = re.sub(r"[^A-Za-z0-9]+", "-", pipeline_name).strip("-")[: MAX_JOB_NAME - len(suffix)].strip("-")
    return f"{prefix or 'labeling'}{suffix}"


def settings_for(config: PipelineConfig, stage: Stage) -> JobSettings:
    if stage is Stage.LABELING:
        return config.labeling
    if config.verification is None:
        raise ValueError("verification is not configured for this pipeline")
    return config.verification


def create_request(config: PipelineConfig, layout: BatchLayout, stage: Stage, name: str) -> dict[str, Any]:
    """The CreateLabelingJob request of one stage of one batch."""
    settings = settings_for(config, stage)
    ui = (
        {"HumanTaskUiArn": settings.human_task_ui_arn}
        if settings.human_task_ui_arn
        else {"UiTemplateS3Uri": settings.ui_template_s3_uri}
    )
    output: dict[str, str] = {"S3OutputPath": layout.job_output_path}
    if config.kms_key_arn:
        output["KmsKeyId"] = config.kms_key_arn
    return {
        "LabelingJobName": name,
        "LabelAttributeName": settings.label_attribute_name,
        "InputConfig": {"DataSource": {"S3DataSource": {"ManifestS3Uri": layout.manifest_for(stage).uri}}},
        "OutputConfig": output,
        "RoleArn": config.sagemaker_role_arn,
        "LabelCategoryConfigS3Uri": settings.categories_s3_uri,
        "HumanTaskConfig": {
            "WorkteamArn": settings.workteam_arn,
            "UiConfig": ui,
            "PreHumanTaskLambdaArn": settings.pre_annotation_lambda_arn,
            "TaskKeywords": list(settings.keywords),
            "TaskTitle": settings.title,
            "TaskDescription": settings.description,
            "NumberOfHumanWorkersPerDataObject": settings.workers_per_object,
            "TaskTimeLimitInSeconds": settings.task_time_limit_seconds,
            "TaskAvailabilityLifetimeInSeconds": settings.availability_lifetime_seconds,
            "MaxConcurrentTaskCount": settings.max_concurrent_task_count,
            "AnnotationConsolidationConfig": {
                "AnnotationConsolidationLambdaArn": settings.consolidation_lambda_arn
            },
        },
        "Tags": [
            {"Key": "labeling-pipeline", "Value": config.name},
            {"Key": "labeling-batch", "Value": layout.batch_id},
            {"Key": "labeling-stage", "Value": stage.value},
        ],
    }


# --- status -------------------------------------------------------------------------------------


class NextStep(StrEnum):
    WAIT = "WAIT"
    COLLECT = "COLLECT"
    FAILED = "FAILED"


@dataclass(frozen=True)
class JobStatus:
    status: str
    next: NextStep
    output_manifest_uri: str | None
    failure_reason: str | None
    labeled: int


_RUNNING = frozenset({"Initializing", "InProgress", "Stopping"})
_STOPPABLE = frozenset({"Initializing", "InProgress"})


def interpret(description: Mapping[str, Any], layout: BatchLayout) -> JobStatus:
    """What a DescribeLabelingJob response means for the state machine."""
    status = description.get("LabelingJobStatus", "")
    name = description.get("LabelingJobName", "")
    output = (description.get("LabelingJobOutput") or {}).get("OutputDatasetS3Uri")
    labeled = int((description.get("LabelCounters") or {}).get("TotalLabeled", 0))
    reason = description.get("FailureReason")
    if status in _RUNNING:
        step = NextStep.WAIT
    elif status == "Completed" or (status == "Stopped" and output):
        # A stopped job still wrote what its workers finished; collect that and return the rest.
        step = NextStep.COLLECT
        output = output or layout.job_output_manifest(name)
    else:
        step = NextStep.FAILED
        reason = reason or f"job ended with status {status or 'unknown'}"
    return JobStatus(status, step, output, reason, labeled)


# --- jobs that outlive their execution -----------------------------------------------------------


def _error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def stop_batch_jobs(sagemaker: SageMakerClient, pipeline_name: str, batch_id: str) -> list[str]:
    """Stop the batch's jobs that still run; return the names of those that have not ended yet.

    A batch's items may go back to the queue only when none of its jobs can label them any more: a job
    still running when its execution ended (timed out, stopped, or a step failed) would otherwise label
    them while the next batch's job labels them too, and nothing would ever read its output. Its
    execution is over, so its workers' further time is wasted: the job is stopped ("A job that is stopped
    cannot be restarted", SageMaker API reference, StopLabelingJob,
    https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_StopLabelingJob.html). AWS stops it
    asynchronously (``Stopping``, then ``Stopped``), so the caller leaves the items where they are and
    looks again later.
    """
    running = []
    for stage in Stage:
        name = job_name(pipeline_name, batch_id, stage)
        try:
            status = str(sagemaker.describe_labeling_job(LabelingJobName=name)["LabelingJobStatus"])
        except ClientError as error:
            if _error_code(error) == "ResourceNotFound":
                continue  # this stage never started a job
            raise
        if status not in _RUNNING:
            continue
        running.append(name)
        if status in _STOPPABLE:
            try:
                sagemaker.stop_labeling_job(LabelingJobName=name)
            except ClientError as error:
                # It ended between the two calls: the next look sees how.
                if _error_code(error) != "ValidationException":
                    raise
    return running
